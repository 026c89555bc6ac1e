import * as z from 'zod';
import type { CliContext } from '../context.js';
import { invokeFunction } from '../invoke.js';
import { describeWindow, windowLine } from '../monitor-format.js';
import { monitorWindowSchema } from '../../lambdas/shared/adapters/monitor-store.js';

/** What the monitor function answers: the window, and whether this invocation recorded it. */
const answerSchema = z.object({ recorded: z.boolean(), window: monitorWindowSchema });

/** `60m`, `2h`, `1d` → minutes. */
export function windowMinutes(text: string): number {
  const match = /^(\d+)\s*(m|h|d)$/.exec(text.trim());
  const minutes =
    match === null ? Number.NaN : Number(match[1]) * { m: 1, h: 60, d: 1440 }[match[2] as 'm' | 'h' | 'd'];
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 10_080)
    throw new Error(`--window "${text}" is not a window: give minutes, hours or days up to 7 days (60m, 2h, 1d)`);
  return minutes;
}

/** `mlops monitor`: run the model's monitor now (the same function its schedule runs), or list its past windows. */
export function monitorCommands(ctx: CliContext): void {
  ctx.program
    .command('monitor')
    .description(
      "a model's live traffic now: drift, estimated and realized performance per variant (the function its schedule runs); --history lists past windows",
    )
    .argument('<model>')
    .option('--window <length>', 'how far back from now (60m, 2h, 1d); default: the schedule interval')
    .option('--history', 'list the monitored windows, newest first, instead of monitoring now')
    .action(
      ctx.withConnection(async (c, model: string, options: { window?: string; history?: boolean }) => {
        if (options.history === true) {
          const windows = await c.monitors.list(model);
          ctx.print(windows, () =>
            windows.length === 0 ? `${model}: no monitored window yet` : windows.map(windowLine).join('\n'),
          );
          return;
        }
        const payload = {
          model,
          trigger: 'manual',
          ...(options.window !== undefined ? { windowMinutes: windowMinutes(options.window) } : {}),
        };
        const answer = await invokeFunction(c, c.monitorFunctionName, 'the monitor', payload, answerSchema);
        ctx.print(answer.window, () => describeWindow(answer.window, answer.recorded));
      }),
    );
}
