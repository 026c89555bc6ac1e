import { randomUUID } from 'node:crypto';
import { SupersededError } from '../../core/errors.js';
import type { ReleaseConfig } from '../../core/release-config.js';
import type { ArtifactCheck } from '../adapters/artifacts.js';
import type { Registry } from '../adapters/registry.js';
import { isActive, type ReleaseRecord, type ReleaseStore } from '../adapters/release-store.js';
import { promoteVersion } from './lifecycle.js';

/** What a release step needs: the stores, the alarms it watches, the clock, who acts, and the in-progress signal. */
export interface ReleaseDeps {
  readonly registry: Registry;
  readonly releases: ReleaseStore;
  /** The check that the candidate's artifact can still be served, before the final step moves production to it. */
  readonly checkArtifact: ArtifactCheck;
  /** Names of the given alarms that are in ALARM now. */
  readonly alarmsInAlarm: (names: readonly string[]) => Promise<string[]>;
  readonly now: () => Date;
  readonly actor: string;
  /** Publishes ReleaseInProgress (1 while a release runs): the model's "degraded" alarm is suppressed meanwhile. */
  readonly signalInProgress: (model: string, running: boolean) => void;
}

export type TickOutcome = 'baking' | 'promoted' | 'rolled-back' | 'stopped';

async function audit(deps: ReleaseDeps, record: ReleaseRecord, reason: string, detail: string): Promise<void> {
  await deps.registry.audit.append({
    model: record.model,
    action: 'release',
    actor: deps.actor,
    reason,
    version: record.candidateVersion,
    previousVersion: record.productionVersion,
    outcome: 'succeeded',
    detail,
  });
}

/** Starts a release of a candidate that passed its gate: state `checking` (no traffic until the release check passes). */
export async function beginRelease(
  deps: ReleaseDeps,
  input: { model: string; candidateVersion: number; config: ReleaseConfig; executionArn?: string },
): Promise<ReleaseRecord> {
  if (input.config.mode === 'direct')
    throw new Error(`the release of ${input.model} is direct: nothing to step through`);
  const production = await deps.registry.aliases.get(input.model);
  const at = deps.now().toISOString();
  const record = await deps.releases.begin({
    model: input.model,
    releaseId: `rel-${randomUUID().slice(0, 8)}`,
    mode: input.config.mode,
    candidateVersion: input.candidateVersion,
    productionVersion: production?.version ?? null,
    steps: input.config.steps,
    stepIndex: 0,
    share: 0,
    bakeMinutes: input.config.bakeMinutes,
    state: 'checking',
    startedAt: at,
    updatedAt: at,
    ...(input.executionArn !== undefined ? { executionArn: input.executionArn } : {}),
  });
  await audit(
    deps,
    record,
    `v${record.candidateVersion} passed its gate`,
    `release ${record.releaseId} began: ${record.mode} ${record.steps.join('% → ')}%, ${record.bakeMinutes} min each; release check first`,
  );
  return record;
}

/** The release check's verdict: pass → traffic at the first step; fail → rejected, production untouched. */
export async function settleCheck(
  deps: ReleaseDeps,
  record: ReleaseRecord,
  problems: readonly string[],
): Promise<ReleaseRecord> {
  // Aborted while it was being checked: it stays aborted.
  if (record.state !== 'checking') return record;
  if (problems.length > 0) {
    const rejected = await deps.releases.update(
      record,
      { state: 'rejected', share: 0, reason: `release check failed: ${problems.join('; ')}` },
      deps.now(),
    );
    await audit(deps, rejected, rejected.reason ?? '', `release ${record.releaseId} rejected before any traffic`);
    return rejected;
  }
  const running = await deps.releases.update(
    record,
    { state: 'running', share: record.steps[0] as number, stepIndex: 0 },
    deps.now(),
  );
  deps.signalInProgress(record.model, true);
  await audit(
    deps,
    running,
    'the release check passed',
    `release ${record.releaseId}: step 1 of ${record.steps.length}, ${running.share}% of traffic (${record.mode})`,
  );
  return running;
}

