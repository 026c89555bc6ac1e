/**
 * Performance estimated without labels (issue 21): the adult model's accuracy estimated by CBPE
 * (lambdas/core/monitoring/cbpe.ts) from its calibrated probabilities, against the accuracy its labels show, on
 * windows of a live stream. The model is the default binary model trained (one candidate, the search's first) on
 * 12,000 seeded adult rows; its calibration is fitted on their validation split, as training stores it. The stream is
 * the other 20,561 rows: ten disjoint windows of 1,000 unshifted, then ten windows where the rows are drawn towards
 * one side — the shifted stream keeps a row with a probability that grows with its age (older rows, which the model
 * gets wrong more often) — and the realized and estimated accuracy of each. Writes bench/results/cbpe-windows.json.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Predictor } from '../lambdas/core/artifact.js';
import { readCsv } from '../lambdas/core/csv.js';
import type { Frame } from '../lambdas/core/dataset.js';
import { metricsOf, scoreSplit } from '../lambdas/core/evaluation.js';
import { frameRows, joinFrames } from '../lambdas/core/frame-rows.js';
import { parseModelConfig } from '../lambdas/core/model-config.js';
import { estimateBinary } from '../lambdas/core/monitoring/cbpe.js';
import { calibratedProbabilities, fitModelCalibration } from '../lambdas/core/monitoring/model-calibration.js';
import { prepareForTraining, trainTrial } from '../lambdas/core/pipeline-stages.js';
import { seededRandom } from '../lambdas/core/random.js';
import { planTuning } from '../lambdas/core/tuning.js';
import { ADULT_BINARY_MODEL, sampleCsv } from './right-answers-lib.js';
import { round } from './stats.js';

const ROOT = join(import.meta.dirname, '..');
const adult = readFileSync(join(ROOT, 'examples', 'data', 'adult.csv'), 'utf8');
const config = parseModelConfig(ADULT_BINARY_MODEL, 'bench');
const shuffled = sampleCsv(adult, 40_000, 21).split('\n');
const header = shuffled[0] as string;
const toFrame = async (lines: string[]): Promise<Frame> => {
  const table = await readCsv([header, ...lines].join('\n'), { missingValues: config.missingValues, source: 'x.csv' });
  const { train, validation, test } = prepareForTraining(table, config, undefined).prepared.splits;
  return joinFrames(joinFrames(train, validation), test);
};

const modelTable = await readCsv([header, ...shuffled.slice(1, 12_001)].join('\n'), {
  missingValues: config.missingValues,
  source: 'model.csv',
});
const { prepared, preprocessor } = prepareForTraining(modelTable, config, undefined);
const rows = prepared.report.splitRows;
const plan = planTuning(config.hyperparameters, config.tuning, { trainingRows: rows.train, task: config.task }, null);
const started = performance.now();
const trained = await trainTrial(
  config,
  preprocessor,
  prepared.splits,
  (plan.trials[0] as (typeof plan.trials)[0]).hyperparameters,
);
const trainingSeconds = (performance.now() - started) / 1000;
const predictor = await Predictor.load(trained.trained.artifact);
const calibration = fitModelCalibration(scoreSplit(predictor, prepared.splits.validation));
if (!calibration.estimable) throw new Error(`not estimable: ${calibration.reason}`);
const { calibrators } = calibration;

const stream = await toFrame(shuffled.slice(12_001));
const random = seededRandom(5);
const ageOf = (frame: Frame) => {
  const column = frame.features.find((c) => c.name === 'age');
  if (column?.type !== 'numeric') throw new Error('adult has a numeric age');
  return column.values;
};

function measure(window: Frame) {
  const scored = scoreSplit(predictor, window);
  const positive = Float64Array.from({ length: scored.truth.length }, (_, r) => scored.scores[r * 2 + 1] as number);
  const estimate = estimateBinary(positive, calibratedProbabilities(calibrators, scored.scores, 2));
  const realized = metricsOf(scored).accuracy as number;
  return { rows: scored.truth.length, realized: round(realized, 4), estimated: round(estimate.accuracy, 4) };
}

const all = Array.from({ length: stream.origins.length }, (_, i) => i);
const unshifted = Array.from({ length: 10 }, (_, w) => measure(frameRows(stream, all.slice(w * 1000, (w + 1) * 1000))));
// Shifted: keep a row with probability rising with its age (older workers: more high earners, harder to call).
const ages = ageOf(stream);
const shifted = Array.from({ length: 10 }, () => {
  const kept: number[] = [];
  while (kept.length < 1000) {
    const r = Math.floor(random() * all.length);
    if (random() < Math.min(1, Math.max(0.02, ((ages[r] as number) - 20) / 50))) kept.push(r);
  }
  return measure(frameRows(stream, kept));
});
predictor.dispose();

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const gaps = unshifted.map((w) => Math.abs(w.estimated - w.realized));
const result = {
  node: process.version,
  measured_at: new Date().toISOString(),
  model: { rows, hyperparameters: plan.trials[0]?.hyperparameters, training_seconds: round(trainingSeconds, 1) },
  calibration: {
    method: calibration.method,
    rows: calibration.rows,
    cross_fitted_ece: round(calibration.crossFittedEce, 4),
  },
  unshifted: { windows: unshifted, mean_absolute_gap: round(mean(gaps), 4), max_gap: round(Math.max(...gaps), 4) },
  shifted: {
    windows: shifted,
    mean_realized: round(mean(shifted.map((w) => w.realized)), 4),
    mean_estimated: round(mean(shifted.map((w) => w.estimated)), 4),
  },
  unshifted_means: {
    realized: round(mean(unshifted.map((w) => w.realized)), 4),
    estimated: round(mean(unshifted.map((w) => w.estimated)), 4),
  },
};
writeFileSync(join(ROOT, 'bench', 'results', 'cbpe-windows.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
