import { ConflictError, NotFoundError } from '../../core/errors.js';
import type { IncidentResponses } from '../adapters/incident-responses.js';
import type { IncidentRecord, IncidentStore } from '../adapters/incident-store.js';
import type { Registry } from '../adapters/registry.js';
import { ESCALATED_ERROR } from '../contracts/incident-steps.js';
import { changeIncidents } from './incident-outbox.js';

/**
 * What the people of tiers 2 and 3 do to an incident (`mlops incidents ack|escalate|resolve`): each answers the
 * response workflow where it waits (tier 2's task token), is recorded on the incident's timeline, and is audited in
 * the trail of every model the incident concerns (`_stack` for a stack-wide one). An action that cannot apply — an
 * incident that is resolved, one not waiting for what was asked — is refused, recorded and audited as refused.
 */

export interface ActionDeps {
  readonly store: IncidentStore;
  readonly responses: IncidentResponses;
  readonly registry: Registry;
  readonly tokens: {
    readonly succeed: (token: string, output: Record<string, unknown>) => Promise<void>;
    readonly fail: (token: string, error: string, cause: string) => Promise<void>;
  };
  readonly now: () => Date;
}

export type IncidentAction = 'acknowledge' | 'escalate' | 'resolve';

export interface ActionRequest {
  readonly incident: string;
  readonly actor: string;
  readonly message: string;
}

/** The audit trails an incident's changes go to: its models', or `_stack` (not a model name) for a stack-wide one. */
const trailsOf = (incident: IncidentRecord): string[] => (incident.models.length > 0 ? incident.models : ['_stack']);

async function audit(
  deps: ActionDeps,
  incident: IncidentRecord,
  request: ActionRequest,
  action: IncidentAction,
  outcome: 'succeeded' | 'refused',
  detail: string,
): Promise<void> {
  for (const model of trailsOf(incident))
    await deps.registry.audit.append({
      model,
      action: 'incident',
      actor: request.actor,
      reason: request.message,
      version: 0,
      previousVersion: null,
      outcome,
      detail: `incident ${incident.id}: ${action} — ${detail}`,
    });
}

async function find(deps: ActionDeps, id: string): Promise<IncidentRecord> {
  const found = await deps.store.get(id);
  if (found === undefined) throw new NotFoundError(`no incident ${id}: mlops incidents lists them`);
  return found;
}

/** Refused: recorded on the timeline and audited, then the error that says why. */
async function refuse(
  deps: ActionDeps,
  incident: IncidentRecord,
  request: ActionRequest,
  action: IncidentAction,
  why: string,
): Promise<never> {
  const at = deps.now().toISOString();
  await deps.responses.update(incident.id, { at, actor: request.actor, what: `${action} refused: ${why}` });
  await audit(deps, incident, request, action, 'refused', why);
  throw new ConflictError(`incident ${incident.id}: cannot ${action}: ${why}`);
}

/** Applies a person's action; answers the incident and what was done. */
export async function actOnIncident(
  deps: ActionDeps,
  action: IncidentAction,
  request: ActionRequest,
): Promise<{ incident: IncidentRecord; done: string }> {
  const incident = await find(deps, request.incident);
  const response = await deps.responses.get(incident.id);
  if (incident.status === 'resolved') return refuse(deps, incident, request, action, 'it is resolved already');
  const token = response?.token ?? null;
  let done: string;
  if (action === 'resolve') {
    await markResolved(deps, incident);
    if (token !== null) await deps.tokens.succeed(token, { outcome: 'resolved', by: request.actor });
    done = 'resolved by hand (its resolution pages once it has held)';
  } else if (token === null) {
    const tier = response?.tier ?? 1;
    const why =
      tier === 1
        ? 'it is at tier 1 (the automated runbook) and not waiting for the data scientists yet'
        : tier === 2
          ? `it was acknowledged already${response?.acknowledged ? ` by ${response.acknowledged.by}` : ''}`
          : 'it is at tier 3 already (the model developers have it)';
    return refuse(deps, incident, request, action, why);
  } else if (action === 'acknowledge') {
    await deps.tokens.succeed(token, { outcome: 'acknowledged', by: request.actor });
    done = 'acknowledged: escalation stopped';
  } else {
    await deps.tokens.fail(token, ESCALATED_ERROR, `${request.actor}: ${request.message}`);
    done = 'sent on to tier 3 (the model developers)';
  }
  const at = deps.now().toISOString();
  const acknowledged =
    action === 'acknowledge' ? { acknowledged: { by: request.actor, at, message: request.message } } : {};
  await deps.responses.update(
    incident.id,
    { at, actor: request.actor, what: `${done}: ${request.message}` },
    { token: null, ...acknowledged },
  );
  await audit(deps, incident, request, action, 'succeeded', done);
  return { incident, done };
}

/** The incident resolved by a person: its members keep their states; a later alarm of them reopens it. */
async function markResolved(deps: ActionDeps, record: IncidentRecord): Promise<void> {
  const at = deps.now().toISOString();
  const resolved = { status: 'resolved' as const, resolvedAt: at, updatedAt: at };
  await changeIncidents(deps.store, async (read) => {
    const incidents = read.incidents.map((i) =>
      i.id === record.id && i.status === 'open' ? { ...i, ...resolved } : i,
    );
    const current = incidents.find((i) => i.id === record.id);
    const records =
      current === undefined ? [] : [{ ...record, ...current, line: read.lines[record.id] ?? record.line }];
    return { state: { ...read, incidents }, records, answer: undefined };
  });
}
