/**
 * The mean and spread (population standard deviation) that standardize values: (v − mean) / std. A constant
 * column or target gets std 1, so it encodes to 0 instead of dividing by zero; no values give mean 0.
 */
export function fitStandardization(values: readonly number[]): { mean: number; std: number } {
  const n = Math.max(values.length, 1);
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
  return { mean, std: Math.sqrt(variance) > 1e-12 ? Math.sqrt(variance) : 1 };
}
