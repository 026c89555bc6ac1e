import { describe, expect, it } from 'vitest';
import { Predictor } from '../../lambdas/core/artifact.js';
import { readCsv } from '../../lambdas/core/csv.js';
import type { Frame } from '../../lambdas/core/dataset.js';
import { compareProfiles } from '../../lambdas/core/drift/compare.js';
import { profileFrame } from '../../lambdas/core/drift/profile.js';
import { evaluateFull, scoreSplit } from '../../lambdas/core/evaluation.js';
import { attributeFairness } from '../../lambdas/core/fairness.js';
import { evaluateGate } from '../../lambdas/core/gate.js';
import { permutationImportance } from '../../lambdas/core/importance.js';
import { parseModelConfig } from '../../lambdas/core/model-config.js';
import { prepareData } from '../../lambdas/core/prepare.js';
import { fitPreprocessor } from '../../lambdas/core/preprocess.js';
import { renderModelCard } from '../../lambdas/core/report/html.js';
import { trainDefault } from '../helpers/train.js';

const config = parseModelConfig(
  {
    name: 'odd',
    task: 'binary',
    label: 'y',
    positiveClass: 'yes',
    sensitive: ['group'],
    exclude: ['id'],
    gate: { minimums: { roc_auc: 0.5 } },
    hyperparameters: { hiddenUnits: [4], epochs: 2, batchSize: 32 },
  },
  'models/odd.json',
);

/** x carries the signal; constant never changes; empty is always missing; group has a tiny member. */
async function degenerateData(rows: number) {
  const lines = ['id,x,constant,empty,group,y'];
  for (let i = 0; i < rows; i++)
    lines.push(`${i},${i % 10},7,,${i === 3 ? 'tiny' : i % 2 ? 'a' : 'b'},${i % 10 > 4 ? 'yes' : 'no'}`);
  return prepareData(
    await readCsv(lines.join('\n'), { missingValues: config.missingValues, source: 'odd.csv' }),
    config,
  );
}

function onlyNegatives(frame: Frame): Frame {
  return { ...frame, labels: { kind: 'classes', values: frame.labels.values.map(() => 'no') } };
}

describe('degenerate data neither crashes nor misleads', () => {
  it('trains with a constant and an all-missing column; evaluates a single-class test split as "undefined", not as a number', async () => {
    const prepared = await degenerateData(600);
    expect(prepared.report.columnTypes).toMatchObject({ constant: 'numeric', empty: 'numeric' });
    const train = prepared.splits.train;
    const { artifact } = await trainDefault(config, fitPreprocessor(train, config), train, prepared.splits.validation);
    const predictor = await Predictor.load(artifact);
    const single = onlyNegatives(prepared.splits.test);
    const evaluation = evaluateFull(scoreSplit(predictor, single), single, single.sensitive, 30);
    expect(evaluation.metrics.roc_auc).toBeNaN();
    expect(evaluation.precisionRecall?.averagePrecision).toBeNaN();

    const importance = permutationImportance(predictor, single, 1, 1);
    expect(importance.measurable).toBe(false);
    expect(importance.features.every((f) => f.share === 0 && f.importance === 0)).toBe(true);
    const gate = evaluateGate({ metrics: { roc_auc: null }, gate: config.gate, importance });
    expect(gate.passed).toBe(false);
    expect(gate.summary).toContain('roc_auc is missing');
    expect(gate.summary).toContain('feature influence could not be measured');

    const fairness = attributeFairness(
      single.sensitive[0] as never,
      new Float32Array(single.origins.length),
      new Float32Array(single.origins.length),
      30,
    );
    expect(fairness.groups.every((g) => g.truePositiveRate === null)).toBe(true); // no positives: TPR undefined, not 0
    const tiny = attributeFairness(
      { name: 'group', type: 'categorical', values: ['tiny', 'a', 'a'] },
      [1, 0, 1],
      [1, 0, 0],
      2,
    );
    expect(tiny.groups.find((g) => g.group === 'tiny')).toMatchObject({ sufficient: false, selectionRate: null });

    const report = {
      model: 'odd',
      runId: 'r',
      candidate: evaluation,
      fairness: [fairness],
      importance,
      production: null,
      drift: null,
      gate,
      tuning: [],
      crossValidation: null,
      baseline: null,
      singleFeatureScores: [],
      target: null,
    };
    const html = await renderModelCard(
      report,
      {
        model: 'odd',
        version: 1,
        versionStatus: 'REJECTED',
        inProduction: false,
        run: { runId: 'r', status: 'RUNNING', startedAt: 't' },
        lineage: {},
        data: [],
        hyperparameters: null,
        schema: null,
      },
      { maxFeatureShare: 0.5, maxSingleFeatureScore: 0.99 },
    );
    expect(html).toContain('n/a');
    expect(html).toContain('curves are undefined: the test split holds a single class');
    expect(html).not.toMatch(/NaN|Infinity/);
    predictor.dispose();
  }, 60_000);

  it('profiles and compares constant and all-missing columns without dividing by zero', async () => {
    const prepared = await degenerateData(600);
    const report = compareProfiles(profileFrame(prepared.splits.train), profileFrame(prepared.splits.test));
    expect(report.features.map((f) => f.feature)).not.toContain('empty'); // no values on either side: nothing to compare
    const constant = report.features.find((f) => f.feature === 'constant');
    expect(constant).toMatchObject({ drifted: false, statistic: 0 });
    expect(report.features.every((f) => Number.isFinite(f.statistic) && Number.isFinite(f.psi))).toBe(true);
  });

  it('counts "Infinity" and other non-numbers in a numeric column as bad values', async () => {
    const lines = [
      'x,y',
      ...Array.from(
        { length: 300 },
        (_, i) => `${i === 5 ? 'Infinity' : i === 6 ? '-inf' : i},${i % 2 ? 'yes' : 'no'}`,
      ),
    ];
    const prepared = prepareData(
      await readCsv(lines.join('\n'), { missingValues: config.missingValues, source: 'inf.csv' }),
      { ...config, sensitive: [], exclude: [] },
    );
    expect(prepared.report.badValues).toEqual([
      {
        column: 'x',
        count: 2,
        examples: [
          { at: 'inf.csv:7', value: 'Infinity' },
          { at: 'inf.csv:8', value: '-inf' },
        ],
      },
    ]);
  });
});
