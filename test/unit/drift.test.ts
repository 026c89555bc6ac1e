import { describe, expect, it } from 'vitest';
import type { Frame } from '../../lambdas/core/dataset.js';
import { compareProfiles } from '../../lambdas/core/drift/compare.js';
import { mergeProfiles, profileFrame, SAMPLE_SIZE } from '../../lambdas/core/drift/profile.js';
import { adult, column, withColumn } from '../helpers/adult.js';

function slice(frame: Frame, from: number, to: number): Frame {
  return {
    features: frame.features.map((c) => ({ ...c, values: c.values.slice(from, to) }) as typeof c),
    sensitive: frame.sensitive.map((c) => ({ ...c, values: c.values.slice(from, to) })),
    labels: { ...frame.labels, values: frame.labels.values.slice(from, to) } as Frame['labels'],
    origins: frame.origins.slice(from, to),
  };
}

describe('drift on the adult data', () => {
  it('finds no drift between the training and test splits of the same upload', async () => {
    const { prepared } = await adult();
    const report = compareProfiles(profileFrame(prepared.splits.train), profileFrame(prepared.splits.test));
    expect(report.driftedFeatures).toEqual([]);
    expect(report.datasetDrift).toBe(false);
    expect(report.features.find((f) => f.feature === 'age')).toMatchObject({
      test: 'wasserstein_normed',
      psiLevel: 'ok',
    });
    expect(report.features.find((f) => f.feature === 'workclass')).toMatchObject({ test: 'jensen_shannon' });
  });

  it('flags a copy whose ages are shifted by 8 years, naming age and only age', async () => {
    const { prepared } = await adult();
    const test = prepared.splits.test;
    const age = column(test, 'age');
    const shifted = withColumn(test, {
      name: 'age',
      type: 'numeric',
      values: (age.values as number[]).map((v) => v + 8),
    });
    const report = compareProfiles(profileFrame(prepared.splits.train), profileFrame(shifted));
    expect(report.driftedFeatures).toEqual(['age']);
    const drift = report.features.find((f) => f.feature === 'age');
    expect(drift?.statistic).toBeGreaterThan(0.5); // 8 years over a spread of ~13.6
    expect(drift?.psiLevel).toBe('alarm');
  });

  it('flags a categorical shift (40% of Private workers become self-employed)', async () => {
    const { prepared } = await adult();
    const test = prepared.splits.test;
    let i = 0;
    const workclass = (column(test, 'workclass').values as (string | null)[]).map((v) =>
      v === 'Private' && i++ % 5 < 2 ? 'Self-emp-inc' : v,
    );
    const report = compareProfiles(
      profileFrame(prepared.splits.train),
      profileFrame(withColumn(test, { name: 'workclass', type: 'categorical', values: workclass })),
    );
    expect(report.driftedFeatures).toEqual(['workclass']);
    expect(report.features.find((f) => f.feature === 'workclass')).toMatchObject({ lInfinityExceeded: true });
    expect(report.features.find((f) => f.feature === 'workclass')?.lInfinity).toBeGreaterThan(0.2);
  });

  it('uses KS and chi-square when the reference is small, and per-feature thresholds override the defaults', async () => {
    const { prepared } = await adult();
    const small = slice(prepared.splits.train, 0, 800);
    const report = compareProfiles(profileFrame(small), profileFrame(slice(prepared.splits.test, 0, 800)));
    expect(report.features.find((f) => f.feature === 'age')).toMatchObject({ test: 'ks', threshold: 0.05 });
    expect(report.features.find((f) => f.feature === 'education')).toMatchObject({ test: 'chi_square' });
    const strict = compareProfiles(
      profileFrame(prepared.splits.train),
      profileFrame(prepared.splits.test),
      {},
      { age: { wasserstein: 0 } },
    );
    expect(strict.driftedFeatures).toEqual(['age']);
  });

  it('merges profiles of parts into the profile of the whole', async () => {
    const { prepared } = await adult();
    const train = prepared.splits.train;
    const half = Math.floor(train.origins.length / 2);
    const merged = mergeProfiles(
      profileFrame(slice(train, 0, half)),
      profileFrame(slice(train, half, train.origins.length)),
    );
    const whole = profileFrame(train);
    expect(merged.rows).toBe(whole.rows);
    expect(merged.features.education).toEqual(whole.features.education);
    const [m, w] = [merged.features.age, whole.features.age];
    if (m?.kind !== 'numeric' || w?.kind !== 'numeric') throw new Error('age must be numeric');
    expect(m.sample).toEqual(w.sample);
    expect(m.sample).toHaveLength(SAMPLE_SIZE);
    expect([m.count, m.missing, m.min, m.max]).toEqual([w.count, w.missing, w.min, w.max]);
    expect(m.sum).toBeCloseTo(w.sum, 6);
  });
});
