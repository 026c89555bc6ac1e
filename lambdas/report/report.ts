import { renderModelCard } from '../core/report/html.js';
import type { EvaluationReport } from '../core/report/types.js';
import { cardFacts } from '../shared/card-facts.js';
import type { StepDeps } from '../shared/deps.js';
import { getObjectBytes, putObject, type ObjectLocation } from '../shared/objects.js';
import type { EtlResult, RunRef } from '../shared/pipeline-state.js';
import { PreparedData } from '../shared/prepared.js';

export const REPORT_FILE = 'report.html';
export const EVALUATION_FILE = 'evaluation.json';

/** Renders the run's model card from what the validate step stored and the registry's facts, and stores it. */
export async function runReport(deps: StepDeps, run: RunRef, etl: Pick<EtlResult, 'bucket' | 'prefix'>): Promise<{ report: ObjectLocation }> {
  const [config, evaluationBytes, facts] = await Promise.all([
    new PreparedData(deps.s3, etl).config(),
    getObjectBytes(deps.s3, { bucket: etl.bucket, key: `${etl.prefix}${EVALUATION_FILE}` }),
    cardFacts(deps.registry, deps.s3, deps.artifactsBucket, run.model, run.runId),
  ]);
  const evaluation = JSON.parse(evaluationBytes.toString('utf8')) as EvaluationReport;
  const html = await renderModelCard(evaluation, facts, config.gate.maxFeatureShare);
  const report = { bucket: deps.artifactsBucket, key: `${etl.prefix}${REPORT_FILE}` };
  await putObject(deps.s3, report, html, 'text/html; charset=utf-8');
  await deps.registry.updateRun(run.model, run.runId, { report });
  return { report };
}
