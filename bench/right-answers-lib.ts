import { Predictor } from '../lambdas/core/artifact.js';
import { readCsv } from '../lambdas/core/csv.js';
import { evaluate, scoreSplit } from '../lambdas/core/evaluation.js';
import { rowLosses } from '../lambdas/core/fit.js';
import { parseModelConfig, type ModelConfig } from '../lambdas/core/model-config.js';
import { prepareData } from '../lambdas/core/prepare.js';
import { fitPreprocessor } from '../lambdas/core/preprocess.js';
import { seededRandom } from '../lambdas/core/random.js';
import { trainModel } from '../lambdas/core/training.js';
import type { Hyperparameters } from '../lambdas/core/hyperparameters.js';
import { chooseTrial, planTuning } from '../lambdas/core/tuning.js';

/** A random sample of a CSV's data rows (seeded), keeping the header. */
export function sampleCsv(csv: string, rows: number, seed: number): string {
  const lines = csv.trimEnd().split('\n');
  const header = lines[0] as string;
  const data = lines.slice(1);
  const random = seededRandom(seed);
  for (let i = data.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [data[i], data[j]] = [data[j] as string, data[i] as string];
  }
  return [header, ...data.slice(0, rows)].join('\n');
}

export interface TrialResult {
  readonly id: string;
  readonly role: 'candidate' | 'baseline';
  readonly hyperparameters: Hyperparameters;
  readonly competes: boolean;
  readonly parameters: number;
  readonly validationLoss: number;
  readonly rowLosses: Float64Array;
  readonly test: number;
}

export interface SearchOutcome {
  readonly task: string;
  readonly rows: { train: number; validation: number; test: number };
  readonly metric: string;
  readonly chosen: TrialResult;
  readonly baseline: TrialResult;
  readonly trials: TrialResult[];
  readonly seconds: number;
}

/**
 * Runs what the pipeline runs for a model file on a CSV — prepare, the planned search and the linear baseline, the
 * choice by validation loss, the test metrics — with the same core code, in one process.
 */
export async function searchOnCsv(csv: string, raw: Record<string, unknown>, metric: string): Promise<SearchOutcome> {
  const started = Date.now();
  const config: ModelConfig = parseModelConfig(raw, 'bench');
  const table = await readCsv(csv, { missingValues: config.missingValues, source: 'bench.csv' });
  const prepared = prepareData(table, config);
  const pre = fitPreprocessor(prepared.splits.train, config);
  const plan = planTuning(config.hyperparameters, config.tuning, {
    trainingRows: prepared.report.splitRows.train,
    task: config.task,
  });
  const trials: TrialResult[] = [];
  for (const trial of plan.trials) {
    const trained = await trainModel(
      config,
      pre,
      prepared.splits.train,
      prepared.splits.validation,
      trial.hyperparameters,
    );
    const predictor = await Predictor.load(trained.artifact);
    const test = evaluate(predictor, prepared.splits.test).metrics[metric] as number;
    const scored = scoreSplit(predictor, prepared.splits.validation);
    predictor.dispose();
    const losses = rowLosses(config.task, scored.scores, scored.truth, scored.classes.length, true);
    trials.push({
      id: trial.id,
      role: trial.role,
      competes: trial.competes,
      hyperparameters: trial.hyperparameters,
      parameters: trained.parameters,
      validationLoss: trained.bestValidationLoss,
      rowLosses: losses,
      test,
    });
  }
  const chosen = chooseTrial(
    trials.filter((t) => t.competes),
    config.tuning.selection,
  );
  const baseline = trials.find((r) => r.role === 'baseline');
  if (chosen === undefined || baseline === undefined) throw new Error('no candidate or baseline trained');
  return {
    task: config.task,
    rows: prepared.report.splitRows,
    metric,
    chosen,
    baseline,
    trials,
    seconds: (Date.now() - started) / 1000,
  };
}
