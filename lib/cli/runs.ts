import { PutObjectCommand } from '@aws-sdk/client-s3';
import { runIdFor } from '../../lambdas/register-run/register-run.js';
import { LAYOUT } from '../../lambdas/shared/layout.js';
import type { RunRecord } from '../../lambdas/shared/registry.js';
import type { Connection } from './connection.js';

export interface UploadedData {
  readonly key: string;
  readonly runId: string;
}

/** Uploads a CSV under `incoming/<model>/<name>`, which starts a run; returns the id the run will have. */
export async function uploadData(c: Connection, model: string, name: string, body: Uint8Array | string): Promise<UploadedData> {
  const key = `${LAYOUT.incoming}${model}/${name}`;
  const response = await c.s3.send(new PutObjectCommand({ Bucket: c.dataBucket, Key: key, Body: body, ContentType: 'text/csv' }));
  return { key, runId: runIdFor(c.dataBucket, key, (response.ETag ?? '').replace(/"/g, '')) };
}

export interface WaitOptions {
  /** @default 20 minutes: a deployed pipeline trains in Lambda */
  readonly timeoutMs?: number;
  /** @default 2000 */
  readonly pollMs?: number;
  /** Called when the run's status or step changes. */
  readonly onProgress?: (run: RunRecord) => void;
}

/** Polls the registry until the run has ended (any status but RUNNING); throws when it does not end in time. */
export async function waitForRun(c: Connection, model: string, runId: string, options: WaitOptions = {}): Promise<RunRecord> {
  const timeoutMs = options.timeoutMs ?? 20 * 60_000;
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const run = await c.registry.getRun(model, runId);
    if (run) {
      const seen = `${run.status}/${run.step ?? ''}`;
      if (seen !== last) options.onProgress?.(run);
      last = seen;
      if (run.status !== 'RUNNING') return run;
    }
    if (Date.now() > deadline) {
      throw new Error(
        run
          ? `run ${runId} of ${model} is still RUNNING (step ${run.step ?? '?'}) after ${Math.round(timeoutMs / 1000)} s`
          : `run ${runId} of ${model} never started: is the upload rule delivering S3 events to the pipeline? (check the UploadEventsDlq queue)`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 2000));
  }
}
