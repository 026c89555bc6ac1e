/**
 * Right answers on small data (issue 9): the default model — a minimal model file, no hyper-parameters — against the
 * linear baseline and against the old fixed defaults, on random samples of adult: binary (`class`, 500 rows),
 * regression (`age`, 2,000 rows) and multiclass (`relationship`, 1,000 rows). The same core code as the pipeline
 * (prepare, the planned search and baseline, the selection rule, the test metrics), in one process.
 * Writes bench/results/right-answers.json. Sample 0 of each task is the one the README quotes; the others show how
 * much a 500-row sample's verdict varies.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Predictor } from '../lambdas/core/artifact.js';
import { readCsv } from '../lambdas/core/csv.js';
import { evaluate } from '../lambdas/core/evaluation.js';
import type { Hyperparameters } from '../lambdas/core/hyperparameters.js';
import { parseModelConfig } from '../lambdas/core/model-config.js';
import { prepareData } from '../lambdas/core/prepare.js';
import { fitPreprocessor } from '../lambdas/core/preprocess.js';
import { trainModel } from '../lambdas/core/training.js';
import { round } from './stats.js';
import { chooseTrial } from '../lambdas/core/tuning.js';
import { sampleCsv, searchOnCsv } from './right-answers-lib.js';

const ROOT = join(import.meta.dirname, '..');
const adult = readFileSync(join(ROOT, 'examples', 'data', 'adult.csv'), 'utf8');
const SAMPLES = Number(process.env.SAMPLES ?? 10);

/** What `hyperparameters` defaulted to before issue 9: batch 256 × 20 epochs, whatever the data. */
const OLD_DEFAULTS: Hyperparameters = {
  hiddenUnits: [64, 32],
  epochs: 20,
  batchSize: 256,
  learningRate: 0.001,
  l2: 0,
  earlyStoppingPatience: 3,
  learningRateSchedule: 'constant',
  seed: 42,
};

const TASKS = [
  {
    name: 'binary (class), 500 rows',
    rows: 500,
    metric: 'roc_auc',
    model: {
      name: 'adult-small',
      task: 'binary',
      label: 'class',
      positiveClass: '>50K',
      exclude: ['fnlwgt'],
      sensitive: ['sex', 'race'],
      missingValues: ['', '?'],
    },
  },
  {
    name: 'regression (age), 2,000 rows',
    rows: 2000,
    metric: 'r2',
    model: { name: 'adult-age', task: 'regression', label: 'age', exclude: ['fnlwgt'], missingValues: ['', '?'] },
  },
  {
    name: 'multiclass (relationship), 1,000 rows',
    rows: 1000,
    metric: 'accuracy',
    model: {
      name: 'adult-relationship',
      task: 'multiclass',
      label: 'relationship',
      exclude: ['fnlwgt'],
      missingValues: ['', '?'],
    },
  },
] as const;

async function oldDefaultMetric(csv: string, raw: Record<string, unknown>, metric: string): Promise<number> {
  const config = parseModelConfig(raw, 'bench');
  const prepared = prepareData(
    await readCsv(csv, { missingValues: config.missingValues, source: 'bench.csv' }),
    config,
  );
  const pre = fitPreprocessor(prepared.splits.train, config);
  const trained = await trainModel(config, pre, prepared.splits.train, prepared.splits.validation, OLD_DEFAULTS);
  const predictor = await Predictor.load(trained.artifact);
  const value = evaluate(predictor, prepared.splits.test).metrics[metric] as number;
  predictor.dispose();
  return value;
}

interface SampleResult {
  readonly seed: number;
  readonly rows: { train: number; validation: number; test: number };
  readonly default_model: number;
  readonly linear_baseline: number;
  readonly old_defaults: number;
  readonly chosen: { id: string; hiddenUnits: number[]; learningRate: number; l2: number };
  readonly reaches_baseline: boolean;
  /** The test metric of the trial `"selection": "lowest_loss"` would have chosen, for comparison. */
  readonly lowest_loss_rule: number;
  readonly seconds: number;
}

const results = [];
for (const task of TASKS) {
  const samples: SampleResult[] = [];
  for (let seed = 0; seed < SAMPLES; seed++) {
    const csv = sampleCsv(adult, task.rows, seed);
    const outcome = await searchOnCsv(csv, task.model, task.metric);
    const old = await oldDefaultMetric(csv, task.model, task.metric);
    const chosen = outcome.chosen;
    const lowest = chooseTrial(
      outcome.trials.filter((t) => t.competes),
      'lowest_loss',
    );
    samples.push({
      seed,
      rows: outcome.rows,
      default_model: round(chosen.test, 4),
      linear_baseline: round(outcome.baseline.test, 4),
      old_defaults: round(old, 4),
      chosen: {
        id: chosen.id,
        hiddenUnits: chosen.hyperparameters.hiddenUnits,
        learningRate: chosen.hyperparameters.learningRate,
        l2: chosen.hyperparameters.l2,
      },
      reaches_baseline: chosen.test >= outcome.baseline.test,
      lowest_loss_rule: round(lowest?.test ?? Number.NaN, 4),
      seconds: round(outcome.seconds, 1),
    });
    console.log(
      `${task.name} sample ${seed}: default ${chosen.test.toFixed(4)} (${chosen.id}), baseline ${outcome.baseline.test.toFixed(4)}, old defaults ${old.toFixed(4)}`,
    );
  }
  const mean = (key: 'default_model' | 'linear_baseline' | 'old_defaults' | 'lowest_loss_rule') =>
    round(samples.reduce((s, x) => s + x[key], 0) / samples.length, 4);
  results.push({
    task: task.name,
    metric: task.metric,
    model_file: task.model,
    samples,
    summary: {
      samples: samples.length,
      reaches_baseline: samples.filter((s) => s.reaches_baseline).length,
      mean_default_model: mean('default_model'),
      mean_linear_baseline: mean('linear_baseline'),
      mean_old_defaults: mean('old_defaults'),
      mean_lowest_loss_rule: mean('lowest_loss_rule'),
      lowest_loss_rule_reaches_baseline: samples.filter((s) => s.lowest_loss_rule >= s.linear_baseline).length,
    },
  });
}

const out = join(ROOT, 'bench', 'results', 'right-answers.json');
writeFileSync(
  out,
  `${JSON.stringify({ measured_at: new Date().toISOString(), node: process.version, results }, null, 2)}\n`,
);
console.log(`wrote ${out}`);
