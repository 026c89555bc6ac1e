import * as z from 'zod';
import { ANOMALY_KINDS } from '../../core/data-schema.js';
import { IntegrityError } from '../../core/errors.js';
import { recordedHyperparametersSchema } from '../../core/artifact-schema.js';
import type { AliasRecord, AuditEvent, RunRecord, SchemaPointer, VersionRecord } from './registry-records.js';

/**
 * The registry's items as they are read back: every item is parsed against the shape its writers give it, so a
 * malformed item — hand-edited, or written by another version of the code — fails where it is read, naming its key
 * and field, instead of somewhere deep inside a computation. Extra attributes pass (an item may gain fields). The
 * schemas are built on first use: a function that reads one kind of item (predict reads pointers) builds no other.
 */

/** A schema built the first time it is needed. */
function lazy<T>(build: () => z.ZodType<T>): () => z.ZodType<T> {
  let built: z.ZodType<T> | undefined;
  return () => (built ??= build());
}

export const objectVersionSchema = z.object({
  bucket: z.string().min(1),
  key: z.string().min(1),
  etag: z.string(),
  versionId: z.string().nullable(),
  size: z.number(),
});
export const dataRecordSchema = objectVersionSchema.extend({ sha256: z.string().optional() });
export const artifactRecordSchema = z.object({ bucket: z.string(), key: z.string(), sha256: z.string() });

const locationSchema = z.object({ bucket: z.string(), key: z.string() });
/** Metrics as stored: JSON has no NaN, so an undefined metric is null. */
export const storedMetricsSchema = z.record(z.string(), z.number().nullable());
const severitySchema = z.enum(['blocking', 'warning']);

/** The gate's verdict as stored with runs, versions and the evaluation report. */
export const gateResultSchema = lazy(() =>
  z.object({
    passed: z.boolean(),
    checks: z.array(
      z.object({
        kind: z.enum([
          'minimum',
          'maximum',
          'vs_production',
          'baseline',
          'fairness',
          'leak',
          'feature_share',
          'feature_share_growth',
        ]),
        metric: z.string(),
        comparison: z.enum(['>=', '<=']),
        threshold: z.number(),
        value: z.number().nullable(),
        passed: z.boolean(),
        severity: severitySchema,
        description: z.string(),
      }),
    ),
    summary: z.string(),
  }),
);

/** One trial of a run's search, as stored with runs, versions and the evaluation report. */
export const trialRecordSchema = lazy(() =>
  z.object({
    id: z.string(),
    role: z.enum(['candidate', 'baseline']),
    hyperparameters: recordedHyperparametersSchema.nullable(),
    validationLoss: z.number().nullable(),
    validationMetrics: storedMetricsSchema.nullable(),
    epochsRun: z.number().nullable(),
    bestEpoch: z.number().nullable(),
    stoppedBy: z.string().nullable(),
    seconds: z.number().nullable(),
    chosen: z.boolean(),
    failure: z.string().nullable(),
    foldLosses: z.array(z.number().nullable()).optional(),
  }),
);

const anomalySchema = lazy(() =>
  z.object({
    kind: z.enum(ANOMALY_KINDS),
    column: z.string(),
    severity: severitySchema,
    description: z.string(),
    worstValue: z.string().nullable(),
    count: z.number(),
    share: z.number(),
  }),
);

export const runItemSchema = lazy<RunRecord>(() =>
  z.looseObject({
    model: z.string(),
    runId: z.string(),
    status: z.enum(['RUNNING', 'PROMOTED', 'RELEASED', 'AWAITING_APPROVAL', 'REJECTED', 'FAILED', 'SUPERSEDED']),
    trigger: objectVersionSchema,
    startedBy: z.object({ trigger: z.enum(['alarm', 'schedule', 'manual', 'redrive']), detail: z.string() }).optional(),
    data: z.array(dataRecordSchema).optional(),
    startedAt: z.string(),
    updatedAt: z.string(),
    finishedAt: z.string().optional(),
    executionId: z.string().optional(),
    step: z.string().optional(),
    reason: z.string().optional(),
    errorType: z.string().optional(),
    version: z.number().int().optional(),
    metrics: storedMetricsSchema.optional(),
    gate: gateResultSchema().optional(),
    preparation: z.record(z.string(), z.unknown()).optional(),
    schemaVersion: z.number().int().optional(),
    anomalies: z.array(anomalySchema()).optional(),
    anomalyCounts: z
      .object({
        total: z.number(),
        blocking: z.number(),
        byKind: z.partialRecord(z.enum(ANOMALY_KINDS), z.number()),
        list: locationSchema,
      })
      .optional(),
    driftedFeatures: z.array(z.string()).optional(),
    tuning: z.array(trialRecordSchema()).optional(),
    report: locationSchema.optional(),
    resumeState: z.record(z.string(), z.unknown()).optional(),
    redrives: z.number().int().optional(),
    lastDuplicateAt: z.string().optional(),
    uploads: z.number().int().optional(),
    uploadTickets: z.number().int().optional(),
  }),
);

