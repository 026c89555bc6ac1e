import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AsyncInvoker, type AsyncConfig } from '../../local/lambda/async-invoke.js';
import { VirtualClock } from '../../local/clock.js';

const START = Date.UTC(2026, 10, 26, 12, 0, 0);

function harness(config: AsyncConfig | undefined, failures: number) {
  const clock = new VirtualClock({ start: START, rate: 0 });
  const dir = mkdtempSync(join(tmpdir(), 'mlops-dlq-'));
  const attempts: number[] = [];
  const fn = {
    functionName: 'Stack-Record',
    arn: 'arn:aws:lambda:us-east-1:000000000000:function:Stack-Record',
    invoke: async () => {
      attempts.push(clock.now() - START);
      if (attempts.length <= failures) throw new Error(`boom ${attempts.length}`);
      return 'ok';
    },
  };
  const invoker = new AsyncInvoker(new Map(config ? [['Stack-Record', config]] : []), clock, dir, () => undefined);
  const deadLetters = () => {
    try {
      return readFileSync(join(dir, 'Stack-Dlq.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    } catch {
      return [];
    }
  };
  return { clock, fn, invoker, attempts, deadLetters };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

describe("Lambda's asynchronous invocation, on the runtime's clock", () => {
  it('retries a failed invocation twice by default, one and then two minutes later', async () => {
    const { clock, fn, invoker, attempts } = harness(undefined, 2);
    invoker.invoke(fn, { a: 1 });
    await settle();
    expect(attempts).toEqual([0]);
    await clock.advance(60_000);
    await settle();
    expect(attempts).toEqual([0, 60_000]);
    await clock.advance(120_000);
    await settle();
    expect(attempts).toEqual([0, 60_000, 180_000]);
    await clock.advance(10 * 60_000);
    expect(attempts).toHaveLength(3); // the third attempt succeeded
  });

  it('sends the documented invocation record to the on-failure destination when retries are exhausted', async () => {
    const { clock, fn, invoker, attempts, deadLetters } = harness(
      {
        maximumRetryAttempts: 2,
        maximumEventAgeMs: 21_600_000,
        onFailure: 'arn:aws:sqs:us-east-1:000000000000:Stack-Dlq',
      },
      99,
    );
    invoker.invoke(fn, { model: 'adult' });
    for (let i = 0; i < 4; i++) {
      await settle();
      await clock.advance(120_000);
    }
    expect(attempts).toEqual([0, 60_000, 180_000]);
    const [record, ...more] = deadLetters();
    expect(more).toEqual([]);
    expect(record).toMatchObject({
      version: '1.0',
      requestContext: { functionArn: `${fn.arn}:$LATEST`, condition: 'RetriesExhausted', approximateInvokeCount: 3 },
      requestPayload: { model: 'adult' },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorMessage: 'boom 3' },
    });
  });

  it('does not retry with MaximumRetryAttempts 0, and stops at the maximum event age', async () => {
    const none = harness(
      {
        maximumRetryAttempts: 0,
        maximumEventAgeMs: 21_600_000,
        onFailure: 'arn:aws:sqs:us-east-1:000000000000:Stack-Dlq',
      },
      99,
    );
    none.invoker.invoke(none.fn, {});
    await settle();
    await none.clock.advance(10 * 60_000);
    expect(none.attempts).toEqual([0]);
    expect(none.deadLetters()[0]).toMatchObject({
      requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 1 },
    });

    const young = harness(
      { maximumRetryAttempts: 2, maximumEventAgeMs: 60_000, onFailure: 'arn:aws:sqs:us-east-1:000000000000:Stack-Dlq' },
      99,
    );
    young.invoker.invoke(young.fn, {});
    for (let i = 0; i < 3; i++) {
      await settle();
      await young.clock.advance(120_000);
    }
    // The second retry would run 3 minutes after the event arrived, past its 60-second maximum age.
    expect(young.attempts).toEqual([0, 60_000]);
    expect(young.deadLetters()[0]).toMatchObject({
      requestContext: { condition: 'EventAgeExceeded', approximateInvokeCount: 2 },
    });
  });
});
