import type { Command } from 'commander';
import { connectLocal } from './connection.js';
import { writeReport } from './report.js';

/** The `mlops` command line. Talks to the local runtime (`npm start`), found through its state directory. */
export async function runCli(program: Command, argv: readonly string[]): Promise<void> {
  program
    .name('mlops')
    .description('Operate serverless-mlops: model cards, and (in coming releases) versions, runs and rollbacks')
    .option('--state-dir <dir>', 'state directory of the local runtime', '.mlops')
    .exitOverride();
  program
    .command('report')
    .description("write a version's model card (HTML) to a file")
    .argument('<model>', 'model name, as in models/<model>.json')
    .argument('[version]', 'version number (default: production, else the latest)')
    .option('-o, --out <file>', 'where to write it (default reports/<model>-v<version>.html)')
    .option('--open', 'open it in the browser')
    .action(async (model: string, version: string | undefined, options: { out?: string; open?: boolean }) => {
      const connection = connectLocal(program.opts<{ stateDir: string }>().stateDir);
      try {
        console.log(await writeReport(connection, model, version, options));
      } finally {
        connection.close();
      }
    });
  await program.parseAsync(argv);
}
