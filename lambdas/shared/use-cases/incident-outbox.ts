import { ConflictError } from '../../core/errors.js';
import { releasing, withoutOldIncidents, type Incident } from '../../core/incidents/grouping.js';
import { announcement, watch, type Announcement, type PageEvent, type Watch } from '../../core/incidents/paging.js';
import { SIGNAL_LABELS } from '../../core/incidents/signals.js';
import type { IncidentPage, IncidentRecord, IncidentStore, StoredGrouping } from '../adapters/incident-store.js';

/**
 * The incident state's outboxes (issue 22): what a change of the state owes — pages, response workflows to start — is
 * written with the change and taken out once delivered, every step a compare-and-set on the state's revision.
 */

/** A storm's alarms arrive together and all write the one state item: enough attempts for a dozen at once. */
const ATTEMPTS = 12;

/** A short random pause before the next attempt, so writers that lost together do not collide again. */
const backoff = (attempt: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(1000, 25 * 2 ** attempt)));

/** One change of the incident state: read, decide, write with the records it touched, retried on a conflict. */
export async function changeIncidents<R>(
  store: IncidentStore,
  change: (
    read: StoredGrouping,
  ) => Promise<{ state?: Omit<StoredGrouping, 'revision'>; records?: IncidentRecord[]; answer: R }>,
): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    const read = await store.state();
    const { state, records, answer } = await change(read);
    if (state === undefined) return answer;
    try {
      await store.commit(read, state, records ?? []);
      return answer;
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= ATTEMPTS) throw error;
      await backoff(attempt);
    }
  }
}

/** A page: its subject, the source line, and the alarms behind it. */
export function pageOf(incident: Incident & { readonly line: string }, event: PageEvent, note?: string): IncidentPage {
  const subject = `incident ${incident.id} (${incident.models.join(', ') || 'stack'}) ${event}`;
  const alarms = incident.members.map(
    (m) => `- ${m.alarmName} (${SIGNAL_LABELS[m.kind]}): ${m.state} since ${m.changedAt} — ${m.reason}`,
  );
  const message = [
    incident.line,
    ...(note !== undefined ? ['', note] : []),
    '',
    'Alarms:',
    ...alarms,
    '',
    `Details: mlops incidents show ${incident.id} (--open: the incident's page)`,
  ].join('\n');
  return { id: `${incident.id}:${event}:${incident.updatedAt}`, incident: incident.id, event, subject, message };
}

/** Takes delivered pages and started workflows out of the outboxes. */
export async function delivered(
  store: IncidentStore,
  done: { readonly pages?: readonly string[]; readonly starts?: readonly string[] },
): Promise<void> {
  await changeIncidents(store, async (read) => {
    const outbox = read.outbox.filter((p) => !(done.pages ?? []).includes(p.id));
    const starts = read.starts.filter((s) => !(done.starts ?? []).includes(s.name));
    if (outbox.length === read.outbox.length && starts.length === read.starts.length) return { answer: undefined };
    return { state: { ...read, outbox, starts }, answer: undefined };
  });
}

/**
 * The response workflow's announcement of an incident (after its group wait): its opening paged once, with the source
 * known now — or held while its models' releases run, or nothing when it resolved meanwhile.
 */
export async function announceIncident(
  store: IncidentStore,
  id: string,
  link?: string,
): Promise<{ announcement: Announcement; pages: IncidentPage[]; incident?: IncidentRecord }> {
  return changeIncidents(store, async (read) => {
    const incident = read.incidents.find((i) => i.id === id);
    const decided = announcement(incident, read.told, releasing(read));
    const record = incident === undefined ? undefined : { ...incident, line: read.lines[id] ?? '' };
    const answer = {
      announcement: decided,
      pages: read.outbox,
      ...(record ? { incident: record as IncidentRecord } : {}),
    };
    if (decided.outcome === 'resolved') {
      // Resolved before it was announced: nothing to tell; its workflow ends.
      return { state: { ...read, responding: read.responding.filter((r) => r !== id) }, answer };
    }
    if (decided.outcome !== 'page' || record === undefined) return { answer };
    const note = link === undefined ? undefined : `Incident page: ${link}`;
    const outbox = [...read.outbox, pageOf(record, decided.event, note)];
    return {
      state: { ...read, outbox, told: { ...read.told, [id]: 'open' } },
      answer: { ...answer, pages: outbox },
    };
  });
}

