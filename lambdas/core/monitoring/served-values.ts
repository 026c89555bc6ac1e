/**
 * A served input value as training typed it: a number (or numeric text, as a form posts it) for a numeric feature,
 * NaN when missing; a category as text for a categorical one, null when missing.
 */
export function numericValue(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') return Number(value);
  return Number.NaN;
}

export const categoryValue = (value: unknown): string | null =>
  value === null || value === undefined || value === '' ? null : String(value);
