import { ConflictError, NotFoundError } from '../core/errors.js';
import type { Registry } from '../shared/registry.js';
import { PRODUCTION_ALIAS } from '../shared/registry-keys.js';
import type { RunRef, ValidationResult } from '../shared/pipeline-state.js';

export interface PromotionResult {
  readonly version: number;
  readonly previousVersion: number | null;
}

/**
 * Moves the production pointer to the validated version with one conditional write. Only a version whose gate passed
 * can be promoted; a concurrent change of the pointer makes this fail rather than overwrite it.
 */
export async function promoteRun(registry: Registry, run: RunRef, validation: ValidationResult): Promise<PromotionResult> {
  const version = await registry.getVersion(run.model, validation.version);
  if (version === undefined) throw new NotFoundError(`version ${validation.version} of ${run.model} is not registered`);
  if (!version.gate.passed || version.status !== 'CANDIDATE') {
    throw new ConflictError(`version ${version.version} of ${run.model} did not pass its gate and cannot be promoted`);
  }
  const current = await registry.getAlias(run.model, PRODUCTION_ALIAS);
  if (current?.version !== version.version) {
    await registry.setAlias(
      {
        model: run.model,
        alias: PRODUCTION_ALIAS,
        version: version.version,
        artifact: version.artifact,
        reason: `run ${run.runId} passed the gate: ${version.gate.summary}`,
      },
      current?.revision ?? 0,
    );
  }
  await registry.updateRun(run.model, run.runId, { status: 'PROMOTED', step: 'Promote', finishedAt: new Date().toISOString() });
  return { version: version.version, previousVersion: current?.version ?? null };
}
