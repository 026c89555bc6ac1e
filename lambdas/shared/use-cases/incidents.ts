import { extent } from '../../core/extent.js';
import {
  applyTransition,
  type AlarmTransition,
  type GroupingEffect,
  type Incident,
} from '../../core/incidents/grouping.js';
import { decidePages, type PageEvent } from '../../core/incidents/paging.js';
import type { AlarmSignal } from '../../core/incidents/signals.js';
import { CHANGE_LOOKBACK_HOURS, likelySource, sourceLine, type Change } from '../../core/incidents/source.js';
import type { IncidentPage, IncidentRecord, IncidentStore, StoredGrouping } from '../adapters/incident-store.js';
import { changeIncidents, pageOf } from './incident-outbox.js';
import type { Registry } from '../adapters/registry.js';

/**
 * One alarm transition through the incident logic (issue 22): grouped, its incidents' likely sources named from the
 * registry's recent changes, the result written with one compare-and-set, and what it owes — pages (source changed,
 * resolved) and response workflows (an incident opened or reopened: the workflow announces it) — put in the state's
 * outboxes in the same write, so each is owed exactly once however often the event is delivered, and one that could
 * not be delivered is delivered by the next invocation.
 */

export interface IncidentDeps {
  readonly incidents: IncidentStore;
  /** The changes of these models since a time: promotions, rollbacks, releases, retrainings, uploads. */
  readonly changes: (models: readonly string[], since: Date) => Promise<Change[]>;
}

/** The registry's record of changes, as the incident logic places them. */
export function registryChanges(registry: Registry): IncidentDeps['changes'] {
  return async (models, since) => {
    const perModel = await Promise.all(
      models.map(async (model) => {
        // The audit trail is read from `since` on (its keys sort by time); runs are keyed by id, so all are read.
        const [audit, runs] = await Promise.all([
          registry.audit.list(model, since.toISOString()),
          registry.runs.list(model),
        ]);
        const deployments: Change[] = audit
          .filter((e) => e.outcome === 'succeeded' && ['promote', 'rollback', 'release', 'retrain'].includes(e.action))
          .map((e) => ({
            kind:
              e.action === 'promote'
                ? 'promotion'
                : e.action === 'rollback'
                  ? 'rollback'
                  : e.action === 'release'
                    ? 'release'
                    : 'retraining',
            model,
            at: e.at,
            version: e.version,
            what:
              e.action === 'retrain'
                ? `retraining (${e.reason})`
                : e.action === 'rollback'
                  ? `rollback to v${e.version}`
                  : `${e.action === 'promote' ? 'promotion' : 'release'} of v${e.version}`,
          }));
        const uploads: Change[] = runs.map((r) => ({
          kind: 'upload',
          model,
          at: r.startedAt,
          what: `upload ${r.trigger.key}`,
          ...(r.status === 'FAILED' ? { failed: true } : {}),
        }));
        return [...deployments, ...uploads];
      }),
    );
    return perModel.flat().filter((c) => Date.parse(c.at) >= since.getTime());
  };
}

/** The incident's record: its likely source, from the changes of its models before its first alarm, and its line. */
async function recordOf(deps: IncidentDeps, incident: Incident): Promise<IncidentRecord> {
  const first = extent(incident.members.map((m) => Date.parse(m.firstAlarmAt)))?.min ?? Date.parse(incident.openedAt);
  const changes = await deps.changes(incident.models, new Date(first - CHANGE_LOOKBACK_HOURS * 3_600_000));
  const source = likelySource(incident, changes);
  return { ...incident, source, line: sourceLine(incident.id, incident, source) };
}

/** What a touched incident's page would say: opened, resolved, or — its line changed — a new source. */
function eventOf(
  effect: GroupingEffect,
  record: IncidentRecord,
  previousLine: string | undefined,
): PageEvent | undefined {
  if (effect === 'opened' || effect === 'reopened' || effect === 'resolved') return effect;
  return previousLine !== undefined && previousLine !== record.line && record.status === 'open'
    ? 'source changed'
    : undefined;
}

/** What a transition owes: pages, and response workflows to start (the state's outboxes after it). */
export interface Owed {
  readonly pages: IncidentPage[];
  readonly starts: StoredGrouping['starts'];
}

/** Applies a transition; answers what it did and everything owed (this one's and any not delivered before). */
export async function recordAlarmTransition(
  deps: IncidentDeps,
  signal: AlarmSignal,
  transition: AlarmTransition,
): Promise<Owed & { effects: Record<string, GroupingEffect> }> {
  return changeIncidents(deps.incidents, async (read) => {
    let next = read.next;
    const result = applyTransition(read, signal, transition, () => String(next++));
    const touched = Object.entries(result.effects);
    // A replay, a re-delivery or an overtaken event: nothing to write.
    if (touched.length === 0 && result.alarms === read.alarms)
      return { answer: { effects: {}, pages: read.outbox, starts: read.starts } };
    const lines = { ...read.lines };
    const records: IncidentRecord[] = [];
    const events: { incident: string; event: PageEvent }[] = [];
    for (const [id, effect] of touched) {
      const record = await recordOf(deps, result.incidents.find((i) => i.id === id) as Incident);
      const event = eventOf(effect, record, lines[id]);
      if (event !== undefined) events.push({ incident: id, event });
      lines[id] = record.line;
      records.push(record);
    }
    const decided = decidePages(events, read.told, new Set(read.responding));
    const byId = (id: string) => records.find((r) => r.id === id) as IncidentRecord;
    const outbox = [...read.outbox, ...decided.pages.map(({ incident, event }) => pageOf(byId(incident), event))];
    const starts = [
      ...read.starts,
      ...decided.announce.map((id) => ({ incident: id, name: `incident-${id}-${Date.parse(transition.time)}` })),
    ];
    const responding = [...read.responding, ...decided.announce];
    const state = { ...read, next, incidents: result.incidents, alarms: result.alarms, outbox, starts, lines };
    return {
      state: { ...state, responding },
      records,
      answer: { effects: result.effects, pages: outbox, starts },
    };
  });
}
