/**
 * Seeded alert storms with known causes, replayed as alarm streams through the incident logic (issue 22's grouping and
 * source naming, lambdas/core/incidents/): a schema-breaking upload, covariate drift upstream, a bad promotion, a
 * corrupted artifact, a registry outage, a latency regression after a release, and two causes at once. Each storm
 * jitters its alarms' times (a downstream alarm may come first), drops some downstream members, adds changes that
 * are not the cause (another model's promotion, an upload older than the lookback) and interleaves recoveries.
 * Counts the storms that became one incident, whose source was named correctly, and the wrong sources named with
 * confidence above 0.5. Writes bench/results/incident-storms.json.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  applyTransition,
  EMPTY_GROUPING,
  type AlarmTransition,
  type GroupingState,
} from '../lambdas/core/incidents/grouping.js';
import type { AlarmSignal, SignalKind } from '../lambdas/core/incidents/signals.js';
import { likelySource, type Change } from '../lambdas/core/incidents/source.js';
import { seededRandom } from '../lambdas/core/random.js';

const ROOT = join(import.meta.dirname, '..');
const STORMS_PER_CAUSE = Number(process.env.STORMS_PER_CAUSE ?? 10);
const T0 = Date.parse('2026-12-07T14:00:00Z');

interface Storm {
  readonly cause: string;
  readonly alarms: { readonly signal: AlarmSignal; readonly minute: number }[];
  readonly changes: Change[];
  /** Words the named source must contain to be right (all of them). */
  readonly expect: string[];
}

const sig = (model: string | null, kind: SignalKind): AlarmSignal => ({
  alarmName: `${model ?? 'stack'}-${kind}`,
  model,
  kind,
});
const at = (minute: number) => new Date(T0 + minute * 60_000).toISOString();

interface Tools {
  readonly jitter: (minute: number) => number;
  readonly maybe: <T>(item: T, p?: number) => T[];
  readonly chain: (kinds: SignalKind[], start: number) => { signal: AlarmSignal; minute: number }[];
  readonly noise: Change[];
}

/** The storm generator's tools: jittered times, members that may be missing, changes that are not the cause. */
function tools(random: () => number): Tools {
  const jitter = (minute: number) => minute + Math.round((random() - 0.5) * 12);
  return {
    jitter,
    maybe: <T>(item: T, p = 0.7): T[] => (random() < p ? [item] : []),
    chain: (kinds, start) =>
      kinds.map((kind, i) => ({ signal: sig('adult', kind), minute: i === 0 ? start : jitter(start + 15 * i) })),
    noise: [
      { kind: 'promotion', model: 'other', at: at(-10), version: 4, what: 'promotion of other v4' },
      { kind: 'upload', model: 'adult', at: at(-60 * 30), what: 'upload incoming/adult/old.csv' },
    ],
  };
}

/** Each cause: the chain's alarms after it, and what its named source must mention. */
const CAUSES: Record<string, (t: Tools) => Omit<Storm, 'cause'>> = {
  'schema-breaking upload': (t) => ({
    alarms: [{ signal: sig('adult', 'pipeline'), minute: 3 }],
    changes: [...t.noise, { kind: 'upload', model: 'adult', at: at(0), what: 'upload incoming/adult/broken.csv' }],
    expect: ['broken.csv'],
  }),
  'covariate drift': (t) => ({
    alarms: [
      ...t.chain(['input_drift'], 0),
      ...t.maybe({ signal: sig('adult', 'prediction_drift'), minute: t.jitter(15) }, 0.8),
      ...t.maybe({ signal: sig('adult', 'estimated_decay'), minute: t.jitter(20) }),
      ...t.maybe({ signal: sig('adult', 'realized_decay'), minute: t.jitter(40) }),
    ],
    changes: t.noise,
    expect: ['input drift'],
  }),
  'bad promotion': (t) => ({
    alarms: [
      { signal: sig('adult', 'estimated_decay'), minute: 25 },
      ...t.maybe({ signal: sig('adult', 'prediction_drift'), minute: t.jitter(30) }),
      ...t.maybe({ signal: sig('adult', 'realized_decay'), minute: t.jitter(45) }),
    ],
    changes: [...t.noise, { kind: 'promotion', model: 'adult', at: at(0), version: 3, what: 'promotion of v3' }],
    expect: ['promotion of v3'],
  }),
  'corrupted artifact': (t) => ({
    alarms: [
      { signal: sig('adult', 'serving_load'), minute: 5 },
      ...t.maybe({ signal: sig('adult', 'errors'), minute: t.jitter(8) }),
    ],
    changes: t.noise,
    expect: ['serving cannot load'],
  }),
  'registry outage': (t) => ({
    alarms: [
      { signal: sig(null, 'platform'), minute: t.jitter(2) },
      { signal: sig('adult', 'serving_load'), minute: t.jitter(4) },
      ...t.maybe({ signal: sig('adult', 'errors'), minute: t.jitter(6) }),
    ],
    changes: t.noise,
    expect: ['platform failure'],
  }),
  'latency regression after a release': (t) => ({
    alarms: [{ signal: sig('adult', 'latency'), minute: 12 }],
    changes: [...t.noise, { kind: 'release', model: 'adult', at: at(0), version: 5, what: 'release of v5' }],
    expect: ['release of v5'],
  }),
  // Drift upstream and a latency regression, no change behind either: both must be named.
  'two causes at once': (t) => ({
    alarms: [...t.chain(['input_drift'], 0), { signal: sig('adult', 'latency'), minute: t.jitter(5) }],
    changes: t.noise,
    expect: ['input drift', 'latency'],
  }),
};

