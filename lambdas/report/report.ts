import { renderRunCard } from '../shared/use-cases/card.js';
import type { StepDeps } from '../shared/adapters/step-deps.js';
import { REPORT_FILE } from '../shared/contracts/layout.js';
import { putObject } from '../shared/adapters/objects.js';
import { type ObjectLocation } from '../shared/contracts/object-location.js';
import type { EtlResult, RunRef } from '../shared/contracts/pipeline-state.js';

/** Writes the run's model card next to its data and records where it is. */
export async function runReport(
  deps: StepDeps,
  run: RunRef,
  etl: Pick<EtlResult, 'prefix' | 'config'>,
): Promise<{ report: ObjectLocation }> {
  const html = await renderRunCard(deps.s3, deps.registry, deps.artifactsBucket, run.model, run.runId, etl.config);
  const report = { bucket: deps.artifactsBucket, key: `${etl.prefix}${REPORT_FILE}` };
  await putObject(deps.s3, report, html, 'text/html; charset=utf-8');
  // The run has its outcome by now (the card is written after the decision): annotate, do not update its state.
  await deps.registry.runs.annotate(run.model, run.runId, { report });
  return { report };
}
