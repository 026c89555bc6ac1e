import { branchOf, type AlarmSignal, type SignalKind } from './signals.js';

/**
 * Alarm transitions grouped into incidents (issue 22), as a pure function of the incidents so far and one transition,
 * so the function that applies it can write the result with one conditional write and a replayed or re-delivered
 * event changes nothing:
 * - a model's alarm joins its model's open incident (or one resolved within REOPEN_MINUTES, which it reopens); else
 *   an open stack-wide incident that concerns no other model (a registry outage explains a model's failing
 *   refreshes); else it opens one;
 * - a stack-wide alarm joins every open incident (it can explain them all), or opens its own;
 * - an alarm's return to OK updates it wherever it is a member; an incident whose members are all out of ALARM is
 *   resolved.
 * Each alarm's latest transition is kept: an event no newer than it (a replay, a re-delivery, or one overtaken by a
 * later transition of the same alarm — events arrive out of order) changes nothing. A model's alarm never changes an
 * incident that concerns another model.
 */

export type AlarmState = 'ALARM' | 'OK' | 'INSUFFICIENT_DATA';

export interface AlarmTransition {
  readonly alarmName: string;
  readonly state: AlarmState;
  /** When the alarm changed state (ISO), as CloudWatch's event says. */
  readonly time: string;
  readonly reason: string;
}

export interface IncidentMember {
  readonly alarmName: string;
  readonly model: string | null;
  readonly kind: SignalKind;
  readonly state: AlarmState;
  /** When it first went to ALARM within the incident. */
  readonly firstAlarmAt: string;
  /** Its latest transition applied. */
  readonly changedAt: string;
  /** Why it last alarmed (CloudWatch's reason). */
  readonly reason: string;
}

export interface Incident {
  readonly id: string;
  /** The models it concerns (none for a storm of stack-wide alarms only). */
  readonly models: string[];
  readonly status: 'open' | 'resolved';
  readonly openedAt: string;
  readonly updatedAt: string;
  readonly resolvedAt: string | null;
  readonly members: IncidentMember[];
}

/** An alarm's latest transition seen, with what it says (so a release in progress is known by model). */
export interface AlarmSeen {
  readonly state: AlarmState;
  readonly time: string;
  readonly model?: string | null;
  readonly kind?: SignalKind;
}

/** Every incident, and each alarm's latest transition seen (what makes an older or repeated event a no-op). */
export interface GroupingState {
  readonly incidents: Incident[];
  readonly alarms: Record<string, AlarmSeen>;
}

export type GroupingEffect = 'opened' | 'joined' | 'updated' | 'reopened' | 'resolved';

export interface GroupingResult extends GroupingState {
  /** What the transition did to each incident it touched (by id). */
  readonly effects: Record<string, GroupingEffect>;
}

export const EMPTY_GROUPING: GroupingState = { incidents: [], alarms: {} };

const later = (a: string, b: string): string => (Date.parse(a) >= Date.parse(b) ? a : b);

/** The incident with the transition applied to its member (added when it alarms and is not one yet). */
function withTransition(incident: Incident, signal: AlarmSignal, t: AlarmTransition): Incident {
  const existing = incident.members.find((m) => m.alarmName === t.alarmName);
  let members = incident.members;
  if (existing === undefined) {
    members = [...members, { ...signal, state: t.state, firstAlarmAt: t.time, changedAt: t.time, reason: t.reason }];
  } else if (Date.parse(t.time) > Date.parse(existing.changedAt)) {
    // The reason kept is the alarm's (why it alarmed), not its recovery's.
    const reason = t.state === 'ALARM' ? t.reason : existing.reason;
    members = members.map((m) => (m === existing ? { ...m, state: t.state, changedAt: t.time, reason } : m));
  }
  const models =
    signal.model !== null && !incident.models.includes(signal.model)
      ? [...incident.models, signal.model]
      : incident.models;
  const allClear = members.every((m) => m.state !== 'ALARM');
  return {
    ...incident,
    models,
    members,
    updatedAt: later(incident.updatedAt, t.time),
    ...(allClear
      ? { status: 'resolved' as const, resolvedAt: incident.resolvedAt ?? t.time }
      : { status: 'open' as const, resolvedAt: null }),
  };
}

/**
 * How long after its members cleared an incident takes back one of its models' alarms (reopened, not a new incident):
 * alarms flap at their thresholds, and a storm that pauses for a period is still one storm.
 */
export const REOPEN_MINUTES = 30;

/** Open, or resolved within REOPEN_MINUTES of `time`. */
const live = (incident: Incident, time: string): boolean =>
  incident.status === 'open' ||
  (incident.resolvedAt !== null && Date.parse(time) - Date.parse(incident.resolvedAt) <= REOPEN_MINUTES * 60_000);

/**
 * Whether a signal can explain an incident (or be explained by it): the platform beneath explains anything; otherwise
 * they share a branch of the causal chain (a failed execution and a model's failed run; a queue of undelivered uploads
 * and a data anomaly).
 */
function related(incident: Incident, signal: AlarmSignal): boolean {
  const branch = branchOf(signal.kind);
  return incident.members.some(
    (m) => m.kind === 'platform' || signal.kind === 'platform' || branchOf(m.kind) === branch,
  );
}

/** The live incidents an alarm going to ALARM joins (empty: it opens one). */
function joinable(incidents: readonly Incident[], signal: AlarmSignal, time: string): Incident[] {
  const alive = incidents.filter((i) => live(i, time));
  if (signal.model === null) {
    // Every open incident it can explain; else the latest recently resolved one it alarmed in (it flaps).
    const open = alive.filter((i) => i.status === 'open' && related(i, signal));
    if (open.length > 0) return open;
    return alive.filter((i) => i.members.some((m) => m.alarmName === signal.alarmName)).slice(-1);
  }
  const own = alive.filter((i) => i.models.includes(signal.model as string));
  if (own.length > 0) return own.slice(0, 1);
  // A stack-wide incident that concerns no model yet, on the signal's branch (or the platform beneath it).
  const stackWide = alive.filter((i) => i.models.length === 0 && i.status === 'open' && related(i, signal));
  return stackWide.slice(0, 1);
}

