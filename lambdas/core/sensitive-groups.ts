import type { SensitiveAttribute } from './model-config.js';
import { inferColumnType, parseNumber } from './column-typing.js';
import type { RawValue } from './table.js';

/** A numeric attribute with at most this many distinct values keeps one group per value (e.g. a 0/1 code). */
const MAX_VALUE_GROUPS = 10;

/** How the groups of a sensitive attribute were formed, for the card and the run record. */
export interface SensitiveGrouping {
  readonly column: string;
  /** `values`: one group per value; `bins`: the model file's edges; `quartiles`: edges chosen from the data. */
  readonly method: 'values' | 'bins' | 'quartiles';
  readonly edges: number[];
}

/** "< 25", "[25, 60)", ">= 60": half-open intervals between the edges. */
export function binLabel(value: number, edges: readonly number[]): string {
  const first = edges[0] as number;
  const last = edges[edges.length - 1] as number;
  if (value < first) return `< ${first}`;
  if (value >= last) return `>= ${last}`;
  let i = 0;
  while (value >= (edges[i + 1] as number)) i++;
  return `[${edges[i]}, ${edges[i + 1]})`;
}

/** The quartile edges (distinct, ascending) of the present numbers. */
export function quartileEdges(numbers: readonly number[]): number[] {
  const sorted = Float64Array.from(numbers).sort();
  const at = (q: number): number => {
    const position = q * (sorted.length - 1);
    const low = Math.floor(position);
    const high = Math.min(low + 1, sorted.length - 1);
    return (sorted[low] as number) + (position - low) * ((sorted[high] as number) - (sorted[low] as number));
  };
  const edges: number[] = [];
  for (const q of [0.25, 0.5, 0.75]) {
    const edge = Number(at(q).toPrecision(6));
    if (edges.length === 0 || edge > (edges[edges.length - 1] as number)) edges.push(edge);
  }
  return edges;
}

/**
 * Turns a sensitive column into groups: a categorical column (or a numeric one with few values) keeps its values;
 * a numeric one is cut at the model file's `bins`, or at its quartiles when it has none (which the caller reports as
 * a warning: groups chosen by the data may not be the ones that matter).
 */
export function groupSensitive(
  attribute: SensitiveAttribute,
  values: readonly RawValue[],
  declaredType: 'numeric' | 'categorical' | undefined,
): { values: RawValue[]; grouping: SensitiveGrouping } {
  const numeric = attribute.bins !== undefined || (declaredType ?? inferColumnType(values)) === 'numeric';
  const numbers = numeric ? values.map((v) => (v === null ? Number.NaN : parseNumber(v))) : [];
  const present: number[] = [];
  for (const n of numbers) if (Number.isFinite(n)) present.push(n);
  const distinct = new Set(present).size;
  if (!numeric || (attribute.bins === undefined && distinct <= MAX_VALUE_GROUPS)) {
    return { values: [...values], grouping: { column: attribute.column, method: 'values', edges: [] } };
  }
  const edges = attribute.bins !== undefined ? [...attribute.bins] : quartileEdges(present);
  const grouped = values.map((raw, r) => {
    const n = numbers[r] as number;
    return Number.isFinite(n) ? binLabel(n, edges) : raw;
  });
  return {
    values: grouped,
    grouping: { column: attribute.column, method: attribute.bins !== undefined ? 'bins' : 'quartiles', edges },
  };
}

/** The warning a run records when a numeric attribute was grouped by quartiles. */
export function quartileWarning(grouping: SensitiveGrouping): string {
  return (
    `sensitive attribute "${grouping.column}" is numeric and has no bins: grouped by its quartiles (edges ${grouping.edges.join(', ')}); ` +
    `declare the groups that matter, e.g. "sensitive": [{"column": "${grouping.column}", "bins": [25, 60]}]`
  );
}
