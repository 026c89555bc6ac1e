/**
 * Seeded alert storms with known causes, replayed as alarm streams through the incident logic (issue 22's grouping and
 * source naming, lambdas/core/incidents/): a schema-breaking upload, covariate drift upstream, a bad promotion, a
 * corrupted artifact, a registry outage, a latency regression after a release, and two causes at once. Each storm
 * jitters its alarms' times (a downstream alarm may come first), drops some downstream members, adds changes that
 * are not the cause (another model's promotion, an upload older than the lookback) and interleaves recoveries.
 * Counts the storms that became one incident, whose source was named correctly, the wrong sources named with
 * confidence above 0.5, the storms that paged their beginning exactly once (the paging of lambdas/core/incidents/
 * paging.ts, announced after the workflow's group wait) and the slowest first page. Writes
 * bench/results/incident-storms.json.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  applyTransition,
  EMPTY_GROUPING,
  releasing,
  type AlarmTransition,
  type GroupingState,
} from '../lambdas/core/incidents/grouping.js';
import { announcement, decidePages, watch, type PageEvent, type Told } from '../lambdas/core/incidents/paging.js';
import type { AlarmSignal, SignalKind } from '../lambdas/core/incidents/signals.js';
import { likelySource, type Change } from '../lambdas/core/incidents/source.js';
import { seededRandom } from '../lambdas/core/random.js';
import { GROUP_WAIT, WATCH_INTERVAL } from '../state-machines/incident.js';

const ROOT = join(import.meta.dirname, '..');
const STORMS_PER_CAUSE = Number(process.env.STORMS_PER_CAUSE ?? 10);
/** The response workflow's group wait (state-machines/incident.ts's GROUP_WAIT). */
const GROUP_WAIT_MS = GROUP_WAIT.toMilliseconds();
const WATCH_MS = WATCH_INTERVAL.toMilliseconds();
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

interface Replayed extends GroupingState {
  /** An incident resolved before its announcement (the storm cleared within the group wait). */
  readonly clearedBeforeAnnouncement: boolean;
  /** When the first of the storm's alarms that did not flap back was delivered (ms; Infinity: none). */
  readonly firstDelivered: number;
  /** Pages sent, with the time (ms) they went out: announcements after the group wait, then updates. */
  readonly pages: { readonly event: PageEvent; readonly at: number }[];
}

/** The storm's alarm events as delivered: time order with a few swapped, some twice, some flapping. */
function deliveries(
  s: Storm,
  random: () => number,
): { events: { signal: AlarmSignal; transition: AlarmTransition }[]; lasting: string[] } {
  const events: { signal: AlarmSignal; transition: AlarmTransition }[] = [];
  const lasting: string[] = [];
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
    else lasting.push(signal.alarmName);
  }
  // Delivered in time order, a few swapped (EventBridge does not promise order), and some delivered twice.
  events.sort((a, b) => Date.parse(a.transition.time) - Date.parse(b.transition.time));
  for (let i = 1; i < events.length; i++)
    if (random() < 0.2)
      [events[i - 1], events[i]] = [events[i] as (typeof events)[number], events[i - 1] as (typeof events)[number]];
  return { events: events.flatMap((e) => (random() < 0.2 ? [e, e] : [e])), lasting };
}

/**
 * The storm through the grouping and the paging (lambdas/core/incidents/paging.ts) as the incident function and the
 * response workflows run them: an opening is announced GROUP_WAIT after it with what is known then, and each running
 * workflow watches its incident every minute (its settled resolution pages).
 */
