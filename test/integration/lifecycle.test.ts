import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnservableVersionError } from '../../lambdas/core/errors.js';
import { promoteRun } from '../../lambdas/promote/promote.js';
import { promoteVersion, rollback, setApproval, setCandidate } from '../../lambdas/shared/use-cases/lifecycle.js';
import type { Registry } from '../../lambdas/shared/adapters/registry.js';
import type { AliasStore } from '../../lambdas/shared/adapters/alias-store.js';
import type { VersionRecord, VersionStatus } from '../../lambdas/shared/contracts/registry-records.js';
import { movesOver, registerTestVersion, startTestRegistry } from '../helpers/registry-table.js';

let registry: Registry;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ registry, stop } = await startTestRegistry());
});

afterAll(() => stop());

async function register(model: string, status: VersionStatus): Promise<VersionRecord> {
  return registerTestVersion(registry, model, `run-${Math.random()}`, status);
}

const who = { actor: 'alice@laptop', reason: 'test' };

describe('promotion, rollback and approval with an audit trail', () => {
  it('20 concurrent promotions end with exactly one production version and 20 audit events', async () => {
    const versions = await Promise.all(Array.from({ length: 20 }, () => register('race', 'approved')));
    // Truly concurrent: every promotion has read production (none yet) before any of them writes. Without this
    // barrier a slow caller may read after the first write and legitimately win second (see the next test).
    let allRead: () => void = () => undefined;
    const arrived = new Promise<void>((resolve) => {
      allRead = resolve;
    });
    let reads = 0;
    const aliases = Object.create(registry.aliases) as AliasStore;
    aliases.get = async (...args: Parameters<AliasStore['get']>) => {
      const alias = await registry.aliases.get(...args);
      if (++reads === 20) allRead();
      await arrived;
      return alias;
    };
    const barrier: Registry = { ...registry, aliases };
    const results = await Promise.allSettled(
      versions.map((v) => promoteVersion(movesOver(barrier), { model: 'race', version: v.version, ...who })),
    );
    const winners = results.filter(
      (r): r is PromiseFulfilledResult<Awaited<ReturnType<typeof promoteVersion>>> => r.status === 'fulfilled',
    );
    expect(winners).toHaveLength(1);
    const production = await registry.aliases.get('race');
    expect(production?.version).toBe(winners[0]?.value.version);
    const audit = await registry.audit.list('race');
    expect(audit).toHaveLength(20);
    expect(audit.filter((e) => e.outcome === 'succeeded').map((e) => e.version)).toEqual([production?.version]);
    expect(
      audit
        .filter((e) => e.outcome === 'refused')
        .every((e) => e.detail.includes('changed while this change was being made')),
    ).toBe(true);
    expect(audit.every((e) => e.actor === 'alice@laptop' && e.reason === 'test' && e.action === 'promote')).toBe(true);
  });

  it('loses no update when promotions interleave freely: the successes form one chain, each over the one before', async () => {
    const versions = await Promise.all(Array.from({ length: 20 }, () => register('chain', 'approved')));
    const results = await Promise.allSettled(
      versions.map((v) => promoteVersion(movesOver(registry), { model: 'chain', version: v.version, ...who })),
    );
    const won = results.filter((r) => r.status === 'fulfilled').length;
    const audit = await registry.audit.list('chain');
    expect(audit).toHaveLength(20);
    const succeeded = audit.filter((e) => e.outcome === 'succeeded');
    expect(succeeded).toHaveLength(won);
    succeeded.forEach((e, i) => expect(e.previousVersion).toBe(i === 0 ? null : succeeded[i - 1]?.version));
    const production = await registry.aliases.get('chain');
    expect(production).toMatchObject({ version: succeeded.at(-1)?.version, revision: won });
  });

  it('rolls back to the version before, audited with who and why, and refuses when there is none', async () => {
    const [v1, v2] = [await register('roll', 'approved'), await register('roll', 'approved')];
    await expect(rollback(movesOver(registry), { model: 'roll', ...who })).rejects.toThrow(
      'model "roll" has no production version to roll back',
    );
    await promoteVersion(movesOver(registry), { model: 'roll', version: v1.version, ...who });
    await expect(rollback(movesOver(registry), { model: 'roll', ...who })).rejects.toThrow(
      'has no previous approved version to roll back to (production is v1)',
    );
    await promoteVersion(movesOver(registry), { model: 'roll', version: v2.version, ...who, reason: 'better model' });
    const back = await rollback(movesOver(registry), { model: 'roll', actor: 'bob@ops', reason: 'v2 misbehaves' });
    expect(back).toMatchObject({ version: 1, previous: [1, 2] });
    const last = (await registry.audit.list('roll')).at(-1);
    expect(last).toMatchObject({
      action: 'rollback',
      actor: 'bob@ops',
      reason: 'v2 misbehaves',
      version: 1,
      previousVersion: 2,
      outcome: 'succeeded',
    });
  });

  it('moves the candidate alias to newer versions only (runs can finish out of order)', async () => {
    const [a, b] = [await register('cand', 'approved'), await register('cand', 'pending')];
    expect((await setCandidate(registry, { model: 'cand', version: b.version, ...who }))?.version).toBe(b.version);
    expect(await setCandidate(registry, { model: 'cand', version: a.version, ...who })).toBeUndefined();
    expect((await registry.aliases.get('cand', 'candidate'))?.version).toBe(b.version);
  });

  it('a model that requires approval: the promote step leaves production alone and ends the run awaiting approval', async () => {
    const live = await register('manual', 'approved');
    await promoteVersion(movesOver(registry), { model: 'manual', version: live.version, ...who });
    const pending = await register('manual', 'pending');
    const trigger = { bucket: 'b', key: 'incoming/manual/a.csv', etag: 'e', versionId: null, size: 1 };
    await registry.runs.create({
      model: 'manual',
      runId: pending.runId,
      status: 'RUNNING',
      trigger,
      startedAt: 't',
      updatedAt: 't',
    });
    const result = await promoteRun(
      movesOver(registry),
      { model: 'manual', runId: pending.runId, trigger, duplicate: false },
      { version: pending.version, metrics: {}, gate: { passed: true, summary: 'ok' }, comparedWith: live.version },
      'pipeline (test)',
      'direct',
    );
    expect(result).toEqual({
      version: pending.version,
      previousVersion: live.version,
      promoted: false,
      release: false,
    });
    expect((await registry.aliases.get('manual'))?.version).toBe(live.version);
    expect((await registry.aliases.get('manual', 'candidate'))?.version).toBe(pending.version);
    expect(await registry.runs.get('manual', pending.runId)).toMatchObject({
      status: 'AWAITING_APPROVAL',
      reason: expect.stringContaining(`mlops approve manual ${pending.version}`),
    });
    await setApproval(registry, { model: 'manual', version: pending.version, ...who }, 'approve');
    await promoteVersion(movesOver(registry), { model: 'manual', version: pending.version, ...who });
    expect((await registry.aliases.get('manual'))?.version).toBe(pending.version);
  });

  it('serves only approved versions: pending ones must be approved, rejected ones never', async () => {
    const pending = await register('gated', 'pending');
    const rejected = await register('gated', 'rejected');
    await expect(
      promoteVersion(movesOver(registry), { model: 'gated', version: pending.version, ...who }),
    ).rejects.toThrow('is pending; only approved versions can be served (approve it first: mlops approve)');
    await expect(
      promoteVersion(movesOver(registry), { model: 'gated', version: rejected.version, ...who }),
    ).rejects.toThrow('is rejected; only approved versions can be served');
    await expect(
      setApproval(registry, { model: 'gated', version: rejected.version, ...who }, 'approve'),
    ).rejects.toThrow('is rejected, not pending');
    const approved = await setApproval(registry, { model: 'gated', version: pending.version, ...who }, 'approve');
    expect(approved).toMatchObject({ status: 'approved', revision: 2 });
    await promoteVersion(movesOver(registry), { model: 'gated', version: pending.version, ...who });
    await expect(setApproval(registry, { model: 'gated', version: pending.version, ...who }, 'reject')).rejects.toThrow(
      'is in production',
    );
    await expect(promoteVersion(movesOver(registry), { model: 'gated', version: 99, ...who })).rejects.toThrow(
      'model "gated" has no version 99 (versions 1 to 2 exist)',
    );
    const actions = (await registry.audit.list('gated')).map((e) => `${e.action}:${e.outcome}`);
    expect(actions).toEqual([
      'promote:refused',
      'promote:refused',
      'approve:refused',
      'approve:succeeded',
      'promote:succeeded',
      'reject:refused',
      'promote:refused',
    ]);
  });
});

