import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { promoteVersion, rollback, setApproval } from '../../lambdas/shared/lifecycle.js';
import { CANDIDATE_ALIAS } from '../../lambdas/shared/registry-keys.js';
import { connectLocal, type Connection } from './connection.js';
import { connectStack } from './stack-connection.js';
import { formatTable, metric } from './format.js';
import { versionLineage, versionsTrainedOn } from './lineage.js';
import { redriveRun } from './redrive.js';
import { reproduceVersion } from './reproduce.js';
import { uploadData } from './runs.js';
import { writeReport } from './report.js';
import { describeVersion } from './show.js';
import { signedFetch } from './sign.js';

interface GlobalOptions {
  readonly stateDir: string;
  readonly stack?: string;
  readonly region?: string;
  readonly json?: boolean;
}

function parseVersion(text: string): number {
  const version = Number(text);
  if (!Number.isInteger(version) || version < 1) throw new Error(`"${text}" is not a version number (1, 2, …)`);
  return version;
}

/**
 * The `mlops` command line. Talks to the local runtime (`npm start`) through its state directory, or to a deployed
 * stack with `--stack <name>` (outputs from CloudFormation, the user's AWS credentials).
 */
export async function runCli(program: Command, argv: readonly string[]): Promise<void> {
  program
    .name('mlops')
    .description('Operate serverless-mlops: models, versions, runs, audit trail, promotion and rollback, model cards')
    .option('--state-dir <dir>', 'state directory of the local runtime', '.mlops')
    .option('--stack <name>', 'a deployed stack instead of the local runtime (uses your AWS credentials)')
    .option('--region <region>', 'AWS region of --stack (default: your AWS configuration)')
    .option('--json', 'print JSON for scripts instead of tables')
    .exitOverride();
  const globals = () => program.opts<GlobalOptions>();
  const print = (json: unknown, text: () => string) => console.log(globals().json ? JSON.stringify(json, null, 2) : text());
  // Commander passes the arguments it parsed, then the options, then the command: typed by each action.
  const withConnection =
    <A extends unknown[]>(action: (c: Connection, ...args: A) => Promise<void>) =>
    async (...args: unknown[]): Promise<void> => {
      const options = globals();
      const connection = options.stack === undefined ? connectLocal(options.stateDir) : await connectStack(options.stack, options.region);
      try {
        await action(connection, ...(args as A));
      } finally {
        connection.close();
      }
    };

  program
    .command('models')
    .description('list the models that have versions, with what is in production')
    .action(
      withConnection(async (c) => {
        const models = await c.registry.listModels();
        const rows = await Promise.all(
          models.map(async (model) => ({ model, production: (await c.registry.getAlias(model))?.version ?? null, versions: await c.registry.latestVersion(model) })),
        );
        print(rows, () => formatTable(['model', 'production', 'versions'], rows.map((r) => [r.model, r.production === null ? null : `v${r.production}`, r.versions])));
      }),
    );

  program
    .command('versions')
    .description("list a model's versions")
    .argument('<model>')
    .action(
      withConnection(async (c, model: string) => {
        const [versions, production, candidate] = await Promise.all([c.registry.listVersions(model), c.registry.getAlias(model), c.registry.getAlias(model, CANDIDATE_ALIAS)]);
        const aliases = (v: number) => [production?.version === v ? 'production' : '', candidate?.version === v ? 'candidate' : ''].filter(Boolean).join(', ');
        print(versions, () =>
          formatTable(
            ['version', 'status', 'aliases', 'roc_auc', 'accuracy', 'rmse', 'gate', 'run', 'created'],
            versions.map((v) => [`v${v.version}`, v.status, aliases(v.version), metric(v.metrics.roc_auc), metric(v.metrics.accuracy), metric(v.metrics.rmse), v.gate.passed ? 'passed' : 'failed', v.runId, v.createdAt]),
          ),
        );
      }),
    );

  program
    .command('show')
    .description('show one version: metrics, gate, lineage')
    .argument('<model>')
    .argument('<version>')
    .action(
      withConnection(async (c, model: string, versionText: string) => {
        const version = await c.registry.getVersion(model, parseVersion(versionText));
        if (version === undefined) throw new Error(`model "${model}" has no version ${versionText}`);
        print(version, () => describeVersion(model, version));
      }),
    );

  const runs = program
    .command('runs')
    .description("list a model's runs, newest last; `runs redrive` resumes a failed one")
    .argument('[model]')
    .action(
      withConnection(async (c, model: string | undefined) => {
        const models = model === undefined ? await c.registry.listModels('run') : [model];
        const list = (await Promise.all(models.map((m) => c.registry.listRuns(m)))).flat().sort((a, b) => a.startedAt.localeCompare(b.startedAt));
        print(list, () =>
          formatTable(['model', 'run', 'status', 'step', 'version', 'data', 'started', 'reason'], list.map((r) => [r.model, r.runId, r.status, r.step, r.version === undefined ? null : `v${r.version}`, r.trigger.key, r.startedAt, r.reason?.slice(0, 100)])),
        );
      }),
    );
  runs
    .command('redrive')
    .description('resume a FAILED run from the step that failed, without redoing the steps before it')
    .argument('<model>')
    .argument('<run>')
    .option('--wait', 'wait for the resumed execution to end')
    .action(
      withConnection(async (c, model: string, runId: string, options: { wait?: boolean }) => {
        const result = await redriveRun(c, model, runId, options.wait === true);
        print(result, () => `run ${runId} resumed at ${result.step}: ${result.executionArn}${result.status ? ` → ${result.status}` : ''}${result.runStatus ? `; run ${result.runStatus}${result.reason ? `: ${result.reason}` : ''}` : ''}`);
        // Scripts waiting on a re-drive must see its failure.
        if (result.status !== undefined && (result.status !== 'SUCCEEDED' || result.runStatus === 'FAILED')) process.exitCode = 1;
      }),
    );

  program
    .command('audit')
    .description("show a model's audit trail: every promotion, rollback, approval and rejection, with who and why")
    .argument('<model>')
    .action(
      withConnection(async (c, model: string) => {
        const events = await c.registry.listAudit(model);
        print(events, () => formatTable(['when', 'action', 'version', 'from', 'outcome', 'who', 'why'], events.map((e) => [e.at, e.action, `v${e.version}`, e.previousVersion === null ? null : `v${e.previousVersion}`, e.outcome, e.actor, e.reason])));
      }),
    );

  const change = (name: 'promote' | 'approve' | 'reject', description: string) =>
    program
      .command(name)
      .description(description)
      .argument('<model>')
      .argument(name === 'promote' ? '[version]' : '<version>', name === 'promote' ? 'version number (default: the candidate, the newest version that passed its gate)' : 'version number')
      .requiredOption('-m, --reason <text>', 'why (recorded in the audit trail)')
      .action(
        withConnection(async (c, model: string, versionText: string | undefined, options: { reason: string }) => {
          let version: number;
          if (versionText !== undefined) {
            version = parseVersion(versionText);
          } else {
            const candidate = await c.registry.getAlias(model, CANDIDATE_ALIAS);
            if (candidate === undefined) throw new Error(`model "${model}" has no candidate version: name one (mlops versions ${model} lists them)`);
            version = candidate.version;
          }
          const request = { model, version, actor: c.actor, reason: options.reason };
          if (name === 'promote') {
            const alias = await promoteVersion(c.registry, request);
            print(alias, () => `${model} v${alias.version} is now in production${alias.previous.length > 0 ? ` (was v${alias.previous.at(-1)})` : ''}`);
          } else {
            const record = await setApproval(c.registry, request, name);
            print(record, () => `${model} v${record.version} is now ${record.status}`);
          }
        }),
      );
  change('promote', 'put an approved version in production (default: the candidate)');
  change('approve', 'approve a pending version (models that require manual approval)');
  change('reject', 'reject a version so it can never be served');

  program
    .command('rollback')
    .description('move production back to the previous approved version (or --to one)')
    .argument('<model>')
    .option('--to <version>', 'the version to roll back to')
    .requiredOption('-m, --reason <text>', 'why (recorded in the audit trail)')
    .action(
      withConnection(async (c, model: string, options: { to?: string; reason: string }) => {
        const alias = await rollback(c.registry, { model, actor: c.actor, reason: options.reason, ...(options.to ? { to: parseVersion(options.to) } : {}) });
        print(alias, () => `${model} rolled back: v${alias.version} is in production (was v${alias.previous.at(-1)})`);
      }),
    );

  program
    .command('lineage')
    .description('what produced a version (model and version), or which versions were trained on a data object (--data)')
    .argument('[model]')
    .argument('[version]')
    .option('--data <object>', 's3://bucket/key, a key, or the sha256 of a data file')
    .action(
      withConnection(async (c, model: string | undefined, versionText: string | undefined, options: { data?: string }) => {
        if (options.data !== undefined) {
          const rows = await versionsTrainedOn(c.registry, options.data);
          print(rows, () => (rows.length === 0 ? `no version was trained on ${options.data}` : formatTable(['model', 'version', 'status', 'data object'], rows.map((r) => [r.model, `v${r.version}`, r.status, r.object]))));
          return;
        }
        if (model === undefined || versionText === undefined) throw new Error('name a model and version (mlops lineage adult 2), or a data object (mlops lineage --data s3://bucket/key)');
        const lineage = await versionLineage(c.registry, model, parseVersion(versionText));
        const { version, run } = lineage;
        print(lineage, () =>
          [
            `${model} v${version.version} (${version.status}) was produced by run ${version.runId}${run ? `, started ${run.startedAt} by an upload of ${run.trigger.key}` : ''}`,
            formatTable(
              ['input', 'identity'],
              [
                ...version.data.map((d) => [`data ${d.key}`, `ETag ${d.etag}, version ${d.versionId ?? '—'}, sha256 ${d.sha256 ?? '?'}`]),
                ['rows', `${version.rows.read} read, ${version.rows.kept} kept`],
                ['model file', `sha256 ${version.modelConfigSha256}`],
                ['data schema', `v${version.schemaVersion}`],
                ['code', version.codeVersion],
                ['TF.js', `${version.tfjsVersion}; ${version.backend}`],
                ['hyper-parameters', JSON.stringify(version.hyperparameters)],
                ['compared with', version.comparedWith === null ? 'no production version' : `production v${version.comparedWith}`],
              ],
            ),
            lineage.audit.length === 0 ? 'no promotions, rollbacks or approvals yet' : formatTable(['when', 'action', 'version', 'outcome', 'who', 'why'], lineage.audit.map((e) => [e.at, e.action, `v${e.version}`, e.outcome, e.actor, e.reason])),
          ].join('\n\n'),
        );
      }),
    );

  program
    .command('reproduce')
    .description('retrain a version from its recorded lineage and check the weights and metrics are identical')
    .argument('<model>')
    .argument('<version>')
    .action(
      withConnection(async (c, model: string, versionText: string) => {
        const result = await reproduceVersion(c, model, parseVersion(versionText));
        print(result, () =>
          [
            `${model} v${result.version}: ${result.identical ? 'reproduced bit for bit' : 'NOT identical'}`,
            formatTable(['check', 'recorded', 'reproduced', 'same'], result.checks.map((ch) => [ch.what, ch.recorded, ch.reproduced, ch.same ? 'yes' : 'NO'])),
          ].join('\n'),
        );
        if (!result.identical) process.exitCode = 3;
      }),
    );

  program
    .command('upload')
    .description('upload a CSV under incoming/<model>/, which starts a training run')
    .argument('<model>')
    .argument('<file>')
    .action(
      withConnection(async (c, model: string, file: string) => {
        const { key, runId, duplicate } = await uploadData(c, model, basename(file), readFileSync(file));
        print({ bucket: c.dataBucket, key, runId, duplicate }, () =>
          duplicate
            ? `duplicate: run ${runId} already exists for s3://${c.dataBucket}/${key} with these bytes and this model file; nothing started (upload under another name to train again)`
            : `uploaded s3://${c.dataBucket}/${key}; run ${runId} started (mlops runs ${model})`,
        );
      }),
    );

  program
    .command('predict')
    .description('call the inference API with a JSON file of {"instances": [...]}')
    .argument('<model>')
    .argument('<file>')
    .action(
      withConnection(async (c, model: string, file: string) => {
        const response = await signedFetch({ url: `${c.apiUrl}/v1/models/${encodeURIComponent(model)}/predict`, body: readFileSync(file, 'utf8'), region: c.region, credentials: c.credentials });
        const body = (await response.json()) as unknown;
        if (!response.ok) throw new Error(`the API answered ${response.status}: ${(body as { message?: string }).message ?? JSON.stringify(body)}`);
        console.log(JSON.stringify(body, null, globals().json ? 2 : 0));
      }),
    );

  program
    .command('report')
    .description("write a version's model card (HTML) to a file")
    .argument('<model>', 'model name, as in models/<model>.json')
    .argument('[version]', 'version number (default: production, else the latest)')
    .option('-o, --out <file>', 'where to write it (default reports/<model>-v<version>.html)')
    .option('--open', 'open it in the browser')
    .action(
      withConnection(async (c, model: string, version: string | undefined, options: { out?: string; open?: boolean }) => {
        console.log(await writeReport(c, model, version, options));
      }),
    );

  await program.parseAsync(argv);
}
