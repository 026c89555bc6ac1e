import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Prediction } from '../../lambdas/core/artifact.js';
import { judgeReleaseCheck } from '../../lambdas/core/release-check.js';
import { releaseSchema } from '../../lambdas/core/release-config.js';
import { chooseRoute, routingBucket } from '../../lambdas/predict/routing.js';
import type { ReleaseRecord } from '../../lambdas/shared/adapters/release-store.js';
import { settleCheck, type ReleaseDeps } from '../../lambdas/shared/use-cases/release.js';

const running = (mode: 'canary' | 'shadow', share: number) => ({ model: 'm', mode, share, state: 'running' as const });

describe('release routing', () => {
  it('buckets keys evenly (chi-square over 100 buckets at 99.9 %) and always the same way', () => {
    const n = 50_000;
    const counts = new Array<number>(100).fill(0);
    for (let i = 0; i < n; i++)
      counts[routingBucket(`caller-${i}`)] = (counts[routingBucket(`caller-${i}`)] as number) + 1;
    const expected = n / 100;
    const chi2 = counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
    // 99.9th percentile of chi-square with 99 degrees of freedom (scipy.stats.chi2.ppf(0.999, 99)).
    expect(chi2).toBeLessThan(148.23);
    fc.assert(
      fc.property(fc.string(), (key) => {
        expect(routingBucket(key)).toBe(routingBucket(key));
      }),
    );
  });

  it('sends a canary share of the keys to the candidate, the same keys at every step (sticky as the share grows)', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 98 }), (key, share) => {
        const route = chooseRoute(running('canary', share), key, undefined);
        expect(route.answer).toBe(routingBucket(key) < share ? 'candidate' : 'production');
        expect(route.shadow).toBe(false);
        if (route.answer === 'candidate')
          expect(chooseRoute(running('canary', share + 1), key, undefined).answer).toBe('candidate');
      }),
    );
    const keys = Array.from({ length: 10_000 }, (_, i) => `k${i}`);
    const share =
      keys.filter((k) => chooseRoute(running('canary', 10), k, undefined).answer === 'candidate').length / keys.length;
    expect(Math.abs(share - 0.1)).toBeLessThan(0.02);
  });

  it('in shadow mode always answers with production and has the candidate score its share too', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 99 }), (key, share) => {
        const route = chooseRoute(running('shadow', share), key, undefined);
        expect(route).toEqual({ answer: 'production', shadow: routingBucket(key) < share });
      }),
    );
  });

  it('honours a forced variant only while a release is checking or running, and no release means production', () => {
    expect(chooseRoute({ model: 'm', mode: 'canary', share: 0, state: 'checking' }, 'k', 'candidate')).toEqual({
      answer: 'candidate',
      shadow: false,
    });
    expect(chooseRoute(running('canary', 10), 'k', 'production')).toEqual({ answer: 'production', shadow: false });
    expect(() => chooseRoute(undefined, 'k', 'candidate')).toThrow('no release is in progress');
    expect(() => chooseRoute({ model: 'm', mode: 'canary', share: 0, state: 'rolled-back' }, 'k', 'candidate')).toThrow(
      'no release is in progress',
    );
    expect(() => chooseRoute(running('canary', 10), 'k', 'beta')).toThrow(
      'x-mlops-variant must be "production" or "candidate", not "beta"',
    );
    expect(chooseRoute({ model: 'm', mode: 'canary', share: 50, state: 'checking' }, 'k', undefined)).toEqual({
      answer: 'production',
      shadow: false,
    });
  });
});

