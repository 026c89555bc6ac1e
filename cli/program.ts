import type { Command } from 'commander';
import { incidentCommands } from './commands/incidents.js';
import { lifecycleCommands } from './commands/lifecycle.js';
import { lineageCommands } from './commands/lineage.js';
import { logsCommands } from './commands/logs.js';
import { monitorCommands } from './commands/monitor.js';
import { retrainCommands } from './commands/retrain.js';
import { monitoringCommands } from './commands/monitoring.js';
import { captureCommands } from './commands/capture.js';
import { registryCommands } from './commands/registry.js';
import { releaseCommands } from './commands/release.js';
import { runCommands } from './commands/runs.js';
import { servingCommands } from './commands/serving.js';
import { createContext } from './context.js';

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
  const ctx = createContext(program);
  for (const group of [
    registryCommands,
    runCommands,
    lifecycleCommands,
    lineageCommands,
    servingCommands,
    captureCommands,
    releaseCommands,
    monitoringCommands,
    monitorCommands,
    retrainCommands,
    incidentCommands,
    logsCommands,
  ])
    group(ctx);
  await program.parseAsync(argv);
}