function replay(s: Storm, random: () => number): Replayed {
  let state: GroupingState = EMPTY_GROUPING;
  let told: Told = {};
  const workflows = new Map<string, { due: number; announced: boolean }>();
  const pages: { event: PageEvent; at: number }[] = [];
  let cleared = false;
  let clock = Number.NEGATIVE_INFINITY;
  const step = (now: number) => {
    for (const [id, flow] of [...workflows]) {
      const incident = state.incidents.find((i) => i.id === id);
      if (!flow.announced) {
        if (now < flow.due) continue;
        const decided = announcement(incident, told, releasing(state));
        if (decided.outcome === 'resolved') {
          workflows.delete(id);
          cleared = true;
        }
        if (decided.outcome === 'page') {
          pages.push({ event: decided.event, at: now });
          told = { ...told, [id]: 'open' };
        }
        if (decided.outcome !== 'held') flow.announced = true;
      } else if (watch(incident, now) === 'settled') {
        workflows.delete(id);
        if (told[id] !== 'open') continue;
        pages.push({ event: 'resolved', at: now });
        told = { ...told, [id]: 'closed' };
      }
    }
  };
  // The workflows' steps at every WATCH_MS up to a time (their waits end on the minute).
  const runUntil = (time: number) => {
    const from = clock === Number.NEGATIVE_INFINITY ? time : clock;
    for (let t = Math.ceil(from / WATCH_MS) * WATCH_MS; t <= time; t += WATCH_MS) step(t);
    clock = Math.max(clock, time);
  };
  const { events: delivered, lasting } = deliveries(s, random);
  let firstDelivered = Number.POSITIVE_INFINITY;
  for (const e of delivered) {
    const time = Date.parse(e.transition.time);
    runUntil(time);
    // Delivered no earlier than the events before it (a swapped event arrives late).
    if (e.transition.state === 'ALARM' && lasting.includes(e.signal.alarmName))
      firstDelivered = Math.min(firstDelivered, Math.max(clock, time));
    const result = applyTransition(state, e.signal, e.transition, () => `inc-${e.transition.time}`);
    const events = Object.entries(result.effects).flatMap(([incident, effect]) =>
      effect === 'opened' || effect === 'reopened' || effect === 'resolved' ? [{ incident, event: effect }] : [],
    );
    const decided = decidePages(events, told, new Set(workflows.keys()));
    for (const page of decided.pages) pages.push({ event: page.event, at: time });
    for (const id of decided.announce) workflows.set(id, { due: time + GROUP_WAIT_MS, announced: false });
    state = { incidents: result.incidents, alarms: result.alarms };
  }
  runUntil(clock + 24 * 3_600_000);
  // A storm whose every alarm flapped back within a minute may clear before its announcement (a blip: no page).
  const allFlapped = lasting.length === 0;
  return { ...state, pages, clearedBeforeAnnouncement: cleared || (allFlapped && pages.length === 0), firstDelivered };
}

const random = seededRandom(22);
const rows = Object.keys(CAUSES).flatMap((cause) =>
  Array.from({ length: STORMS_PER_CAUSE }, () => {
    const s = storm(cause, random);
    const { incidents, pages, clearedBeforeAnnouncement, firstDelivered } = replay(s, random);
    // Measured from the delivery of the first alarm that lasted (one that flapped back within a minute is a blip).
    const first = firstDelivered;
    const openings = pages.filter((p) => p.event === 'opened' || p.event === 'reopened');
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
      openingPages: openings.length,
      clearedBeforeAnnouncement,
      firstPageSeconds: openings.length > 0 ? ((openings[0]?.at ?? 0) - first) / 1000 : null,
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
        one_page: of.filter((r) => r.openingPages === 1).length,
      },
    ];
  }),
);
const output = {
  storms: rows.length,
  right: rows.filter((r) => r.right).length,
  confidently_wrong: rows.filter((r) => r.confidentlyWrong).length,
  one_incident: rows.filter((r) => r.incidents === 1).length,
  /** Storms that paged their beginning exactly once (of those that did not clear within the group wait). */
  one_page: rows.filter((r) => r.openingPages === 1).length,
  /** Storms that paged their beginning more than once (a resolution paged, then a reopening). */
  paged_twice_or_more: rows.filter((r) => r.openingPages > 1).length,
  /** The slowest first page after the delivery of the storm's first lasting alarm (the group wait is 60 s). */
  max_first_page_seconds: Math.max(...rows.flatMap((r) => (r.firstPageSeconds === null ? [] : [r.firstPageSeconds]))),
  /** Storms that cleared before their group wait ended: announced as nothing (a blip), by design. */
  cleared_before_announcement: rows.filter((r) => r.clearedBeforeAnnouncement).length,
  by_cause: byCause,
  wrong: rows.filter((r) => !r.right).slice(0, 10),
  not_one_page: rows.filter((r) => r.openingPages !== 1).slice(0, 10),
  slowest_first_pages: [...rows].sort((a, b) => (b.firstPageSeconds ?? 0) - (a.firstPageSeconds ?? 0)).slice(0, 3),
};
writeFileSync(join(ROOT, 'bench', 'results', 'incident-storms.json'), `${JSON.stringify(output, null, 2)}\n`);
console.log(JSON.stringify(output, null, 2));