describe('the release check (InfraValidator)', () => {
  const expected: Prediction[] = [
    { label: 'a', probabilities: { a: 0.7, b: 0.3 } },
    { label: 'b', probabilities: { a: 0.2, b: 0.8 } },
  ];
  const answer = (overrides: Record<string, unknown> = {}, timing = 'predict;dur=12.5') => ({
    statusCode: 200,
    headers: { 'server-timing': timing },
    body: JSON.stringify({
      version: 3,
      variant: 'candidate',
      predictions: expected.map((p, i) => ({ id: `r.${i}`, ...p })),
      ...overrides,
    }),
  });

  it('passes a candidate that answers as validation did, as itself, within the budget', () => {
    expect(judgeReleaseCheck(answer(), expected, 3, 1000)).toEqual([]);
    // float32 rounding on another engine is not a difference.
    const rounded = answer({
      predictions: [
        { id: 'r.0', label: 'a', probabilities: { a: 0.70000005, b: 0.29999995 } },
        { id: 'r.1', ...expected[1] },
      ],
    });
    expect(judgeReleaseCheck(rounded, expected, 3, 1000)).toEqual([]);
  });

  it('rejects a version that fails to load or answer, answers differently, is not the candidate, or is too slow', () => {
    expect(judgeReleaseCheck({ statusCode: 500, body: '{"error":"InternalError"}' }, expected, 3, 1000)).toEqual([
      'the serving path answered 500: {"error":"InternalError"}',
    ]);
    expect(
      judgeReleaseCheck(
        answer({
          predictions: [
            { id: 'r.0', label: 'b', probabilities: { a: 0.4, b: 0.6 } },
            { id: 'r.1', ...expected[1] },
          ],
        }),
        expected,
        3,
        1000,
      ),
    ).toEqual(['1 of 2 answers differ from validation (first: prediction 0: class b served, a in validation)']);
    expect(judgeReleaseCheck(answer({ version: 2, variant: 'production' }), expected, 3, 1000)).toEqual([
      'answered by v2 (production), not the candidate v3',
    ]);
    expect(judgeReleaseCheck(answer({}, 'predict;dur=1500.2'), expected, 3, 1000)).toEqual([
      'answered in 1500.2 ms, over the 1000 ms budget',
    ]);
    expect(judgeReleaseCheck(answer({ predictions: [] }), expected, 3, 1000)[0]).toBe('0 predictions for 2 rows');
    expect(judgeReleaseCheck({ statusCode: 200, body: 'not json' }, expected, 3, 1000)).toEqual([
      'the serving path answered something that is not JSON',
    ]);
  });
});

describe("the model file's release section", () => {
  it('defaults to a direct release, and checks steps, bake time and the check', () => {
    expect(releaseSchema.parse({})).toEqual({
      mode: 'direct',
      steps: [10, 50],
      bakeMinutes: 5,
      checkRows: 50,
      checkLatencyMs: 1000,
    });
    expect(releaseSchema.safeParse({ mode: 'canary', steps: [50, 10] }).error?.issues[0]?.message).toBe(
      'steps must increase, e.g. [10, 50]',
    );
    expect(releaseSchema.safeParse({ steps: [0] }).success).toBe(false);
    expect(releaseSchema.safeParse({ steps: [100] }).success).toBe(false);
    expect(releaseSchema.safeParse({ bakeMinutes: 0 }).success).toBe(false);
    expect(releaseSchema.safeParse({ mode: 'blue-green' }).success).toBe(false);
  });
});

describe('settling the release check', () => {
  it('leaves a release aborted while it was being checked as it is (an abort wins over a passing check)', async () => {
    const updates: unknown[] = [];
    const deps = {
      releases: { update: async (...args: unknown[]) => updates.push(args) },
      registry: { audit: { append: async () => undefined } },
      now: () => new Date(),
      actor: 'test',
      alarmsInAlarm: async () => [],
      signalInProgress: () => undefined,
    } as unknown as ReleaseDeps;
    const aborted = {
      model: 'm',
      releaseId: 'r',
      mode: 'canary',
      candidateVersion: 2,
      productionVersion: 1,
      steps: [10],
      stepIndex: 0,
      share: 0,
      bakeMinutes: 1,
      state: 'aborted',
      startedAt: '',
      updatedAt: '',
      revision: 3,
    } as ReleaseRecord;
    expect(await settleCheck(deps, aborted, [])).toBe(aborted);
    expect(updates).toEqual([]);
  });
});
