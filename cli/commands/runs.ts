import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { redriveRun } from '../../lambdas/shared/use-cases/redrive.js';
import { formatTable } from '../format.js';
import { uploadData } from '../runs.js';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/** Runs of the pipeline: listing them, re-driving a failed one, uploading data that starts one. */
export function runCommands(ctx: CliContext): void {
  const runs = runsCommand(ctx);
  redriveCommand(ctx, runs);
  uploadCommand(ctx);
}

/** `mlops runs [model]`: the runs, newest last. */
function runsCommand(ctx: CliContext): Command {
  return ctx.program
    .command('runs')
    .description("list a model's runs, newest last; `runs redrive` resumes a failed one")
    .argument('[model]')
    .action(
      ctx.withConnection(async (c, model: string | undefined) => {
        const models = model === undefined ? await c.registry.runs.models() : [model];
        const list = (await Promise.all(models.map((m) => c.registry.runs.list(m))))
          .flat()
          .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
        ctx.print(list, () =>
          formatTable(
            ['model', 'run', 'status', 'step', 'version', 'started by', 'data', 'started', 'reason'],
            list.map((r) => [
              r.model,
              r.runId,
              r.status,
              r.step,
              r.version === undefined ? null : `v${r.version}`,
              r.startedBy?.trigger ?? 'upload',
              r.trigger.key,
              r.startedAt,
              r.reason?.slice(0, 100),
            ]),
          ),
        );
      }),
    );
}

/** `mlops runs redrive <model> <run>`: resume a FAILED run from the step that failed. */
function redriveCommand(ctx: CliContext, runs: Command): void {
  runs
    .command('redrive')
    .description('resume a FAILED run from the step that failed, without redoing the steps before it')
    .argument('<model>')
    .argument('<run>')
    .option('--wait', 'wait for the resumed execution to end')
    .action(
      ctx.withConnection(async (c, model: string, runId: string, options: { wait?: boolean }) => {
        const result = await redriveRun(c, model, runId, options.wait === true);
        ctx.print(
          result,
          () =>
            `run ${runId} resumed at ${result.step}: ${result.executionArn}${result.status ? ` → ${result.status}` : ''}${result.runStatus ? `; run ${result.runStatus}${result.reason ? `: ${result.reason}` : ''}` : ''}`,
        );
        // Scripts waiting on a re-drive must see its failure.
        if (result.status !== undefined && (result.status !== 'SUCCEEDED' || result.runStatus === 'FAILED'))
          process.exitCode = 1;
      }),
    );
}

/** `mlops upload <model> <file>`: upload a CSV, which starts a run. */
function uploadCommand(ctx: CliContext): void {
  ctx.program
    .command('upload')
    .description('upload a CSV under incoming/<model>/, which starts a training run')
    .argument('<model>')
    .argument('<file>')
    .action(
      ctx.withConnection(async (c, model: string, file: string) => {
        const { key, runId, duplicate } = await uploadData(c, model, basename(file), readFileSync(file));
        ctx.print({ bucket: c.dataBucket, key, runId, duplicate }, () =>
          duplicate
            ? `duplicate: run ${runId} already exists for s3://${c.dataBucket}/${key} with these bytes and this model file; nothing started (upload under another name to train again)`
            : `uploaded s3://${c.dataBucket}/${key}; run ${runId} started (mlops runs ${model})`,
        );
      }),
    );
}
