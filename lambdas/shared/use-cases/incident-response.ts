import { incidentSettings, type IncidentsConfig } from '../../core/incidents/incident-config.js';
import { incidentPage } from '../../core/report/incident-page.js';
import type { IncidentRecord, IncidentStore } from '../adapters/incident-store.js';
import type { IncidentResponses } from '../adapters/incident-responses.js';
import type { IncidentStep, StepAnswer } from '../contracts/incident-steps.js';
import { runRunbook, type RunbookDeps } from './incident-runbook.js';
import { announceIncident, deliverOwed, pageOf, settleIncident, type Delivery } from './incident-outbox.js';

/**
 * The steps of an incident's response workflow (issue 22), tiers 1 to 3: the announcement (one page, after the group
 * wait), the check whether its alarms cleared, tier 2's notification with the token their acknowledgement answers,
 * and the escalation to tier 3. Each step is recorded on the incident's timeline.
 */

/** Tier 2's waiting task, answered through Step Functions (SendTaskSuccess) when the incident resolves first. */
export interface TaskTokens {
  readonly succeed: (token: string, output: Record<string, unknown>) => Promise<void>;
}

export interface ResponseDeps {
  readonly store: IncidentStore;
  readonly responses: IncidentResponses;
  /** The model files' `incidents` sections. */
  readonly settings: (model: string) => IncidentsConfig | undefined;
  readonly delivery: Pick<Delivery, 'page'>;
  /** Sends a message to the topics of tier 2 (data scientists) or 3 (model developers). */
  readonly notify: (tier: 2 | 3, subject: string, message: string) => Promise<void>;
  readonly tokens: TaskTokens;
  readonly now: () => Date;
  readonly actor: string;
  /** Tier 1's checks and actions. */
  readonly runbook: RunbookDeps;
  /** Stores the incident's page (HTML); answers where, to link it from pages. */
  readonly storePage: (incident: string, html: string) => Promise<string>;
}

/** The settings of an incident: its models' (the shortest times), the defaults for a stack-wide one. */
export function settingsOf(deps: Pick<ResponseDeps, 'settings'>, models: readonly string[]): IncidentsConfig {
  return incidentSettings(models.flatMap((m) => deps.settings(m) ?? []));
}

/** The incident's record: written in the same transaction as every change of its grouping state. */
const current = (deps: ResponseDeps, id: string): Promise<IncidentRecord | undefined> => deps.store.get(id);

function answerOf(deps: ResponseDeps, incident: IncidentRecord | undefined, status: StepAnswer['status']): StepAnswer {
  const settings = settingsOf(deps, incident?.models ?? []);
  return { status, tier1Seconds: settings.tier1Minutes * 60, ackSeconds: settings.acknowledgeMinutes * 60 };
}

const entry = (deps: ResponseDeps, what: string) => ({ at: deps.now().toISOString(), actor: deps.actor, what });

async function announce(deps: ResponseDeps, id: string): Promise<StepAnswer> {
  // The page is stored first, so the announcement links it.
  const link = await writeIncidentPage(deps, id);
  const { announcement, pages, incident } = await announceIncident(deps.store, id, link);
  await deliverOwed(deps.store, { ...deps.delivery, startResponse: async () => {} }, { pages, starts: [] });
  if (announcement.outcome === 'page')
    await deps.responses.update(id, entry(deps, `tier 1: ${announcement.event} and paged — ${incident?.line ?? ''}`), {
      tier: 1,
      announcedAt: deps.now().toISOString(),
    });
  if (announcement.outcome === 'held' || announcement.outcome === 'resolved')
    return answerOf(deps, incident, announcement.outcome);
  return answerOf(deps, incident, 'open');
}

/** The watch: settled (its resolution paged), due for tier 2 (open past tier 1's time, tier 2 not told), or open. */
async function check(deps: ResponseDeps, id: string, tier1Seconds: number): Promise<StepAnswer> {
  const now = deps.now();
  const settled = await settleIncident(deps.store, id, now.getTime());
  await deliverOwed(
    deps.store,
    { ...deps.delivery, startResponse: async () => {} },
    { pages: settled.pages, starts: [] },
  );
  if (settled.watch === 'settled') {
    await deps.responses.update(id, entry(deps, `resolved: its alarms cleared and stayed clear`), { token: null });
    return answerOf(deps, settled.incident, 'resolved');
  }
  const response = await deps.responses.get(id);
  const since = response?.announcedAt ? Date.parse(response.announcedAt) : Number.NaN;
  const due =
    settled.incident?.status === 'open' && response?.tier === 1 && now.getTime() - since >= tier1Seconds * 1000;
  return answerOf(deps, settled.incident, due ? 'tier2' : 'open');
}

