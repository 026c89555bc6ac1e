import type { Incident } from './grouping.js';

/**
 * Which incident events page (issue 22) — one page per incident event, never one per alarm:
 * - an incident's opening (or reopening) is announced by its response workflow after a group wait, so the alarms of
 *   one storm that arrive within it (in any order) make one page, with the source known by then; while every model
 *   the incident concerns has a release in progress the announcement waits (the release process acts on its own
 *   alarms first, as the composite alarm's suppressor did); one that resolves before it is announced pages nothing;
 * - a change of its likely source and its resolution page only once its opening was announced.
 */

export type PageEvent = 'opened' | 'reopened' | 'source changed' | 'resolved' | 'escalated';

/**
 * What the people were told of each incident: `open` — its opening, not yet its resolution; `closed` — its
 * resolution (a later opening is a reopening). An incident absent was never announced.
 */
export type Told = Readonly<Record<string, 'open' | 'closed'>>;

export interface PageDecision {
  /** The pages owed now. */
  readonly pages: { readonly incident: string; readonly event: PageEvent }[];
  /** The incidents whose opening (or reopening) their response workflow announces. */
  readonly announce: string[];
  readonly told: Record<string, 'open' | 'closed'>;
}

/** The pages and announcements owed after a transition: `events` are what it did to the incidents it touched. */
export function decidePages(
  events: readonly { readonly incident: string; readonly event: PageEvent }[],
  told: Told,
): PageDecision {
  const next = { ...told };
  const pages: PageDecision['pages'][number][] = [];
  const announce: string[] = [];
  for (const { incident, event } of events) {
    if (event === 'opened' || event === 'reopened') announce.push(incident);
    else if (next[incident] === 'open') {
      pages.push({ incident, event });
      if (event === 'resolved') next[incident] = 'closed';
    }
  }
  return { pages, announce, told: next };
}

export type Announcement =
  | { readonly outcome: 'page'; readonly event: 'opened' | 'reopened' }
  | { readonly outcome: 'held' | 'resolved' | 'announced already' };

/** What the response workflow's announcement does for an incident, given what was told and the releases running. */
export function announcement(incident: Incident | undefined, told: Told, releasing: ReadonlySet<string>): Announcement {
  if (incident === undefined || incident.status === 'resolved') return { outcome: 'resolved' };
  if (told[incident.id] === 'open') return { outcome: 'announced already' };
  if (incident.models.length > 0 && incident.models.every((m) => releasing.has(m))) return { outcome: 'held' };
  return { outcome: 'page', event: told[incident.id] === 'closed' ? 'reopened' : 'opened' };
}
