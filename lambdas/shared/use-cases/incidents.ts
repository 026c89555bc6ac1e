import { ConflictError } from '../../core/errors.js';
import { extent } from '../../core/extent.js';
import {
  applyTransition,
  type AlarmTransition,
  type GroupingEffect,
  type Incident,
} from '../../core/incidents/grouping.js';
import type { AlarmSignal } from '../../core/incidents/signals.js';
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

/** The record and the page (if one is owed) of an incident the transition touched. */
async function recordOf(
  deps: IncidentDeps,
  incident: Incident,
  effect: GroupingEffect,
  previousLine: string | undefined,
): Promise<{ record: IncidentRecord; page?: IncidentPage }> {
  const first = extent(incident.members.map((m) => Date.parse(m.firstAlarmAt)))?.min ?? Date.parse(incident.openedAt);
  const changes = await deps.changes(incident.models, new Date(first - CHANGE_LOOKBACK_HOURS * 3_600_000));
  const source = likelySource(incident, changes);
  const line = sourceLine(incident.id, incident, source);
  const record = { ...incident, source, line };
  const event =
    effect === 'opened'
      ? 'opened'
      : effect === 'resolved'
        ? 'resolved'
        : previousLine !== undefined && previousLine !== line && incident.status === 'open'
          ? 'source changed'
          : undefined;
  if (event === undefined) return { record };
  const subject = `incident ${incident.id} (${incident.models.join(', ') || 'stack'}) ${event}`;
  return {
    record,
    page: { id: `${incident.id}:${event}:${incident.updatedAt}`, incident: incident.id, event, subject, message: line },
  };
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
    if (touched.length === 0) return { effects: {}, pages: read.outbox };
    const lines = { ...read.lines };
    const records: IncidentRecord[] = [];
    const pages: IncidentPage[] = [];
    for (const [id, effect] of touched) {
      const incident = result.incidents.find((i) => i.id === id) as Incident;
      const { record, page } = await recordOf(deps, incident, effect, lines[id]);
      lines[id] = record.line;
      records.push(record);
      if (page !== undefined) pages.push(page);
    }
    const outbox = [...read.outbox, ...pages];
    try {
      const state = { next, incidents: result.incidents, alarms: result.alarms, outbox, lines };
      await deps.incidents.commit(read, state, records);
      return { effects: result.effects, pages: outbox };
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= ATTEMPTS) throw error;
    }
  }
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