describe('a pointer moves only to a version that can be served', () => {
  it('refuses a rollback to a version whose artifact is missing, with the reason; production and serving untouched; the refusal audited', async () => {
    const [v1, v2] = [await register('gone', 'approved'), await register('gone', 'approved')];
    await promoteVersion(movesOver(registry), { model: 'gone', version: v1.version, ...who });
    await promoteVersion(movesOver(registry), { model: 'gone', version: v2.version, ...who });
    const deleted = movesOver(registry, new Set([v1.version]));
    await expect(rollback(deleted, { model: 'gone', actor: 'bob@ops', reason: 'v2 is slow' })).rejects.toThrow(
      `version ${v1.version} of gone cannot be served: s3://a/models/gone/${v1.runId}/model.json does not exist; production stays v${v2.version}`,
    );
    await expect(promoteVersion(deleted, { model: 'gone', version: v1.version, ...who })).rejects.toBeInstanceOf(
      UnservableVersionError,
    );
    expect((await registry.aliases.get('gone'))?.version).toBe(v2.version);
    const refused = (await registry.audit.list('gone')).filter((e) => e.outcome === 'refused');
    expect(refused.map((e) => [e.action, e.version, e.previousVersion])).toEqual([
      ['rollback', v1.version, v2.version],
      ['promote', v1.version, v2.version],
    ]);
    expect(refused[0]?.detail).toContain('does not exist');
  });
});

