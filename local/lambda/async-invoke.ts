import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import type { VirtualClock } from '../clock.js';
import type { LocalResources } from '../template.js';

/**
 * Lambda's asynchronous invocation ("Asynchronous invocation", "Configuring error handling for asynchronous
 * invocation"), as EventBridge, S3, SNS and CloudWatch alarm actions invoke functions: a failed invocation is retried
 * twice by default (`MaximumRetryAttempts` 0–2), one minute before the second attempt and two minutes before the
 * third, on the runtime's clock; an event older than `MaximumEventAgeInSeconds` (default 6 hours) is not retried.
 * When retries are exhausted, the on-failure destination receives the documented invocation record; locally an SQS
 * destination is a JSON Lines file per queue under `.mlops/dead-letters/`.
 */
export interface AsyncConfig {
  readonly maximumRetryAttempts: number;
  readonly maximumEventAgeMs: number;
  readonly onFailure?: string;
}

export const DEFAULT_ASYNC_CONFIG: AsyncConfig = { maximumRetryAttempts: 2, maximumEventAgeMs: 6 * 3600_000 };
const RETRY_DELAYS_MS = [60_000, 120_000];

const invokeConfigSchema = z.object({
  FunctionName: z.string(),
  MaximumRetryAttempts: z.number().int().min(0).max(2).optional(),
  MaximumEventAgeInSeconds: z.number().int().min(60).max(21_600).optional(),
  DestinationConfig: z.object({ OnFailure: z.object({ Destination: z.string() }).optional() }).optional(),
});

/** The template's EventInvokeConfigs, by function name. */
export function loadAsyncConfigs(resources: LocalResources): Map<string, AsyncConfig> {
  const configs = new Map<string, AsyncConfig>();
  for (const [, resource] of resources.ofType('AWS::Lambda::EventInvokeConfig')) {
    const p = invokeConfigSchema.parse(resources.resolve(resource.Properties ?? {}));
    const onFailure = p.DestinationConfig?.OnFailure?.Destination;
    configs.set(p.FunctionName.replace(/^arn:aws:lambda:[^:]+:[^:]+:function:/, ''), {
      maximumRetryAttempts: p.MaximumRetryAttempts ?? DEFAULT_ASYNC_CONFIG.maximumRetryAttempts,
      maximumEventAgeMs: (p.MaximumEventAgeInSeconds ?? 21_600) * 1000,
      ...(onFailure !== undefined ? { onFailure } : {}),
    });
  }
  return configs;
}

export interface AsyncTarget {
  readonly functionName: string;
  readonly arn: string;
  invoke(event: unknown): Promise<unknown>;
}

export class AsyncInvoker {
  constructor(
    private readonly configs: ReadonlyMap<string, AsyncConfig>,
    private readonly clock: VirtualClock,
    private readonly deadLetterDir: string,
    private readonly report: (message: string) => void = (message) => console.error(message),
  ) {}

  /** Queues the event and returns at once, as Lambda answers 202 to an asynchronous invoke. */
  invoke(fn: AsyncTarget, event: unknown): void {
    const config = this.configs.get(fn.functionName) ?? DEFAULT_ASYNC_CONFIG;
    void this.attempt(fn, event, config, 1, this.clock.now());
  }

  private async attempt(
    fn: AsyncTarget,
    event: unknown,
    config: AsyncConfig,
    count: number,
    queuedAt: number,
  ): Promise<void> {
    try {
      await fn.invoke(event);
      return;
    } catch (error) {
      const delay = RETRY_DELAYS_MS[count - 1] ?? 120_000;
      const retriesLeft = count <= config.maximumRetryAttempts;
      const retry = retriesLeft && this.clock.now() + delay - queuedAt <= config.maximumEventAgeMs;
      this.report(
        `${fn.functionName}: asynchronous invocation ${count} failed (${(error as Error).message})${retry ? `; retrying in ${delay / 1000} s` : ''}`,
      );
      if (retry) {
        this.clock.at(this.clock.now() + delay, () => void this.attempt(fn, event, config, count + 1, queuedAt));
        return;
      }
      this.deadLetter(fn, event, config, count, error, retriesLeft ? 'EventAgeExceeded' : 'RetriesExhausted');
    }
  }

  private deadLetter(
    fn: AsyncTarget,
    event: unknown,
    config: AsyncConfig,
    count: number,
    error: unknown,
    condition: string,
  ): void {
    if (config.onFailure === undefined) {
      this.report(`${fn.functionName}: the event is dropped (no on-failure destination)`);
      return;
    }
    const record = {
      version: '1.0',
      timestamp: new Date(this.clock.now()).toISOString(),
      requestContext: {
        requestId: randomUUID(),
        functionArn: `${fn.arn}:$LATEST`,
        condition,
        approximateInvokeCount: count,
      },
      requestPayload: event,
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: (error as Error).name, errorMessage: (error as Error).message },
    };
    mkdirSync(this.deadLetterDir, { recursive: true });
    const queue = config.onFailure.split(':').at(-1) ?? 'destination';
    appendFileSync(join(this.deadLetterDir, `${queue}.jsonl`), `${JSON.stringify(record)}\n`);
  }
}
