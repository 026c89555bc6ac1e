import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testApp } from '../helpers/test-app.js';

/** A folder holding one model file, shipped with `-c modelsDir=…`. */
function modelsWith(file: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'mlops-models-'));
  writeFileSync(join(dir, `${String(file.name)}.json`), JSON.stringify(file));
  return dir;
}

describe('model files are checked when the app is synthesized (cdk synth, npm start)', () => {
  it('refuses a fairness bound the model’s task cannot be held to, naming the field and the task', () => {
    const modelsDir = modelsWith({
      name: 'house-prices',
      task: 'regression',
      label: 'price',
      sensitive: ['district'],
      gate: { fairness: { minDisparateImpact: 0.8 } },
    });
    expect(() => testApp({ context: { modelsDir } }).app.synth()).toThrow(
      /house-prices.*gate\.fairness\.minDisparateImpact.*does not apply to a regression model/s,
    );
  });

  it('synthesizes the same model held to the bounds of its task', () => {
    const modelsDir = modelsWith({
      name: 'house-prices',
      task: 'regression',
      label: 'price',
      sensitive: ['district'],
      gate: { fairness: { maxMeanResidualGap: 5000, maxErrorRatio: 1.5 } },
    });
    expect(() => testApp({ context: { modelsDir } }).app.synth()).not.toThrow();
  });
});
