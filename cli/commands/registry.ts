import { CANDIDATE_ALIAS } from '../../lambdas/shared/contracts/registry-keys.js';
import { formatTable, metric } from '../format.js';
import { describeVersion } from '../show.js';
import { parseVersion, type CliContext } from '../context.js';

/** Reading the registry: models, versions, one version, the audit trail. */
export function registryCommands(ctx: CliContext): void {
  modelsCommand(ctx);
  versionsCommand(ctx);
  showCommand(ctx);
  auditCommand(ctx);
}

/** `mlops models`: list the models that have versions, with what is in production. */
function modelsCommand(ctx: CliContext): void {
  ctx.program
    .command('models')
    .description('list the models that have versions, with what is in production')
    .action(
      ctx.withConnection(async (c) => {
        const models = await c.registry.versions.models();
        const rows = await Promise.all(
          models.map(async (model) => ({
            model,
            production: (await c.registry.aliases.get(model))?.version ?? null,
            versions: await c.registry.versions.latest(model),
          })),
        );
        ctx.print(rows, () =>
          formatTable(
            ['model', 'production', 'versions'],
            rows.map((r) => [r.model, r.production === null ? null : `v${r.production}`, r.versions]),
          ),
        );
      }),
    );
}

/** `mlops versions`: list a model's versions. */
function versionsCommand(ctx: CliContext): void {
  ctx.program
    .command('versions')
    .description("list a model's versions")
    .argument('<model>')
    .action(
      ctx.withConnection(async (c, model: string) => {
        const [versions, production, candidate] = await Promise.all([
          c.registry.versions.list(model),
          c.registry.aliases.get(model),
          c.registry.aliases.get(model, CANDIDATE_ALIAS),
        ]);
        const aliases = (v: number) =>
          [production?.version === v ? 'production' : '', candidate?.version === v ? 'candidate' : '']
            .filter(Boolean)
            .join(', ');
        ctx.print(versions, () =>
          formatTable(
            ['version', 'status', 'aliases', 'roc_auc', 'accuracy', 'rmse', 'gate', 'run', 'created'],
            versions.map((v) => [
              `v${v.version}`,
              v.status,
              aliases(v.version),
              metric(v.metrics.roc_auc),
              metric(v.metrics.accuracy),
              metric(v.metrics.rmse),
              v.gate.passed ? 'passed' : 'failed',
              v.runId,
              v.createdAt,
            ]),
          ),
        );
      }),
    );
}

/** `mlops show`: show one version: metrics, gate, lineage. */
function showCommand(ctx: CliContext): void {
  ctx.program
    .command('show')
    .description('show one version: metrics, gate, lineage')
    .argument('<model>')
    .argument('<version>')
    .action(
      ctx.withConnection(async (c, model: string, versionText: string) => {
        const version = await c.registry.versions.get(model, parseVersion(versionText));
        if (version === undefined) throw new Error(`model "${model}" has no version ${versionText}`);
        const run = await c.registry.runs.get(model, version.runId);
        ctx.print({ ...version, startedBy: run?.startedBy ?? { trigger: 'upload' } }, () =>
          describeVersion(model, version, run),
        );
      }),
    );
}

/** `mlops audit`: show a model's audit trail: every promotion, rollback, approval and rejection, with who and why. */
function auditCommand(ctx: CliContext): void {
  ctx.program
    .command('audit')
    .description("show a model's audit trail: every promotion, rollback, approval and rejection, with who and why")
    .argument('<model>')
    .action(
      ctx.withConnection(async (c, model: string) => {
        const events = await c.registry.audit.list(model);
        ctx.print(events, () =>
          formatTable(
            ['when', 'action', 'version', 'from', 'outcome', 'who', 'why'],
            events.map((e) => [
              e.at,
              e.action,
              `v${e.version}`,
              e.previousVersion === null ? null : `v${e.previousVersion}`,
              e.outcome,
              e.actor,
              e.reason,
            ]),
          ),
        );
      }),
    );
}