/**
 * The response workflow's watch of an incident: still open (or resolved for less than SETTLE_MINUTES), or settled —
 * its resolution paged if its opening was, and its workflow done.
 */
export async function settleIncident(
  store: IncidentStore,
  id: string,
  now: number,
): Promise<{ watch: Watch; pages: IncidentPage[]; incident?: IncidentRecord }> {
  return changeIncidents(store, async (read) => {
    const incident = read.incidents.find((i) => i.id === id);
    const found = watch(incident, now);
    const record = incident === undefined ? undefined : ({ ...incident, line: read.lines[id] ?? '' } as IncidentRecord);
    const answer = { watch: found, pages: read.outbox, ...(record ? { incident: record } : {}) };
    if (found === 'open' || !read.responding.includes(id)) return { answer };
    const responding = read.responding.filter((r) => r !== id);
    const paged = read.told[id] === 'open' && record !== undefined;
    const outbox = paged ? [...read.outbox, pageOf(record, 'resolved')] : read.outbox;
    const told = paged ? { ...read.told, [id]: 'closed' as const } : read.told;
    // A settled incident is a good moment to let go of those resolved long ago (the state is one item).
    const incidents = withoutOldIncidents(read.incidents, now, new Set(responding));
    const kept = new Set(incidents.map((i) => i.id));
    const only = <T>(byId: Record<string, T>) => Object.fromEntries(Object.entries(byId).filter(([k]) => kept.has(k)));
    const state = { ...read, incidents, responding, outbox, told: only(told), lines: only(read.lines) };
    return { state, answer: { ...answer, pages: outbox } };
  });
}
/** How what is owed is delivered: a page to every paging topic; a response workflow started (idempotent by name). */
export interface Delivery {
  readonly page: (page: IncidentPage) => Promise<void>;
  readonly startResponse: (start: StoredGrouping['starts'][number]) => Promise<void>;
}

/**
 * Delivers what is owed, in order, and takes what was delivered out of the outboxes — also when a delivery fails
 * midway (it then throws: the invocation fails and is retried, and the rest is delivered then). At least once: a page
 * whose removal failed is sent again; never lost.
 */
export async function deliverOwed(
  store: IncidentStore,
  delivery: Delivery,
  owed: { readonly pages: readonly IncidentPage[]; readonly starts: StoredGrouping['starts'] },
): Promise<{ pages: IncidentPage[]; starts: string[] }> {
  const pages: IncidentPage[] = [];
  const starts: string[] = [];
  try {
    for (const start of owed.starts) {
      await delivery.startResponse(start);
      starts.push(start.name);
    }
    for (const page of owed.pages) {
      await delivery.page(page);
      pages.push(page);
    }
  } finally {
    if (pages.length + starts.length > 0) await delivered(store, { pages: pages.map((p) => p.id), starts });
  }
  return { pages, starts };
}

/**
 * A response workflow that ended without finishing: the incident no longer has one running. One stopped from outside
 * (ABORTED: stopped by hand, or the local runtime restarted) while the incident is open starts again; one that failed
 * or timed out does not (it told tier 3 on the way out; a retry could loop), and a later opening starts a new one.
 */
export async function responseEnded(
  store: IncidentStore,
  ended: { incident: string; status: 'ABORTED' | 'FAILED' | 'TIMED_OUT'; at: number },
): Promise<{ restarted: boolean; pages: IncidentPage[]; starts: StoredGrouping['starts'] }> {
  return changeIncidents(store, async (read) => {
    const id = ended.incident;
    const answer = { restarted: false, pages: read.outbox, starts: read.starts };
    if (!read.responding.includes(id)) return { answer };
    const open = read.incidents.find((i) => i.id === id)?.status === 'open';
    if (ended.status === 'ABORTED' && open) {
      const starts = [...read.starts, { incident: id, name: `incident-${id}-${ended.at}-again` }];
      return { state: { ...read, starts }, answer: { ...answer, restarted: true, starts } };
    }
    return { state: { ...read, responding: read.responding.filter((r) => r !== id) }, answer };
  });
}
