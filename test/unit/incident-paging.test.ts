import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyTransition,
  EMPTY_GROUPING,
  releasing,
  type GroupingState,
} from '../../lambdas/core/incidents/grouping.js';
import { decidePages, type PageDecision, type PageEvent } from '../../lambdas/core/incidents/paging.js';
import type { AlarmSignal } from '../../lambdas/core/incidents/signals.js';

const T0 = Date.parse('2026-12-07T14:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

const drift: AlarmSignal = { alarmName: 'adult-drift', model: 'adult', kind: 'input_drift' };
const errors: AlarmSignal = { alarmName: 'adult-errors', model: 'adult', kind: 'errors' };
const inRelease: AlarmSignal = { alarmName: 'adult-release-in-progress', model: 'adult', kind: 'release' };
const candidate: AlarmSignal = { alarmName: 'adult-candidate-errors', model: 'adult', kind: 'release' };

/**
 * The whole paging loop as the incident function runs it: grouping, then the page decision with the held incidents
 * carried from one transition to the next. Answers every page owed, in order.
 */
function run(steps: readonly [AlarmSignal, 'ALARM' | 'OK', number][]): { incident: string; event: PageEvent }[] {
  let state: GroupingState = EMPTY_GROUPING;
  let held: Pick<PageDecision, 'held' | 'untold'> = { held: {}, untold: [] };
  let next = 1;
  const pages: { incident: string; event: PageEvent }[] = [];
  for (const [signal, value, minute] of steps) {
    const result = applyTransition(
      state,
      signal,
      { alarmName: signal.alarmName, state: value, time: at(minute), reason: 'r' },
      () => String(next++),
    );
    const events = Object.entries(result.effects).flatMap(([incident, effect]) =>
      effect === 'opened' || effect === 'reopened' || effect === 'resolved' ? [{ incident, event: effect }] : [],
    );
    const decided = decidePages(result.incidents, events, held, releasing(result));
    pages.push(...decided.pages);
    held = decided;
    state = { incidents: result.incidents, alarms: result.alarms };
  }
  return pages;
}

describe('pages of incidents (issue 22)', () => {
  it('pages an incident when it opens, resolves and reopens (within the window), not per alarm', () => {
    expect(
      run([
        [drift, 'ALARM', 0],
        [errors, 'ALARM', 1],
        [errors, 'OK', 5],
        [drift, 'OK', 6],
        [drift, 'ALARM', 20],
      ]),
    ).toEqual([
      { incident: '1', event: 'opened' },
      { incident: '1', event: 'resolved' },
      { incident: '1', event: 'reopened' },
    ]);
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

  it('holds the pages of a model releasing; an incident still open when the release ends pages then', () => {
    expect(
      run([
        [inRelease, 'ALARM', 0],
        [errors, 'ALARM', 1],
        [inRelease, 'OK', 4],
        [errors, 'OK', 9],
      ]),
    ).toEqual([
      { incident: '1', event: 'opened' },
      { incident: '1', event: 'resolved' },
    ]);
  });

  it('an incident that opens and resolves within a release pages nothing (nobody was told it began)', () => {
    expect(
      run([
        [inRelease, 'ALARM', 0],
        [errors, 'ALARM', 1],
        [errors, 'OK', 3],
        [inRelease, 'OK', 4],
      ]),
    ).toEqual([]);
  });

  it('for any sequence: an incident pages as opened once, resolved only after it was told open, reopened only after resolved', () => {
    const signals = [drift, errors, inRelease, candidate];
    const step = fc.tuple(fc.constantFrom(...signals), fc.constantFrom('ALARM' as const, 'OK' as const));
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        const pages = run(steps.map(([s, v], i) => [s, v, i]));
        const opened = new Set<string>();
        const resolvedSince = new Map<string, boolean>();
        for (const { incident, event } of pages) {
          if (event === 'opened' || event === 'reopened') {
            // Opened once; then told again only after a resolution it was told of.
            expect(event === 'opened' ? !opened.has(incident) : resolvedSince.get(incident)).toBe(true);
            opened.add(incident);
            resolvedSince.set(incident, false);
          } else {
            expect(opened.has(incident)).toBe(true);
            if (event === 'resolved') resolvedSince.set(incident, true);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
