/** Summary statistics of timing samples, in the unit they were taken in. */
export interface Summary {
  readonly n: number;
  readonly median: number;
  readonly p90: number;
  readonly min: number;
  readonly mean: number;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
  return {
    n: sorted.length,
    median: at(0.5),
    p90: at(0.9),
    min: sorted[0] as number,
    mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
  };
}

export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** The JSON a benchmark child process printed on its `BENCH-RESULT` line (other lines are the handler's own output). */
export function benchResult<T>(stdout: string): T {
  const line = stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('BENCH-RESULT '));
  if (line === undefined) throw new Error(`the child printed no BENCH-RESULT line:\n${stdout.slice(-2000)}`);
  return JSON.parse(line.slice('BENCH-RESULT '.length)) as T;
}
