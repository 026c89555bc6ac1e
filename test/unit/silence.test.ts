import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { silentHours } from '../../lambdas/core/monitoring/silence.js';

const at = (iso: string) => new Date(iso);
const ms = (iso: string) => Date.parse(iso);

describe("production's silence, counted only over the time its version has been served (issue 21)", () => {
  it('a version promoted ten minutes ago, never called, has been silent for ten minutes, not since the model began', () => {
    expect(
      silentHours({ servedSince: at('2026-12-07T10:00:00Z'), requestPeriodEnds: [], now: at('2026-12-07T10:10:00Z') }),
    ).toBeCloseTo(1 / 6, 12);
  });

  it('counts from the last request after the promotion; requests before the promotion do not count', () => {
    const servedSince = at('2026-12-07T08:00:00Z');
    const now = at('2026-12-07T12:00:00Z');
    expect(silentHours({ servedSince, requestPeriodEnds: [ms('2026-12-07T09:05:00Z')], now })).toBeCloseTo(
      2 + 55 / 60,
      12,
    );
    expect(silentHours({ servedSince, requestPeriodEnds: [ms('2026-12-07T07:30:00Z')], now })).toBe(4);
    const unordered = [ms('2026-12-07T11:00:00Z'), ms('2026-12-07T09:00:00Z')];
    expect(silentHours({ servedSince, requestPeriodEnds: unordered, now })).toBe(1);
  });

  it('is never negative, never more than the time served, and a later request never lengthens it (property)', () => {
    const base = ms('2026-12-07T00:00:00Z');
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 48 * 60 }),
        fc.integer({ min: 0, max: 48 * 60 }),
        fc.array(fc.integer({ min: 0, max: 48 * 60 }), { maxLength: 10 }),
        fc.integer({ min: 0, max: 48 * 60 }),
        (served, now, requests, extra) => {
          const input = {
            servedSince: new Date(base + Math.min(served, now) * 60_000),
            requestPeriodEnds: requests.map((m) => base + m * 60_000),
            now: new Date(base + now * 60_000),
          };
          const hours = silentHours(input);
          expect(hours).toBeGreaterThanOrEqual(0);
          expect(hours).toBeLessThanOrEqual((now - Math.min(served, now)) / 60 + 1e-12);
          const more = silentHours({
            ...input,
            requestPeriodEnds: [...input.requestPeriodEnds, base + extra * 60_000],
          });
          expect(more).toBeLessThanOrEqual(hours + 1e-12);
        },
      ),
    );
  });
});
