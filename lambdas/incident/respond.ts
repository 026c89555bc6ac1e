import { classifyAlarm } from '../core/incidents/classify.js';
import type { AlarmTransition, GroupingEffect } from '../core/incidents/grouping.js';
import type { IncidentPage } from '../shared/adapters/incident-store.js';
import type { AlarmStateChange } from '../shared/contracts/alarm-event.js';
import type { ResponseEnded } from '../shared/contracts/alarm-event.js';
import { deliverOwed, responseEnded, type Delivery } from '../shared/use-cases/incident-outbox.js';
import { recordAlarmTransition, type IncidentDeps } from '../shared/use-cases/incidents.js';

export type RespondDeps = IncidentDeps &
  Delivery & {
    /** Ends the response of an incident whose alarms cleared (tier 2's wait, if it waits) and records it. */
    readonly resolved: (incident: string) => Promise<void>;
  };

export interface Response {
  /** Why the event changed nothing (a composite alarm, a metric the incident logic does not follow). */
  readonly ignored?: string;
  readonly model: string | null;
  readonly effects: Record<string, GroupingEffect>;
  /** Pages sent by this invocation (its own, and any an earlier one owed but could not send). */
  readonly sent: IncidentPage[];
  /** Response workflows started (by execution name). */
  readonly started: string[];
}

/** The transition an event reports, timed by the alarm's own state timestamp (the event's time if unreadable). */
function transitionOf(event: AlarmStateChange): AlarmTransition {
  const { detail } = event;
  const stamped = Date.parse(detail.state.timestamp);
  return {
    alarmName: detail.alarmName,
    state: detail.state.value,
    time: new Date(Number.isNaN(stamped) ? Date.parse(event.time) : stamped).toISOString(),
    reason: detail.state.reason,
  };
}

/**
 * One alarm state change through the incident logic (issue 22): classified by the metric it watches, grouped and
 * recorded with one compare-and-set, then every response workflow and page owed delivered and taken out of the
 * outboxes. One whose delivery fails stays owed: the invocation fails (EventBridge and Lambda retry it) and the next
 * one delivers it — at least once, never lost.
 */
export async function respondToAlarm(deps: RespondDeps, event: AlarmStateChange): Promise<Response> {
  const { state, previousState } = event.detail;
  if (state.value !== 'ALARM' && previousState !== undefined && previousState.value !== 'ALARM')
    return { ignored: 'not a change into or out of ALARM', model: null, effects: {}, sent: [], started: [] };
  const metric = event.detail.configuration.metrics?.[0]?.metricStat?.metric;
  const signal = classifyAlarm(event.detail.alarmName, metric);
  if (signal === null) {
    const ignored =
      metric === undefined
        ? 'a composite alarm (its member alarms are followed instead)'
        : `a metric the incident logic does not follow (${metric.namespace} ${metric.name})`;
    return { ignored, model: null, effects: {}, sent: [], started: [] };
  }
  const { effects, ...owed } = await recordAlarmTransition(deps, signal, transitionOf(event));
  const { pages, starts } = await deliverOwed(deps.incidents, deps, owed);
  for (const [id, effect] of Object.entries(effects)) if (effect === 'resolved') await deps.resolved(id);
  return { model: signal.model, effects, sent: pages, started: starts };
}

/** A response workflow that ended early: started again when stopped from outside with the incident open. */
export async function respondToEndedResponse(
  deps: RespondDeps & { readonly record: (incident: string, what: string) => Promise<void> },
  event: ResponseEnded,
): Promise<Response> {
  const { incident } = event.detail.input;
  const ended = await responseEnded(deps.incidents, {
    incident,
    status: event.detail.status,
    at: Date.parse(event.time),
  });
  const { pages, starts } = await deliverOwed(deps.incidents, deps, ended);
  const why = [event.detail.error, event.detail.cause].filter((x) => x).join(': ');
  await deps.record(
    incident,
    `response workflow ${event.detail.name} ended ${event.detail.status}${why ? ` (${why})` : ''}${ended.restarted ? '; started again' : ''}`,
  );
  return { model: null, effects: {}, sent: pages, started: starts };
}