/** The models with a release in progress: one of their release alarms is in ALARM. */
export function releasing(state: GroupingState): Set<string> {
  return new Set(
    Object.values(state.alarms)
      .filter((a) => a.kind === 'release' && a.state === 'ALARM' && typeof a.model === 'string')
      .map((a) => a.model as string),
  );
}

const omit = <T>(record: Record<string, T>, key: string): Record<string, T> =>
  Object.fromEntries(Object.entries(record).filter(([k]) => k !== key));

/**
 * An ALARM older than its alarm's latest transition, a recovery, that no incident knows of: events arrive out of
 * order, and a short storm whose recovery overtook its alarm is still a storm (no event is lost).
 */
function overtaken(state: GroupingState, transition: AlarmTransition, latest: AlarmSeen): boolean {
  if (transition.state !== 'ALARM' || latest.state === 'ALARM') return false;
  const time = Date.parse(transition.time);
  // An incident that knows the alarm at or after that time has the storm already.
  return !state.incidents.some((i) =>
    i.members.some((m) => m.alarmName === transition.alarmName && Date.parse(m.changedAt) >= time),
  );
}

/** A recovery (OK, INSUFFICIENT_DATA) updates its alarm in the open incidents it is a member of. */
function recover(incidents: readonly Incident[], signal: AlarmSignal, transition: AlarmTransition) {
  const effects: Record<string, GroupingEffect> = {};
  const next = incidents.map((incident) => {
    const member = incident.members.some((m) => m.alarmName === transition.alarmName);
    if (incident.status !== 'open' || !member) return incident;
    const updated = withTransition(incident, signal, transition);
    effects[incident.id] = updated.status === 'resolved' ? 'resolved' : 'updated';
    return updated;
  });
  return { incidents: next, effects };
}

/** An ALARM joins the live incidents it can explain, or opens one. */
function raise(incidents: readonly Incident[], signal: AlarmSignal, transition: AlarmTransition, newId: () => string) {
  const targets = new Set(joinable(incidents, signal, transition.time).map((i) => i.id));
  if (targets.size === 0) {
    const time = transition.time;
    const empty: Incident = {
      id: newId(),
      models: [],
      status: 'open',
      openedAt: time,
      updatedAt: time,
      resolvedAt: null,
      members: [],
    };
    const opened = withTransition(empty, signal, transition);
    return { incidents: [...incidents, opened], effects: { [opened.id]: 'opened' as GroupingEffect } };
  }
  const effects: Record<string, GroupingEffect> = {};
  const next = incidents.map((incident) => {
    if (!targets.has(incident.id)) return incident;
    const member = incident.members.some((m) => m.alarmName === transition.alarmName);
    effects[incident.id] = incident.status === 'resolved' ? 'reopened' : member ? 'updated' : 'joined';
    return withTransition(incident, signal, transition);
  });
  return { incidents: next, effects };
}

/** Applies one alarm transition of a known alarm; `newId` names an incident it opens. */
export function applyTransition(
  state: GroupingState,
  signal: AlarmSignal,
  transition: AlarmTransition,
  newId: () => string,
): GroupingResult {
  const latest = state.alarms[transition.alarmName];
  if (latest !== undefined && Date.parse(transition.time) <= Date.parse(latest.time)) {
    if (!overtaken(state, transition, latest)) return { ...state, effects: {} };
    // An ALARM delivered after its own recovery: the storm happened; it is recorded, and recovered at once.
    const raised = applyTransition(
      { ...state, alarms: omit(state.alarms, transition.alarmName) },
      signal,
      transition,
      newId,
    );
    const reason = 'recovered (delivered before its alarm)';
    const recovery = { ...transition, state: latest.state, time: latest.time, reason };
    const recovered = applyTransition(raised, signal, recovery, newId);
    return { ...recovered, effects: { ...raised.effects, ...recovered.effects } };
  }
  const seen: AlarmSeen = { state: transition.state, time: transition.time, model: signal.model, kind: signal.kind };
  const alarms = { ...state.alarms, [transition.alarmName]: seen };
  // A release's own alarms are the release process's to act on (it rolls the candidate back): they open no incident,
  // and while one is in ALARM the model's incidents hold their pages (releasing()).
  if (signal.kind === 'release') return { incidents: state.incidents, alarms, effects: {} };
  const changed =
    transition.state === 'ALARM'
      ? raise(state.incidents, signal, transition, newId)
      : recover(state.incidents, signal, transition);
  return { ...changed, alarms };
}

/**
 * How long a resolved incident stays in the grouping state: the longest an alarm's event may still be delivered (the
 * incident rule's maximum event age), so a late event of its storm still finds it and changes nothing. Its record
 * stays in the registry for `mlops incidents`.
 */
export const KEEP_RESOLVED_HOURS = 24;

/** The incidents without those resolved more than KEEP_RESOLVED_HOURS before `now` (except those in `keep`). */
export function withoutOldIncidents(
  incidents: readonly Incident[],
  now: number,
  keep: ReadonlySet<string>,
): Incident[] {
  return incidents.filter(
    (i) =>
      keep.has(i.id) ||
      i.status === 'open' ||
      i.resolvedAt === null ||
      now - Date.parse(i.resolvedAt) <= KEEP_RESOLVED_HOURS * 3_600_000,
  );
}
