#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defaultDatasets, formatModelCi, runModelCi, type ModelCiDataset } from '../cli/model-ci.js';
import { startModelCiRuntime } from '../local/model-ci-runtime.js';

const program = new Command()
  .name('model-ci')
  .description(
    "Runs the full pipeline locally on each model's example data; fails when a data check, a step or the gate fails",
  )
  .option('--data <model=file...>', 'data sets to run instead of examples/data/<model>.csv for every model')
  .option('--out <dir>', 'where the summary and model cards go', 'model-ci')
  .exitOverride();

try {
  program.parse(process.argv);
  const options = program.opts<{ data?: string[]; out: string }>();
  const datasets: ModelCiDataset[] = options.data
    ? options.data.map((pair) => {
        const at = pair.indexOf('=');
        const model = pair.slice(0, at);
        const file = pair.slice(at + 1);
        if (at < 1 || !file) throw new Error(`--data takes model=file, got "${pair}"`);
        if (!existsSync(file)) throw new Error(`--data ${pair}: ${file} does not exist`);
        return { model, file: resolve(file) };
      })
    : defaultDatasets();
  const out = resolve(options.out);
  mkdirSync(out, { recursive: true });
  const results = await runModelCi({
    datasets,
    cardDir: out,
    log: (line) => console.log(line),
    startRuntime: startModelCiRuntime,
  });
  const summary = formatModelCi(results);
  writeFileSync(join(out, 'summary.md'), summary);
  writeFileSync(join(out, 'results.json'), JSON.stringify(results, null, 2));
  // On GitHub Actions the summary shows on the run's page.
  if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, `${summary}\n`);
  console.log(`\n${summary}`);
  const failed = results.filter((r) => !r.passed);
  if (failed.length) {
    console.error(`model CI FAILED: ${failed.map((r) => `${r.model} ${r.status}`).join(', ')}`);
    process.exit(1);
  }
  console.log(`model CI passed: ${results.length} data set(s)`);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  console.error(`model CI FAILED: ${(error as Error).message}`);
  process.exit(1);
}
