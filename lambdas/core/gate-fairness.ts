import type { AttributeFairness } from './fairness.js';
import { fmt, type AddCheck, type GateInput } from './gate-checks.js';

type BoundKey =
  | 'disparate_impact'
  | 'demographic_parity_difference'
  | 'equal_opportunity_difference'
  | 'mean_residual_gap'
  | 'error_ratio';

type Bound = { key: BoundKey; words: string; comparison: '>=' | '<='; threshold: number };

const BOUNDS: readonly {
  field: keyof GateInput['gate']['fairness'];
  key: BoundKey;
  words: string;
  comparison: '>=' | '<=';
}[] = [
  { field: 'minDisparateImpact', key: 'disparate_impact', words: 'disparate impact', comparison: '>=' },
  {
    field: 'maxDemographicParityDifference',
    key: 'demographic_parity_difference',
    words: 'demographic parity difference',
    comparison: '<=',
  },
  {
    field: 'maxEqualOpportunityDifference',
    key: 'equal_opportunity_difference',
    words: 'equal opportunity difference',
    comparison: '<=',
  },
  { field: 'maxMeanResidualGap', key: 'mean_residual_gap', words: 'mean residual gap', comparison: '<=' },
  { field: 'maxErrorRatio', key: 'error_ratio', words: "worst group's MAE over the best's", comparison: '<=' },
];

function boundsOf(gate: GateInput['gate']): Bound[] {
  return BOUNDS.flatMap(({ field, ...bound }) => {
    const threshold = gate.fairness[field];
    return threshold === undefined ? [] : [{ ...bound, threshold }];
  });
}

/** A bound's value on an attribute, and for a multiclass model the class where it is worst. */
function valueOf(attribute: AttributeFairness, key: BoundKey): { value: number | null; where?: string } {
  if (attribute.task === 'regression') {
    if (key === 'mean_residual_gap') return { value: attribute.meanResidualGap };
    if (key === 'error_ratio') return { value: attribute.errorRatio };
    return { value: null };
  }
  const measures = {
    disparate_impact: 'disparateImpact',
    demographic_parity_difference: 'demographicParityDifference',
    equal_opportunity_difference: 'equalOpportunityDifference',
  } as const;
  if (!(key in measures)) return { value: null };
  const measure = measures[key as keyof typeof measures];
  if (attribute.task === 'binary') return { value: attribute[measure] };
  const worst = attribute.worst[measure];
  return worst === null ? { value: null } : { value: worst.value, where: ` (class "${worst.class}", its worst)` };
}

const groupList = (attribute: AttributeFairness, sufficient: boolean): string =>
  attribute.groups
    .filter((g) => g.sufficient === sufficient)
    .map((g) => `"${g.group}" (${g.count})`)
    .join(', ');

/**
 * Why a bound has no value, in words a model owner can act on: which groups are too small, their sizes, the
 * threshold, and what to change.
 */
function unmeasuredReason(attribute: AttributeFairness, bound: Bound, minGroupSize: number): string {
  const enough = attribute.groups.filter((g) => g.sufficient);
  const small = groupList(attribute, false);
  const name = `${attribute.attribute}.${bound.key}`;
  if (enough.length >= 2) {
    const why =
      attribute.task === 'regression'
        ? "the best group's MAE is 0, so there is no ratio"
        : 'give no rate to compare (e.g. no positive predictions or no positive labels)';
    return `${name} cannot be measured: the groups with enough rows (${groupList(attribute, true)}) ${why}`;
  }
  return (
    `${name} cannot be measured: it needs 2 groups with at least minGroupSize ${minGroupSize} test rows, ` +
    `${enough.length === 0 ? 'and none has' : `and only ${groupList(attribute, true)} has`}; too small: ${small}. ` +
    'Lower minGroupSize, group the attribute into fewer bins, or collect more data'
  );
}

/** Fairness bounds per sensitive attribute; a bound the data cannot measure fails or warns (gate.severity.fairness_unmeasured). */
export function fairnessChecks(input: GateInput, add: AddCheck): void {
  const minGroupSize = input.minGroupSize ?? 30;
  for (const attribute of input.fairness ?? []) {
    for (const bound of boundsOf(input.gate)) {
      const { value, where = '' } = valueOf(attribute, bound.key);
      const leftOut =
        attribute.insufficientGroups.length > 0
          ? ` (left out, fewer than ${minGroupSize} test rows: ${groupList(attribute, false)})`
          : '';
      add(
        {
          kind: 'fairness',
          metric: `${attribute.attribute}.${bound.key}`,
          comparison: bound.comparison,
          threshold: bound.threshold,
          ...(value === null ? { severity: input.gate.severity.fairness_unmeasured } : {}),
        },
        value,
        (v) =>
          `${bound.words} by ${attribute.attribute}${where} ${fmt(v)} (needs ${bound.comparison} ${bound.threshold})${leftOut}`,
        unmeasuredReason(attribute, bound, minGroupSize),
      );
    }
  }
}
