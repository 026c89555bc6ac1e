import { ConflictError, NotFoundError, SupersededError } from '../core/errors.js';
import type { ReleaseConfig } from '../core/release-config.js';
import { promoteVersion, setCandidate, type PointerMoves } from '../shared/use-cases/lifecycle.js';
import type { RunRef, ValidationResult } from '../shared/contracts/pipeline-state.js';
import { PIPELINE_STEPS } from '../shared/contracts/pipeline-steps.js';
import type { VersionRecord } from '../shared/contracts/registry-records.js';

export interface PromotionResult {
  readonly version: number;
  readonly previousVersion: number | null;
  /** False when the model requires manual approval, or a release takes the version to production step by step. */
  readonly promoted: boolean;
  /** True when the model file asks for a canary or shadow release (and production exists to compare with). */
  readonly release: boolean;
  /** True when production moved after the gate compared the version with it: the run ended SUPERSEDED. */
  readonly superseded?: boolean;
}

/** Attempts at the compare-and-set when another writer moves the pointer between its read and its write. */
const ATTEMPTS = 3;

/**
 * Serves the validated version: an approved version becomes production (one conditional write, audited) only while
 * production is still the version its gate compared it with — otherwise the run ends SUPERSEDED with the reason; a
 * pending one (the model requires manual approval) leaves production as it is and ends the run awaiting approval.
 */
export async function promoteRun(
  moves: PointerMoves,
  run: RunRef,
  validation: ValidationResult,
  actor: string,
  releaseMode: ReleaseConfig['mode'],
): Promise<PromotionResult> {
  const { registry } = moves;
  const version = await registry.versions.get(run.model, validation.version);
  if (version === undefined) throw new NotFoundError(`version ${validation.version} of ${run.model} is not registered`);
  const current = await registry.aliases.get(run.model);
  const previousVersion = current?.version ?? null;
  await setCandidate(registry, {
    model: run.model,
    version: version.version,
    actor,
    reason: `run ${run.runId} passed the gate`,
  });
  const finished = { step: PIPELINE_STEPS.promote, finishedAt: new Date().toISOString() };
  if (version.status === 'pending') {
    await registry.runs.update(run.model, run.runId, {
      status: 'AWAITING_APPROVAL',
      ...finished,
      reason: `version ${version.version} passed its gate and awaits approval (mlops approve ${run.model} ${version.version})`,
    });
    return { version: version.version, previousVersion, promoted: false, release: false };
  }
  if (current?.version === version.version) {
    await registry.runs.update(run.model, run.runId, { status: 'PROMOTED', ...finished });
    return { version: version.version, previousVersion, promoted: true, release: false };
  }
  return serveApproved(moves, run, validation, actor, releaseMode, {
    version,
    previousVersion,
    current: current !== undefined,
  });
}

/**
 * An approved version that is not production yet: handed to a canary or shadow release, or promoted by the
 * compare-and-set; a production that moved since the gate compared ends the run SUPERSEDED.
 */
async function serveApproved(
  moves: PointerMoves,
  run: RunRef,
  validation: ValidationResult,
  actor: string,
  releaseMode: ReleaseConfig['mode'],
  at: { version: VersionRecord; previousVersion: number | null; current: boolean },
): Promise<PromotionResult> {
  const { registry } = moves;
  const { version, previousVersion } = at;
  const finished = { step: PIPELINE_STEPS.promote, finishedAt: new Date().toISOString() };
  try {
    // A canary or shadow release needs a production version to compare with and to fall back on; a first version
    // goes straight to production.
    if (releaseMode !== 'direct' && at.current) {
      requireCompared(run.model, version.version, previousVersion, validation.comparedWith);
      await registry.runs.update(run.model, run.runId, {
        status: 'RELEASED',
        ...finished,
        reason: `version ${version.version} passed its gate and goes to production through a ${releaseMode} release (mlops release ${run.model})`,
      });
      return { version: version.version, previousVersion, promoted: false, release: true };
    }
    await promoteComparedVersion(
      moves,
      run,
      version.version,
      validation.comparedWith,
      actor,
      `run ${run.runId} passed the gate: ${version.gate.summary}`,
    );
  } catch (error) {
    if (!(error instanceof SupersededError)) throw error;
    await registry.runs.update(run.model, run.runId, {
      status: 'SUPERSEDED',
      ...finished,
      reason: `${error.message} (upload the data again to compare it with the new production, or mlops promote ${run.model} ${version.version} after reading its card)`,
    });
    return { version: version.version, previousVersion, promoted: false, release: false, superseded: true };
  }
  await registry.runs.update(run.model, run.runId, { status: 'PROMOTED', ...finished });
  return { version: version.version, previousVersion, promoted: true, release: false };
}

/** The compare-and-set: production must still be `comparedWith`; a concurrent write between read and write is retried. */
async function promoteComparedVersion(
  moves: PointerMoves,
  run: RunRef,
  version: number,
  comparedWith: number | null,
  actor: string,
  reason: string,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await promoteVersion(moves, { model: run.model, version, actor, reason, expectedProduction: comparedWith });
      return;
    } catch (error) {
      // The alias changed between this attempt's read and its write: read again (the next attempt sees whether
      // production is still what the gate compared with).
      if (
        !(error instanceof ConflictError) ||
        !error.message.includes('changed while this change was being made') ||
        attempt >= ATTEMPTS
      )
        throw error;
    }
  }
}

function requireCompared(model: string, version: number, production: number | null, comparedWith: number | null): void {
  if (production === comparedWith) return;
  const compared = comparedWith === null ? 'no production version' : `v${comparedWith}`;
  throw new SupersededError(
    `production of ${model} is ${production === null ? 'gone' : `v${production}`}, but v${version} was compared with ${compared}; releasing it now would skip that comparison`,
  );
}
