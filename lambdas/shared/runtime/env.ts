/**
 * Reads the named environment variables once, failing with one clear message that lists every missing name.
 * Call at module scope so a misconfigured function fails at cold start, not halfway through a run.
 */
export function readEnv<const K extends string>(
  names: readonly K[],
  source: NodeJS.ProcessEnv = process.env,
): Record<K, string> {
  const missing = names.filter((name) => (source[name] ?? '') === '');
  if (missing.length > 0) {
    throw new Error(
      `Missing environment variable(s) ${missing.join(', ')}: the stack sets them on the function; ` +
        'if you run the handler yourself, set them as the CDK construct does',
    );
  }
  return Object.fromEntries(names.map((name) => [name, source[name] as string])) as Record<K, string>;
}

/** A numeric environment variable, read once at module scope; a missing or malformed one fails the cold start. */
export function readEnvNumber(
  name: string,
  bounds: { readonly min?: number } = {},
  source: NodeJS.ProcessEnv = process.env,
): number {
  const text = readEnv([name], source)[name] as string;
  const value = Number(text);
  if (!Number.isFinite(value) || (bounds.min !== undefined && value < bounds.min)) {
    throw new Error(
      `${name} must be a number${bounds.min !== undefined ? ` of at least ${bounds.min}` : ''}, got "${text}"`,
    );
  }
  return value;
}
