import type { CliContext } from '../context.js';
import { artifactCheck } from '../../lambdas/shared/adapters/artifacts.js';
import { abortRelease } from '../../lambdas/shared/use-cases/release.js';
import type { ReleaseRecord } from '../../lambdas/shared/adapters/release-store.js';

function describe(record: ReleaseRecord | undefined, model: string): string {
  if (record === undefined)
    return `${model}: no release yet (a model file with "release": {"mode": "canary"} releases its next version step by step)`;
  const step =
    record.state === 'running'
      ? `, step ${record.stepIndex + 1} of ${record.steps.length}: ${record.share}% of traffic`
      : '';
  return [
    `${model}: release ${record.releaseId} of v${record.candidateVersion} (production v${record.productionVersion ?? '-'}), ${record.mode}, ${record.state}${step}`,
    `  steps ${record.steps.join('% → ')}%, ${record.bakeMinutes} min each; started ${record.startedAt}, updated ${record.updatedAt}`,
    ...(record.reason ? [`  ${record.reason}`] : []),
  ].join('\n');
}

/** Canary and shadow releases: where one stands, and stopping it. */
export function releaseCommands(ctx: CliContext): void {
  ctx.program
    .command('release')
    .description(
      "a model's release: status (default), or abort (the candidate gets no more traffic; production answers all)",
    )
    .argument('<model>')
    .argument('[action]', 'status | abort', 'status')
    .option('-m, --reason <text>', 'why (recorded in the audit trail; required to abort)')
    .action(
      ctx.withConnection(async (c, model: string, action: string, options: { reason?: string }) => {
        if (action === 'status') {
          const record = await c.releases.get(model);
          ctx.print(record ?? null, () => describe(record, model));
          return;
        }
        if (action !== 'abort') throw new Error(`unknown release action "${action}": use status or abort`);
        if (options.reason === undefined) throw new Error('abort needs a reason: -m "<why>"');
        const deps = {
          registry: c.registry,
          checkArtifact: artifactCheck(c.s3),
          releases: c.releases,
          alarmsInAlarm: async () => [],
          now: () => new Date(),
          actor: c.actor,
          // The release state machine stops publishing ReleaseInProgress at its next minute; nothing to send from here.
          signalInProgress: () => undefined,
        };
        const record = await abortRelease(deps, model, options.reason);
        ctx.print(record ?? null, () =>
          record?.state === 'aborted'
            ? `${model}: release ${record.releaseId} aborted; production v${record.productionVersion ?? '-'} answers all traffic within the refresh interval`
            : describe(record, model),
        );
      }),
    );
}