export const versionItemSchema = lazy<VersionRecord>(() =>
  z.looseObject({
    model: z.string(),
    version: z.number().int().positive(),
    runId: z.string(),
    status: z.enum(['pending', 'approved', 'rejected', 'archived']),
    revision: z.number().int(),
    artifact: artifactRecordSchema,
    weightsSha256: z.string(),
    classes: z.array(z.string()).optional(),
    data: z.array(dataRecordSchema),
    modelConfigSha256: z.string(),
    hyperparameters: recordedHyperparametersSchema,
    crossValidation: z.object({ folds: z.number().int(), seed: z.number().int() }).optional(),
    tuning: z.array(trialRecordSchema()).optional(),
    baselineMetrics: storedMetricsSchema.nullable().optional(),
    metrics: storedMetricsSchema,
    gate: gateResultSchema(),
    comparedWith: z.number().int().nullable(),
    evaluation: locationSchema,
    profile: locationSchema,
    monitoring: z.object({ reference: locationSchema, driftNull: locationSchema }).optional(),
    rows: z.object({ read: z.number(), kept: z.number(), train: z.number(), validation: z.number(), test: z.number() }),
    schemaVersion: z.number().int(),
    backend: z.string(),
    tfjsVersion: z.string(),
    codeVersion: z.string(),
    createdAt: z.string(),
  }),
);

export const aliasItemSchema = lazy<AliasRecord>(() =>
  z.looseObject({
    model: z.string(),
    alias: z.string(),
    version: z.number().int().positive(),
    artifact: artifactRecordSchema,
    revision: z.number().int(),
    updatedAt: z.string(),
    reason: z.string(),
    previous: z.array(z.number().int()),
  }),
);

export const auditItemSchema = lazy<AuditEvent>(() =>
  z.looseObject({
    model: z.string(),
    at: z.string(),
    id: z.string(),
    action: z.enum([
      'promote',
      'rollback',
      'approve',
      'reject',
      'archive',
      'alias',
      'alarm',
      'release',
      'retrain',
      'incident',
    ]),
    actor: z.string(),
    reason: z.string(),
    version: z.number().int(),
    previousVersion: z.number().int().nullable(),
    outcome: z.enum(['succeeded', 'refused']),
    detail: z.string(),
  }),
);

export const schemaPointerItemSchema = lazy<SchemaPointer>(() =>
  z.looseObject({
    model: z.string(),
    version: z.number().int().positive(),
    location: locationSchema,
    createdFromRun: z.string(),
    updatedAt: z.string(),
  }),
);

/**
 * The record an item stores, checked against its schema, without its key.
 * @throws IntegrityError naming the item's key and the first field that is wrong
 */
export function parseStoredItem<T>(
  schema: z.ZodType<T> | (() => z.ZodType<T>),
  item: Record<string, unknown>,
  what: string,
): T {
  const { pk, sk, ...record } = item;
  const parsed = (typeof schema === 'function' ? schema() : schema).safeParse(record);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue === undefined || issue.path.length === 0 ? '(the item)' : issue.path.join('.');
  throw new IntegrityError(
    `the registry's ${what} item ${String(pk)} / ${String(sk)} is malformed at ${field}: ${issue?.message ?? 'invalid'}`,
    { cause: parsed.error },
  );
}

/** As parseStoredItem, for a read that may find no item. */
export function parseItem<T>(
  schema: z.ZodType<T> | (() => z.ZodType<T>),
  item: Record<string, unknown> | undefined,
  what: string,
): T | undefined {
  return item === undefined ? undefined : parseStoredItem(schema, item, what);
}
