import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import * as z from 'zod';
import { getObjectBytes } from '../../lambdas/shared/adapters/objects.js';
import type { Connection } from '../connection.js';
import { openInBrowser } from '../report.js';
import type { CliContext } from '../context.js';
import { invokeFunction } from '../invoke.js';
import { describeWindow, windowLine } from '../monitor-format.js';
import { monitorWindowSchema, type MonitorWindow } from '../../lambdas/shared/adapters/monitor-store.js';

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

/** Fetches the window's monitoring report into a file (by default under `reports/`), opens it if asked. */
async function saveMonitoringReport(
  c: Connection,
  window: MonitorWindow,
  options: { out?: string; open?: boolean },
): Promise<string> {
  if (window.report === null) throw new Error(`the window ${window.windowStart} has no monitoring report`);
  const out = resolve(options.out ?? `reports/${window.model}-monitor-${window.windowStart.replace(/:/g, '')}.html`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, await getObjectBytes(c.s3, window.report));
  if (options.open === true) await openInBrowser(out);
  return out;
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
    .option('--open', "write the window's monitoring report to reports/ and open it in a browser")
    .option('--out <file>', "write the window's monitoring report (HTML) to this file")
    .action(
      ctx.withConnection(
        async (c, model: string, options: { window?: string; history?: boolean; open?: boolean; out?: string }) => {
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
          const page =
            options.open === true || options.out !== undefined
              ? await saveMonitoringReport(c, answer.window, options)
              : undefined;
          ctx.print(answer.window, () =>
            [describeWindow(answer.window, answer.recorded), ...(page === undefined ? [] : [`report: ${page}`])].join(
              '\n',
            ),
          );
        },
      ),
    );
}
