import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyTransition,
  EMPTY_GROUPING,
  releasing,
  type GroupingState,
} from '../../lambdas/core/incidents/grouping.js';
import { announcement, decidePages, type PageEvent, type Told } from '../../lambdas/core/incidents/paging.js';
import type { AlarmSignal } from '../../lambdas/core/incidents/signals.js';

const T0 = Date.parse('2026-12-07T14:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

const drift: AlarmSignal = { alarmName: 'adult-drift', model: 'adult', kind: 'input_drift' };
const errors: AlarmSignal = { alarmName: 'adult-errors', model: 'adult', kind: 'errors' };
const inRelease: AlarmSignal = { alarmName: 'adult-release-in-progress', model: 'adult', kind: 'release' };
const candidate: AlarmSignal = { alarmName: 'adult-candidate-errors', model: 'adult', kind: 'release' };

type Step = readonly [AlarmSignal, 'ALARM' | 'OK', number] | 'announce';

/**
 * The paging loop as the incident function and the response workflow run it: each transition grouped and its pages
 * decided; `announce` runs every pending announcement (the workflows' group waits ending). Answers every page sent.
 */
function run(steps: readonly Step[]): { incident: string; event: PageEvent }[] {
  let state: GroupingState = EMPTY_GROUPING;
  let told: Told = {};
  let pending: string[] = [];
  let next = 1;
  const pages: { incident: string; event: PageEvent }[] = [];
  for (const step of steps) {
    if (step === 'announce') {
      const waiting: string[] = [];
      for (const id of pending) {
        const decided = announcement(
          state.incidents.find((i) => i.id === id),
          told,
          releasing(state),
        );
        if (decided.outcome === 'held') waiting.push(id);
        if (decided.outcome !== 'page') continue;
        pages.push({ incident: id, event: decided.event });
        told = { ...told, [id]: 'open' };
      }
      pending = waiting;
      continue;
    }
    const [signal, value, minute] = step;
    const result = applyTransition(
      state,
      signal,
      { alarmName: signal.alarmName, state: value, time: at(minute), reason: 'r' },
      () => String(next++),
    );
    const events = Object.entries(result.effects).flatMap(([incident, effect]) =>
      effect === 'opened' || effect === 'reopened' || effect === 'resolved' ? [{ incident, event: effect }] : [],
    );
    const decided = decidePages(events, told);
    pages.push(...decided.pages);
    pending = [...pending, ...decided.announce];
    told = decided.told;
    state = { incidents: result.incidents, alarms: result.alarms };
  }
  return pages;
}

describe('pages of incidents (issue 22)', () => {
  it('announces an incident once after its group wait, pages its resolution and its reopening — not each alarm', () => {
    expect(
      run([
        [drift, 'ALARM', 0],
        [errors, 'ALARM', 0.5],
        'announce',
        [errors, 'OK', 5],
        [drift, 'OK', 6],
        [drift, 'ALARM', 20],
        'announce',
      ]),
    ).toEqual([
      { incident: '1', event: 'opened' },
      { incident: '1', event: 'resolved' },
      { incident: '1', event: 'reopened' },
    ]);
  });

  it('a storm that clears within the group wait pages nothing', () => {
    expect(run([[errors, 'ALARM', 0], [errors, 'OK', 0.5], 'announce'])).toEqual([]);
  });

  it("a release's own alarms open no incident: the release process acts on them", () => {
    const result = applyTransition(
      EMPTY_GROUPING,
      candidate,
      { alarmName: candidate.alarmName, state: 'ALARM', time: at(0), reason: 'r' },
      () => '1',
    );
    expect(result.incidents).toEqual([]);
    expect(releasing(result)).toEqual(new Set(['adult']));
  });

  it('holds the announcement while a release of its model runs; announces it when the release ends if still open', () => {
    expect(run([[inRelease, 'ALARM', 0], [errors, 'ALARM', 1], 'announce', [inRelease, 'OK', 4], 'announce'])).toEqual([
      { incident: '1', event: 'opened' },
    ]);
    expect(
      run([
        [inRelease, 'ALARM', 0],
        [errors, 'ALARM', 1],
        'announce',
        [errors, 'OK', 3],
        [inRelease, 'OK', 4],
        'announce',
      ]),
    ).toEqual([]);
  });

  it('for any sequence: opened once per incident, resolved only after it was told open, reopened only after resolved', () => {
    const signals = [drift, errors, inRelease, candidate];
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.tuple(fc.constantFrom(...signals), fc.constantFrom('ALARM' as const, 'OK' as const), fc.constant(0)),
      fc.constant('announce' as const),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const timed = steps.map((s, i): Step => (s === 'announce' ? s : [s[0], s[1], i]));
        const told = new Map<string, 'open' | 'closed'>();
        for (const { incident, event } of run(timed)) {
          const before = told.get(incident);
          if (event === 'opened') expect(before).toBeUndefined();
          if (event === 'reopened') expect(before).toBe('closed');
          if (event === 'resolved' || event === 'source changed') expect(before).toBe('open');
          told.set(incident, event === 'resolved' ? 'closed' : 'open');
        }
      }),
      { numRuns: 500 },
    );
  });
});
