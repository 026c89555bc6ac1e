/**
 * Partition-key prefixes of the registry table, one per kind of item. They are separate partitions on purpose:
 * IAM can restrict a function to some kinds with the `dynamodb:LeadingKeys` condition (for example, only the
 * promote function may write `ALIAS#` items, the production pointer).
 */
export const KEY_PREFIX = {
  run: 'RUN#',
  version: 'VERSION#',
  alias: 'ALIAS#',
  schema: 'SCHEMA#',
  audit: 'AUDIT#',
  /** Ground truth received, one item per prediction id (idempotency of feedback); expires with `expiresAt`. */
  feedback: 'FEEDBACK#',
  /** A model's current (or last) release: candidate, mode, share, state. */
  release: 'RELEASE#',
  /** One item per monitored window of a model, by the window's start (written once: a repeated window is a no-op). */
  monitor: 'MONITOR#',
  /** A model's automatic retrainings: the recent starts the cool-down and the weekly cap count. */
  retrain: 'RETRAIN#',
  /** Incidents: the grouping state (one item, compare-and-set) and one record per incident. */
  incident: 'INCIDENT#',
} as const;

export type ItemKind = keyof typeof KEY_PREFIX;

export const PRODUCTION_ALIAS = 'production';
/** The newest version that passed its gate: what `mlops promote <model>` serves when no version is named. */
export const CANDIDATE_ALIAS = 'candidate';

export function runKey(model: string, runId: string): { pk: string; sk: string } {
  return { pk: `${KEY_PREFIX.run}${model}`, sk: runId };
}

/** The model's version counter: in the versions' partition, sorted before every version (`#` < digits). */
export function versionCounterKey(model: string): { pk: string; sk: string } {
  return { pk: `${KEY_PREFIX.version}${model}`, sk: '#latest' };
}

export function versionKey(model: string, version: number): { pk: string; sk: string } {
  return { pk: `${KEY_PREFIX.version}${model}`, sk: String(version).padStart(10, '0') };
}

/** The pointer to a model's current data schema. */
export function schemaKey(model: string): { pk: string; sk: string } {
  return { pk: `${KEY_PREFIX.schema}${model}`, sk: 'current' };
}

/** Audit events sort by time within a model; the id makes two events in the same millisecond distinct. */
export function auditKey(model: string, at: string, id: string): { pk: string; sk: string } {
  return { pk: `${KEY_PREFIX.audit}${model}`, sk: `${at}#${id}` };
}

export function aliasKey(model: string, alias: string): { pk: string; sk: string } {
  return { pk: `${KEY_PREFIX.alias}${model}`, sk: alias };
}

export function feedbackKey(model: string, predictionId: string): { pk: string; sk: string } {
  return { pk: `${KEY_PREFIX.feedback}${model}`, sk: predictionId };
}

export function releaseKey(model: string): { pk: string; sk: string } {
  return { pk: `${KEY_PREFIX.release}${model}`, sk: 'current' };
}

export function monitorKey(model: string, windowStart: string): { pk: string; sk: string } {
  return { pk: `${KEY_PREFIX.monitor}${model}`, sk: windowStart };
}

export function retrainKey(model: string): { pk: string; sk: string } {
  return { pk: `${KEY_PREFIX.retrain}${model}`, sk: 'starts' };
}

/** The incident grouping's state: the live incidents, each alarm's latest transition, the pages not yet sent. */
export function incidentStateKey(): { pk: string; sk: string } {
  return { pk: `${KEY_PREFIX.incident}state`, sk: 'grouping' };
}

/** One incident's record, by its number (zero-padded, so they list in order). */
export function incidentKey(number: number): { pk: string; sk: string } {
  return { pk: `${KEY_PREFIX.incident}log`, sk: String(number).padStart(10, '0') };
}

/** How an incident is being responded to: its tier, the token tier 2's acknowledgement answers, its timeline. */
export function incidentResponseKey(number: number): { pk: string; sk: string } {
  return { pk: `${KEY_PREFIX.incident}response`, sk: String(number).padStart(10, '0') };
}
