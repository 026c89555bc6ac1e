import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntegrityError } from '../../lambdas/core/errors.js';
import type { SignalKind } from '../../lambdas/core/incidents/signals.js';
import type { IncidentRecord } from '../../lambdas/shared/adapters/incident-store.js';
import type { Registry } from '../../lambdas/shared/adapters/registry.js';
import { runRunbook, type RunbookDeps } from '../../lambdas/shared/use-cases/incident-runbook.js';
import { promoteVersion } from '../../lambdas/shared/use-cases/lifecycle.js';
import { movesOver, registerTestVersion, startTestRegistry } from '../helpers/registry-table.js';

/** Tier 1's runbook on the registry in DynamoDB Local: the artifact verified, a rollback, a retraining asked for. */
let registry: Registry;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ registry, stop } = await startTestRegistry());
});

afterAll(() => stop());

const who = { actor: 'ci', reason: 'test' };

/** A model with v1 then v2 promoted; answers the two version numbers. */
async function twoPromoted(model: string): Promise<[number, number]> {
  const v1 = await registerTestVersion(registry, model, `${model}-1`);
  const v2 = await registerTestVersion(registry, model, `${model}-2`);
  await promoteVersion(movesOver(registry), { model, version: v1.version, ...who });
  await promoteVersion(movesOver(registry), { model, version: v2.version, ...who });
  return [v1.version, v2.version];
}

function incident(
  model: string,
  source: IncidentRecord['source'],
  kind: SignalKind = 'estimated_decay',
): IncidentRecord {
  return {
    id: '7',
    models: [model],
    status: 'open',
    openedAt: '2026-12-08T10:00:00.000Z',
    updatedAt: '2026-12-08T10:00:00.000Z',
    resolvedAt: null,
    members: [
      {
        alarmName: `${model}-${kind}`,
        model,
        kind,
        state: 'ALARM',
        firstAlarmAt: '2026-12-08T10:00:00.000Z',
        changedAt: '2026-12-08T10:00:00.000Z',
        reason: 'threshold crossed',
      },
    ],
    source,
    line: 'incident 7',
  };
}

function deps(corrupted: ReadonlySet<number> = new Set()): RunbookDeps & { retrains: string[] } {
  const retrains: string[] = [];
  return {
    registry,
    checkArtifact: async (version) => {
      if (corrupted.has(version.version))
        throw new IntegrityError(`s3://b/${version.artifact.key} does not match the sha256 the registry recorded`);
    },
    retrain: async (model, alarm) => {
      retrains.push(`${model}:${alarm.name}`);
      return 'no retraining: within the cool-down';
    },
    actor: 'incident response (tier 1)',
    retrains,
  };
}

describe("tier 1's runbook (issue 22)", () => {
  it('a corrupted served artifact: the sha256 check fails and production rolls back to the previous version', async () => {
    const [v1, v2] = await twoPromoted('corrupt');
    const signal = { kind: 'signal' as const, summary: 'serving cannot load', evidence: '', confidence: 0.7 };
    const { steps, escalate } = await runRunbook(deps(new Set([v2])), incident('corrupt', signal, 'serving_load'));
    expect(steps.map((s) => [s.step, s.outcome])).toEqual([
      ['verify artifact', 'failed'],
      ['roll back', 'done'],
    ]);
    expect(steps[0]?.evidence).toMatch(new RegExp(`^v${v2}: .*does not match the sha256`));
    expect(escalate).toBe(false);
    expect((await registry.aliases.get('corrupt'))?.version).toBe(v1);
    expect((await registry.audit.list('corrupt')).at(-1)).toMatchObject({
      action: 'rollback',
      actor: 'incident response (tier 1)',
      outcome: 'succeeded',
      reason: 'incident 7: the served artifact fails its check',
    });
  });

  it('the likely source is the promotion of the served version: it rolls back; a retraining is not asked for', async () => {
    const [v1, v2] = await twoPromoted('promoted');
    const change = {
      kind: 'change' as const,
      summary: `promotion of v${v2} at 09:58`,
      evidence: 'quality fell',
      confidence: 0.85,
    };
    const d = deps();
    const { steps } = await runRunbook(d, incident('promoted', change));
    expect(steps.map((s) => [s.step, s.outcome])).toEqual([
      ['verify artifact', 'passed'],
      ['roll back', 'done'],
    ]);
    expect((await registry.aliases.get('promoted'))?.version).toBe(v1);
    expect(d.retrains).toEqual([]);
  });

  it('nothing to roll back to: recorded as refused, and the incident goes to tier 2 at once (no retry)', async () => {
    const only = await registerTestVersion(registry, 'single', 'single-1');
    await promoteVersion(movesOver(registry), { model: 'single', version: only.version, ...who });
    const { steps, escalate } = await runRunbook(
      deps(new Set([only.version])),
      incident(
        'single',
        {
          kind: 'signal',
          summary: 'serving cannot load',
          evidence: '',
          confidence: 0.7,
        },
        'serving_load',
      ),
    );
    expect(steps.map((s) => [s.step, s.outcome])).toEqual([
      ['verify artifact', 'failed'],
      ['roll back', 'refused'],
    ]);
    expect(steps[1]?.evidence).toContain('no previous approved version');
    expect(escalate).toBe(true);
    expect((await registry.aliases.get('single'))?.version).toBe(only.version);
  });

  it('drift with no change behind it asks for a retraining on the alarm (its dedup and cool-down apply)', async () => {
    await twoPromoted('drifting');
    const d = deps();
    const signal = { kind: 'signal' as const, summary: 'input drift', evidence: '', confidence: 0.85 };
    const { steps } = await runRunbook(d, incident('drifting', signal, 'input_drift'));
    expect(steps.map((s) => [s.step, s.outcome, s.evidence])).toEqual([
      ['verify artifact', 'passed', expect.stringMatching(/sha256 .* matches/)],
      ['retrain', 'done', 'no retraining: within the cool-down'],
    ]);
    expect(d.retrains).toEqual(['drifting:drifting-input_drift']);
  });

  it('a retraining that cannot be asked for is recorded as refused and goes to tier 2 at once, not as a failed step', async () => {
    await twoPromoted('unreachable');
    const d = {
      ...deps(),
      retrain: async () => {
        throw new Error('getaddrinfo ENOTFOUND lambda');
      },
    };
    const signal = { kind: 'signal' as const, summary: 'input drift', evidence: '', confidence: 0.85 };
    const { steps, escalate } = await runRunbook(d, incident('unreachable', signal, 'input_drift'));
    expect(steps.at(-1)).toMatchObject({
      step: 'retrain',
      outcome: 'refused',
      evidence: expect.stringContaining('ENOTFOUND'),
    });
    expect(escalate).toBe(true);
  });
});
