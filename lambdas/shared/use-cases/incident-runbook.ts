import { ConflictError, IntegrityError, NotFoundError } from '../../core/errors.js';
import { branchOf } from '../../core/incidents/signals.js';
import type { ArtifactCheck } from '../adapters/artifacts.js';
import type { IncidentRecord } from '../adapters/incident-store.js';
import type { Registry } from '../adapters/registry.js';
import { rollback } from './lifecycle.js';

/**
 * Tier 1, the automated runbook of an incident (issue 22), run once after its announcement, for each model it
 * concerns: verify that the served version's artifact is the bytes the registry recorded (sha256); roll back when it
 * is not, or when the likely source is the promotion or release of the version in production; ask for a retraining —
 * through the retrain function, its dedup and cool-down — when drift or decay has no change behind it. Every step is
 * recorded with its evidence; an action that cannot be done (nothing to roll back to) is recorded as failed, and the
 * incident goes to tier 2 at once instead of waiting out tier 1's time — never a retry loop.
 */

export interface RunbookStep {
  readonly model: string;
  readonly step: 'verify artifact' | 'roll back' | 'retrain';
  readonly outcome: 'passed' | 'failed' | 'done' | 'refused';
  readonly evidence: string;
}

export interface RunbookDeps {
  readonly registry: Registry;
  readonly checkArtifact: ArtifactCheck;
  /** Asks the retrain function for a retraining of the model on the incident's alarm (its dedup and cool-down apply). */
  readonly retrain: (model: string, alarm: { name: string; time: string; reason: string }) => Promise<string>;
  readonly actor: string;
}

/** The verdict of the served version's artifact: its bytes against the registry's sha256. */
async function verifyArtifact(deps: RunbookDeps, model: string): Promise<RunbookStep & { version?: number }> {
  const production = await deps.registry.aliases.get(model);
  if (production === undefined)
    return { model, step: 'verify artifact', outcome: 'passed', evidence: 'no production version: nothing served' };
  const version = production.version;
  try {
    await deps.checkArtifact({ model, version, artifact: production.artifact });
    const sha = production.artifact.sha256.slice(0, 12);
    return {
      model,
      step: 'verify artifact',
      outcome: 'passed',
      evidence: `v${version}: sha256 ${sha}… matches`,
      version,
    };
  } catch (error) {
    if (!(error instanceof IntegrityError) && !(error instanceof NotFoundError)) throw error;
    return { model, step: 'verify artifact', outcome: 'failed', evidence: `v${version}: ${error.message}`, version };
  }
}

async function rollBack(deps: RunbookDeps, model: string, why: string): Promise<RunbookStep> {
  try {
    const alias = await rollback(deps, { model, actor: deps.actor, reason: why });
    return { model, step: 'roll back', outcome: 'done', evidence: `production is v${alias.version} again (${why})` };
  } catch (error) {
    if (!(error instanceof ConflictError) && !(error instanceof IntegrityError) && !(error instanceof NotFoundError))
      throw error;
    return { model, step: 'roll back', outcome: 'refused', evidence: error.message };
  }
}

/** The runbook for one model of the incident. */
async function forModel(deps: RunbookDeps, incident: IncidentRecord, model: string): Promise<RunbookStep[]> {
  const verified = await verifyArtifact(deps, model);
  const steps: RunbookStep[] = [verified];
  if (verified.outcome === 'failed') {
    steps.push(await rollBack(deps, model, `incident ${incident.id}: the served artifact fails its check`));
    return steps;
  }
  const { source } = incident;
  const deployed = verified.version !== undefined && new RegExp(`(promotion|release) of v${verified.version}\\b`);
  if (source.kind === 'change' && deployed && deployed.test(source.summary)) {
    steps.push(await rollBack(deps, model, `incident ${incident.id}: ${source.summary} (${source.evidence})`));
    return steps;
  }
  const top = incident.members.find((m) => m.model === model && branchOf(m.kind) === 'quality');
  if (source.kind === 'signal' && top !== undefined) {
    try {
      const answer = await deps.retrain(model, { name: top.alarmName, time: top.firstAlarmAt, reason: top.reason });
      steps.push({ model, step: 'retrain', outcome: 'done', evidence: answer });
    } catch (error) {
      // Not done: recorded, and the people of tier 2 are told at once.
      const evidence = `the retrain function could not be asked: ${(error as Error).message}`;
      steps.push({ model, step: 'retrain', outcome: 'refused', evidence });
    }
  }
  return steps;
}

/** Runs tier 1 for every model of the incident; `escalate` when an action it needed could not be done. */
export async function runRunbook(
  deps: RunbookDeps,
  incident: IncidentRecord,
): Promise<{ steps: RunbookStep[]; escalate: boolean }> {
  const steps: RunbookStep[] = [];
  for (const model of incident.models) for (const step of await forModel(deps, incident, model)) steps.push(step);
  return { steps, escalate: steps.some((s) => s.outcome === 'refused') };
}
