import { describe, expect, it } from 'vitest';
import { foldSpread, searchSection } from '../../lambdas/core/report/search.js';
import type { EvaluationReport, TrialRecord } from '../../lambdas/core/report/types.js';
import type { VersionRecord } from '../../lambdas/shared/contracts/registry-records.js';
import { describeVersion } from '../../cli/show.js';

const hp = {
  hiddenUnits: [32],
  epochs: 14,
  batchSize: 16,
  learningRate: 0.003,
  l2: 0.001,
  earlyStoppingPatience: 10,
  learningRateSchedule: 'plateau' as const,
  seed: 42,
};

/** Three trials of a cross-validated search: the chosen network, a failed one, the linear baseline. */
const TRIALS: TrialRecord[] = [
  {
    id: 'c1',
    role: 'candidate',
    hyperparameters: hp,
    validationLoss: 0.41,
    validationMetrics: { roc_auc: 0.9 },
    epochsRun: 14,
    bestEpoch: null,
    stoppedBy: 'max_epochs',
    seconds: 3,
    chosen: true,
    failure: null,
    foldLosses: [0.4, 0.42, 0.38, 0.44, 0.41],
  },
  {
    id: 'c2',
    role: 'candidate',
    hyperparameters: null,
    validationLoss: null,
    validationMetrics: null,
    epochsRun: null,
    bestEpoch: null,
    stoppedBy: null,
    seconds: null,
    chosen: false,
    failure: 'fold 3: TrainingError: diverged',
    foldLosses: [],
  },
  {
    id: 'baseline',
    role: 'baseline',
    hyperparameters: { ...hp, hiddenUnits: [], epochs: 9 },
    validationLoss: 0.45,
    validationMetrics: { roc_auc: 0.88 },
    epochsRun: 9,
    bestEpoch: null,
    stoppedBy: 'max_epochs',
    seconds: 1,
    chosen: false,
    failure: null,
    foldLosses: [0.44, 0.46, 0.43, 0.47, 0.45],
  },
];

describe('a cross-validated search on the card and in `mlops show`', () => {
  it('states the folds and the spread of each trial’s fold losses (sample standard deviation)', () => {
    // mean 0.41; squares 0.0001 + 0.0001 + 0.0009 + 0.0009 + 0 = 0.002, / 4 = 0.0005, sd 0.02236
    expect(foldSpread([0.4, 0.42, 0.38, 0.44, 0.41])).toBe('0.4100 ± 0.0224');
    expect(foldSpread([0.5])).toBe('0.5000 ± 0.0000');
    expect(foldSpread([null, null])).toBe('—');
    expect(foldSpread(undefined)).toBe('—');
  });

  it('the card: how the trials were chosen, five fold losses per trial, out-of-fold columns, a failed trial named', () => {
    const report = { tuning: TRIALS, crossValidation: { folds: 5, seed: 0, rows: 340 } } as unknown as EvaluationReport;
    const html = searchSection(report);
    expect(html).toContain('Chosen by 5-fold cross-validation over the 340 training and validation rows');
    expect(html).toContain(
      '<th>fold losses</th><th>mean ± sd</th><th>out-of-fold loss</th><th>out-of-fold roc_auc</th>',
    );
    expect(html).toContain('<td>0.4000 · 0.4200 · 0.3800 · 0.4400 · 0.4100</td><td>0.4100 ± 0.0224</td>');
    expect(html).toContain('<span class="fail">failed</span> fold 3: TrainingError: diverged');
    expect(html).toContain('<span class="pass">chosen</span>');
    const single = searchSection({ tuning: TRIALS, crossValidation: null } as unknown as EvaluationReport);
    expect(single).toContain('compared by their loss on the validation split');
    expect(single).not.toContain('fold losses');
  });

  it('`mlops show`: the selection in the lineage, and fold and out-of-fold columns', () => {
    const version = {
      model: 'm',
      version: 3,
      runId: 'run-1',
      status: 'approved',
      revision: 1,
      artifact: { bucket: 'b', key: 'k', sha256: 'a'.repeat(64) },
      weightsSha256: 'b'.repeat(64),
      data: [],
      modelConfigSha256: 'c'.repeat(64),
      hyperparameters: hp,
      crossValidation: { folds: 5, seed: 7 },
      tuning: TRIALS,
      baselineMetrics: null,
      metrics: { roc_auc: 0.9 },
      gate: { passed: true, summary: 'passed', checks: [] },
      comparedWith: null,
      evaluation: { bucket: 'b', key: 'e' },
      profile: { bucket: 'b', key: 'p' },
      rows: { read: 400, kept: 400, train: 280, validation: 60, test: 60 },
      schemaVersion: 1,
      backend: 'wasm',
      tfjsVersion: '4',
      codeVersion: 'x',
      createdAt: '2026-12-07T00:00:00Z',
    } as unknown as VersionRecord;
    const shown = describeVersion('m', version);
    expect(shown).toMatch(/selection\s+5-fold cross-validation \(seed 7\), refit on train \+ validation/);
    expect(shown).toMatch(/refit epochs\s+fold loss \(mean ± sd\)\s+out-of-fold loss\s+out-of-fold score/);
    expect(shown).toMatch(/c1\s+32\s+0\.003\s+0\.001\s+16\s+14\s+0\.4100 ± 0\.0224/);
    const single = describeVersion('m', { ...version, crossValidation: undefined } as unknown as VersionRecord);
    expect(single).toMatch(/selection\s+on the validation split/);
    expect(single).toContain('14 (best ?)');
    // What started the version's run, when the run is known: an upload, or a retraining's trigger and why.
    expect(shown).not.toMatch(/started by/);
    expect(describeVersion('m', version, {})).toMatch(/started by\s+upload/);
    const retrained = {
      startedBy: { trigger: 'alarm' as const, detail: 'm-NeedsRetraining went to ALARM: input drift' },
    };
    expect(describeVersion('m', version, retrained)).toMatch(
      /started by\s+alarm: m-NeedsRetraining went to ALARM: input drift/,
    );
  });
});
