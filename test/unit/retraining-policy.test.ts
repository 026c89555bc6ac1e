import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { retrainingSchema } from '../../lambdas/core/retraining/retraining-config.js';
import {
  decideRetraining,
  WEEK_MS,
  type RetrainingRequest,
  type RetrainingStart,
} from '../../lambdas/core/retraining/retraining-policy.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-12-07T00:00:00Z');
const config = retrainingSchema.parse({});
const request = (trigger: RetrainingRequest['trigger'], key: string, hours: number): RetrainingRequest => ({
  trigger,
  key,
  at: new Date(T0 + hours * HOUR),
});

/** Plays requests in order through the policy, recording each start as the retrain function does. */
function play(requests: readonly RetrainingRequest[], settings = config): RetrainingStart[] {
  const starts: RetrainingStart[] = [];
  for (const r of requests)
    if (decideRetraining(settings, starts, r).start)
      starts.push({ key: r.key, trigger: r.trigger, at: r.at.toISOString() });
  return starts;
}

describe('when a retraining starts', () => {
  it('starts on a first alarm, not again for the same episode, and not for a second alarm within the cool-down', () => {
    const first = request('alarm', 'needs-retraining@10:00', 0);
    expect(decideRetraining(config, [], first)).toEqual({ start: true });
    const starts = play([first]);
    expect(decideRetraining(config, starts, first)).toMatchObject({ start: false, duplicate: true });
    const second = decideRetraining(config, starts, request('alarm', 'needs-retraining@11:00', 1));
    expect(second).toMatchObject({
      start: false,
      duplicate: false,
      reason: expect.stringMatching(/cool-down.*none before 2026-12-08T00:00:00.000Z/),
    });
    expect(decideRetraining(config, starts, request('alarm', 'needs-retraining@next-day', 24))).toEqual({
      start: true,
    });
  });

  it('lets a person retrain within the cool-down (audited elsewhere), and counts it for the next alarm', () => {
    const starts = play([request('alarm', 'a', 0), request('manual', 'm', 1)]);
    expect(starts.map((s) => s.trigger)).toEqual(['alarm', 'manual']);
    expect(decideRetraining(config, starts, request('alarm', 'b', 24.5))).toMatchObject({ start: false });
    expect(decideRetraining(config, starts, request('alarm', 'b', 25))).toEqual({ start: true });
  });

  it('never on the alarm when retraining.onAlarm is off; schedules still', () => {
    const off = retrainingSchema.parse({ onAlarm: false });
    expect(decideRetraining(off, [], request('alarm', 'a', 0))).toMatchObject({ start: false, reason: /onAlarm/ });
    expect(decideRetraining(off, [], request('schedule', 's', 0))).toEqual({ start: true });
  });

  it('over any sequence of alarms, schedules and requests: no episode twice, the cool-down and the weekly cap hold, and nothing allowed is refused (property)', () => {
    const arbitraryRequests = fc.array(
      fc.record({
        trigger: fc.constantFrom('alarm', 'alarm', 'schedule', 'manual') as fc.Arbitrary<RetrainingRequest['trigger']>,
        key: fc.integer({ min: 0, max: 12 }).map((k) => `episode-${k}`),
        gapHours: fc.double({ min: 0, max: 60, noNaN: true }),
      }),
      { maxLength: 60 },
    );
    const settings = fc.record({
      onAlarm: fc.boolean(),
      cooldownHours: fc.integer({ min: 0, max: 72 }),
      maxPerWeek: fc.integer({ min: 1, max: 5 }),
    });
    fc.assert(
      fc.property(arbitraryRequests, settings, (raw, s) => {
        const policy = retrainingSchema.parse(s);
        let hours = 0;
        const requests = raw.map((r) => request(r.trigger, r.key, (hours += r.gapHours)));
        const starts: RetrainingStart[] = [];
        for (const r of requests) {
          const decision = decideRetraining(policy, starts, r);
          const at = r.at.getTime();
          const automatic = r.trigger !== 'manual';
          const fresh = !starts.some((x) => x.key === r.key);
          const cooled = starts.every((x) => at - Date.parse(x.at) >= policy.cooldownHours * HOUR);
          const weekly = starts.filter((x) => x.trigger !== 'manual' && at - Date.parse(x.at) < WEEK_MS).length;
          const allowed =
            fresh &&
            (!automatic || ((r.trigger !== 'alarm' || policy.onAlarm) && cooled && weekly < policy.maxPerWeek));
          expect(decision.start, `${r.trigger} ${r.key} at +${(at - T0) / HOUR} h`).toBe(allowed);
          if (decision.start) starts.push({ key: r.key, trigger: r.trigger, at: r.at.toISOString() });
        }
        const automaticStarts = starts.filter((x) => x.trigger !== 'manual').map((x) => Date.parse(x.at));
        for (const t of automaticStarts)
          expect(automaticStarts.filter((u) => u > t - WEEK_MS && u <= t).length).toBeLessThanOrEqual(
            policy.maxPerWeek,
          );
        expect(new Set(starts.map((x) => x.key)).size).toBe(starts.length);
      }),
      { numRuns: 300 },
    );
  });
});
