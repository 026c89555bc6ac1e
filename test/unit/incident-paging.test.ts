import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyTransition,
  EMPTY_GROUPING,
  releasing,
  type GroupingState,
} from '../../lambdas/core/incidents/grouping.js';
import {
  announcement,
  decidePages,
  SETTLE_MINUTES,
  watch,
  type PageEvent,
  type Told,
} from '../../lambdas/core/incidents/paging.js';
import type { AlarmSignal } from '../../lambdas/core/incidents/signals.js';

const T0 = Date.parse('2026-12-07T14:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

const drift: AlarmSignal = { alarmName: 'adult-drift', model: 'adult', kind: 'input_drift' };
const errors: AlarmSignal = { alarmName: 'adult-errors', model: 'adult', kind: 'errors' };
const inRelease: AlarmSignal = { alarmName: 'adult-release-in-progress', model: 'adult', kind: 'release' };
const candidate: AlarmSignal = { alarmName: 'adult-candidate-errors', model: 'adult', kind: 'release' };

/** An alarm transition, or the response workflows' steps at a minute: announcements due, then their watches. */
type Step = readonly [AlarmSignal, 'ALARM' | 'OK', number] | readonly ['workflows', number];

/**
 * The paging loop as the incident function and the response workflows run it: each transition grouped and its pages
 * decided; `workflows` runs each running workflow's step (an announcement not made yet, else a watch). Answers every
 * page sent.
 */
function run(steps: readonly Step[]): { incident: string; event: PageEvent }[] {
  let state: GroupingState = EMPTY_GROUPING;
  let told: Told = {};
  // Running workflows: announced yet or not.
  let responding = new Map<string, 'announcing' | 'watching'>();
  let next = 1;
  const pages: { incident: string; event: PageEvent }[] = [];
  for (const step of steps) {
    if (step[0] === 'workflows') {
      const now = T0 + step[1] * 60_000;
      const still = new Map<string, 'announcing' | 'watching'>();
      for (const [id, phase] of responding) {
        const incident = state.incidents.find((i) => i.id === id);
        if (phase === 'announcing') {
          const decided = announcement(incident, told, releasing(state));
          if (decided.outcome === 'resolved') continue;
          if (decided.outcome === 'page') {
            pages.push({ incident: id, event: decided.event });
            told = { ...told, [id]: 'open' };
          }
          still.set(id, decided.outcome === 'held' ? 'announcing' : 'watching');
        } else if (watch(incident, now) === 'settled') {
          if (told[id] === 'open') {
            pages.push({ incident: id, event: 'resolved' });
            told = { ...told, [id]: 'closed' };
          }
        } else still.set(id, 'watching');
      }
      responding = still;
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
    const decided = decidePages(events, told, new Set(responding.keys()));
    pages.push(...decided.pages);
    for (const id of decided.announce) responding.set(id, 'announcing');
    state = { incidents: result.incidents, alarms: result.alarms };
  }
  return pages;
}

describe('pages of incidents (issue 22)', () => {
  it('announces an incident once after its group wait and pages its resolution once settled — not each alarm', () => {
    expect(
      run([
        [drift, 'ALARM', 0],
        [errors, 'ALARM', 0.5],
        ['workflows', 1],
        [errors, 'OK', 5],
        [drift, 'OK', 6],
        ['workflows', 7],
        ['workflows', 6 + SETTLE_MINUTES],
        ['workflows', 6 + SETTLE_MINUTES + 1],
        // Past the settle time the storm is over: an alarm now opens a new incident.
        [drift, 'ALARM', 40],
        ['workflows', 41],
      ]),
    ).toEqual([
      { incident: '1', event: 'opened' },
      { incident: '1', event: 'resolved' },
      { incident: '2', event: 'opened' },
    ]);
  });

  it('an alarm that flaps back within the settle time is the same storm: no resolution, no reopening paged', () => {
    expect(
      run([
        [drift, 'ALARM', 0],
        ['workflows', 1],
        [drift, 'OK', 2],
        ['workflows', 3],
        [drift, 'ALARM', 4],
        ['workflows', 5],
        ['workflows', 20],
      ]),
    ).toEqual([{ incident: '1', event: 'opened' }]);
  });

  it('a storm that clears within the group wait pages nothing', () => {
    expect(
      run([
        [errors, 'ALARM', 0],
        [errors, 'OK', 0.5],
        ['workflows', 1],
        ['workflows', 10],
      ]),
    ).toEqual([]);
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
    const held = [
      [inRelease, 'ALARM', 0],
      [errors, 'ALARM', 1],
      ['workflows', 2],
    ] as const;
    expect(run([...held, [inRelease, 'OK', 4], ['workflows', 5]])).toEqual([{ incident: '1', event: 'opened' }]);
    expect(run([...held, [errors, 'OK', 3], [inRelease, 'OK', 4], ['workflows', 5]])).toEqual([]);
  });

  it('for any sequence: opened once per incident, resolved only after it was told open, reopened only after resolved', () => {
    const signals = [drift, errors, inRelease, candidate];
    const step = fc.oneof(
      fc.tuple(fc.constantFrom(...signals), fc.constantFrom('ALARM' as const, 'OK' as const)),
      fc.constant('workflows' as const),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const timed = steps.map((s, i): Step => (s === 'workflows' ? ['workflows', i * 2] : [s[0], s[1], i * 2]));
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
