import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../local/clock.js';
import { LocalFunction } from '../../local/lambda/host.js';
import type { LocalFunctionSpec } from '../../local/lambda/spec.js';

/** A function asset written on the fly: index.mjs exporting `handler`. */
function asset(source: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'mlops-fn-'));
  writeFileSync(join(dir, 'index.mjs'), source);
  return dir;
}

const started: LocalFunction[] = [];
function fn(source: string, extra: Partial<LocalFunctionSpec> = {}): LocalFunction {
  const spec: LocalFunctionSpec = {
    logicalId: 'Fn',
    functionName: 'Stack-Fn',
    arn: 'arn:fn',
    assetDir: asset(source),
    handler: 'index.handler',
    environment: {},
    timeoutSeconds: 30,
    memoryMb: 128,
    ...extra,
  };
  const local = new LocalFunction(spec, mkdtempSync(join(tmpdir(), 'mlops-fn-logs-')));
  started.push(local);
  return local;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((f) => f.stop()));
});

describe('local functions run within their Lambda limits', () => {
  it("runs out of memory at the function's memory size, ends that container, and serves the next call from a new one", async () => {
    const greedy = fn(
      `const kept = [];
      export const handler = async (event) => {
        if (event.grow) for (;;) kept.push(new Array(1e6).fill(kept.length));
        return 'ok';
      };`,
      { memoryMb: 128 },
    );
    await expect(greedy.invoke({ grow: true })).rejects.toMatchObject({
      name: 'Runtime.ExitError',
      message: expect.stringContaining('out of memory (Stack-Fn has 128 MB)'),
    });
    await expect(greedy.invoke({ grow: false })).resolves.toBe('ok');
    expect(greedy.coldStarts).toBe(2);
  }, 60_000);

  it("has Lambda's stack: a spread of 200,000 values overflows, as on Lambda", async () => {
    const spread = fn('export const handler = async ({ n }) => Math.max(...new Array(n).fill(1));');
    await expect(spread.invoke({ n: 1000 })).resolves.toBe(1);
    await expect(spread.invoke({ n: 200_000 })).rejects.toMatchObject({ name: 'RangeError' });
  });

  it("times out at the function's timeout", async () => {
    const slow = fn('export const handler = () => new Promise(() => undefined);', { timeoutSeconds: 1 });
    await expect(slow.invoke({})).rejects.toMatchObject({
      name: 'Sandbox.Timedout',
      message: 'Task timed out after 1.00 seconds',
    });
  });

  it('throttles an invocation beyond the reserved concurrency instead of queueing it', async () => {
    const single = fn(
      'export const handler = () => new Promise((resolve) => setTimeout(() => resolve("done"), 500));',
      { reservedConcurrency: 1 },
    );
    const first = single.invoke({});
    await new Promise((r) => setTimeout(r, 50));
    await expect(single.invoke({})).rejects.toMatchObject({ name: 'Lambda.TooManyRequestsException' });
    await expect(first).resolves.toBe('done');
    await expect(single.invoke({})).resolves.toBe('done'); // free again
  });
});

describe("local functions run on the runtime's clock", () => {
  it('reads the clock with Date.now() (at import and in each invocation); deadlines stay on the wall clock', async () => {
    const clock = new VirtualClock({ start: Date.UTC(2030, 0, 1), rate: 0 });
    const timed = fn(`const loadedAt = Date.now();
      export const handler = async (_event, context) => ({ loadedAt, now: Date.now(), remaining: context.getRemainingTimeInMillis() });`);
    timed.useClock(() => clock.now());
    const first = (await timed.invoke({})) as { loadedAt: number; now: number; remaining: number };
    expect(first.loadedAt - Date.UTC(2030, 0, 1)).toBeLessThan(5_000);
    expect(first.now - Date.UTC(2030, 0, 1)).toBeLessThan(5_000);
    expect(first.remaining).toBeGreaterThan(25_000);
    await clock.advance(15 * 60_000);
    const second = (await timed.invoke({})) as { now: number; loadedAt: number };
    expect(second.loadedAt).toBe(first.loadedAt); // the same warm container
    expect(second.now - Date.UTC(2030, 0, 1, 0, 15)).toBeGreaterThanOrEqual(0);
    expect(second.now - Date.UTC(2030, 0, 1, 0, 15)).toBeLessThan(5_000);
  });
});
