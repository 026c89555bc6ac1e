import { ConflictError } from '../../core/errors.js';
import { extent } from '../../core/extent.js';
import {
  applyTransition,
  releasing,
  type AlarmTransition,
  type GroupingEffect,
  type Incident,
} from '../../core/incidents/grouping.js';
import { decidePages, type PageEvent } from '../../core/incidents/paging.js';
import { SIGNAL_LABELS, type AlarmSignal } from '../../core/incidents/signals.js';
import { CHANGE_LOOKBACK_HOURS, likelySource, sourceLine, type Change } from '../../core/incidents/source.js';
import type { IncidentPage, IncidentRecord, IncidentStore } from '../adapters/incident-store.js';
import type { Registry } from '../adapters/registry.js';

/**
 * One alarm transition through the incident logic (issue 22): grouped, its incidents' likely sources named from the
 * registry's recent changes, the result written with one compare-and-set, and the pages it owes (opened, source
 * changed, resolved) put in the state's outbox in the same write — so a page is owed exactly once however often the
 * event is delivered, and one that could not be sent is sent by the next invocation.
 */

export interface IncidentDeps {
  readonly incidents: IncidentStore;
  /** The changes of these models since a time: promotions, rollbacks, releases, retrainings, uploads. */
  readonly changes: (models: readonly string[], since: Date) => Promise<Change[]>;
}

const ATTEMPTS = 5;

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

/** Applies a transition; answers what it did and every page owed (this one's and any not sent before). */
export async function recordAlarmTransition(
  deps: IncidentDeps,
  signal: AlarmSignal,
  transition: AlarmTransition,
): Promise<{ effects: Record<string, GroupingEffect>; pages: IncidentPage[] }> {
  for (let attempt = 1; ; attempt++) {
    const read = await deps.incidents.state();
    let next = read.next;
    const result = applyTransition(read, signal, transition, () => String(next++));
    const touched = Object.entries(result.effects);
    // A replay, a re-delivery or an overtaken event: nothing to write.
    if (touched.length === 0 && result.alarms === read.alarms) return { effects: {}, pages: read.outbox };
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
    const decided = decidePages(result.incidents, events, read, releasing(result));
    const pages = decided.pages.map(({ incident, event }) =>
      pageOf(result.incidents.find((i) => i.id === incident) as Incident, event, lines[incident] ?? ''),
    );
    const outbox = [...read.outbox, ...pages];
    try {
      const { held, untold } = decided;
      const state = { next, incidents: result.incidents, alarms: result.alarms, outbox, held, untold, lines };
      await deps.incidents.commit(read, state, records);
      return { effects: result.effects, pages: outbox };
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= ATTEMPTS) throw error;
    }
  }
}

/** A page: its subject, the source line, and the alarms behind it. */
function pageOf(incident: Incident, event: PageEvent, line: string): IncidentPage {
  const subject = `incident ${incident.id} (${incident.models.join(', ') || 'stack'}) ${event}`;
  const alarms = incident.members.map(
    (m) => `- ${m.alarmName} (${SIGNAL_LABELS[m.kind]}): ${m.state} since ${m.changedAt} — ${m.reason}`,
  );
  const message = [line, '', 'Alarms:', ...alarms, '', `Details: mlops incidents show ${incident.id}`].join('\n');
  return { id: `${incident.id}:${event}:${incident.updatedAt}`, incident: incident.id, event, subject, message };
}

/** Takes sent pages out of the outbox (compare-and-set, as every change of the state). */
export async function pagesSent(deps: Pick<IncidentDeps, 'incidents'>, ids: readonly string[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const read = await deps.incidents.state();
    const outbox = read.outbox.filter((p) => !ids.includes(p.id));
    if (outbox.length === read.outbox.length) return;
    try {
      await deps.incidents.commit(read, { ...read, outbox }, []);
      return;
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= ATTEMPTS) throw error;
    }
  }
}
