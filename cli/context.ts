import type { Command } from 'commander';
import { connectLocal, type Connection } from './connection.js';
import { connectStack } from './stack-connection.js';

export interface GlobalOptions {
  readonly stateDir: string;
  readonly stack?: string;
  readonly region?: string;
  readonly json?: boolean;
}

/** What every command group gets: the program to add commands to, output and a connection per action. */
export interface CliContext {
  readonly program: Command;
  /** Prints JSON with --json, else the text. */
  print(json: unknown, text: () => string): void;
  /** True with --json. */
  json(): boolean;
  /**
   * An action run with a connection to the local runtime or, with --stack, a deployed stack; closed afterwards.
   * Commander passes the arguments it parsed, then the options, then the command: typed by each action.
   */
  withConnection<A extends unknown[]>(
    action: (c: Connection, ...args: A) => Promise<void>,
  ): (...args: unknown[]) => Promise<void>;
}

export function createContext(program: Command): CliContext {
  const globals = () => program.opts<GlobalOptions>();
  return {
    program,
    json: () => globals().json === true,
    print: (json, text) => console.log(globals().json ? JSON.stringify(json, null, 2) : text()),
    withConnection:
      <A extends unknown[]>(action: (c: Connection, ...args: A) => Promise<void>) =>
      async (...args: unknown[]): Promise<void> => {
        const options = globals();
        const connection =
          options.stack === undefined
            ? connectLocal(options.stateDir)
            : await connectStack(options.stack, options.region);
        try {
          await action(connection, ...(args as A));
        } finally {
          connection.close();
        }
      },
  };
}

export function parseVersion(text: string): number {
  const version = Number(text);
  if (!Number.isInteger(version) || version < 1) throw new Error(`"${text}" is not a version number (1, 2, …)`);
  return version;
}
