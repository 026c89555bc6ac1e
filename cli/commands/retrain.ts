import { InvokeCommand } from '@aws-sdk/client-lambda';
import * as z from 'zod';
import type { CliContext } from '../context.js';

/** What the retrain function answers. */
const outcomeSchema = z.union([
  z.object({ started: z.literal(true), executionArn: z.string(), data: z.array(z.string()) }),
  z.object({ started: z.literal(false), reason: z.string() }),
]);

/** `mlops retrain <model> -m "…"`: start a retraining by hand (trigger `manual`, audited), as the alarm would. */
export function retrainCommands(ctx: CliContext): void {
  ctx.program
    .command('retrain')
    .description(
      'retrain a model now on its newest upload (with retraining.data "latest+feedback", also the labelled captured requests); audited',
    )
    .argument('<model>')
    .option('-m, --reason <text>', 'why (recorded in the audit trail; required)')
    .action(
      ctx.withConnection(async (c, model: string, options: { reason?: string }) => {
        if (options.reason === undefined) throw new Error('retrain needs a reason: -m "<why>"');
        const payload = { model, trigger: 'manual', reason: options.reason, actor: c.actor };
        const result = await c.lambda.send(
          new InvokeCommand({ FunctionName: c.retrainFunctionName, Payload: JSON.stringify(payload) }),
        );
        const text = new TextDecoder().decode(result.Payload ?? new Uint8Array());
        if (result.FunctionError !== undefined) {
          const error = JSON.parse(text) as { errorType?: string; errorMessage?: string };
          throw new Error(`the retraining failed: ${error.errorType ?? 'Error'}: ${error.errorMessage ?? text}`);
        }
        const outcome = outcomeSchema.parse(JSON.parse(text));
        ctx.print(outcome, () =>
          outcome.started
            ? `${model}: retraining started (${outcome.executionArn}) on ${outcome.data.join(', ')}; follow it with mlops runs ${model}`
            : `${model}: no retraining started: ${outcome.reason}`,
        );
      }),
    );
}
