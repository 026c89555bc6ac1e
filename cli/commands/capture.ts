import { readCapture } from '../capture.js';
import type { CliContext } from '../context.js';
import { formatTable } from '../format.js';
import { parseSince } from '../time.js';

const summary = (prediction: unknown): string => {
  const p = prediction as { label?: string; value?: number; probabilities?: Record<string, number> } | undefined;
  if (p?.label !== undefined) return `${p.label} (${((p.probabilities?.[p.label] ?? 0) * 100).toFixed(1)}%)`;
  return p?.value !== undefined ? String(p.value) : '?';
};

/** Captured requests and their ground truth, read from the capture objects in the data bucket. */
export function captureCommands(ctx: CliContext): void {
  ctx.program
    .command('capture')
    .description(
      "a model's captured predictions (from the capture objects Firehose wrote) with the ground truth sent for them",
    )
    .argument('<model>')
    .option('--since <when>', 'how far back: 15m, 6h, 2d or an ISO time', '1h')
    .action(
      ctx.withConnection(async (c, model: string, options: { since: string }) => {
        const rows = await readCapture(c.s3, c.dataBucket, model, parseSince(options.since, Date.now()));
        ctx.print(rows, () =>
          rows.length === 0
            ? `${model}: nothing captured since ${options.since} ago (Firehose writes every minute or so)`
            : formatTable(
                ['at', 'prediction id', 'version', 'variant', 'prediction', 'truth'],
                rows.map((r) => [
                  r.at,
                  r.predictionId,
                  `v${r.version}`,
                  r.variant,
                  summary(r.prediction),
                  r.truth === undefined ? '' : String(r.truth),
                ]),
              ),
        );
      }),
    );
}