describe('promotion is a compare-and-set on what the gate compared with', () => {
  const trigger = { bucket: 'b', key: 'incoming/x/a.csv', etag: 'e', versionId: null, size: 1 };
  const validated = (version: VersionRecord, comparedWith: number | null) => ({
    version: version.version,
    metrics: {},
    gate: { passed: true, summary: 'ok' },
    comparedWith,
  });
  const refOf = (v: VersionRecord) => ({ model: v.model, runId: v.runId, trigger, duplicate: false });

  it('ends a run SUPERSEDED, production untouched, when production moved after its gate compared with it', async () => {
    const [v1, v2, v3] = [
      await register('moved', 'approved'),
      await register('moved', 'approved'),
      await register('moved', 'approved'),
    ];
    await promoteVersion(movesOver(registry), { model: 'moved', version: v1.version, ...who });
    // v2 and v3 were both compared with v1; v2 promotes first.
    expect(
      await promoteRun(movesOver(registry), refOf(v2), validated(v2, v1.version), 'pipeline', 'direct'),
    ).toMatchObject({ promoted: true });
    const late = await promoteRun(movesOver(registry), refOf(v3), validated(v3, v1.version), 'pipeline', 'direct');
    expect(late).toEqual({
      version: v3.version,
      previousVersion: v2.version,
      promoted: false,
      release: false,
      superseded: true,
    });
    expect((await registry.aliases.get('moved'))?.version).toBe(v2.version);
    expect(await registry.runs.get('moved', v3.runId)).toMatchObject({
      status: 'SUPERSEDED',
      reason: expect.stringContaining(
        `production of moved is v${v2.version}, but v${v3.version} was compared with v${v1.version}`,
      ),
    });
    // A canary release is not started against a production the gate never saw either.
    const [v4] = [await register('moved', 'approved')];
    expect(
      await promoteRun(movesOver(registry), refOf(v4), validated(v4, v1.version), 'pipeline', 'canary'),
    ).toMatchObject({ release: false, superseded: true });
  });

  it('never lets a promotion replace a version other than the one its gate compared with, over any interleaving (property)', async () => {
    let round = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 4 }).chain((runs) => fc.tuple(fc.constant(runs), schedules(runs))),
        async ([runs, schedule]) => {
          const model = `cas-${round++}`;
          const base = await register(model, 'approved');
          await promoteVersion(movesOver(registry), { model, version: base.version, ...who });
          const versions = await Promise.all(Array.from({ length: runs }, () => register(model, 'approved')));
          const compared = new Map<number, number | null>();
          for (const group of schedule) {
            // Each group's events start together; a run validates (reads production) before it promotes.
            await Promise.all(
              group.map(async ({ run, event }) => {
                const version = versions[run] as VersionRecord;
                if (event === 'validate') compared.set(run, (await registry.aliases.get(model))?.version ?? null);
                else
                  await promoteRun(
                    movesOver(registry),
                    refOf(version),
                    validated(version, compared.get(run) ?? null),
                    'pipeline',
                    'direct',
                  );
              }),
            );
          }
          const succeeded = (await registry.audit.list(model))
            .filter((e) => e.action === 'promote' && e.outcome === 'succeeded')
            .slice(1);
          for (const event of succeeded) {
            const run = versions.findIndex((v) => v.version === event.version);
            expect(event.previousVersion).toBe(compared.get(run));
          }
          // Every run ended one way or the other, and production is the last one promoted.
          const statuses = await Promise.all(
            versions.map(async (v) => (await registry.runs.get(model, v.runId))?.status),
          );
          expect(statuses.every((s) => s === 'PROMOTED' || s === 'SUPERSEDED')).toBe(true);
          expect((await registry.aliases.get(model))?.version).toBe(succeeded.at(-1)?.version ?? base.version);
        },
      ),
      { numRuns: 15 },
    );
  }, 120_000);
});

