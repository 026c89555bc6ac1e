import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextFireTime, parseScheduleExpression } from '../../local/events/schedule-expression.js';

const iso = (ms: number | undefined) =>
  ms === undefined ? undefined : new Date(ms).toISOString().replace('.000Z', 'Z');
/** The next `n` fire times after `from`, in UTC. */
function fires(expression: string, from: string, n = 3, timeZone?: string): (string | undefined)[] {
  const parsed = parseScheduleExpression(expression);
  const times: (string | undefined)[] = [];
  let after = Date.parse(from);
  for (let i = 0; i < n; i++) {
    const next = nextFireTime(parsed, after, { start: Date.parse(from), ...(timeZone ? { timeZone } : {}) });
    times.push(iso(next));
    if (next === undefined) break;
    after = next;
  }
  return times;
}

describe('schedule expressions (EventBridge and EventBridge Scheduler)', () => {
  // 2026-11-26 is a Thursday.
  it.each([
    ['cron(0 10 * * ? *)', ['2026-11-26T10:00:00Z', '2026-11-27T10:00:00Z', '2026-11-28T10:00:00Z']],
    ['cron(15 12 * * ? *)', ['2026-11-26T12:15:00Z', '2026-11-27T12:15:00Z', '2026-11-28T12:15:00Z']],
    ['cron(0 18 ? * MON-FRI *)', ['2026-11-26T18:00:00Z', '2026-11-27T18:00:00Z', '2026-11-30T18:00:00Z']],
    ['cron(0 8 1 * ? *)', ['2026-12-01T08:00:00Z', '2027-01-01T08:00:00Z', '2027-02-01T08:00:00Z']],
    ['cron(0/15 * * * ? *)', ['2026-11-26T09:15:00Z', '2026-11-26T09:30:00Z', '2026-11-26T09:45:00Z']],
    ['cron(0/5 8-17 ? * MON-FRI *)', ['2026-11-26T09:05:00Z', '2026-11-26T09:10:00Z', '2026-11-26T09:15:00Z']],
    ['cron(0 9 ? * 2#1 *)', ['2026-12-07T09:00:00Z', '2027-01-04T09:00:00Z', '2027-02-01T09:00:00Z']],
    ['cron(0 0 L * ? *)', ['2026-11-30T00:00:00Z', '2026-12-31T00:00:00Z', '2027-01-31T00:00:00Z']],
    ['cron(0 0 ? * 6L *)', ['2026-11-27T00:00:00Z', '2026-12-25T00:00:00Z', '2027-01-29T00:00:00Z']],
    ['cron(0 0 15W * ? *)', ['2026-12-15T00:00:00Z', '2027-01-15T00:00:00Z', '2027-02-15T00:00:00Z']],
    ['cron(30 6 1W * ? *)', ['2026-12-01T06:30:00Z', '2027-01-01T06:30:00Z', '2027-02-01T06:30:00Z']],
    ['cron(0 12 * JAN,JUL ? 2027)', ['2027-01-01T12:00:00Z', '2027-01-02T12:00:00Z', '2027-01-03T12:00:00Z']],
  ])('%s fires at the documented times', (expression, expected) => {
    expect(fires(expression, '2026-11-26T09:00:00Z')).toEqual(expected);
  });

  it('moves W off a weekend: the 14th of 2027-08 is a Saturday (→ Friday 13th), the 1st of 2027-05 a Saturday (→ Monday 3rd)', () => {
    expect(fires('cron(0 0 14W 8 ? 2027)', '2027-01-01T00:00:00Z', 1)).toEqual(['2027-08-13T00:00:00Z']);
    expect(fires('cron(0 0 1W 5 ? 2027)', '2027-01-01T00:00:00Z', 1)).toEqual(['2027-05-03T00:00:00Z']);
  });

  it('fires a rate every interval from when the schedule started, and an at() once, in its time zone', () => {
    expect(fires('rate(5 minutes)', '2026-11-26T09:00:30Z')).toEqual([
      '2026-11-26T09:05:30Z',
      '2026-11-26T09:10:30Z',
      '2026-11-26T09:15:30Z',
    ]);
    expect(fires('rate(1 day)', '2026-11-26T09:00:00Z', 2)).toEqual(['2026-11-27T09:00:00Z', '2026-11-28T09:00:00Z']);
    expect(fires('at(2026-12-01T09:00:00)', '2026-11-26T09:00:00Z', 2, 'America/New_York')).toEqual([
      '2026-12-01T14:00:00Z',
      undefined,
    ]);
    expect(fires('cron(0 9 * * ? *)', '2027-03-13T00:00:00Z', 2, 'America/New_York')).toEqual([
      '2027-03-13T14:00:00Z',
      '2027-03-14T13:00:00Z',
    ]); // daylight saving starts on the 14th
  });

  it.each([
    ['cron(0 10 * * * *)', 'exactly one of day-of-month and day-of-week must be "?"'],
    ['cron(0 10 * *)', 'a cron expression has 6 fields'],
    ['cron(61 10 * * ? *)', '"61" is outside 0-59'],
    ['rate(1 minutes)', 'write "1 minute" or "1 minutes"'],
    ['rate(0 minutes)', 'the rate must be at least 1'],
    ['every 5 minutes', 'is not rate(…), cron(…) or at(…)'],
  ])('refuses %s, saying why', (expression, message) => {
    expect(() => parseScheduleExpression(expression)).toThrow(message);
  });

  it('always answers a time after the given one, on a whole minute, matching its fields (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 59 }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2030, 0, 1) }),
        (minute, hour, after) => {
          const next = nextFireTime(parseScheduleExpression(`cron(${minute} ${hour} * * ? *)`), after, {
            start: after,
          }) as number;
          expect(next).toBeGreaterThan(after);
          expect(next - after).toBeLessThanOrEqual(86_400_000);
          expect([new Date(next).getUTCMinutes(), new Date(next).getUTCHours(), next % 60_000]).toEqual([
            minute,
            hour,
            0,
          ]);
        },
      ),
    );
  });
});
