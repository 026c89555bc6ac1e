import { stepDepsFromEnv } from '../shared/deps.js';
import { logger } from '../shared/logger.js';
import { reportInputSchema } from '../shared/pipeline-state.js';
import { runReport } from './report.js';

const deps = stepDepsFromEnv();

export async function handler(event: unknown): Promise<{ report: { bucket: string; key: string } }> {
  const { run, etl } = reportInputSchema.parse(event);
  const result = await runReport(deps, run, etl);
  logger.info('model card written', { runId: run.runId, ...result.report });
  return result;
}
