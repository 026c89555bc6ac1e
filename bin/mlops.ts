#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { runCli } from '../cli/program.js';

const program = new Command();
try {
  await runCli(program, process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  console.error(`mlops: ${(error as Error).message}`);
  process.exit(1);
}