/** Tier 1: the runbook's steps, each on the timeline; straight to tier 2 when an action it needed could not be done. */
async function runbook(deps: ResponseDeps, id: string): Promise<StepAnswer> {
  const incident = await deps.store.get(id);
  if (incident === undefined || incident.status === 'resolved') return answerOf(deps, incident, 'open');
  const { steps, escalate } = await runRunbook(deps.runbook, incident);
  for (const s of steps)
    await deps.responses.update(id, entry(deps, `tier 1: ${s.step} (${s.model}): ${s.outcome} — ${s.evidence}`));
  if (steps.length === 0) await deps.responses.update(id, entry(deps, 'tier 1: no runbook step applies'));
  return answerOf(deps, incident, escalate ? 'tier2' : 'open');
}

/** Tier 2: their topic told, with what to do; the token kept for their acknowledgement. */
async function notify(deps: ResponseDeps, id: string, token: string): Promise<StepAnswer> {
  const incident = await current(deps, id);
  const settings = settingsOf(deps, incident?.models ?? []);
  await deps.responses.update(id, entry(deps, 'tier 2: data scientists notified'), { tier: 2, token });
  // Resolved meanwhile (its resolution may have come before the token was kept): the wait ends at once.
  if (incident === undefined || incident.status === 'resolved') {
    await deps.tokens.succeed(token, { outcome: 'resolved' });
    return answerOf(deps, incident, 'resolved');
  }
  const message = [
    incident.line,
    '',
    `Acknowledge within ${settings.acknowledgeMinutes} minutes, or it escalates to the model developers:`,
    `  mlops incidents ack ${id} -m "looking into it"`,
    'Remedies at hand: mlops rollback <model> · mlops retrain <model> · mlops runs <model> · mlops monitor <model>',
    `  mlops incidents escalate ${id} -m "…" (to the model developers) · mlops incidents resolve ${id} -m "…"`,
    ...(settings.notes !== undefined ? ['', 'Notes from the model developers:', settings.notes] : []),
  ].join('\n');
  await deps.notify(2, `incident ${id} (${incident.models.join(', ') || 'stack'}): please acknowledge`, message);
  return answerOf(deps, incident, 'open');
}

/** Tier 3: their topic told and the incident paged as escalated — unless it resolved meanwhile. */
async function escalate(deps: ResponseDeps, id: string, why: string): Promise<StepAnswer> {
  const incident = await current(deps, id);
  if (incident === undefined || incident.status === 'resolved') {
    await deps.responses.update(id, entry(deps, `not escalated (${why}): the incident had resolved`), { token: null });
    return answerOf(deps, incident, 'resolved');
  }
  await deps.responses.update(id, entry(deps, `tier 3: escalated to the model developers (${why})`), {
    tier: 3,
    token: null,
  });
  const notes = settingsOf(deps, incident.models).notes;
  const message = [incident.line, '', `Escalated: ${why}.`, ...(notes !== undefined ? ['', notes] : [])].join('\n');
  await deps.notify(3, `incident ${id} (${incident.models.join(', ') || 'stack'}) escalated`, message);
  await deps.delivery.page(pageOf(incident, 'escalated', `Escalated to the model developers: ${why}.`));
  return answerOf(deps, incident, 'open');
}

const WHY: Record<string, string> = {
  'States.Timeout': 'not acknowledged in time',
  Escalated: 'sent on by the data scientists',
};

/** Renders the incident's page as it stands and stores it; answers where (undefined for an incident not known). */
export async function writeIncidentPage(deps: ResponseDeps, id: string): Promise<string | undefined> {
  const incident = await deps.store.get(id);
  if (incident === undefined) return undefined;
  const response = (await deps.responses.get(id)) ?? null;
  const { notes } = settingsOf(deps, incident.models);
  const html = incidentPage({
    incident,
    response,
    ...(notes !== undefined ? { notes } : {}),
    renderedAt: deps.now().toISOString(),
  });
  return deps.storePage(id, html);
}

/** One step of the response workflow; the incident's page rewritten after any step that changed its response. */
export async function runIncidentStep(deps: ResponseDeps, step: IncidentStep): Promise<StepAnswer> {
  const answer = await stepOf(deps, step);
  if (step.action !== 'check' || answer.status !== 'open') await writeIncidentPage(deps, step.incident);
  return answer;
}

async function stepOf(deps: ResponseDeps, step: IncidentStep): Promise<StepAnswer> {
  switch (step.action) {
    case 'announce':
      return announce(deps, step.incident);
    case 'runbook':
      return runbook(deps, step.incident);
    case 'check':
      return check(deps, step.incident, step.tier1Seconds);
    case 'notify':
      return notify(deps, step.incident, step.token);
    case 'escalate': {
      const error = step.error;
      const why =
        error === undefined
          ? 'escalated'
          : (WHY[error.Error] ?? `a step of the response failed: ${error.Error} ${error.Cause ?? ''}`.trim());
      return escalate(
        deps,
        step.incident,
        error?.Error === 'Escalated' && error.Cause ? `${why}: ${error.Cause}` : why,
      );
    }
  }
}
