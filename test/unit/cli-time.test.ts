import { describe, expect, it } from 'vitest';
import { parseSince, sparkline } from '../../cli/time.js';

describe("the CLI's --since and sparklines", () => {
  const now = Date.UTC(2026, 10, 26, 12, 0, 0);
  it('reads a duration back from now or a date-time, and names the forms when it is neither', () => {
    expect(
      [parseSince('90s', now), parseSince('15m', now), parseSince('2h', now), parseSince('1.5d', now)].map(
        (t) => now - t,
      ),
    ).toEqual([90_000, 900_000, 7_200_000, 129_600_000]);
    expect(parseSince('2026-11-26T10:00:00Z', now)).toBe(Date.UTC(2026, 10, 26, 10));
    expect(() => parseSince('yesterday', now)).toThrow(
      '--since "yesterday" is neither a duration (15m, 2h, 7d) nor a date-time',
    );
  });

  it('draws the minimum lowest and the maximum highest, a gap for a missing value, and a flat line for equal values', () => {
    expect(sparkline([0, 7, 14, null, 3.5])).toBe('▁▅█ ▃');
    expect(sparkline([5, 5])).toBe('██');
    expect(sparkline([null])).toBe('');
  });
});
