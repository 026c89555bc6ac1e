import { REOPEN_MINUTES, type Incident } from './grouping.js';

/**
 * Which incident events page (issue 22) — one page per incident event, never one per alarm:
 * - an incident's opening (or a reopening after its resolution was paged) starts its response workflow, which
 *   announces it after a group wait, so the alarms of one storm that arrive within it (in any order) make one page,
 *   with the source known by then; while every model the incident concerns has a release in progress the
 *   announcement waits (the release process acts on its own alarms first, as the composite alarm's suppressor did);
 *   one that resolves before it is announced pages nothing;
 * - a change of its likely source pages once its opening was announced;
 * - its resolution pages once it has held for SETTLE_MINUTES (the workflow watches it): an alarm that comes back
 *   within them is still the same storm, and pages nothing.
 */

/**
 * How long an incident stays resolved before its resolution is paged and its workflow ends: the grouping's reopening
 * window, so an alarm of the storm that comes back within it pages nothing at all.
 */
export const SETTLE_MINUTES = REOPEN_MINUTES;

export type PageEvent = 'opened' | 'reopened' | 'source changed' | 'resolved' | 'escalated';

/**
 * What the people were told of each incident: `open` — its opening, not yet its resolution; `closed` — its
 * resolution (a later opening is a reopening). An incident absent was never announced.
 */
export type Told = Readonly<Record<string, 'open' | 'closed'>>;

export interface PageDecision {
  /** The pages owed now. */
  readonly pages: { readonly incident: string; readonly event: PageEvent }[];
  /** The incidents whose response workflow starts (opened, or reopened with none running). */
  readonly announce: string[];
}

/**
 * The pages and workflows owed after a transition: `events` are what it did to the incidents it touched;
 * `responding` the incidents whose workflow runs (it announces, watches, and pages the settled resolution).
 */
export function decidePages(
  events: readonly { readonly incident: string; readonly event: PageEvent }[],
  told: Told,
  responding: ReadonlySet<string>,
): PageDecision {
  const pages: PageDecision['pages'][number][] = [];
  const announce: string[] = [];
  for (const { incident, event } of events) {
    if (event === 'opened' || event === 'reopened') {
      if (!responding.has(incident) && !announce.includes(incident)) announce.push(incident);
    } else if (event === 'source changed' && told[incident] === 'open') pages.push({ incident, event });
  }
  return { pages, announce };
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

/** What the response workflow's watch finds: still open (or not settled), or settled — its resolution paged. */
export type Watch = 'open' | 'settled';

export function watch(incident: Incident | undefined, now: number): Watch {
  if (incident === undefined) return 'settled';
  if (incident.status === 'open' || incident.resolvedAt === null) return 'open';
  // Past the reopening window (strictly): no alarm can reopen it any more, so its resolution is final.
  return now - Date.parse(incident.resolvedAt) > SETTLE_MINUTES * 60_000 ? 'settled' : 'open';
}