/** Schedules of `runs` runs' validate and promote events in groups started together, each validate before its promote. */
function schedules(runs: number): fc.Arbitrary<{ run: number; event: 'validate' | 'promote' }[][]> {
  const events = Array.from({ length: runs }, (_, run) => [
    { run, event: 'validate' as const },
    { run, event: 'promote' as const },
  ]).flat();
  return fc
    .tuple(
      fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }),
      fc.array(fc.integer({ min: 1, max: 3 }), { minLength: events.length, maxLength: events.length }),
    )
    .map(([order, sizes]) => {
      // Validates first where a shuffle put a run's promote before it.
      const seen = new Set<number>();
      const fixed = order.map((e) => {
        if (e.event === 'promote' && !seen.has(e.run)) {
          seen.add(e.run);
          return { run: e.run, event: 'validate' as const };
        }
        if (e.event === 'validate' && seen.has(e.run)) return { run: e.run, event: 'promote' as const };
        seen.add(e.run);
        return e;
      });
      const groups: { run: number; event: 'validate' | 'promote' }[][] = [];
      let i = 0;
      for (const size of sizes) {
        if (i >= fixed.length) break;
        // A run's two events never share a group (its promote needs its validate's reading).
        const group: typeof fixed = [];
        while (group.length < size && i < fixed.length && !group.some((g) => g.run === fixed[i]?.run))
          group.push(fixed[i++] as (typeof fixed)[number]);
        groups.push(group);
      }
      if (i < fixed.length) groups.push(...fixed.slice(i).map((e) => [e]));
      return groups;
    });
}
