/**
 * ETL at scale (issue 9): the first upload of 1,000,000 rows of adult-shaped data through the local runtime — the
 * bundled ETL function in its Lambda-sized worker (1 MB stack) — must pass ETL. Rows are adult's, repeated, with
 * fnlwgt (excluded from the features) made unique so the split behaves as on real data.
 * Records rows, ETL seconds and the peak RSS of the whole local runtime process (an upper bound of the ETL
 * function's own) in bench/results/etl-scale.json. ROWS=… picks another size.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { startBenchStack } from './local-stack.js';
import { round } from './stats.js';

const ROOT = join(import.meta.dirname, '..');
const ROWS = Number(process.env.ROWS ?? 1_000_000);
const work = mkdtempSync(join(tmpdir(), 'mlops-etl-scale-'));

/** Writes `rows` adult rows, cycling through the file, fnlwgt offset by the cycle so every row is distinct. */
async function writeAdultShaped(file: string, rows: number): Promise<void> {
  const lines = readFileSync(join(ROOT, 'examples', 'data', 'adult.csv'), 'utf8')
    .trimEnd()
    .split('\n');
  const header = lines[0] as string;
  const data = lines.slice(1);
  const fnlwgt = header.split(',').indexOf('fnlwgt');
  const out = createWriteStream(file);
  out.write(`${header}\n`);
  for (let i = 0; i < rows; i++) {
    const cells = (data[i % data.length] as string).split(',');
    cells[fnlwgt] = String(Number(cells[fnlwgt]) + 10_000_000 * Math.floor(i / data.length));
    if (!out.write(`${cells.join(',')}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

const modelsDir = join(work, 'models');
const adultModel = JSON.parse(readFileSync(join(ROOT, 'models', 'adult.json'), 'utf8')) as Record<string, unknown>;
await import('node:fs/promises').then((fs) => fs.mkdir(modelsDir));
writeFileSync(join(modelsDir, 'adult-scale.json'), JSON.stringify({ ...adultModel, name: 'adult-scale' }));
const file = join(work, 'adult-scale.csv');
await writeAdultShaped(file, ROWS);
const bytes = statSync(file).size;

const { runtime, s3 } = await startBenchStack(work, modelsDir);
let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 100);
try {
  const rssBefore = process.memoryUsage().rss;
  await s3.send(
    new PutObjectCommand({
      Bucket: runtime.endpoints.outputs.DataBucketName,
      Key: 'incoming/adult-scale/adult-scale.csv',
      Body: createReadStream(file),
      ContentLength: bytes,
    }),
  );
  const deadline = Date.now() + 30 * 60_000;
  let result: { status: string; seconds: number; output?: unknown; error?: string } | undefined;
  while (result === undefined && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    const execution = runtime.executions()[0];
    const entered = execution?.events.find((e) => e.type === 'StateEntered' && e.state === 'ETL');
    const ended = execution?.events.find(
      (e) => (e.type === 'StateExited' || e.type === 'StateFailed') && e.state === 'ETL',
    );
    if (entered && ended) {
      result = {
        status: ended.type === 'StateExited' ? 'passed' : 'failed',
        seconds: (ended.timestamp - entered.timestamp) / 1000,
        output: ended.output,
        ...(ended.error ? { error: `${ended.error}: ${String(ended.cause).slice(0, 300)}` } : {}),
      };
    }
  }
  if (result === undefined) throw new Error('ETL did not end within 30 minutes');
  const rows = ((result.output as { etl?: { rows?: unknown } } | undefined)?.etl?.rows ?? null) as Record<
    string,
    number
  > | null;
  const record = {
    measured_at: new Date().toISOString(),
    node: process.version,
    rows_uploaded: ROWS,
    megabytes: round(bytes / 2 ** 20, 1),
    etl: result.status,
    etl_seconds: round(result.seconds, 1),
    mib_per_second: round(bytes / 2 ** 20 / result.seconds, 2),
    rows,
    peak_rss_mb: round(peakRss / 2 ** 20, 0),
    rss_before_upload_mb: round(rssBefore / 2 ** 20, 0),
    etl_function_memory_mb: 3008,
    ...(result.error ? { error: result.error } : {}),
  };
  writeFileSync(join(ROOT, 'bench', 'results', 'etl-scale.json'), `${JSON.stringify(record, null, 2)}\n`);
  console.log(JSON.stringify(record, null, 2));
} finally {
  clearInterval(sampler);
  s3.destroy();
  await runtime.stop();
}
