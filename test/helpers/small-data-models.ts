import { adultSample, keepColumns } from './adult.js';

/**
 * Minimal model files, as "Adding a model" shows them: no hyper-parameters, so the search chooses them. The regression
 * and multiclass ones also declare a sensitive attribute with a fairness bound of their task (fairness for every task),
 * and compare their trials on one validation split (`crossValidation: "never"`): `adult-spend` is the small-data
 * default, cross-validated selection.
 */
/** A binary model of `class` with a search of two candidates. */
const smallSearch = (name: string) => ({
  name,
  task: 'binary',
  label: 'class',
  positiveClass: '>50K',
  missingValues: ['', '?'],
  tuning: { candidates: 2 },
  gate: { minimums: { roc_auc: 0.7 } },
});

export const MODELS = {
  'adult-age': {
    name: 'adult-age',
    task: 'regression',
    label: 'age',
    exclude: ['fnlwgt'],
    missingValues: ['', '?'],
    sensitive: ['sex'],
    tuning: { crossValidation: 'never' },
    gate: { minimums: { r2: 0.1 }, fairness: { maxMeanResidualGap: 10, maxErrorRatio: 3 } },
  },
  'adult-relationship': {
    name: 'adult-relationship',
    task: 'multiclass',
    label: 'relationship',
    exclude: ['fnlwgt'],
    missingValues: ['', '?'],
    sensitive: ['sex'],
    tuning: { crossValidation: 'never' },
    gate: { minimums: { accuracy: 0.5 }, fairness: { maxDemographicParityDifference: 0.95 } },
  },
  // A heavy-tailed target (bench/right-answers-lib.ts) on 400 rows: the default picks log1p and cross-validates.
  // Three candidates instead of six keep the 20 fold trainings of the scenario quick.
  'adult-spend': {
    name: 'adult-spend',
    task: 'regression',
    label: 'spend',
    exclude: ['fnlwgt'],
    missingValues: ['', '?'],
    tuning: { candidates: 3 },
    gate: { minimums: { r2: 0.2 } },
  },
  // These two test the influence and leak checks, not the search (the models above do): a smaller search suffices.
  'strong-feature': smallSearch('strong-feature'),
  'leaky-label': smallSearch('leaky-label'),
};

/** One real feature (relationship) carries most of the signal; fnlwgt only tells rows apart. */
export const STRONG = keepColumns(adultSample(3000, 7), ['relationship', 'race', 'native-country', 'fnlwgt', 'class']);
