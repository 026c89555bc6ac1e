/**
 * Right answers on small data (issues 9 and 20): the default model — a minimal model file, no hyper-parameters, so the
 * search and, below 2,000 training and validation rows, cross-validated selection — against the linear baseline on the
 * same rows, and the cross-validated choice against the single split's (`tuning.crossValidation` "never"), on seeded
 * samples of adult: binary (`class`) at 150 and 500 rows, multiclass (`relationship`) at 500 and 1,000, regression
 * (`age`) at 300, and a heavy-tailed regression target derived from adult (`spend`, right-answers-lib.ts) at 300.
 * The same core code as the pipeline, in one process. Writes bench/results/right-answers.json. `SAMPLES` (default 10)
 * and `ONLY` (task names' starts, comma-separated) narrow a run; the tasks it measures replace theirs in the file and
 * the others are kept, so two processes can measure different tasks side by side.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { round } from './stats.js';
import { sampleCsv, searchOnCsv, withHeavyTailedTarget, type SearchOutcome } from './right-answers-lib.js';

const ROOT = join(import.meta.dirname, '..');
const adult = readFileSync(join(ROOT, 'examples', 'data', 'adult.csv'), 'utf8');
const SAMPLES = Number(process.env.SAMPLES ?? 10);
const ONLY = (process.env.ONLY ?? '').split(',').filter((prefix) => prefix !== '');

const base = { exclude: ['fnlwgt'], missingValues: ['', '?'] };
const binary = { name: 'adult-small', task: 'binary', label: 'class', positiveClass: '>50K', ...base };
const multiclass = { name: 'adult-relationship', task: 'multiclass', label: 'relationship', ...base };
const age = { name: 'adult-age', task: 'regression', label: 'age', ...base };
const spend = { name: 'adult-spend', task: 'regression', label: 'spend', ...base };

const TASKS = [
  { name: 'binary (class), 150 rows', rows: 150, metric: 'roc_auc', model: binary, derive: (csv: string) => csv },
  { name: 'binary (class), 500 rows', rows: 500, metric: 'roc_auc', model: binary, derive: (csv: string) => csv },
  {
    name: 'multiclass (relationship), 500 rows',
    rows: 500,
    metric: 'accuracy',
    model: multiclass,
    derive: (c: string) => c,
  },
  {
    name: 'multiclass (relationship), 1,000 rows',
    rows: 1000,
    metric: 'accuracy',
    model: multiclass,
    derive: (c: string) => c,
  },
  { name: 'regression (age), 300 rows', rows: 300, metric: 'r2', model: age, derive: (csv: string) => csv },
  {
    name: 'heavy-tailed regression (spend), 300 rows',
    rows: 300,
    metric: 'r2',
    model: spend,
    derive: withHeavyTailedTarget,
  },
] as const;

interface SampleResult {
  readonly seed: number;
  readonly rows: SearchOutcome['rows'];
  /** The default: cross-validated selection (these samples are all below 2,000 rows), refit on train + validation. */
  readonly default_model: number;
  readonly linear_baseline: number;
  readonly chosen: { id: string; hiddenUnits: number[] };
  readonly reaches_baseline: boolean;
  /** The same model file with `"tuning": {"crossValidation": "never"}`: chosen on the validation split. */
  readonly single_split: number;
  readonly single_split_baseline: number;
  readonly single_split_chosen: string;
  readonly seconds: { cross_validated: number; single_split: number };
}

const out = join(ROOT, 'bench', 'results', 'right-answers.json');

/** Writes the tasks measured so far into the file; another process may have written other tasks meanwhile. */
function save(): void {
  const kept = existsSync(out)
    ? ((JSON.parse(readFileSync(out, 'utf8')) as { results?: { task: string }[] }).results ?? []).filter(
        (r) => 'measured_at' in r && !results.some((m) => m.task === r.task),
      )
    : [];
  const order = (r: { task: string }) => TASKS.findIndex((t) => t.name === r.task);
  const all = [...kept, ...results].sort((a, b) => order(a) - order(b));
  writeFileSync(
    out,
    `${JSON.stringify({ node: process.version, samples_per_task: SAMPLES, results: all }, null, 2)}\n`,
  );
  console.log(`wrote ${out}`);
}

const results: ({ task: string; measured_at: string } & Record<string, unknown>)[] = [];
const measured = TASKS.filter((t) => ONLY.length === 0 || ONLY.some((prefix) => t.name.startsWith(prefix)));
for (const task of measured) {
  const samples: SampleResult[] = [];
  for (let seed = 0; seed < SAMPLES; seed++) {
    const csv = task.derive(sampleCsv(adult, task.rows, seed));
    const cross = await searchOnCsv(csv, { ...task.model, tuning: { crossValidation: 'always' } }, task.metric);
    const single = await searchOnCsv(csv, { ...task.model, tuning: { crossValidation: 'never' } }, task.metric);
    samples.push({
      seed,
      rows: cross.rows,
      default_model: round(cross.chosen.test, 4),
      linear_baseline: round(cross.baseline.test, 4),
      chosen: { id: cross.chosen.id, hiddenUnits: cross.chosen.hyperparameters.hiddenUnits },
      reaches_baseline: cross.chosen.test >= cross.baseline.test,
      single_split: round(single.chosen.test, 4),
      single_split_baseline: round(single.baseline.test, 4),
      single_split_chosen: single.chosen.id,
      seconds: { cross_validated: round(cross.seconds, 1), single_split: round(single.seconds, 1) },
    });
    console.log(
      `${task.name} sample ${seed}: cross-validated ${cross.chosen.test.toFixed(4)} (${cross.chosen.id}), baseline ${cross.baseline.test.toFixed(4)}; single split ${single.chosen.test.toFixed(4)} (${single.chosen.id}); ${cross.seconds.toFixed(0)} s / ${single.seconds.toFixed(0)} s`,
    );
  }
  const mean = (pick: (s: SampleResult) => number) =>
    round(samples.reduce((t, s) => t + pick(s), 0) / samples.length, 4);
  results.push({
    task: task.name,
    measured_at: new Date().toISOString(),
    metric: task.metric,
    model_file: task.model,
    samples,
    summary: {
      samples: samples.length,
      reaches_baseline: samples.filter((s) => s.reaches_baseline).length,
      single_split_reaches_baseline: samples.filter((s) => s.single_split >= s.single_split_baseline).length,
      mean_default_model: mean((s) => s.default_model),
      mean_linear_baseline: mean((s) => s.linear_baseline),
      mean_single_split: mean((s) => s.single_split),
      mean_seconds_cross_validated: mean((s) => s.seconds.cross_validated),
      mean_seconds_single_split: mean((s) => s.seconds.single_split),
    },
  });
  save();
}
