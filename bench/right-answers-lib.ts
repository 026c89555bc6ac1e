import { Predictor } from '../lambdas/core/artifact.js';
import { crossValidationPlan, REFIT, refitEpochs, type FoldPlan } from '../lambdas/core/cross-validation.js';
import { readCsv } from '../lambdas/core/csv.js';
import { evaluate, scoreSplit } from '../lambdas/core/evaluation.js';
import { rowLosses } from '../lambdas/core/fit.js';
import type { Hyperparameters } from '../lambdas/core/hyperparameters.js';
import { parseModelConfig, type ModelConfig } from '../lambdas/core/model-config.js';
import { crossValidatedChoice, outOfFoldScores, type FoldedTrial } from '../lambdas/core/out-of-fold.js';
import { prepareForTraining, trainTrial, type TrainedTrial } from '../lambdas/core/pipeline-stages.js';
import type { PreparedData } from '../lambdas/core/prepare.js';
import type { Preprocessor } from '../lambdas/core/preprocess.js';
import { hash32, seededRandom } from '../lambdas/core/random.js';
import { chooseTrial, planTuning, type TrialPlan } from '../lambdas/core/tuning.js';

/** The minimal binary model file of adult the monitoring benchmarks use (`class`, the README's example). */
export const ADULT_BINARY_MODEL = {
  name: 'adult',
  task: 'binary',
  label: 'class',
  positiveClass: '>50K',
  exclude: ['fnlwgt'],
  missingValues: ['', '?'],
} as const;

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

/**
 * A heavy-tailed regression target derived from adult, for the right-answers benchmark and the cross-validation
 * scenario: `spend` = 40 · exp(0.12·(education-num − 10) + 0.02·(hours-per-week − 40) + 0.03·(age − 38) + 0.4·[Male] +
 * ε), ε a deterministic noise from a hash of the row (sum of three uniforms, standard deviation 0.5). Log-normal, so
 * positive and right-skewed (sample skewness well above 1): median near 40, a tail into the thousands.
 */
export function withHeavyTailedTarget(csv: string): string {
  const lines = csv.trimEnd().split('\n');
  const header = (lines[0] as string).split(',');
  const at = (name: string) => header.indexOf(name);
  const [education, hours, age, sex] = ['education-num', 'hours-per-week', 'age', 'sex'].map(at) as number[];
  const rows = lines.slice(1).map((line) => {
    const v = line.split(',');
    const u = [1, 2, 3].map((k) => hash32(line, k) / 4294967296);
    const noise = u.reduce((a, b) => a + b, 0) - 1.5; // a sum of three U(0,1) has standard deviation 0.5
    const z =
      0.12 * (Number(v[education as number]) - 10) +
      0.02 * (Number(v[hours as number]) - 40) +
      0.03 * (Number(v[age as number]) - 38) +
      (v[sex as number] === 'Male' ? 0.4 : 0) +
      noise;
    return `${line},${(40 * Math.exp(z)).toFixed(2)}`;
  });
  return [`${lines[0]},spend`, ...rows].join('\n');
}

export interface TrialResult {
  readonly id: string;
  readonly role: 'candidate' | 'baseline';
  readonly hyperparameters: Hyperparameters;
  readonly competes: boolean;
  readonly parameters: number;
  /** Per validation row, or per training and validation row out of fold (cross-validated). */
  readonly rowLosses: Float64Array;
  /** The test metric as the pipeline would register it (NaN for a cross-validated trial that was not refit). */
  readonly test: number;
}

export interface SearchOutcome {
  readonly task: string;
  readonly rows: { train: number; validation: number; test: number };
  readonly metric: string;
  readonly crossValidated: boolean;
  readonly chosen: TrialResult;
  readonly baseline: TrialResult;
  readonly trials: TrialResult[];
  readonly seconds: number;
}

interface Prepared {
  readonly config: ModelConfig;
  readonly splits: PreparedData['splits'];
  readonly pre: Preprocessor;
  readonly metric: string;
}

async function withPredictor<T>(trained: TrainedTrial, use: (p: Predictor) => T): Promise<T> {
  const predictor = await Predictor.load(trained.trained.artifact);
  try {
    return use(predictor);
  } finally {
    predictor.dispose();
  }
}

const testMetric = (p: Prepared, trained: TrainedTrial): Promise<number> =>
  withPredictor(trained, (predictor) => evaluate(predictor, p.splits.test).metrics[p.metric] as number);

