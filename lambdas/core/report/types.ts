import type { Anomaly, DataSchema } from '../data-schema.js';
import type { DriftReport } from '../drift/compare.js';
import type { FullEvaluation } from '../evaluation.js';
import type { AttributeFairness } from '../fairness.js';
import type { GateResult } from '../gate.js';
import type { ImportanceResult } from '../importance.js';

export type StoredMetrics = Record<string, number | null>;

/** What the validate step found, stored as JSON next to the run's data; the report is drawn from it. */
export interface EvaluationReport {
  readonly model: string;
  readonly runId: string;
  readonly candidate: FullEvaluation;
  readonly fairness: AttributeFairness[];
  readonly importance: ImportanceResult;
  readonly production: {
    readonly version: number;
    readonly metrics: StoredMetrics;
    readonly importance: ImportanceResult;
    /** Features the production model needs that the new data lacks (scored as missing). */
    readonly missingFeatures: string[];
  } | null;
  /** Training data of the candidate against that of the production version. */
  readonly drift: DriftReport | null;
  readonly gate: GateResult;
}

/** Lineage and data facts the model card shows next to the evaluation (from the registry). */
export interface CardFacts {
  readonly model: string;
  readonly version: number | null;
  readonly versionStatus: string | null;
  readonly inProduction: boolean;
  readonly run: {
    readonly runId: string;
    readonly status: string;
    readonly startedAt: string;
    readonly reason?: string;
    readonly preparation?: Record<string, unknown>;
    readonly anomalies?: Anomaly[];
  };
  readonly lineage: Record<string, string>;
  readonly data: { readonly key: string; readonly etag: string; readonly versionId: string | null; readonly sha256?: string; readonly size: number }[];
  readonly hyperparameters: Record<string, unknown> | null;
  readonly schema: DataSchema | null;
}
