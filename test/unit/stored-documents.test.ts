import { describe, expect, it } from 'vitest';
import { IntegrityError } from '../../lambdas/core/errors.js';
import { parseDataSchema, parseEvaluation, parsePreprocessor } from '../../lambdas/shared/adapters/stored-documents.js';

const schema = {
  model: 'm',
  version: 1,
  createdFromRun: 'run-1',
  columns: [{ name: 'age', type: 'numeric', presence: 1, domain: null, range: { min: 17, max: 90 } }],
};

describe('documents read back from S3 are checked', () => {
  it('reads a data schema, and refuses one with a wrong field, naming where and what', () => {
    expect(parseDataSchema(JSON.stringify(schema), 's3://a/schemas/m/v1.json').columns[0]?.range).toEqual({
      min: 17,
      max: 90,
    });
    const bad = { ...schema, columns: [{ ...schema.columns[0], type: 'text' }] };
    expect(() => parseDataSchema(JSON.stringify(bad), 's3://a/schemas/m/v1.json')).toThrow(IntegrityError);
    expect(() => parseDataSchema(JSON.stringify(bad), 's3://a/schemas/m/v1.json')).toThrow(
      /^s3:\/\/a\/schemas\/m\/v1\.json is not a data schema this code can read: columns\.0\.type/,
    );
    expect(() => parseDataSchema('{', 'x')).toThrow('x is not the JSON of a data schema');
  });

  it('reads a preprocessor and refuses a label encoder it does not know', () => {
    const pre = {
      features: [
        { name: 'age', type: 'numeric', median: 37, mean: 38.5, std: 13.6 },
        { name: 'job', type: 'categorical', categories: ['a'] },
      ],
      label: { task: 'binary', classes: ['n', 'y'] },
      width: 3,
    };
    expect(parsePreprocessor(JSON.stringify(pre), 'p').width).toBe(3);
    expect(() => parsePreprocessor(JSON.stringify({ ...pre, label: { task: 'ranking' } }), 'p')).toThrow(/label\.task/);
  });

  it('reads an evaluation from before the search existed with no trials, baseline or single-feature scores', () => {
    const old = {
      model: 'm',
      runId: 'r',
      candidate: { metrics: { roc_auc: 0.9, log_loss: null }, rows: 10, rowsWithUnknownLabel: 0, slices: [] },
      fairness: [],
      importance: { score: 'roc_auc', measurable: true, features: [] },
      production: null,
      drift: null,
      gate: { passed: true, summary: 'ok', checks: [] },
    };
    expect(parseEvaluation(JSON.stringify(old), 'e')).toMatchObject({
      tuning: [],
      crossValidation: null,
      baseline: null,
      singleFeatureScores: [],
    });
    expect(() => parseEvaluation(JSON.stringify({ ...old, gate: { passed: 'yes' } }), 'e')).toThrow(/gate\.passed/);
  });

  it('reads every part of a report, NaN and +∞ back as NaN (JSON wrote them as null), and names a wrong nested field', () => {
    const report = {
      model: 'm',
      runId: 'r',
      candidate: {
        metrics: { roc_auc: Number.NaN, accuracy: 0.5 },
        rows: 4,
        rowsWithUnknownLabel: 0,
        confusionMatrix: {
          classes: ['n', 'y'],
          counts: [
            [2, 0],
            [2, 0],
          ],
        },
        roc: { fpr: [0, 1], tpr: [0, 1], thresholds: [Number.POSITIVE_INFINITY, 0.2] },
        precisionRecall: null,
        calibration: null,
        residuals: null,
        slices: [{ column: 'sex', groups: [{ value: 'Male', rows: 4, metrics: null }] }],
      },
      fairness: [],
      importance: { score: 'roc_auc', baseline: Number.NaN, measurable: false, features: [] },
      production: null,
      drift: null,
      gate: {
        passed: false,
        summary: 'roc_auc is not defined',
        checks: [
          {
            kind: 'minimum',
            metric: 'roc_auc',
            comparison: '>=',
            threshold: 0.7,
            value: null,
            passed: false,
            severity: 'blocking',
            description: 'roc_auc missing',
          },
        ],
      },
    };
    const read = parseEvaluation(JSON.stringify(report), 'e');
    expect(read.candidate.metrics.roc_auc).toBeNaN();
    expect(read.candidate.metrics.accuracy).toBe(0.5);
    expect(read.candidate.roc?.thresholds[0]).toBeNaN();
    expect(read.importance.baseline).toBeNaN();
    expect(read.gate.checks[0]?.value).toBeNull();
    const broken = { ...report, candidate: { ...report.candidate, roc: { ...report.candidate.roc, fpr: ['0'] } } };
    expect(() => parseEvaluation(JSON.stringify(broken), 'e')).toThrow(/candidate\.roc\.fpr\.0/);
  });

  it('reads the fairness table of every task; a binary table from before tasks were named reads as binary', () => {
    const base = JSON.parse(
      JSON.stringify({
        model: 'm',
        runId: 'r',
        candidate: { metrics: {}, rows: 1, rowsWithUnknownLabel: 0, slices: [] },
        importance: { score: 'r2', baseline: 0.5, measurable: true, features: [] },
        production: null,
        drift: null,
        gate: { passed: true, summary: 'ok', checks: [] },
      }),
    ) as Record<string, unknown>;
    const binary = {
      attribute: 'sex',
      groups: [],
      disparateImpact: null,
      demographicParityDifference: null,
      equalOpportunityDifference: null,
      insufficientGroups: [],
    };
    const multiclass = {
      task: 'multiclass',
      attribute: 'race',
      groups: [{ group: 'a', count: 40, sufficient: true, accuracy: 0.8 }],
      classes: [],
      worst: {
        disparateImpact: { class: 'x', value: 0.7 },
        demographicParityDifference: null,
        equalOpportunityDifference: null,
      },
      insufficientGroups: [],
    };
    const regression = {
      task: 'regression',
      attribute: 'sex',
      groups: [{ group: 'a', count: 40, sufficient: true, mae: 2, meanPrediction: 30, meanResidual: -1 }],
      meanResidualGap: null,
      errorRatio: null,
      insufficientGroups: [],
    };
    const read = parseEvaluation(JSON.stringify({ ...base, fairness: [binary, multiclass, regression] }), 'e');
    expect(read.fairness.map((f) => f.task)).toEqual(['binary', 'multiclass', 'regression']);
    const wrong = { ...regression, groups: [{ ...regression.groups[0], mae: 'two' }] };
    expect(() => parseEvaluation(JSON.stringify({ ...base, fairness: [wrong] }), 'e')).toThrow(/fairness/);
  });
});
