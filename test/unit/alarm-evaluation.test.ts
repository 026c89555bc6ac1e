import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  evaluateAlarm,
  evaluationRange,
  type AlarmCondition,
  type AlarmState,
  type TreatMissingData,
} from '../../local/cloudwatch/alarm-evaluation.js';
import { statistic } from '../../local/cloudwatch/statistics.js';

/** The documentation's notation: 0 within the threshold, X breaching, - missing; oldest first. */
const points = (text: string): (number | null)[] => text.split(' ').map((c) => (c === 'X' ? 10 : c === '0' ? 0 : null));
const condition = (treat: TreatMissingData, m = 3, n = 3): AlarmCondition => ({
  threshold: 5,
  comparisonOperator: 'GreaterThanOrEqualToThreshold',
  evaluationPeriods: n,
  datapointsToAlarm: m,
  treatMissingData: treat,
});

describe('metric alarm evaluation (CloudWatch User Guide, "Evaluating an alarm")', () => {
  it('looks at 5 periods for 3 evaluation periods, as the documented example does', () => {
    expect(evaluationRange(3)).toBe(5);
    expect(evaluationRange(1)).toBe(3);
  });

  // The documented table: Datapoints to Alarm and Evaluation Periods both 3, the 5 most recent points shown.
  it.each([
    ['0 - X - X', { missing: 'OK', ignore: 'OK', breaching: 'OK', notBreaching: 'OK' }],
    ['- - - - 0', { missing: 'OK', ignore: 'OK', breaching: 'OK', notBreaching: 'OK' }],
    ['- - - - -', { missing: 'INSUFFICIENT_DATA', ignore: 'retain', breaching: 'ALARM', notBreaching: 'OK' }],
    ['0 X X - X', { missing: 'ALARM', ignore: 'ALARM', breaching: 'ALARM', notBreaching: 'ALARM' }],
    ['- - X - -', { missing: 'ALARM', ignore: 'retain', breaching: 'ALARM', notBreaching: 'OK' }],
  ] as const)('%s → %o', (range, expected) => {
    for (const [treat, state] of Object.entries(expected) as [TreatMissingData, AlarmState | 'retain'][]) {
      for (const current of ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const) {
        expect(evaluateAlarm(condition(treat), points(range), current).state, `${treat} from ${current}`).toBe(
          state === 'retain' ? current : state,
        );
      }
    }
  });

  it('counts M of N breaching points that need not be consecutive', () => {
    expect(evaluateAlarm(condition('missing', 2, 3), points('0 0 X 0 X'), 'OK').state).toBe('ALARM');
    expect(evaluateAlarm(condition('missing', 2, 3), points('0 X 0 0 X'), 'ALARM').state).toBe('OK');
    expect(evaluateAlarm(condition('missing', 3, 5), points('X 0 X 0 X 0 X'), 'OK').state).toBe('ALARM');
    expect(evaluateAlarm(condition('missing', 3, 5), points('X 0 X 0 X 0 0'), 'ALARM').state).toBe('OK');
  });

  it('goes to ALARM early while data is only starting to arrive, but not once older data within the threshold exists', () => {
    expect(evaluateAlarm(condition('missing', 2, 3), points('- - - X -'), 'OK').state).toBe('ALARM');
    expect(evaluateAlarm(condition('ignore', 2, 3), points('- - - X -'), 'OK').state).toBe('OK');
    expect(evaluateAlarm(condition('missing', 2, 3), points('- - - 0 X'), 'ALARM').state).toBe('OK');
    expect(evaluateAlarm(condition('missing', 2, 3), points('- - 0 X -'), 'ALARM').state).toBe('OK');
  });

  it('compares with each operator as documented (equal to the threshold breaches only the OrEqual ones)', () => {
    const at = (comparisonOperator: AlarmCondition['comparisonOperator']) =>
      evaluateAlarm({ threshold: 5, comparisonOperator, evaluationPeriods: 1 }, [5], 'OK').state;
    expect([
      at('GreaterThanOrEqualToThreshold'),
      at('GreaterThanThreshold'),
      at('LessThanThreshold'),
      at('LessThanOrEqualToThreshold'),
    ]).toEqual(['ALARM', 'OK', 'OK', 'ALARM']);
  });

  it('says why, as CloudWatch words it', () => {
    expect(evaluateAlarm(condition('breaching', 3, 3), points('- - - - X'), 'OK').reason).toBe(
      'Threshold Crossed: 3 out of the last 3 datapoints were greater than or equal to the threshold (5) (2 missing datapoints treated as [breaching]).',
    );
    expect(evaluateAlarm(condition('missing'), points('- - - - -'), 'OK').reason).toMatch(
      /^Insufficient Data: no datapoints were received for 5 periods/,
    );
  });

  const range = fc.array(fc.option(fc.double({ min: -100, max: 100, noNaN: true }), { nil: null }), {
    minLength: 1,
    maxLength: 12,
  });
  const setup = fc
    .record({ n: fc.integer({ min: 1, max: 5 }), m: fc.integer({ min: 1, max: 5 }) })
    .map(({ n, m }) => ({ n, m: Math.min(m, n) }));
  const state = fc.constantFrom<AlarmState>('OK', 'ALARM', 'INSUFFICIENT_DATA');

  it('never alarms on missing data with notBreaching: without a breaching point it is OK (property)', () => {
    fc.assert(
      fc.property(range, setup, state, (values, { n, m }, current) => {
        const noBreach = values.map((v) => (v === null ? null : Math.min(v, 4)));
        expect(evaluateAlarm(condition('notBreaching', m, n), noBreach, current).state).toBe('OK');
      }),
    );
  });

  it('alarms on missing data with breaching: with no point within the threshold it is in ALARM (property)', () => {
    fc.assert(
      fc.property(range, setup, state, (values, { n, m }, current) => {
        const allBreach = values.map((v) => (v === null ? null : Math.max(v, 5)));
        expect(evaluateAlarm(condition('breaching', m, n), allBreach, current).state).toBe('ALARM');
      }),
    );
  });

  it('decides from the data alone except with ignore, and only INSUFFICIENT_DATA with missing (property)', () => {
    fc.assert(
      fc.property(
        range,
        setup,
        fc.constantFrom<TreatMissingData>('missing', 'breaching', 'notBreaching'),
        (values, { n, m }, treat) => {
          const states = (['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const).map(
            (current) => evaluateAlarm(condition(treat, m, n), values, current).state,
          );
          expect(new Set(states).size).toBe(1);
          if (treat !== 'missing') expect(states[0]).not.toBe('INSUFFICIENT_DATA');
        },
      ),
    );
  });
});

describe('statistics of a period', () => {
  const samples = [3, 1, 4, 1, 5, 9, 2, 6].map((value) => ({ value, count: 1 }));
  it('computes Sum, Average, Minimum, Maximum, SampleCount and nearest-rank percentiles', () => {
    expect(
      ['Sum', 'Average', 'Minimum', 'Maximum', 'SampleCount', 'p50', 'p90', 'p99', 'p100'].map((s) =>
        statistic(s, samples),
      ),
    ).toEqual([31, 31 / 8, 1, 9, 8, 3, 9, 9, 9]);
    expect(statistic('p25', samples)).toBe(1);
  });

  it('weighs a repeated value by its count, merges statistic sets, and has no data point for an empty period', () => {
    expect(
      statistic('Average', [
        { value: 10, count: 3 },
        { value: 2, count: 1 },
      ]),
    ).toBe(8);
    expect(
      statistic('p50', [
        { value: 10, count: 3 },
        { value: 2, count: 1 },
      ]),
    ).toBe(10);
    const sets = [{ set: { sampleCount: 2, sum: 10, minimum: 4, maximum: 6 } }, { value: 1, count: 1 }];
    expect([
      statistic('SampleCount', sets),
      statistic('Sum', sets),
      statistic('Minimum', sets),
      statistic('Maximum', sets),
      statistic('p50', sets),
    ]).toEqual([3, 11, 1, 6, null]);
    expect(statistic('Sum', [])).toBeNull();
  });
});
