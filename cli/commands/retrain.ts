import * as z from 'zod';
import type { CliContext } from '../context.js';
import { invokeFunction } from '../invoke.js';

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
        const outcome = await invokeFunction(c, c.retrainFunctionName, 'the retraining', payload, outcomeSchema);
        ctx.print(outcome, () =>
          outcome.started
            ? `${model}: retraining started (${outcome.executionArn}) on ${outcome.data.join(', ')}; follow it with mlops runs ${model}`
            : `${model}: no retraining started: ${outcome.reason}`,
        );
      }),
    );
}
