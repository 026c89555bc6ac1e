/**
 * Smallest and largest of a list of numbers, in a loop: spreading the values into Math.min passes each as an argument and
 * throws RangeError above ~125,000 of them on Lambda's stack. NaN values are skipped; null when none is left.
 */
export function extent(values: Iterable<number>): { min: number; max: number } | null {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let seen = false;
  for (const value of values) {
    if (Number.isNaN(value)) continue;
    seen = true;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return seen ? { min, max } : null;
}
