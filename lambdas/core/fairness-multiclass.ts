import type { CategoricalColumn } from './dataset.js';
import { attributeFairness, DEFAULT_MIN_GROUP_SIZE, groupRows, type BinaryFairness } from './fairness.js';

/** One class of a multiclass model, one-vs-rest: its selection rate and true positive rate by group, and their gaps. */
export interface ClassFairness {
  readonly class: string;
  readonly groups: {
    readonly group: string;
    readonly selectionRate: number | null;
    readonly truePositiveRate: number | null;
  }[];
  readonly disparateImpact: number | null;
  readonly demographicParityDifference: number | null;
  readonly equalOpportunityDifference: number | null;
}

/** A gap measure at its worst class: the lowest disparate impact, the highest differences. */
export interface WorstClass {
  readonly class: string;
  readonly value: number;
}

export interface MulticlassFairness {
  readonly task: 'multiclass';
  readonly attribute: string;
  /** Accuracy per group (null for a group below the minimum size). */
  readonly groups: {
    readonly group: string;
    readonly count: number;
    readonly sufficient: boolean;
    readonly accuracy: number | null;
  }[];
  readonly classes: ClassFairness[];
  /** The bounds apply here: each measure at the class where it is worst (null when no class can be measured). */
  readonly worst: {
    readonly disparateImpact: WorstClass | null;
    readonly demographicParityDifference: WorstClass | null;
    readonly equalOpportunityDifference: WorstClass | null;
  };
  readonly insufficientGroups: string[];
}

function worstOf(
  classes: readonly ClassFairness[],
  value: (c: ClassFairness) => number | null,
  worse: (a: number, b: number) => boolean,
): WorstClass | null {
  let found: WorstClass | null = null;
  for (const c of classes) {
    const v = value(c);
    if (v !== null && (found === null || worse(v, found.value))) found = { class: c.class, value: v };
  }
  return found;
}

function oneVsRest(
  attribute: CategoricalColumn,
  truth: ArrayLike<number>,
  predicted: ArrayLike<number>,
  classIndex: number,
  minGroupSize: number,
): BinaryFairness {
  const isClass = (values: ArrayLike<number>) =>
    Float32Array.from({ length: values.length }, (_, r) => (values[r] === classIndex ? 1 : 0));
  return attributeFairness(attribute, isClass(truth), isClass(predicted), minGroupSize);
}

/**
 * Per-group outcomes of a multiclass classifier for one sensitive attribute: accuracy per group, and for every class
 * (one-vs-rest, as Fairlearn's MetricFrame with a per-class metric) the selection rate and true positive rate per
 * group with their gaps. `truth` and `predicted` hold class indexes into `classes`.
 */
export function multiclassAttributeFairness(
  attribute: CategoricalColumn,
  truth: ArrayLike<number>,
  predicted: ArrayLike<number>,
  classes: readonly string[],
  minGroupSize = DEFAULT_MIN_GROUP_SIZE,
): MulticlassFairness {
  const groups = groupRows(attribute).map(([group, rows]) => {
    const sufficient = rows.length >= minGroupSize;
    const correct = rows.filter((r) => truth[r] === predicted[r]).length;
    return { group, count: rows.length, sufficient, accuracy: sufficient ? correct / rows.length : null };
  });
  const perClass: ClassFairness[] = classes.map((name, k) => {
    const binary = oneVsRest(attribute, truth, predicted, k, minGroupSize);
    return {
      class: name,
      groups: binary.groups.map((g) => ({
        group: g.group,
        selectionRate: g.selectionRate,
        truePositiveRate: g.truePositiveRate,
      })),
      disparateImpact: binary.disparateImpact,
      demographicParityDifference: binary.demographicParityDifference,
      equalOpportunityDifference: binary.equalOpportunityDifference,
    };
  });
  return {
    task: 'multiclass',
    attribute: attribute.name,
    groups,
    classes: perClass,
    worst: {
      disparateImpact: worstOf(
        perClass,
        (c) => c.disparateImpact,
        (a, b) => a < b,
      ),
      demographicParityDifference: worstOf(
        perClass,
        (c) => c.demographicParityDifference,
        (a, b) => a > b,
      ),
      equalOpportunityDifference: worstOf(
        perClass,
        (c) => c.equalOpportunityDifference,
        (a, b) => a > b,
      ),
    },
    insufficientGroups: groups.filter((g) => !g.sufficient).map((g) => g.group),
  };
}
