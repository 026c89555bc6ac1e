import { artifactCheck } from '../../lambdas/shared/adapters/artifacts.js';
import { promoteVersion, rollback, setApproval } from '../../lambdas/shared/use-cases/lifecycle.js';
import { CANDIDATE_ALIAS } from '../../lambdas/shared/contracts/registry-keys.js';
import { countChange } from '../lifecycle-metrics.js';
import { parseVersion, type CliContext } from '../context.js';

/** Changing what is served and approved; every change names why, for the audit trail. */
export function lifecycleCommands(ctx: CliContext): void {
  changeCommand(ctx, 'promote', 'put an approved version in production (default: the candidate)');
  changeCommand(ctx, 'approve', 'approve a pending version (models that require manual approval)');
  changeCommand(ctx, 'reject', 'reject a version so it can never be served');
  rollbackCommand(ctx);
}

/** `mlops promote|approve|reject <model> <version> -m <why>`: a change of what is served or approved, audited. */
function changeCommand(ctx: CliContext, name: 'promote' | 'approve' | 'reject', description: string): void {
  ctx.program
    .command(name)
    .description(description)
    .argument('<model>')
    .argument(
      name === 'promote' ? '[version]' : '<version>',
      name === 'promote'
        ? 'version number (default: the candidate, the newest version that passed its gate)'
        : 'version number',
    )
    .requiredOption('-m, --reason <text>', 'why (recorded in the audit trail)')
    .action(
      ctx.withConnection(async (c, model: string, versionText: string | undefined, options: { reason: string }) => {
        let version: number;
        if (versionText !== undefined) {
          version = parseVersion(versionText);
        } else {
          const candidate = await c.registry.aliases.get(model, CANDIDATE_ALIAS);
          if (candidate === undefined)
            throw new Error(`model "${model}" has no candidate version: name one (mlops versions ${model} lists them)`);
          version = candidate.version;
        }
        const request = { model, version, actor: c.actor, reason: options.reason };
        if (name === 'promote') {
          const alias = await promoteVersion({ registry: c.registry, checkArtifact: artifactCheck(c.s3) }, request);
          await countChange(c, model, 'promotions');
          ctx.print(
            alias,
            () =>
              `${model} v${alias.version} is now in production${alias.previous.length > 0 ? ` (was v${alias.previous.at(-1)})` : ''}`,
          );
        } else {
          const record = await setApproval(c.registry, request, name);
          ctx.print(record, () => `${model} v${record.version} is now ${record.status}`);
        }
      }),
    );
}

/** `mlops rollback <model> [--to <version>] -m <why>`: production back to the previous approved version. */
function rollbackCommand(ctx: CliContext): void {
  ctx.program
    .command('rollback')
    .description('move production back to the previous approved version (or --to one)')
    .argument('<model>')
    .option('--to <version>', 'the version to roll back to')
    .requiredOption('-m, --reason <text>', 'why (recorded in the audit trail)')
    .action(
      ctx.withConnection(async (c, model: string, options: { to?: string; reason: string }) => {
        const alias = await rollback(
          { registry: c.registry, checkArtifact: artifactCheck(c.s3) },
          { model, actor: c.actor, reason: options.reason, ...(options.to ? { to: parseVersion(options.to) } : {}) },
        );
        await countChange(c, model, 'rollbacks');
        ctx.print(
          alias,
          () => `${model} rolled back: v${alias.version} is in production (was v${alias.previous.at(-1)})`,
        );
      }),
    );
}
