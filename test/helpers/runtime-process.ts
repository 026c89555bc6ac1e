import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalEndpoints } from '../../local/runtime.js';

/**
 * The local runtime as `npm start` runs it, in a process of its own (and its own process group, with the DynamoDB
 * Local JVM it starts), so a test can kill it as a crash would — `kill -9` of everything — and start it again on the
 * same state. Free ports, no demo upload, the repository's model files.
 */
export interface RuntimeProcess {
  readonly endpoints: LocalEndpoints;
  readonly stateDir: string;
  /** Everything the process printed so far. */
  output(): string;
  /** SIGKILL to the whole process group: nothing gets to flush, close or say goodbye. */
  kill(): Promise<void>;
  /** SIGTERM (npm start's Ctrl-C path): the runtime stops as it is meant to. */
  stop(): Promise<void>;
}

export async function startRuntimeProcess(stateDir: string, timeoutMs = 120_000): Promise<RuntimeProcess> {
  const localJson = join(stateDir, 'local.json');
  rmSync(localJson, { force: true });
  const ports = [
    '--api-port',
    '0',
    '--s3-port',
    '0',
    '--dynamodb-port',
    '0',
    '--sfn-port',
    '0',
    '--cloudwatch-port',
    '0',
  ];
  const child = spawn(
    process.execPath,
    ['--openssl-legacy-provider', '--import', 'tsx', 'local/main.ts', '--state-dir', stateDir, '--no-demo', ...ports],
    {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + timeoutMs;
  while (!output.includes('is running') || !existsSync(localJson)) {
    if (child.exitCode !== null)
      throw new Error(`the runtime exited (${child.exitCode}) before it was running:\n${output}`);
    if (Date.now() > deadline) {
      killGroup(child);
      throw new Error(`the runtime did not start within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const endpoints = JSON.parse(readFileSync(localJson, 'utf8')) as LocalEndpoints;
  return {
    endpoints,
    stateDir,
    output: () => output,
    kill: async () => {
      killGroup(child);
      await exited;
    },
    stop: async () => {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
      await exited;
    },
  };
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
