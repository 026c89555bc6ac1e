import { NotFoundError } from '../core/errors.js';
import type { ReleaseConfig } from '../core/release-config.js';
import { promoteVersion, setCandidate } from '../shared/use-cases/lifecycle.js';
import type { Registry } from '../shared/registry.js';
import type { RunRef, ValidationResult } from '../shared/pipeline-state.js';
import { PIPELINE_STEPS } from '../shared/pipeline-steps.js';

export interface PromotionResult {
  readonly version: number;
  readonly previousVersion: number | null;
  /** False when the model requires manual approval, or a release takes the version to production step by step. */
  readonly promoted: boolean;
  /** True when the model file asks for a canary or shadow release (and production exists to compare with). */
  readonly release: boolean;
}

/**
 * Serves the validated version: an approved version becomes production (one conditional write, audited); a pending
 * one (the model requires manual approval) leaves production as it is and ends the run awaiting approval.
 */
export async function promoteRun(registry: Registry, run: RunRef, validation: ValidationResult, actor: string, releaseMode: ReleaseConfig['mode']): Promise<PromotionResult> {
  const version = await registry.getVersion(run.model, validation.version);
  if (version === undefined) throw new NotFoundError(`version ${validation.version} of ${run.model} is not registered`);
  const current = await registry.getAlias(run.model);
  await setCandidate(registry, { model: run.model, version: version.version, actor, reason: `run ${run.runId} passed the gate` });
  if (version.status === 'pending') {
    await registry.updateRun(run.model, run.runId, { status: 'AWAITING_APPROVAL', step: PIPELINE_STEPS.promote, finishedAt: new Date().toISOString(), reason: `version ${version.version} passed its gate and awaits approval (mlops approve ${run.model} ${version.version})` });
    return { version: version.version, previousVersion: current?.version ?? null, promoted: false, release: false };
  }
  // A canary or shadow release needs a production version to compare with and to fall back on; a first version goes
  // straight to production.
  if (releaseMode !== 'direct' && current !== undefined && current.version !== version.version) {
    await registry.updateRun(run.model, run.runId, { status: 'RELEASED', step: PIPELINE_STEPS.promote, finishedAt: new Date().toISOString(), reason: `version ${version.version} passed its gate and goes to production through a ${releaseMode} release (mlops release ${run.model})` });
    return { version: version.version, previousVersion: current.version, promoted: false, release: true };
  }
  if (current?.version !== version.version) {
    await promoteVersion(registry, { model: run.model, version: version.version, actor, reason: `run ${run.runId} passed the gate: ${version.gate.summary}` });
  }
  await registry.updateRun(run.model, run.runId, { status: 'PROMOTED', step: PIPELINE_STEPS.promote, finishedAt: new Date().toISOString() });
  return { version: version.version, previousVersion: current?.version ?? null, promoted: true, release: false };
}
