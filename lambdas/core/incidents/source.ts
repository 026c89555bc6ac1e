import { extent } from '../extent.js';
import type { Incident, IncidentMember } from './grouping.js';
import { branchOf, rankOf, SIGNAL_LABELS, type Branch } from './signals.js';

/**
 * The likely source of an incident (issue 22): its members ordered along the causal chain, with the recent changes of
 * its models placed where they happened, and the most upstream member or change named — with the evidence and a
 * confidence. Where the evidence points two ways (two branches with causes of their own), the answer is "uncertain":
 * a wrong source named with confidence is worse than none.
 */

export type ChangeKind = 'promotion' | 'rollback' | 'release' | 'upload' | 'schema' | 'retraining';

/** A change to a model recorded by the registry, placed in time. */
export interface Change {
  readonly kind: ChangeKind;
  readonly model: string;
  readonly at: string;
  /** The version it concerns (promotions, rollbacks, releases, retraining runs). */
  readonly version?: number;
  /** In a line: "promotion of v3", "upload incoming/adult/june.csv". */
  readonly what: string;
  /** An upload whose run failed: it trained nothing, so it can explain a failed run but not what is served. */
  readonly failed?: boolean;
}

export interface LikelySource {
  readonly kind: 'change' | 'signal' | 'uncertain';
  /** The member's alarm, or the change, named. */
  readonly summary: string;
  readonly evidence: string;
  /** 0–1: how strongly the evidence supports it (0.5 or less: a guess). */
  readonly confidence: number;
}

/** How far before an incident's first alarm a change may be its cause. */
export const CHANGE_LOOKBACK_HOURS = 24;

const DEPLOYMENT: readonly ChangeKind[] = ['promotion', 'rollback', 'release'];
const DATA: readonly ChangeKind[] = ['upload', 'schema'];

const timeOf = (iso: string) => iso.slice(11, 16);

/** The changes of the incident's models in the lookback before its first alarm, the latest first. */
function recentChanges(incident: Incident, changes: readonly Change[], first: number): Change[] {
  const from = first - CHANGE_LOOKBACK_HOURS * 3_600_000;
  return changes
    .filter((c) => incident.models.includes(c.model) && Date.parse(c.at) <= first && Date.parse(c.at) >= from)
    .sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
}

/** The most upstream alarmed member of a branch (ties: the earliest alarm). */
function upstream(members: readonly IncidentMember[], branch: Branch): IncidentMember | undefined {
  return members
    .filter((m) => branchOf(m.kind) === branch)
    .sort((a, b) => rankOf(a.kind) - rankOf(b.kind) || Date.parse(a.firstAlarmAt) - Date.parse(b.firstAlarmAt))[0];
}

const signalSource = (member: IncidentMember, evidence: string, confidence: number): LikelySource => ({
  kind: 'signal',
  summary: `${SIGNAL_LABELS[member.kind]} (${member.alarmName}) at ${timeOf(member.firstAlarmAt)}`,
  evidence,
  confidence,
});

const changeSource = (change: Change, evidence: string, confidence: number): LikelySource => ({
  kind: 'change',
  summary: `${change.what} at ${timeOf(change.at)}`,
  evidence,
  confidence,
});

/** The quality branch's source: data before drift before decay, a change where it fits. */
function qualitySource(top: IncidentMember, recent: readonly Change[]): LikelySource {
  const downstream = `first of the quality chain to alarm: ${SIGNAL_LABELS[top.kind]}`;
  if (top.kind === 'data' || top.kind === 'input_drift') {
    // An upload trained on (its run did not fail) may have moved the reference the inputs are compared with.
    const upload = recent.find((c) => DATA.includes(c.kind) && c.failed !== true);
    if (upload !== undefined)
      return changeSource(upload, `the inputs changed after it (${SIGNAL_LABELS[top.kind]}: ${top.reason})`, 0.8);
    return signalSource(top, `${downstream}; ${top.reason}`, top.kind === 'data' ? 0.9 : 0.85);
  }
  const deployment = recent.find((c) => DEPLOYMENT.includes(c.kind) || c.kind === 'retraining');
  if (deployment !== undefined)
    return changeSource(
      deployment,
      `quality fell after it (${SIGNAL_LABELS[top.kind]}); inputs unchanged`,
      deployment.kind === 'retraining' ? 0.75 : 0.85,
    );
  // Quality fell with no drift of the inputs and no change behind it: the world changed (concept drift) — a guess.
  return signalSource(top, `${downstream}; inputs unchanged and no change recorded: concept drift?`, 0.5);
}

/** The serving branch's source: the platform beneath, a deployment, or the most upstream serving alarm. */
function servingSource(top: IncidentMember, recent: readonly Change[]): LikelySource {
  if (top.kind === 'platform') return signalSource(top, `the platform failed first: ${top.reason}`, 0.9);
  const deployment = recent.find((c) => DEPLOYMENT.includes(c.kind));
  if (deployment !== undefined && top.kind !== 'no_traffic')
    return changeSource(deployment, `serving degraded after it (${SIGNAL_LABELS[top.kind]})`, 0.8);
  return signalSource(top, `first of the serving chain to alarm: ${top.reason}`, top.kind === 'no_traffic' ? 0.6 : 0.7);
}

/** The incident's likely source, from its members that alarmed and the changes of its models. */
export function likelySource(incident: Incident, changes: readonly Change[]): LikelySource {
  const members = incident.members;
  if (members.length === 0) return { kind: 'uncertain', summary: 'no alarm', evidence: '', confidence: 0 };
  const first = extent(members.map((m) => Date.parse(m.firstAlarmAt)))?.min ?? 0;
  const recent = recentChanges(incident, changes, first);
  const quality = upstream(members, 'quality');
  const serving = upstream(members, 'serving');
  if (serving?.kind === 'platform') return servingSource(serving, recent);
  if (quality !== undefined && serving !== undefined) {
    const a = qualitySource(quality, recent);
    const b = servingSource(serving, recent);
    // One change explains both branches; otherwise two causes at once, and neither is named with confidence.
    if (a.kind === 'change' && a.summary === b.summary)
      return { ...a, confidence: Math.max(a.confidence, b.confidence) };
    return {
      kind: 'uncertain',
      summary: `two branches alarmed: ${a.summary}; ${b.summary}`,
      evidence: `${a.evidence} | ${b.evidence}`,
      confidence: 0.4,
    };
  }
  if (quality !== undefined) return qualitySource(quality, recent);
  if (serving !== undefined) return servingSource(serving, recent);
  const other = upstream(members, 'pipeline') ?? (members[0] as IncidentMember);
  // A run that fails on an upload: the upload (a schema-breaking file) before the run.
  const upload = recent.find((c) => DATA.includes(c.kind));
  if (other.kind === 'pipeline' && upload !== undefined)
    return changeSource(upload, `the training run on it failed: ${other.reason}`, 0.85);
  return signalSource(other, other.reason, 0.7);
}

/** The one line a page carries: `incident 7 (adult): likely source — promotion of v3 at 14:02 (…)`. */
export function sourceLine(label: string, incident: Incident, source: LikelySource): string {
  const models = incident.models.length === 0 ? 'stack' : incident.models.join(', ');
  const head = source.kind === 'uncertain' ? 'source uncertain' : 'likely source';
  return `incident ${label} (${models}): ${head} — ${source.summary} (${source.evidence}; confidence ${source.confidence.toFixed(2)})`;
}
