import type { Incident } from '../incidents/grouping.js';
import { SIGNAL_LABELS } from '../incidents/signals.js';
import type { LikelySource } from '../incidents/source.js';
import { esc, PAGE_STYLE, table } from './markup.js';

/**
 * An incident's page (issue 22), in the model card's look: the one line pages carry, the likely source with its
 * evidence and confidence, the alarms with their states and reasons, the response (its tier, the acknowledgement) and
 * its timeline, and the model developers' notes for the people of tiers 2 and 3.
 */

export interface IncidentPageInput {
  readonly incident: Incident & { readonly source: LikelySource; readonly line: string };
  readonly response: {
    readonly tier: number;
    readonly acknowledged: { readonly by: string; readonly at: string; readonly message: string } | null;
    readonly timeline: readonly { readonly at: string; readonly actor: string; readonly what: string }[];
  } | null;
  /** From the model files' `incidents.notes`. */
  readonly notes?: string;
  readonly renderedAt: string;
}

const TIERS: Record<number, string> = {
  1: 'tier 1 — the automated runbook',
  2: 'tier 2 — the data scientists',
  3: 'tier 3 — the model developers',
};

function responseSection(response: IncidentPageInput['response']): string {
  if (response === null) return '<p class="na">not announced yet (within its group wait, or held during a release)</p>';
  const ack = response.acknowledged
    ? `<p>Acknowledged by <b>${esc(response.acknowledged.by)}</b> at ${esc(response.acknowledged.at)}: ${esc(response.acknowledged.message)}</p>`
    : '';
  const rows = response.timeline.map((e) => [esc(e.at.slice(0, 19).replace('T', ' ')), esc(e.actor), esc(e.what)]);
  return `<p>At <b>${esc(TIERS[response.tier] ?? `tier ${response.tier}`)}</b>.</p>${ack}<h3>Timeline</h3>${table(['time (UTC)', 'who', 'what'], rows)}`;
}

export function incidentPage(input: IncidentPageInput): string {
  const { incident, response } = input;
  const models = incident.models.join(', ') || 'the stack';
  const status =
    incident.status === 'open'
      ? '<span class="tag alarm">open</span>'
      : `<span class="tag">resolved ${esc(incident.resolvedAt ?? '')}</span>`;
  const source = incident.source;
  const members = incident.members.map((m) => [
    esc(m.alarmName),
    esc(SIGNAL_LABELS[m.kind]),
    m.state === 'ALARM' ? '<span class="fail">ALARM</span>' : esc(m.state),
    esc(m.firstAlarmAt.slice(0, 19).replace('T', ' ')),
    esc(m.reason),
  ]);
  const notes = input.notes
    ? `<section><h2>Notes from the model developers</h2><p>${esc(input.notes)}</p></section>`
    : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>incident ${esc(incident.id)} (${esc(models)})</title>
<style>${PAGE_STYLE}</style></head><body><header><h1>Incident ${esc(incident.id)} — ${esc(models)} ${status}</h1>
<div class="facts">opened ${esc(incident.openedAt)} · updated ${esc(incident.updatedAt)} · rendered ${esc(input.renderedAt)}</div></header><main>
<section><div class="verdict ${source.kind === 'uncertain' ? 'fail' : 'pass'}">${esc(incident.line)}</div></section>
<section><h2>Likely source</h2>${table(
    ['kind', 'named', 'evidence', 'confidence'],
    [[esc(source.kind), esc(source.summary), esc(source.evidence), source.confidence.toFixed(2)]],
  )}</section>
<section><h2>Alarms</h2>${table(['alarm', 'signal', 'state', 'first alarm (UTC)', 'reason'], members)}</section>
<section><h2>Response</h2>${responseSection(response)}</section>${notes}
</main></body></html>`;
}
