import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { LAYOUT } from '../lambdas/shared/contracts/layout.js';
import type { RunRecord } from '../lambdas/shared/contracts/registry-records.js';
import { currentExecutionArn } from '../lambdas/shared/contracts/run-identity.js';
import type { Connection } from './connection.js';

export interface UploadedData {
  readonly key: string;
  readonly runId: string;
  /** True when the pipeline found a run for the same object and model file already: nothing new started. */
  readonly duplicate: boolean;
}

const sameObject = (run: RunRecord, key: string, etag: string): boolean =>
  run.trigger.key === key && run.trigger.etag === etag;

/** Uploads of a run counted by the pipeline (a run from before the count is counted from one). */
const uploadsOf = (run: RunRecord): number => run.uploads ?? 1;

/**
 * Uploads a CSV under `incoming/<model>/<name>`, which starts a run, and waits until the pipeline has registered
 * it. The run id depends on the deployed model file, which only the pipeline knows, so the CLI watches the registry:
 * a run that existed before whose upload count grew means this upload started nothing; a new run was started by this
 * upload — or by an identical one that raced it, so the uploader takes a ticket on the run, and only the first
 * ticket says "started" (a later one waits until the pipeline has counted its upload as a duplicate).
 */
export async function uploadData(
  c: Pick<Connection, 's3' | 'registry' | 'uploads' | 'dataBucket'>,
  model: string,
  name: string,
  body: Uint8Array | string,
  options: { timeoutMs?: number; pollMs?: number } = {},
): Promise<UploadedData> {
  const key = `${LAYOUT.incoming}${model}/${name}`;
  const before = new Map((await c.registry.runs.list(model)).map((r) => [r.runId, uploadsOf(r)]));
  const response = await c.s3.send(
    new PutObjectCommand({ Bucket: c.dataBucket, Key: key, Body: body, ContentType: 'text/csv' }),
  );
  const etag = (response.ETag ?? '').replace(/"/g, '');
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  let ticket: { runId: string; number: number } | undefined;
  for (;;) {
    const runs = (await c.registry.runs.list(model)).filter((r) => sameObject(r, key, etag));
    const started = runs.find((r) => !before.has(r.runId));
    if (started !== undefined) {
      ticket ??= { runId: started.runId, number: await c.uploads.takeTicket(model, started.runId) };
      if (ticket.number === 1) return { key, runId: started.runId, duplicate: false };
      if (uploadsOf(started) >= ticket.number) return { key, runId: started.runId, duplicate: true };
    }
    const repeated = runs.find((r) => before.has(r.runId) && uploadsOf(r) > (before.get(r.runId) ?? 1));
    if (repeated !== undefined) return { key, runId: repeated.runId, duplicate: true };
    if (Date.now() > deadline) {
      throw new Error(
        `uploaded s3://${c.dataBucket}/${key}, but no run registered it within ${Math.round((options.timeoutMs ?? 120_000) / 1000)} s: ` +
          'is the upload rule delivering S3 events to the pipeline? (check the UploadEventsDlq queue)',
      );
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 500));
  }
}

export interface WaitOptions {
  /** @default 20 minutes: a deployed pipeline trains in Lambda */
  readonly timeoutMs?: number;
  /** @default 2000 */
  readonly pollMs?: number;
  /** Called when the run's status or step changes. */
  readonly onProgress?: (run: RunRecord) => void;
}

/**
 * Polls the registry until the run has ended (any status but RUNNING), then Step Functions until its execution has
 * too: a run's outcome is decided before the execution's last steps (the model card is written after the decision),
 * so a caller that stops the stack or reads the card on the run's status alone would cut them off. Throws when
 * either does not end in time.
 */
export async function waitForRun(
  c: Pick<Connection, 'registry' | 'sfn' | 'stateMachineArn'>,
  model: string,
  runId: string,
  options: WaitOptions = {},
): Promise<RunRecord> {
  const timeoutMs = options.timeoutMs ?? 20 * 60_000;
  const deadline = Date.now() + timeoutMs;
  const pause = () => new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 2000));
  let last = '';
  for (;;) {
    const run = await c.registry.runs.get(model, runId);
    if (run) {
      const seen = `${run.status}/${run.step ?? ''}`;
      if (seen !== last) options.onProgress?.(run);
      last = seen;
      if (run.status !== 'RUNNING') {
        const executionArn = currentExecutionArn(run, c.stateMachineArn);
        if (executionArn === undefined || !(await executionRunning(c, executionArn)))
          return (await c.registry.runs.get(model, runId)) ?? run;
      }
    }
    if (Date.now() > deadline) {
      throw new Error(
        run === undefined
          ? `run ${runId} of ${model} never started: is the upload rule delivering S3 events to the pipeline? (check the UploadEventsDlq queue)`
          : run.status === 'RUNNING'
            ? `run ${runId} of ${model} is still RUNNING (step ${run.step ?? '?'}) after ${Math.round(timeoutMs / 1000)} s`
            : `run ${runId} of ${model} is ${run.status}, but its execution is still running after ${Math.round(timeoutMs / 1000)} s`,
      );
    }
    await pause();
  }
}

/** Whether Step Functions still runs the execution (one it does not know has nothing left to wait for). */
async function executionRunning(c: Pick<Connection, 'sfn'>, executionArn: string): Promise<boolean> {
  try {
    return (await c.sfn.send(new DescribeExecutionCommand({ executionArn }))).status === 'RUNNING';
  } catch (error) {
    if ((error as Error).name === 'ExecutionDoesNotExist') return false;
    throw error;
  }
}
