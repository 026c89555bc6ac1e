/**
 * The wall time of a whole pipeline run on small data (issue 20: a 500-row run stays under 2 minutes on 2 cores):
 * a minimal binary model file, so the default search of six candidates and the baseline is cross-validated on 5 folds
 * (35 fold trainings in the Tune Map, then Refit), through the real local runtime — the synthesized state machine,
 * the bundled functions in worker threads, the emulators. `SAMPLES` seeded samples of adult (default 3), each on a
 * fresh model so none is compared with an earlier version. Writes bench/results/small-run.json.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBenchStack } from './local-stack.js';
import { sampleCsv } from './right-answers-lib.js';
import { round } from './stats.js';

const ROOT = join(import.meta.dirname, '..');
const ROWS = Number(process.env.ROWS ?? 500);
const SAMPLES = Number(process.env.SAMPLES ?? 3);
const work = mkdtempSync(join(tmpdir(), 'mlops-small-run-'));
const modelsDir = join(work, 'models');
mkdirSync(modelsDir);
const names = Array.from({ length: SAMPLES }, (_, i) => `small-${i}`);
for (const name of names) {
  const model = {
    name,
    task: 'binary',
    label: 'class',
    positiveClass: '>50K',
    exclude: ['fnlwgt'],
    missingValues: ['', '?'],
  };
  writeFileSync(join(modelsDir, `${name}.json`), JSON.stringify(model));
}
const adult = readFileSync(join(ROOT, 'examples', 'data', 'adult.csv'), 'utf8');

const { runtime, s3 } = await startBenchStack(work, modelsDir);
const runs = [];
try {
  for (const [seed, name] of names.entries()) {
    const before = runtime.executions().length;
    const started = Date.now();
    await s3.send(
      new PutObjectCommand({
        Bucket: runtime.endpoints.outputs.DataBucketName as string,
        Key: `incoming/${name}/sample.csv`,
        Body: `${sampleCsv(adult, ROWS, seed)}\n`,
      }),
    );
    while (runtime.executions().length === before) await new Promise((r) => setTimeout(r, 20));
    const execution = await (runtime.executions()[before] as NonNullable<ReturnType<typeof runtime.executions>[number]>)
      .done;
    const seconds = (Date.now() - started) / 1000;
    const trainings = execution.events.filter((e) => e.type === 'MapIterationSucceeded').length;
    const refit = execution.events.some((e) => e.type === 'StateEntered' && e.state === 'Refit');
    runs.push({ seed, status: execution.status, seconds: round(seconds, 1), fold_trainings: trainings, refit });
    console.log(
      `${ROWS} rows, sample ${seed}: ${execution.status} in ${seconds.toFixed(1)} s (${trainings} trainings)`,
    );
  }
} finally {
  s3.destroy();
  await runtime.stop();
}
const out = join(ROOT, 'bench', 'results', 'small-run.json');
const worst = Math.max(...runs.map((r) => r.seconds));
writeFileSync(
  out,
  `${JSON.stringify({ measured_at: new Date().toISOString(), node: process.version, rows: ROWS, runs, worst_seconds: worst, under_two_minutes: worst < 120 }, null, 2)}\n`,
);
console.log(`wrote ${out}`);
