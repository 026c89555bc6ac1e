import type { Prediction } from './artifact.js';

/** What the serving path answered the release check (the API response the predict function returned). */
export interface CheckResponse {
  readonly statusCode?: number;
  readonly body?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-6 + 1e-4 * Math.abs(b);

function comparePrediction(i: number, actual: unknown, expected: Prediction): string | undefined {
  if (actual === null || typeof actual !== 'object') return `prediction ${i} is missing`;
  const got = actual as { label?: unknown; probabilities?: Record<string, unknown>; value?: unknown };
  if ('value' in expected)
    return typeof got.value === 'number' && close(got.value, expected.value)
      ? undefined
      : `prediction ${i}: ${String(got.value)} served, ${expected.value} in validation`;
  if (got.label !== expected.label)
    return `prediction ${i}: class ${String(got.label)} served, ${expected.label} in validation`;
  for (const [name, p] of Object.entries(expected.probabilities)) {
    const served = got.probabilities?.[name];
    if (typeof served !== 'number' || !close(served, p))
      return `prediction ${i}: P(${name}) ${String(served)} served, ${p} in validation`;
  }
  return undefined;
}

/**
 * The release check (as TFX's InfraValidator): the candidate, loaded and queried through the serving path, must
 * answer what validation's predictor answers for the same test rows (rtol 1e-4), as the candidate version, within
 * the latency budget (the `server-timing` the predict function reports). Returns the problems; none means it passed.
 */
export function judgeReleaseCheck(
  response: CheckResponse,
  expected: readonly Prediction[],
  candidateVersion: number,
  budgetMs: number,
): string[] {
  if (response.statusCode !== 200)
    return [`the serving path answered ${String(response.statusCode)}: ${(response.body ?? '').slice(0, 300)}`];
  let body: { version?: unknown; variant?: unknown; predictions?: unknown };
  try {
    body = JSON.parse(response.body ?? '') as typeof body;
  } catch {
    return ['the serving path answered something that is not JSON'];
  }
  const problems: string[] = [];
  if (body.version !== candidateVersion || body.variant !== 'candidate')
    problems.push(
      `answered by v${String(body.version)} (${String(body.variant)}), not the candidate v${candidateVersion}`,
    );
  const predictions = Array.isArray(body.predictions) ? body.predictions : [];
  if (predictions.length !== expected.length)
    problems.push(`${predictions.length} predictions for ${expected.length} rows`);
  const differences = expected
    .map((e, i) => comparePrediction(i, predictions[i], e))
    .filter((p): p is string => p !== undefined);
  if (differences.length > 0)
    problems.push(
      `${differences.length} of ${expected.length} answers differ from validation (first: ${differences[0]})`,
    );
  const timing = /dur=([\d.]+)/.exec(response.headers?.['server-timing'] ?? '')?.[1];
  if (timing === undefined) problems.push('the answer has no server-timing to check the latency budget against');
  else if (Number(timing) > budgetMs) problems.push(`answered in ${timing} ms, over the ${budgetMs} ms budget`);
  return problems;
}
