import type { AttributeFairness } from './fairness.js';
import { fmt, type AddCheck, type GateInput } from './gate-checks.js';

type Bound = {
  key: 'disparate_impact' | 'demographic_parity_difference' | 'equal_opportunity_difference';
  words: string;
  comparison: '>=' | '<=';
  threshold: number;
};

function boundsOf(gate: GateInput['gate']): Bound[] {
  const f = gate.fairness;
  const bounds: Bound[] = [];
  if (f.minDisparateImpact !== undefined)
    bounds.push({
      key: 'disparate_impact',
      words: 'disparate impact',
      comparison: '>=',
      threshold: f.minDisparateImpact,
    });
  if (f.maxDemographicParityDifference !== undefined)
    bounds.push({
      key: 'demographic_parity_difference',
      words: 'demographic parity difference',
      comparison: '<=',
      threshold: f.maxDemographicParityDifference,
    });
  if (f.maxEqualOpportunityDifference !== undefined)
    bounds.push({
      key: 'equal_opportunity_difference',
      words: 'equal opportunity difference',
      comparison: '<=',
      threshold: f.maxEqualOpportunityDifference,
    });
  return bounds;
}

function valueOf(attribute: AttributeFairness, key: Bound['key']): number | null {
  if (key === 'disparate_impact') return attribute.disparateImpact;
  if (key === 'demographic_parity_difference') return attribute.demographicParityDifference;
  return attribute.equalOpportunityDifference;
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
    return `${name} cannot be measured: the groups with enough rows (${groupList(attribute, true)}) give no rate to compare (e.g. no positive predictions or no positive labels)`;
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
      const value = valueOf(attribute, bound.key);
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
          `${bound.words} by ${attribute.attribute} ${fmt(v)} (needs ${bound.comparison} ${bound.threshold})${leftOut}`,
        unmeasuredReason(attribute, bound, minGroupSize),
      );
    }
  }
}