const storm = (cause: string, random: () => number): Storm => ({
  cause,
  ...(CAUSES[cause] as (t: Tools) => Omit<Storm, 'cause'>)(tools(random)),
});

function replay(s: Storm, random: () => number): GroupingState {
  const events: { signal: AlarmSignal; transition: AlarmTransition }[] = [];
  for (const { signal, minute } of s.alarms) {
    events.push({
      signal,
      transition: { alarmName: signal.alarmName, state: 'ALARM', time: at(minute), reason: 'threshold crossed' },
    });
    // Some alarms flap back to OK and alarm again while the storm goes on.
    if (random() < 0.2)
      events.push({
        signal,
        transition: { alarmName: signal.alarmName, state: 'OK', time: at(minute + 1), reason: 'recovered' },
      });
  }
  // Delivered in time order, a few swapped (EventBridge does not promise order), and some delivered twice.
  events.sort((a, b) => Date.parse(a.transition.time) - Date.parse(b.transition.time));
  for (let i = 1; i < events.length; i++)
    if (random() < 0.2)
      [events[i - 1], events[i]] = [events[i] as (typeof events)[number], events[i - 1] as (typeof events)[number]];
  const delivered = events.flatMap((e) => (random() < 0.2 ? [e, e] : [e]));
  return delivered.reduce<GroupingState>((state, e) => {
    const { incidents, alarms } = applyTransition(state, e.signal, e.transition, () => `inc-${e.transition.time}`);
    return { incidents, alarms };
  }, EMPTY_GROUPING);
}

const random = seededRandom(22);
const rows = Object.keys(CAUSES).flatMap((cause) =>
  Array.from({ length: STORMS_PER_CAUSE }, () => {
    const s = storm(cause, random);
    const { incidents } = replay(s, random);
    // The storm's incident: the one opened first (a flap may have resolved and reopened it).
    const incident = incidents[0];
    const source = incident === undefined ? undefined : likelySource(incident, s.changes);
    const text = `${source?.summary ?? ''} ${source?.evidence ?? ''}`;
    const right = source !== undefined && s.expect.every((word) => text.includes(word));
    return {
      cause,
      incidents: incidents.length,
      right,
      confidentlyWrong: !right && source !== undefined && source.kind !== 'uncertain' && source.confidence > 0.5,
      source: source?.summary ?? null,
      confidence: source?.confidence ?? null,
    };
  }),
);
const byCause = Object.fromEntries(
  Object.keys(CAUSES).map((cause) => {
    const of = rows.filter((r) => r.cause === cause);
    return [
      cause,
      {
        storms: of.length,
        right: of.filter((r) => r.right).length,
        one_incident: of.filter((r) => r.incidents === 1).length,
      },
    ];
  }),
);
const output = {
  storms: rows.length,
  right: rows.filter((r) => r.right).length,
  confidently_wrong: rows.filter((r) => r.confidentlyWrong).length,
  one_incident: rows.filter((r) => r.incidents === 1).length,
  by_cause: byCause,
  wrong: rows.filter((r) => !r.right).slice(0, 10),
};
writeFileSync(join(ROOT, 'bench', 'results', 'incident-storms.json'), `${JSON.stringify(output, null, 2)}\n`);
console.log(JSON.stringify(output, null, 2));
