import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { startWorker, workerFailure } from './container.js';
import { LambdaFunctionError, type FunctionObserver, type InvocationRecord, type LocalFunctionSpec } from './spec.js';
import { lineSplitter, readOutput } from './output.js';
import { newTraceHeader } from './xray-daemon.js';

interface Container {
  readonly worker: Worker;
  readonly ready: Promise<void>;
  busy: boolean;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  /** The worker's answer, held until its output is read up to the invocation's end marker (`outputRead`). */
  outcome?: { ok: boolean; result?: unknown; error?: { name: string; message: string; stack: string } };
  outputRead?: boolean;
}

/**
 * A Lambda function run locally from its bundled asset. Each container is a worker thread with the function's own
 * environment; containers are reused while warm and added up to `maxContainers` under concurrency. A timeout kills
 * the container, as Lambda does.
 */
export class LocalFunction {
  private readonly containers: Container[] = [];
  private readonly waiting: (() => void)[] = [];
  private readonly pending = new Map<string, Pending>();
  private readonly log: WriteStream;
  private observer: FunctionObserver = {};
  /** The runtime's clock, which the function's `Date.now()` follows (real time unless a test moves the clock). */
  private now: () => number = () => Date.now();
  coldStarts = 0;

  constructor(
    readonly spec: LocalFunctionSpec,
    logDir: string,
    private readonly maxContainers = 4,
  ) {
    mkdirSync(logDir, { recursive: true });
    this.log = createWriteStream(join(logDir, `${spec.functionName}.log`), { flags: 'a' });
  }

  /**
   * Puts the function on the runtime's clock: inside it `Date.now()` reads that clock (moving in real time between
   * the invocation's start and end), so time-based behaviour such as predict's refresh interval follows the clock a
   * test advances. Dates made with `new Date()` and the invocation's deadline stay on the wall clock.
   */
  useClock(now: () => number): void {
    this.now = now;
  }

  /** Where the function's log lines and invocation records go besides its log file. */
  observe(observer: FunctionObserver): void {
    this.observer = observer;
  }

  async invoke(event: unknown): Promise<unknown> {
    const started = performance.now();
    const record = (outcome: InvocationRecord['outcome']) =>
      this.observer.onInvocation?.({
        functionName: this.spec.functionName,
        durationMs: performance.now() - started,
        outcome,
      });
    let container: Container;
    try {
      container = await this.acquire();
    } catch (error) {
      record('throttled');
      throw error;
    }
    try {
      const result = await this.run(container, event);
      record('succeeded');
      return result;
    } catch (error) {
      record('failed');
      throw error;
    }
  }

  private async run(container: Container, event: unknown): Promise<unknown> {
    const id = randomUUID();
    const timeoutMs = this.spec.timeoutSeconds * 1000;
    try {
      await container.ready;
      return await new Promise<unknown>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.pending.delete(id);
          this.discard(container);
          reject(
            new LambdaFunctionError(
              'Sandbox.Timedout',
              `Task timed out after ${this.spec.timeoutSeconds.toFixed(2)} seconds`,
            ),
          );
        }, timeoutMs);
        this.pending.set(id, {
          resolve: (value) => {
            clearTimeout(timer);
            resolve(value);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        });
        container.worker.postMessage({
          id,
          event,
          clockNow: this.now(),
          ...(this.spec.tracing ? { traceHeader: newTraceHeader() } : {}),
          context: {
            functionName: this.spec.functionName,
            functionVersion: '$LATEST',
            invokedFunctionArn: this.spec.arn,
            memoryLimitInMB: String(this.spec.memoryMb),
            awsRequestId: id,
            logGroupName: this.spec.logGroup ?? `/aws/lambda/${this.spec.functionName}`,
            logStreamName: 'local',
            timeoutMs,
          },
        });
      });
    } finally {
      this.release(container);
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.containers.splice(0).map((c) => c.worker.terminate()));
    await new Promise<void>((resolve) => this.log.end(resolve));
  }

  private async acquire(): Promise<Container> {
    for (;;) {
      const idle = this.containers.find((c) => !c.busy);
      if (idle !== undefined) {
        idle.busy = true;
        return idle;
      }
      const reserved = this.spec.reservedConcurrency;
      if (this.containers.length < (reserved ?? this.maxContainers)) {
        const container = this.spawn();
        container.busy = true;
        return container;
      }
      if (reserved !== undefined) {
        throw new LambdaFunctionError(
          'Lambda.TooManyRequestsException',
          `Rate Exceeded: ${this.spec.functionName} is at its reserved concurrency (${reserved})`,
        );
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  private release(container: Container): void {
    container.busy = false;
    this.waiting.shift()?.();
  }

  private discard(container: Container): void {
    const index = this.containers.indexOf(container);
    if (index !== -1) this.containers.splice(index, 1);
    void container.worker.terminate();
  }

  /** The invocation's output has all been read (its end marker): it settles once its answer is in too. */
  private outputRead(id: string): void {
    const pending = this.pending.get(id);
    if (pending !== undefined) this.settle(id, Object.assign(pending, { outputRead: true }));
  }

  private settle(id: string, pending: Pending): void {
    const outcome = pending.outcome;
    if (outcome === undefined || pending.outputRead !== true) return;
    this.pending.delete(id);
    if (outcome.ok) pending.resolve(outcome.result);
    else
      pending.reject(
        new LambdaFunctionError(
          outcome.error?.name ?? 'Error',
          outcome.error?.message ?? 'unknown error',
          outcome.error?.stack,
        ),
      );
  }

  /** A container's lines go to the function's log file and log group; its invocation end markers settle invocations. */
  private readOutputOf(worker: Worker): void {
    const group = this.spec.logGroup ?? `/aws/lambda/${this.spec.functionName}`;
    worker.stderr.pipe(this.log, { end: false });
    worker.stderr.on(
      'data',
      lineSplitter((line) => this.observer.onLogLine?.(group, line)),
    );
    const toLog = (line: string) => {
      this.log.write(`${line}\n`);
      this.observer.onLogLine?.(group, line);
    };
    readOutput(worker.stdout, toLog, (id) => this.outputRead(id));
  }

  private spawn(): Container {
    this.coldStarts += 1;
    const worker = startWorker(this.spec, this.now());
    this.readOutputOf(worker);
    let markReady: () => void = () => undefined;
    let failReady: (error: Error) => void = () => undefined;
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failReady = reject;
    });
    ready.catch(() => undefined);
    const container: Container = { worker, ready, busy: false };
    worker.on(
      'message',
      (message: {
        ready?: boolean;
        id?: string;
        ok?: boolean;
        result?: unknown;
        error?: { name: string; message: string; stack: string };
      }) => {
        if (message.ready) {
          markReady();
          return;
        }
        const pending = this.pending.get(message.id ?? '');
        if (pending === undefined) return;
        pending.outcome = {
          ok: message.ok === true,
          result: message.result,
          ...(message.error ? { error: message.error } : {}),
        };
        this.settle(message.id ?? '', pending);
      },
    );
    worker.on('error', (error: Error & { code?: string }) => {
      const failure = workerFailure(error, this.spec);
      failReady(failure);
      for (const [id, pending] of this.pending) {
        pending.reject(failure);
        this.pending.delete(id);
      }
      this.discard(container);
    });
    this.containers.push(container);
    return container;
  }
}
