#!/usr/bin/env node
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectLocal } from '../cli/connection.js';
import { runSmoke } from '../cli/smoke.js';
import { connectStack } from '../cli/stack-connection.js';

const positive = (text: string): number => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number above 0');
  return n;
};

const program = new Command()
  .name('smoke')
  .description(
    'Post-deploy smoke test: upload a data set, wait for its run, call the API signed with SigV4, check the answer',
  )
  .option('--stack <name>', 'a deployed stack (your AWS credentials); without it, the local runtime of npm start')
  .option('--region <region>', 'AWS region of --stack (default: your AWS configuration)')
  .option('--state-dir <dir>', 'state directory of the local runtime', '.mlops')
  .option('--model <name>', 'model to exercise', 'adult')
  .option('--file <csv>', 'data to upload (default examples/data/<model>.csv)')
  .option('--rows <n>', 'upload only the first n rows', positive)
  .option('--timeout <seconds>', 'how long to wait for the run', positive, 1200)
  .exitOverride();

try {
  program.parse(process.argv);
  const options = program.opts<{
    stack?: string;
    region?: string;
    stateDir: string;
    model: string;
    file?: string;
    rows?: number;
    timeout: number;
  }>();
  const file = options.file ?? join(import.meta.dirname, '..', 'examples', 'data', `${options.model}.csv`);
  if (!existsSync(file)) throw new Error(`${file} does not exist: pass the data to upload with --file <csv>`);
  const connection =
    options.stack === undefined ? connectLocal(options.stateDir) : await connectStack(options.stack, options.region);
  try {
    const result = await runSmoke(connection, {
      model: options.model,
      csv: readFileSync(file, 'utf8'),
      ...(options.rows ? { rows: options.rows } : {}),
      timeoutMs: options.timeout * 1000,
      log: (line) => console.log(line),
    });
    console.log(
      `smoke test passed in ${result.seconds.toFixed(1)} s: run ${result.run.status}, API served v${result.servedVersion}`,
    );
  } finally {
    connection.close();
  }
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  console.error(`smoke test FAILED: ${(error as Error).message}`);
  process.exit(1);
}
