import { mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseModelConfig, parseModelConfigText } from '../../lambdas/core/model-config.js';
import { listModelNames, loadModelConfig } from '../../lambdas/shared/contracts/model-files.js';

describe('model files', () => {
  it('the shipped adult model file is valid and keeps sex and race out of the inputs', () => {
    const config = parseModelConfigText(readFileSync('models/adult.json', 'utf8'), 'models/adult.json', 'adult');
    expect(config.task).toBe('binary');
    expect(config.sensitive).toEqual(['sex', 'race']);
  });

  it('fills in defaults for a minimal file', () => {
    const config = parseModelConfig({ name: 'm', task: 'regression', label: 'y' }, 'models/m.json');
    expect(config.features).toBe('all');
    expect(config.split).toEqual({ train: 0.7, validation: 0.15, test: 0.15, seed: 0 });
    expect(config.data).toEqual({ source: 'object' });
    // Hyper-parameters the file leaves out are chosen from the data at run time, not fixed here.
    expect(config.hyperparameters).toEqual({});
    expect(config.tuning).toEqual({
      candidates: 6,
      selection: 'one_standard_error',
      crossValidation: 'auto',
      concurrency: 3,
      maxMinutes: 30,
      space: {},
    });
    expect(config.gate).toMatchObject({
      maxFeatureShare: 0.5,
      maxFeatureShareGrowth: 0.25,
      maxSingleFeatureScore: 0.99,
      mustBeatBaseline: {},
    });
    expect(config.gate.severity).toEqual({
      leak: 'blocking',
      dominance: 'warning',
      dominance_growth: 'warning',
      fairness_unmeasured: 'blocking',
    });
    expect(config.dataValidation.severity.missing_column).toBe('blocking');
    expect(config.monitoring).toMatchObject({
      schedule: 'rate(15 minutes)',
      minRows: 100,
      minLabels: 50,
      driftFalseAlarmRate: 0.01,
      maxPerformanceDrop: 0.05,
      maxDriftedShare: 0,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
    });
  });

  it('refuses a monitoring schedule or alarm CloudWatch could not run, naming the field', () => {
    const file = (monitoring: object) => ({ name: 'm', task: 'regression', label: 'y', monitoring });
    expect(() => parseModelConfig(file({ schedule: 'cron(0 * * * ? *)' }), 'm.json')).toThrow(
      /monitoring\.schedule: must be a rate of at least one minute/,
    );
    expect(() => parseModelConfig(file({ schedule: 'rate(1 minutes)' }), 'm.json')).toThrow(/monitoring\.schedule/);
    expect(() => parseModelConfig(file({ evaluationPeriods: 2, datapointsToAlarm: 3 }), 'm.json')).toThrow(
      /monitoring\.datapointsToAlarm: 3 is more than evaluationPeriods \(2\)/,
    );
    expect(() => parseModelConfig(file({ schedule: 'rate(15 minutes)', evaluationPeriods: 97 }), 'm.json')).toThrow(
      /monitoring\.evaluationPeriods: 97 windows of 15 minutes exceed .* \(1 day for periods under an hour\)/,
    );
    expect(
      parseModelConfig(file({ schedule: 'rate(1 day)', evaluationPeriods: 7 }), 'm.json').monitoring.schedule,
    ).toBe('rate(1 day)');
    expect(() => parseModelConfig(file({ schedule: 'rate(1 day)', evaluationPeriods: 8 }), 'm.json')).toThrow(/7 days/);
  });

  it('lists every problem of a bad file with its path', () => {
    const bad = {
      name: 'Bad Name',
      task: 'clustering',
      label: 'y',
      split: { train: 0.5, validation: 0.2, test: 0.2 },
      exclude: ['y'],
      gate: { minimums: { auc: 0.5 } },
    };
    let message = '';
    try {
      parseModelConfig(bad, 'models/bad.json');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^Invalid model file models\/bad\.json:/);
    expect(message).toContain('name:');
    expect(message).toContain('task:');
    expect(message).toContain('split: train + validation + test must add up to 1');
    expect(message).toContain('gate.minimums');
  });

  it('rejects a file whose name differs from the model name, and invalid JSON', () => {
    expect(() => parseModelConfigText('{"name":"a","task":"binary","label":"y"}', 'models/b.json', 'b')).toThrow(
      '"name" is "a" but the file is named for "b"',
    );
    expect(() => parseModelConfigText('{', 'models/c.json')).toThrow(
      'Invalid model file models/c.json: not valid JSON',
    );
  });
});

describe('the checked model file passed between steps', () => {
  // ETL passes the parsed model file on in the pipeline state, where each later step checks it with the same schema:
  // what the schema produced must pass it again unchanged, defaults and all.
  it.each([
    ["the repository's adult.json", JSON.parse(readFileSync('models/adult.json', 'utf8')) as unknown],
    [
      'a minimal regression file',
      { name: 'adult-age', task: 'regression', label: 'age', exclude: ['fnlwgt'], gate: { minimums: { r2: 0.1 } } },
    ],
    [
      'a multiclass file with listed features and approvals',
      {
        name: 'rel',
        task: 'multiclass',
        label: 'relationship',
        features: ['age', 'sex'],
        requireApproval: true,
        gate: {},
      },
    ],
  ])('%s re-parses to itself after a JSON round trip', (_what, raw) => {
    const once = parseModelConfig(raw, 'models/x.json');
    expect(parseModelConfig(JSON.parse(JSON.stringify(once)), 'state')).toEqual(once);
  });
});

describe('deployed model files (lambdas/shared/contracts/model-files.ts)', () => {
  it("run from source (the CLI's smoke test), reads the repository's models/ when no folder is given", () => {
    const repository = readdirSync('models')
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -'.json'.length))
      .sort();
    expect(repository).toContain('adult');
    expect(listModelNames().sort()).toEqual(repository);
    expect(loadModelConfig('adult').config.name).toBe('adult');
  });

  it('parses a file once per container and again only when it changes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlops-models-'));
    const file = join(dir, 'm.json');
    writeFileSync(file, JSON.stringify({ name: 'm', task: 'binary', label: 'y' }));
    const first = loadModelConfig('m', dir);
    expect(loadModelConfig('m', dir)).toBe(first); // the same parse, not a new one
    writeFileSync(file, JSON.stringify({ name: 'm', task: 'regression', label: 'y' }));
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    const changed = loadModelConfig('m', dir);
    expect(changed.config.task).toBe('regression');
    expect(changed.sha256).not.toBe(first.sha256);
    expect(() => loadModelConfig('absent', dir)).toThrow(
      'no model file models/absent.json is deployed (known models: m)',
    );
  });
});
