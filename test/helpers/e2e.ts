import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { signedFetch } from './sign.js';
import type { TestStack } from './local-stack.js';

export const ADULT = readFileSync('examples/data/adult.csv', 'utf8');
export const REQUEST = readFileSync('examples/requests/adult.json', 'utf8');

/** The header and the first `rows` rows of the example data. */
export const adultRows = (rows: number): string =>
  ADULT.split('\n')
    .slice(0, rows + 1)
    .join('\n');

const execFileAsync = promisify(execFile);

/** `mlops …` against a test stack, as a user runs it (a separate process, through local.json). */
export const mlops = (stack: TestStack, ...args: string[]) =>
  execFileAsync(process.execPath, ['--import', 'tsx', 'bin/mlops.ts', '--state-dir', stack.stateDir, ...args]);

export const predictUrl = (stack: TestStack, model: string): string =>
  `${stack.runtime.endpoints.apiUrl}/v1/models/${model}/predict`;

/** The version the API serves for a model (the request must succeed). */
export async function servedVersion(stack: TestStack, model: string): Promise<number> {
  const response = await signedFetch({ url: predictUrl(stack, model), body: REQUEST });
  if (response.status !== 200) throw new Error(`predict answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { version: number }).version;
}

/**
 * Polls the API until it serves `version` or `withinMs` pass on the runtime's clock, advancing it a second per poll
 * (the functions' time follows it, so predict's refresh interval passes without waiting); the version served last
 * and the clock time it took.
 */
export async function awaitServed(
  stack: TestStack,
  model: string,
  version: number,
  withinMs = 30_000,
): Promise<{ version: number; afterMs: number }> {
  const clock = stack.runtime.clock;
  const start = clock.now();
  let served = await servedVersion(stack, model);
  while (served !== version && clock.now() - start < withinMs) {
    await clock.advance(1000);
    served = await servedVersion(stack, model);
  }
  return { version: served, afterMs: clock.now() - start };
}

/** The JSON lines a local function wrote (its log file is named after the function's logical id). */
export function functionLogLines(stack: TestStack, logicalIdPart: string): Record<string, unknown>[] {
  const dir = join(stack.stateDir, 'logs', 'functions');
  const file = readdirSync(dir).find((f) => f.includes(logicalIdPart));
  if (file === undefined) throw new Error(`no log of ${logicalIdPart}`);
  return readFileSync(join(dir, file), 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
