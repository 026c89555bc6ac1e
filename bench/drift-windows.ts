/**
 * Drift that does not cry wolf (issue 21): how often the window drift test (lambdas/core/drift/window-drift.ts)
 * flags windows of adult rows that did not drift, at 100, 1,000 and 10,000 rows, and how often it catches a stated
 * shift — age + 10 years on a random half of the rows — at 500, 1,000 and 10,000. The reference is the profile of
 * 10,000 adult rows (the model file's features, as ETL profiles the training split) with its bootstrapped null;
 * windows are drawn, seeded, from the other 22,561 rows (windows of 10,000 overlap one another, so their verdicts are
 * not independent). Also times the bootstrap. Writes bench/results/drift-windows.json.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCsv } from '../lambdas/core/csv.js';
import type { Frame } from '../lambdas/core/dataset.js';
import { bootstrapDriftNull } from '../lambdas/core/drift/drift-null.js';
import { profileFrame } from '../lambdas/core/drift/profile.js';
import { windowDrift } from '../lambdas/core/drift/window-drift.js';
import { frameRows, joinFrames } from '../lambdas/core/frame-rows.js';
import { parseModelConfig } from '../lambdas/core/model-config.js';
import { prepareForTraining } from '../lambdas/core/pipeline-stages.js';
import { seededRandom } from '../lambdas/core/random.js';
import { ADULT_BINARY_MODEL } from './right-answers-lib.js';
import { round } from './stats.js';

const ROOT = join(import.meta.dirname, '..');
const WINDOWS = Number(process.env.WINDOWS ?? 200);
const config = parseModelConfig(ADULT_BINARY_MODEL, 'bench');
const csv = readFileSync(join(ROOT, 'examples', 'data', 'adult.csv'), 'utf8');
const table = await readCsv(csv, { missingValues: config.missingValues, source: 'adult.csv' });
const { prepared } = prepareForTraining(table, config, undefined);
const { train, validation, test } = prepared.splits;
const all = joinFrames(joinFrames(train, validation), test);
const random = seededRandom(21);
const order = Array.from({ length: all.origins.length }, (_, i) => i);
for (let i = order.length - 1; i > 0; i--) {
  const j = Math.floor(random() * (i + 1));
  [order[i], order[j]] = [order[j] as number, order[i] as number];
}
const reference = profileFrame(frameRows(all, order.slice(0, 10_000)));
const pool = order.slice(10_000);
const started = performance.now();
const null_ = bootstrapDriftNull(reference);
const bootstrapSeconds = (performance.now() - started) / 1000;

function windowOf(size: number): Frame {
  const picked = new Set<number>();
  while (picked.size < size) picked.add(pool[Math.floor(random() * pool.length)] as number);
  return frameRows(all, [...picked]);
}

/** Age + 10 years on a random half of the window's rows. */
function shifted(frame: Frame): Frame {
  return {
    ...frame,
    features: frame.features.map((column) =>
      column.name === 'age' && column.type === 'numeric'
        ? { ...column, values: column.values.map((v) => (random() < 0.5 ? v + 10 : v)) }
        : column,
    ),
  };
}

function flaggedShare(size: number, shift: boolean) {
  const drifted: Record<string, number> = {};
  let flagged = 0;
  for (let w = 0; w < WINDOWS; w++) {
    const frame = windowOf(size);
    const result = windowDrift(reference, null_, profileFrame(shift ? shifted(frame) : frame));
    if (result.verdict !== 'drift') continue;
    flagged += 1;
    for (const f of result.driftedFeatures) drifted[f] = (drifted[f] ?? 0) + 1;
  }
  return { rows: size, windows: WINDOWS, flagged, drifted_features: drifted };
}

const unshifted = [100, 1000, 10_000].map((size) => flaggedShare(size, false));
const shift = [500, 1000, 10_000].map((size) => flaggedShare(size, true));
const result = {
  node: process.version,
  measured_at: new Date().toISOString(),
  reference_rows: reference.rows,
  false_alarm_rate: 0.01,
  tie_factors: Object.fromEntries(
    Object.entries(null_.numeric).map(([name, n]) => [name, n.tieFactors.map((f) => round(f, 3))]),
  ),
  bootstrap_seconds: round(bootstrapSeconds, 2),
  unshifted,
  age_plus_10_on_half: shift,
};
writeFileSync(join(ROOT, 'bench', 'results', 'drift-windows.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
