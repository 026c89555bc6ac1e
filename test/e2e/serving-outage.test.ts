import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../helpers/local-stack.js';
import { signedFetch } from '../helpers/sign.js';

const run = promisify(execFile);
const ADULT = readFileSync('examples/data/adult.csv', 'utf8');
const REQUEST = readFileSync('examples/requests/adult.json', 'utf8');

let stack: TestStack;

beforeAll(async () => {
  // The registry on disk, so the emulator can be stopped and brought back with its data (an outage, not a reset).
  stack = await startTestStack({ registryOnDisk: true });
});

afterAll(async () => {
  await stack?.stop();
});

async function servedVersion(): Promise<number> {
  const response = await signedFetch({ url: `${stack.runtime.endpoints.apiUrl}/v1/models/adult/predict`, body: REQUEST });
  expect(response.status).toBe(200);
  return ((await response.json()) as { version: number }).version;
}

describe('serving through a registry outage', () => {
  it('answers with the loaded version while the registry is down, counts the failed refreshes, and follows a rollback within 30 s once it is back', async () => {
    const lines = ADULT.trimEnd().split('\n');
    const [first] = await stack.upload('incoming/adult/part.csv', lines.slice(0, 8001).join('\n'));
    expect(first?.status).toBe('SUCCEEDED');
    const [second] = await stack.upload('incoming/adult/part-20k.csv', lines.slice(0, 20001).join('\n'));
    expect(second?.status).toBe('SUCCEEDED');
    expect((await stack.registry.getAlias('adult'))?.version).toBe(2);
    expect(await servedVersion()).toBe(2);

    // The runtime's clock moves a second per request (predict's time follows it): no waiting on the wall clock.
    const clock = stack.runtime.clock;
    await stack.runtime.dynamodb.stop();
    const downAt = clock.now();
    // Past the 15 s refresh interval: each refresh fails, the loaded version keeps answering.
    while (clock.now() - downAt < 18_000) {
      expect(await servedVersion()).toBe(2);
      await clock.advance(1000);
    }
    const dir = join(stack.stateDir, 'logs', 'functions');
    const log = readFileSync(join(dir, readdirSync(dir).find((f) => f.includes('InferencePredict')) as string), 'utf8');
    expect(log).toContain('could not refresh the production model; serving the loaded version');
    expect(log).toMatch(/"ModelRefreshFailures":1/);

    await stack.runtime.dynamodb.start();
    await run(process.execPath, ['--import', 'tsx', 'bin/mlops.ts', '--state-dir', stack.stateDir, 'rollback', 'adult', '-m', 'outage drill']);
    const backAt = clock.now();
    let version = 2;
    while (version !== 1 && clock.now() - backAt < 30_000) {
      version = await servedVersion();
      if (version !== 1) await clock.advance(1000);
    }
    expect(version).toBe(1);
  }, 240_000);
});