/**
 * One minute of a bake: the release still running (not aborted), its alarms quiet. An alarm rolls it back at once
 * (share 0: serving drops the candidate at its next refresh); the end of a step moves to the next share; the end of
 * the last promotes the candidate.
 */
export async function tickRelease(
  deps: ReleaseDeps,
  model: string,
  alarms: readonly string[],
  minutesLeft: number,
): Promise<{ outcome: TickOutcome; minutesLeft: number; record?: ReleaseRecord }> {
  const record = await deps.releases.get(model);
  if (record?.state !== 'running') {
    deps.signalInProgress(model, false);
    return { outcome: 'stopped', minutesLeft: 0, ...(record ? { record } : {}) };
  }
  const firing = await deps.alarmsInAlarm(alarms);
  if (firing.length > 0) {
    const rolledBack = await deps.releases.update(
      record,
      { state: 'rolled-back', share: 0, reason: `alarm: ${firing.join(', ')}` },
      deps.now(),
    );
    deps.signalInProgress(model, false);
    await audit(
      deps,
      rolledBack,
      `alarm ${firing.join(', ')} in ALARM`,
      `release ${record.releaseId} rolled back at ${record.share}%: production v${record.productionVersion ?? '?'} answers everything`,
    );
    return { outcome: 'rolled-back', minutesLeft: 0, record: rolledBack };
  }
  deps.signalInProgress(model, true);
  if (minutesLeft > 1) return { outcome: 'baking', minutesLeft: minutesLeft - 1, record };
  const next = record.stepIndex + 1;
  if (next < record.steps.length) {
    const advanced = await deps.releases.update(
      record,
      { stepIndex: next, share: record.steps[next] as number },
      deps.now(),
    );
    await audit(
      deps,
      advanced,
      `step ${next} baked ${record.bakeMinutes} min with no alarm`,
      `release ${record.releaseId}: step ${next + 1} of ${record.steps.length}, ${advanced.share}% of traffic`,
    );
    return { outcome: 'baking', minutesLeft: record.bakeMinutes, record: advanced };
  }
  return promoteReleased(deps, record);
}

/** The last step baked: the candidate becomes production, unless production moved since the release compared. */
async function promoteReleased(
  deps: ReleaseDeps,
  record: ReleaseRecord,
): Promise<{ outcome: TickOutcome; minutesLeft: number; record: ReleaseRecord }> {
  const { model } = record;
  try {
    // Against the production the release compared with: an operator's rollback meanwhile is not undone.
    const expectedProduction = record.productionVersion;
    await promoteVersion(deps, {
      model,
      version: record.candidateVersion,
      actor: deps.actor,
      reason: `release ${record.releaseId} baked every step with no alarm`,
      expectedProduction,
    });
  } catch (error) {
    if (!(error instanceof SupersededError)) throw error;
    const superseded = await deps.releases.update(
      record,
      { state: 'aborted', share: 0, reason: error.message },
      deps.now(),
    );
    deps.signalInProgress(model, false);
    await audit(
      deps,
      superseded,
      error.message,
      `release ${record.releaseId} ended without promoting v${record.candidateVersion}`,
    );
    return { outcome: 'stopped', minutesLeft: 0, record: superseded };
  }
  const promoted = await deps.releases.update(record, { state: 'promoted', share: 100 }, deps.now());
  deps.signalInProgress(model, false);
  await audit(
    deps,
    promoted,
    'every step baked with no alarm',
    `release ${record.releaseId} promoted v${record.candidateVersion}`,
  );
  return { outcome: 'promoted', minutesLeft: 0, record: promoted };
}

/** Ends an active release at once (an operator, or a failed step): the candidate gets no more traffic. */
export async function abortRelease(
  deps: ReleaseDeps,
  model: string,
  reason: string,
): Promise<ReleaseRecord | undefined> {
  const record = await deps.releases.get(model);
  if (!isActive(record)) return record;
  const aborted = await deps.releases.update(record, { state: 'aborted', share: 0, reason }, deps.now());
  deps.signalInProgress(model, false);
  await audit(deps, aborted, reason, `release ${record.releaseId} aborted at ${record.share}%`);
  return aborted;
}
