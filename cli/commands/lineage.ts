import { versionLineage, versionsTrainedOn } from '../../lambdas/shared/use-cases/lineage.js';
import { formatTable } from '../format.js';
import { parseVersion, type CliContext } from '../context.js';

/** Where a version came from, which versions a data object trained, and retraining a version to check it. */
export function lineageCommands(ctx: CliContext): void {
  lineageCommand(ctx);
  reproduceCommand(ctx);
}

/** `mlops lineage`: what produced a version (model and version), or which versions were trained on a data object (--data). */
function lineageCommand(ctx: CliContext): void {
  ctx.program
    .command('lineage')
    .description(
      'what produced a version (model and version), or which versions were trained on a data object (--data)',
    )
    .argument('[model]')
    .argument('[version]')
    .option('--data <object>', 's3://bucket/key, a key, or the sha256 of a data file')
    .action(
      ctx.withConnection(
        async (c, model: string | undefined, versionText: string | undefined, options: { data?: string }) => {
          if (options.data !== undefined) {
            const rows = await versionsTrainedOn(c.registry, options.data);
            ctx.print(rows, () =>
              rows.length === 0
                ? `no version was trained on ${options.data}`
                : formatTable(
                    ['model', 'version', 'status', 'data object'],
                    rows.map((r) => [r.model, `v${r.version}`, r.status, r.object]),
                  ),
            );
            return;
          }
          if (model === undefined || versionText === undefined)
            throw new Error(
              'name a model and version (mlops lineage adult 2), or a data object (mlops lineage --data s3://bucket/key)',
            );
          const lineage = await versionLineage(c.registry, model, parseVersion(versionText));
          ctx.print(lineage, () => describeLineage(model, lineage));
        },
      ),
    );
}

/** `mlops reproduce`: retrain a version from its recorded lineage and check the weights and metrics are identical. */
function reproduceCommand(ctx: CliContext): void {
  ctx.program
    .command('reproduce')
    .description('retrain a version from its recorded lineage and check the weights and metrics are identical')
    .argument('<model>')
    .argument('<version>')
    .action(
      ctx.withConnection(async (c, model: string, versionText: string) => {
        // Loaded on use: retraining needs TF.js and the pipeline's stages, which no other command does.
        const { reproduceVersion } = await import('../../lambdas/shared/use-cases/reproduce.js');
        const result = await reproduceVersion(c, model, parseVersion(versionText));
        ctx.print(result, () =>
          [
            `${model} v${result.version}: ${result.identical ? 'reproduced bit for bit' : 'NOT identical'}`,
            formatTable(
              ['check', 'recorded', 'reproduced', 'same'],
              result.checks.map((ch) => [ch.what, ch.recorded, ch.reproduced, ch.same ? 'yes' : 'NO']),
            ),
          ].join('\n'),
        );
        if (!result.identical) process.exitCode = 3;
      }),
    );
}

/** A version's lineage in words: the run and upload, every input's identity, the audit trail. */
function describeLineage(model: string, lineage: Awaited<ReturnType<typeof versionLineage>>): string {
  const { version, run } = lineage;
  return [
    `${model} v${version.version} (${version.status}) was produced by run ${version.runId}${run ? `, started ${run.startedAt} by an upload of ${run.trigger.key}` : ''}`,
    formatTable(
      ['input', 'identity'],
      [
        ...version.data.map((d) => [
          `data ${d.key}`,
          `ETag ${d.etag}, version ${d.versionId ?? '—'}, sha256 ${d.sha256 ?? '?'}`,
        ]),
        ['rows', `${version.rows.read} read, ${version.rows.kept} kept`],
        ['model file', `sha256 ${version.modelConfigSha256}`],
        ['data schema', `v${version.schemaVersion}`],
        ['code', version.codeVersion],
        ['TF.js', `${version.tfjsVersion}; ${version.backend}`],
        ['hyper-parameters', JSON.stringify(version.hyperparameters)],
        [
          'compared with',
          version.comparedWith === null ? 'no production version' : `production v${version.comparedWith}`,
        ],
      ],
    ),
    lineage.audit.length === 0
      ? 'no promotions, rollbacks or approvals yet'
      : formatTable(
          ['when', 'action', 'version', 'outcome', 'who', 'why'],
          lineage.audit.map((e) => [e.at, e.action, `v${e.version}`, e.outcome, e.actor, e.reason]),
        ),
  ].join('\n\n');
}
