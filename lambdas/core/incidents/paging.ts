import type { Incident } from './grouping.js';

/**
 * Which incident events page (issue 22): an incident's opening (and reopening), a change of its likely source, its
 * resolution — one
 * page each, never one per alarm. While every model an incident concerns has a release in progress, its pages are
 * held: the release process acts on its own alarms first (it rolls the candidate back), as the composite alarm's
 * suppressor did before incidents. When the releases end, a held incident that is still open pages as opened (with its
 * source as known then) or reopened; one that resolved meanwhile pages nothing — nobody was told it began.
 */

export type PageEvent = 'opened' | 'reopened' | 'source changed' | 'resolved';
export type HeldEvent = 'opened' | 'reopened';

export interface PageDecision {
  /** The pages owed now, by incident and event. */
  readonly pages: { readonly incident: string; readonly event: PageEvent }[];
  /** The incidents whose pages are still held, with the event they will page (opened or reopened). */
  readonly held: Record<string, HeldEvent>;
  /** Incidents that opened and resolved while held: never told, so a reopening pages as an opening. */
  readonly untold: string[];
}

/** Whether a release of every model the incident concerns holds its pages. */
const heldBy = (incident: Incident, releasing: ReadonlySet<string>): boolean =>
  incident.models.length > 0 && incident.models.every((m) => releasing.has(m));

/**
 * The pages owed after a transition: `events` are what it did to the incidents it touched (in order), `held` the
 * incidents held before it, `releasing` the models with a release in progress after it.
 */
export function decidePages(
  incidents: readonly Incident[],
  events: readonly { readonly incident: string; readonly event: PageEvent }[],
  before: Pick<PageDecision, 'held' | 'untold'>,
  releasing: ReadonlySet<string>,
): PageDecision {
  const byId = new Map(incidents.map((i) => [i.id, i]));
  const holding = new Map(Object.entries(before.held));
  const untold = new Set(before.untold.filter((id) => byId.has(id)));
  const pages: PageDecision['pages'][number][] = [];
  for (const { incident: id, event: raw } of events) {
    const incident = byId.get(id);
    if (incident === undefined) continue;
    const event = raw === 'reopened' && untold.has(id) ? 'opened' : raw;
    if (event === 'opened' || event === 'reopened') untold.delete(id);
    if ((event === 'opened' || event === 'reopened') && heldBy(incident, releasing)) holding.set(id, event);
    else if (holding.has(id) && event === 'resolved') {
      if (holding.get(id) === 'opened') untold.add(id);
      holding.delete(id);
    } else if (!holding.has(id)) pages.push({ incident: id, event });
  }
  // Releases that ended release the pages they held.
  for (const [id, event] of [...holding]) {
    const incident = byId.get(id);
    if (incident !== undefined && heldBy(incident, releasing)) continue;
    holding.delete(id);
    if (incident?.status === 'open') pages.push({ incident: id, event });
    else if (event === 'opened') untold.add(id);
  }
  return { pages, held: Object.fromEntries(holding), untold: [...untold] };
}
