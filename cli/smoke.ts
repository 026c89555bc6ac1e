import { readDataSchema } from '../lambdas/shared/adapters/stored-documents.js';
import { readCsv } from '../lambdas/core/csv.js';
import { parseNumber } from '../lambdas/core/column-typing.js';
import { loadModelConfig } from '../lambdas/shared/contracts/model-files.js';
import type { RunRecord } from '../lambdas/shared/contracts/registry-records.js';
import type { Connection } from './connection.js';
import { uploadData, waitForRun, type WaitOptions } from './runs.js';
import { signedFetch } from './sign.js';

export interface SmokeOptions extends WaitOptions {
  readonly model: string;
  /** The CSV to upload (header row first). */
  readonly csv: string;
  /** Upload only the header and the first `rows` rows. @default all of them */
  readonly rows?: number;
  /** How many rows of the CSV to send to the API. @default 5 */
  readonly instances?: number;
  readonly log?: (line: string) => void;
}

export interface SmokeResult {
  readonly key: string;
  readonly run: RunRecord;
  readonly servedVersion: number;
  readonly predictions: number;
  readonly seconds: number;
}

export class SmokeFailure extends Error {}

type Prediction = { label?: unknown; probabilities?: Record<string, unknown>; value?: unknown };

/**
 * The post-deploy check: upload a data set, wait for its run to end, call the API signed with SigV4 and check the
 * answer. A run that the gate rejects still passes (the pipeline worked and production was kept); a FAILED run, a
 * missing production version or a wrong answer fails. Works the same against `npm start` and a deployed stack.
 */
export async function runSmoke(c: Connection, options: SmokeOptions): Promise<SmokeResult> {
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  const lines = options.csv.replace(/\r\n/g, '\n').trimEnd().split('\n');
  const body = (options.rows === undefined ? lines : lines.slice(0, options.rows + 1)).join('\n') + '\n';
  if (body.split('\n').length < 3) throw new SmokeFailure('the smoke data set needs a header and at least one row');

  const name = `smoke-${new Date().toISOString().replace(/[:.]/g, '-')}.csv`;
  const { key, runId } = await uploadData(c, options.model, name, body);
  log(`uploaded s3://${c.dataBucket}/${key} (${lines.length - 1} rows); waiting for run ${runId}`);
  const run = await waitForRun(c, options.model, runId, {
    ...options,
    onProgress: (r) => log(`  run ${r.status}${r.step ? ` at ${r.step}` : ''}`),
  });
  if (run.status === 'FAILED')
    throw new SmokeFailure(`run ${runId} FAILED at ${run.step ?? '?'}: ${run.reason ?? 'no reason recorded'}`);
  log(
    `run ended ${run.status}${run.version ? ` (version ${run.version})` : ''}: ${run.gate?.summary ?? run.reason ?? ''}`,
  );

  const production = await c.registry.aliases.get(options.model);
  if (!production) {
    throw new SmokeFailure(
      `model "${options.model}" has no production version after the run (${run.status}: ${run.reason ?? run.gate?.summary ?? ''})`,
    );
  }
  const instances = await instancesFrom(c, options.model, lines, options.instances ?? 5);
  const response = await signedFetch({
    url: `${c.apiUrl}/v1/models/${encodeURIComponent(options.model)}/predict`,
    body: JSON.stringify({ instances }),
    region: c.region,
    credentials: c.credentials,
  });
  const text = await response.text();
  if (response.status !== 200) throw new SmokeFailure(`the API answered ${response.status}: ${text.slice(0, 300)}`);
  const answer = JSON.parse(text) as { version?: unknown; predictions?: Prediction[] };
  const problems = checkAnswer(answer, instances.length);
  if (problems.length) throw new SmokeFailure(`the API's answer is wrong: ${problems.join('; ')}`);
  // The container may serve the previous pointer for up to its refresh interval; either is a production version.
  log(
    `the API served version ${String(answer.version)} (production is v${production.version}) for ${instances.length} instances`,
  );
  return {
    key,
    run,
    servedVersion: Number(answer.version),
    predictions: instances.length,
    seconds: (Date.now() - started) / 1000,
  };
}

/** Problems with a predict answer: version, one prediction per instance, probabilities in [0, 1] summing to 1. */
export function checkAnswer(answer: { version?: unknown; predictions?: Prediction[] }, expected: number): string[] {
  const problems: string[] = [];
  if (!Number.isInteger(answer.version)) problems.push('no version number');
  if (!Array.isArray(answer.predictions)) return [...problems, 'no predictions array'];
  if (answer.predictions.length !== expected)
    problems.push(`${answer.predictions.length} predictions for ${expected} instances`);
  answer.predictions.forEach((p, i) => {
    if (p.probabilities !== undefined) {
      const values = Object.values(p.probabilities);
      if (typeof p.label !== 'string' || !(p.label in p.probabilities))
        problems.push(`predictions[${i}].label is not one of its classes`);
      if (values.some((v) => typeof v !== 'number' || v < 0 || v > 1))
        problems.push(`predictions[${i}] has a probability outside [0, 1]`);
      const sum = values.reduce<number>((s, v) => s + Number(v), 0);
      if (Math.abs(sum - 1) > 1e-3) problems.push(`predictions[${i}] probabilities sum to ${sum.toFixed(4)}`);
    } else if (typeof p.value !== 'number' || !Number.isFinite(p.value)) {
      problems.push(`predictions[${i}] has neither class probabilities nor a finite value`);
    }
  });
  return problems;
}

/**
 * The first rows of the CSV as API instances, read as the pipeline reads them (the model file's missing-value tokens
 * become null) and typed by the model's data schema.
 */
async function instancesFrom(
  c: Connection,
  model: string,
  lines: string[],
  count: number,
): Promise<Record<string, string | number | null>[]> {
  const pointer = await c.registry.schemas.get(model);
  if (!pointer) throw new SmokeFailure(`model "${model}" has no data schema yet, so no way to type the request`);
  const schema = await readDataSchema(c.s3, pointer.location);
  const numeric = new Set(schema.columns.filter((column) => column.type === 'numeric').map((column) => column.name));
  const { missingValues } = loadModelConfig(model).config;
  const table = await readCsv(lines.slice(0, count + 1).join('\n'), { missingValues, source: 'the smoke data' });
  return table.rows.map((row) =>
    Object.fromEntries(
      table.columns.map((name, i) => {
        const text = row[i] ?? null;
        if (text === null || !numeric.has(name)) return [name, text];
        const value = parseNumber(text);
        return [name, Number.isFinite(value) ? value : null];
      }),
    ),
  );
}
