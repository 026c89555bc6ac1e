/**
 * Reads the named environment variables once, failing with one clear message that lists every missing name.
 * Call at module scope so a misconfigured function fails at cold start, not halfway through a run.
 */
export function readEnv<const K extends string>(names: readonly K[]): Record<K, string> {
  const missing = names.filter((name) => (process.env[name] ?? '') === '');
  if (missing.length > 0) {
    throw new Error(
      `Missing environment variable(s) ${missing.join(', ')}: the stack sets them on the function; ` +
        'if you run the handler yourself, set them as the CDK construct does',
    );
  }
  return Object.fromEntries(names.map((name) => [name, process.env[name] as string])) as Record<K, string>;
}
