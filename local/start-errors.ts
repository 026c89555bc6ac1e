/** Something the machine lacks or holds that the local stack needs (Java, a free port): said plainly, no stack trace. */
export class LocalSetupError extends Error {
  override readonly name = 'LocalSetupError';

  constructor(
    message: string,
    readonly code?: string,
    readonly port?: number,
  ) {
    super(message);
  }
}

/** A port the local stack listens on, with the `npm start` flag that changes it. */
export interface PortFlag {
  readonly flag: string;
  readonly what: string;
  readonly port: number;
}

/**
 * Explains a start-up failure a person can fix without reading a stack trace: a port already taken names the port,
 * what wanted it, and the flag that picks another. Anything else is left to the caller.
 */
export function describeStartError(error: unknown, ports: readonly PortFlag[]): string | undefined {
  const e = error as { code?: unknown; port?: unknown } | null;
  if (e === null || typeof e !== 'object') return undefined;
  if (error instanceof LocalSetupError && e.code !== 'EADDRINUSE') return error.message;
  if (e.code !== 'EADDRINUSE') return undefined;
  const port = typeof e.port === 'number' ? e.port : undefined;
  const owner = ports.find((p) => p.port === port);
  if (owner === undefined)
    return `a port the local stack needs is already in use${port === undefined ? '' : ` (${port})`}: stop the other process (another npm start?)`;
  return `port ${owner.port} (${owner.what}) is already in use, perhaps by another npm start: stop that process, or start with another port: npm start -- ${owner.flag} ${owner.port + 10}`;
}
