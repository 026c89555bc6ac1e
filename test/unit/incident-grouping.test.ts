import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyTransition,
  EMPTY_GROUPING,
  KEEP_RESOLVED_HOURS,
  withoutOldIncidents,
  type AlarmTransition,
  type GroupingState,
  type Incident,
} from '../../lambdas/core/incidents/grouping.js';
import type { AlarmSignal, SignalKind } from '../../lambdas/core/incidents/signals.js';
import { likelySource, sourceLine, type Change } from '../../lambdas/core/incidents/source.js';

const T0 = Date.parse('2026-12-07T14:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

const signal = (model: string | null, kind: SignalKind, name = `${model ?? 'stack'}-${kind}`): AlarmSignal => ({
  alarmName: name,
  model,
  kind,
});

interface Step {
  readonly signal: AlarmSignal;
  readonly transition: AlarmTransition;
}
const alarm = (s: AlarmSignal, minute: number, reason = 'threshold crossed'): Step => ({
  signal: s,
  transition: { alarmName: s.alarmName, state: 'ALARM', time: at(minute), reason },
});
const ok = (s: AlarmSignal, minute: number): Step => ({
  signal: s,
  transition: { alarmName: s.alarmName, state: 'OK', time: at(minute), reason: 'recovered' },
});

/** Applies the steps in order; an incident opened by a transition is named after it, so replays name it the same. */
function apply(steps: readonly Step[], from: GroupingState = EMPTY_GROUPING): GroupingState {
  return steps.reduce((state, step) => {
    const { incidents, alarms } = applyTransition(
      state,
      step.signal,
      step.transition,
      () => `inc:${step.transition.alarmName}@${step.transition.time}`,
    );
    return { incidents, alarms };
  }, from);
}
const replay = (steps: readonly Step[]): Incident[] => apply(steps).incidents;

const drift = signal('adult', 'input_drift');
const realized = signal('adult', 'realized_decay');
const estimated = signal('adult', 'estimated_decay');
const refresh = signal('adult', 'serving_load');
const registry = signal(null, 'platform', 'stack-predict-threw');

describe('alarms grouped into incidents (issue 22)', () => {
  it('drift and realized-accuracy alarms of a model make one incident, whose source is the input drift', () => {
    const incidents = replay([
      alarm(drift, 0, 'age drifted (KS 0.31, p 2e-14)'),
      alarm(realized, 20),
      alarm(estimated, 10),
    ]);
    expect(incidents).toHaveLength(1);
    const [incident] = incidents as [Incident];
    expect(incident.models).toEqual(['adult']);
    expect(incident.members.map((m) => m.kind)).toEqual(['input_drift', 'realized_decay', 'estimated_decay']);
    const source = likelySource(incident, []);
    expect(source).toMatchObject({ kind: 'signal', confidence: 0.85 });
    expect(sourceLine('7', incident, source)).toBe(
      'incident 7 (adult): likely source — input drift (adult-input_drift) at 14:00 (first of the quality chain to alarm: input drift; age drifted (KS 0.31, p 2e-14); confidence 0.85)',
    );
  });

  it('a quality drop on a freshly promoted version names the promotion (inputs unchanged)', () => {
    const [incident] = replay([alarm(estimated, 30), alarm(realized, 45)]) as [Incident];
    const changes: Change[] = [
      { kind: 'upload', model: 'adult', at: at(-600), what: 'upload incoming/adult/june.csv' },
      { kind: 'promotion', model: 'adult', at: at(-28), version: 3, what: 'promotion of v3' },
      { kind: 'promotion', model: 'other', at: at(-5), version: 9, what: 'promotion of other v9' },
    ];
    expect(likelySource(incident, changes)).toEqual({
      kind: 'change',
      summary: 'promotion of v3 at 13:32',
      evidence: 'quality fell after it (estimated performance decay); inputs unchanged',
      confidence: 0.85,
    });
  });

  it('input drift after an upload names the upload', () => {
    const [incident] = replay([alarm(drift, 0, 'age drifted')]) as [Incident];
    const upload: Change = { kind: 'upload', model: 'adult', at: at(-60), what: 'upload incoming/adult/june.csv' };
    expect(likelySource(incident, [upload])).toMatchObject({
      kind: 'change',
      summary: expect.stringContaining('june'),
    });
    // An upload whose run failed trained nothing: it cannot have moved what the inputs are compared with.
    expect(likelySource(incident, [{ ...upload, failed: true }])).toMatchObject({
      kind: 'signal',
      summary: expect.stringContaining('input drift'),
    });
  });

  it('a registry outage: the stack-wide alarm and the model’s serving alarm make one incident, in either order', () => {
    for (const steps of [
      [alarm(registry, 0, 'predict threw'), alarm(refresh, 2)],
      [alarm(refresh, 0), alarm(registry, 2, 'predict threw')],
    ]) {
      const incidents = replay(steps);
      expect(incidents).toHaveLength(1);
      expect(likelySource(incidents[0] as Incident, [])).toMatchObject({ kind: 'signal', confidence: 0.9 });
      expect(likelySource(incidents[0] as Incident, []).summary).toMatch(/^platform failure/);
    }
  });

  it('two causes at once (drift and a latency regression, no change behind either): uncertain, never confident', () => {
    const [incident] = replay([alarm(drift, 0), alarm(signal('adult', 'latency'), 3)]) as [Incident];
    const source = likelySource(incident, []);
    expect(source.kind).toBe('uncertain');
    expect(source.confidence).toBeLessThanOrEqual(0.5);
  });

  it('resolves when every member is out of ALARM; an older event changes nothing; a new alarm then opens a new incident', () => {
    let state = apply([alarm(drift, 0), alarm(realized, 5), ok(drift, 30)]);
    expect(state.incidents[0]?.status).toBe('open');
    // An ALARM of drift from before its OK, delivered late, does not bring it back.
    state = apply([alarm(drift, 20)], state);
    expect(state.incidents[0]?.members.find((m) => m.kind === 'input_drift')?.state).toBe('OK');
    state = apply([ok(realized, 40)], state);
    expect(state.incidents[0]).toMatchObject({ status: 'resolved', resolvedAt: at(40) });
    state = apply([alarm(realized, 90)], state);
    expect(state.incidents.map((i) => i.status)).toEqual(['resolved', 'open']);
  });

  it('an ALARM delivered after its own recovery (events out of order) is recorded, resolved at the recovery', () => {
    const state = apply([ok(drift, 10), alarm(drift, 5)]);
    expect(state.incidents).toEqual([
      expect.objectContaining({
        status: 'resolved',
        openedAt: at(5),
        resolvedAt: at(10),
        members: [expect.objectContaining({ alarmName: drift.alarmName, state: 'OK', firstAlarmAt: at(5) })],
      }),
    ]);
    // Delivered again, either event changes nothing; a stale ALARM of an alarm that is alarming changes nothing.
    expect(apply([alarm(drift, 5), ok(drift, 10)], state)).toEqual(state);
    const alarming = apply([alarm(realized, 10)]);
    expect(apply([alarm(realized, 5)], alarming)).toEqual(alarming);
  });

  it('an OK of an alarm in no open incident is ignored', () => {
    const result = applyTransition(EMPTY_GROUPING, drift, ok(drift, 0).transition, () => 'x');
    expect(result).toMatchObject({ incidents: [], effects: {} });
  });
});

const kinds: SignalKind[] = ['input_drift', 'prediction_drift', 'realized_decay', 'serving_load', 'errors', 'latency'];
const arbitraryStep = fc
  .record({
    model: fc.constantFrom<string | null>('a', 'b', null),
    kind: fc.constantFrom(...kinds),
    state: fc.constantFrom<'ALARM' | 'OK'>('ALARM', 'ALARM', 'OK'),
    minute: fc.integer({ min: 0, max: 240 }),
  })
  .map(({ model, kind, state, minute }): Step => {
    const s = model === null ? signal(null, 'platform', 'stack-platform') : signal(model, kind);
    return state === 'ALARM' ? alarm(s, minute) : ok(s, minute);
  });

describe('grouping properties (fast-check)', () => {
  it('replaying any events again changes nothing', () => {
    fc.assert(
      fc.property(fc.array(arbitraryStep, { maxLength: 30 }), fc.array(fc.nat(), { maxLength: 30 }), (steps, picks) => {
        const once = apply(steps);
        const again = picks.map((p) => steps[p % Math.max(1, steps.length)]).filter((s): s is Step => s !== undefined);
        expect(apply(again, once)).toEqual(once);
      }),
    );
  });

  it("model b's alarms never change an incident of model a", () => {
    fc.assert(
      fc.property(fc.array(arbitraryStep, { maxLength: 30 }), (steps) => {
        const modelOnly = steps.filter((s) => s.signal.model !== null);
        const withB = replay(modelOnly).filter((i) => i.models.includes('a'));
        const withoutB = replay(modelOnly.filter((s) => s.signal.model === 'a'));
        expect(withB).toEqual(withoutB);
        for (const incident of replay(steps)) expect(incident.models.length).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('an alarm is a member once per incident, and an open incident has a member in ALARM', () => {
    fc.assert(
      fc.property(fc.array(arbitraryStep, { maxLength: 40 }), (steps) => {
        for (const incident of replay(steps)) {
          const names = incident.members.map((m) => m.alarmName);
          expect(new Set(names).size).toBe(names.length);
          if (incident.status === 'open') expect(incident.members.some((m) => m.state === 'ALARM')).toBe(true);
        }
      }),
    );
  });

  it('lets go of incidents resolved more than a day ago (the longest an event may still come), keeping the rest', () => {
    const [resolved] = replay([alarm(drift, 0), ok(drift, 10)]) as [Incident];
    const [open] = replay([alarm(realized, 0)]) as [Incident];
    const resolvedAt = Date.parse(resolved.resolvedAt as string);
    const hour = 3_600_000;
    expect(withoutOldIncidents([resolved, open], resolvedAt + KEEP_RESOLVED_HOURS * hour, new Set())).toHaveLength(2);
    expect(withoutOldIncidents([resolved, open], resolvedAt + KEEP_RESOLVED_HOURS * hour + 1, new Set())).toEqual([
      open,
    ]);
    // One whose response workflow still runs is kept whatever its age.
    expect(
      withoutOldIncidents([resolved, open], resolvedAt + 48 * hour, new Set([resolved.id])).map((i) => i.id),
    ).toEqual([resolved.id, open.id]);
  });
});