/** Every trial on the training split, compared on the validation split (the pipeline without cross-validation). */
async function onOneSplit(p: Prepared, plan: readonly TrialPlan[]): Promise<TrialResult[]> {
  const trials: TrialResult[] = [];
  for (const trial of plan) {
    const trained = await trainTrial(p.config, p.pre, p.splits, trial.hyperparameters);
    const losses = await withPredictor(trained, (predictor) => {
      const scored = scoreSplit(predictor, p.splits.validation);
      return rowLosses(p.config.task, scored.scores, scored.truth, scored.classes.length, true);
    });
    const { parameters } = trained.trained;
    trials.push({ ...trial, parameters, rowLosses: losses, test: await testMetric(p, trained) });
  }
  return trials;
}

/** Every trial on every fold, chosen out of fold; the chosen one and the baseline refit (the pipeline's Refit). */
async function crossValidated(
  p: Prepared,
  plan: readonly TrialPlan[],
  folds: FoldPlan,
): Promise<{ trials: TrialResult[]; chosen: string | undefined }> {
  const folded: (FoldedTrial & { bestEpochs: number[] })[] = [];
  for (const trial of plan) {
    const scores = [];
    const bestEpochs: number[] = [];
    let parameters = 0;
    for (let fold = 0; fold < folds.folds; fold++) {
      const rows = { kind: 'fold', fold, ...folds } as const;
      const trained = await trainTrial(p.config, p.pre, p.splits, trial.hyperparameters, { rows });
      const held = trained.frames;
      scores.push(
        await withPredictor(trained, (predictor) =>
          outOfFoldScores(scoreSplit(predictor, held.scored), held.heldOut ?? []),
        ),
      );
      bestEpochs.push(trained.trained.artifact.training.bestEpoch);
      parameters = trained.trained.parameters;
    }
    folded.push({ id: trial.id, parameters, competes: trial.competes, folds: scores, bestEpochs });
  }
  const { chosen } = crossValidatedChoice(p.config.task, folded, p.config.tuning.selection);
  const trials: TrialResult[] = [];
  for (const [i, trial] of plan.entries()) {
    const f = folded[i] as (typeof folded)[number];
    const hyperparameters = { ...trial.hyperparameters, epochs: refitEpochs(f.bestEpochs) };
    const refit = trial.id === chosen || trial.role === 'baseline';
    const test = refit
      ? await testMetric(p, await trainTrial(p.config, p.pre, p.splits, hyperparameters, { rows: REFIT }))
      : Number.NaN;
    // The out-of-fold losses stay inside crossValidatedChoice: the bench reports test metrics.
    trials.push({ ...trial, hyperparameters, parameters: f.parameters, rowLosses: new Float64Array(), test });
  }
  return { trials, chosen };
}

/**
 * Runs what the pipeline runs for a model file on a CSV — prepare, the planned search and the linear baseline, on one
 * split or cross-validated as `tuning.crossValidation` says, the choice, the test metrics — with the same core code,
 * in one process.
 */
export async function searchOnCsv(csv: string, raw: Record<string, unknown>, metric: string): Promise<SearchOutcome> {
  const started = Date.now();
  const config: ModelConfig = parseModelConfig(raw, 'bench');
  const table = await readCsv(csv, { missingValues: config.missingValues, source: 'bench.csv' });
  const { prepared, preprocessor } = prepareForTraining(table, config, undefined);
  const rows = prepared.report.splitRows;
  const folds = crossValidationPlan(config.tuning.crossValidation, rows.train + rows.validation, config.split.seed);
  const trainingRows = folds === null ? rows.train : rows.train + rows.validation;
  const plan = planTuning(config.hyperparameters, config.tuning, { trainingRows, task: config.task }, folds);
  const p: Prepared = { config, splits: prepared.splits, pre: preprocessor, metric };
  let trials: TrialResult[];
  let chosenId: string | undefined;
  if (folds === null) {
    trials = await onOneSplit(p, plan.trials);
    chosenId = chooseTrial(
      trials.filter((t) => t.competes),
      config.tuning.selection,
    )?.id;
  } else {
    ({ trials, chosen: chosenId } = await crossValidated(p, plan.trials, folds));
  }
  const chosen = trials.find((t) => t.id === chosenId);
  const baseline = trials.find((r) => r.role === 'baseline');
  if (chosen === undefined || baseline === undefined) throw new Error('no candidate or baseline trained');
  const seconds = (Date.now() - started) / 1000;
  return { task: config.task, rows, metric, crossValidated: folds !== null, chosen, baseline, trials, seconds };
}
