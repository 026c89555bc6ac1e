import type { AnomalySummary } from '../../core/anomaly-report.js';
import type { Anomaly } from '../../core/data-schema.js';
import type { GateResult } from '../../core/gate-checks.js';
import type { Hyperparameters } from '../../core/hyperparameters.js';
import type { TrialRecord } from '../../core/report/types.js';
import type { ObjectLocation, ObjectVersion } from './object-location.js';

/** The registry's items, as the pipeline, the CLI and the card read them. */

/** Metrics as stored: DynamoDB has no NaN, so an undefined metric (e.g. AUC of one class) is null. */
export type StoredMetrics = Record<string, number | null>;

/**
 * `RELEASED`: the version passed its gate and was handed to a canary or shadow release (`mlops release` follows it).
 * `SUPERSEDED`: it passed its gate against a production version that was replaced before it could be promoted.
 */
export type RunStatus =
  'RUNNING' | 'PROMOTED' | 'RELEASED' | 'AWAITING_APPROVAL' | 'REJECTED' | 'FAILED' | 'SUPERSEDED';

/**
 * Approval state of a model version: `approved` versions can be served; `pending` ones wait for `mlops approve`
 * (models that require manual approval); `rejected` ones failed their gate or a reviewer; `archived` ones are retired.
 */
export type VersionStatus = 'pending' | 'approved' | 'rejected' | 'archived';

/** The data a run trained on, as S3 identified it, with the sha256 the ETL step computed. */
export interface DataRecord extends ObjectVersion {
  readonly sha256?: string;
}

export interface RunRecord {
  readonly model: string;
  readonly runId: string;
  readonly status: RunStatus;
  /** The uploaded object that triggered the run. */
  readonly trigger: ObjectVersion;
  /** What started the run when no upload did: an alarm, a schedule or a person (absent: an upload). */
  readonly startedBy?: { readonly trigger: 'alarm' | 'schedule' | 'manual' | 'redrive'; readonly detail: string };
  /** Every object the run read (the trigger alone, or the latest N under the prefix). */
  readonly data?: DataRecord[];
  readonly startedAt: string;
  readonly updatedAt: string;
  readonly finishedAt?: string;
  /** The Step Functions execution that owns the run. */
  readonly executionId?: string;
  readonly step?: string;
  readonly reason?: string;
  readonly errorType?: string;
  readonly version?: number;
  readonly metrics?: StoredMetrics;
  readonly gate?: GateResult;
  readonly preparation?: Record<string, unknown>;
  /** The schema version the data was checked against, and what the check found. */
  readonly schemaVersion?: number;
  /** The first anomalies (blocking first, at most ANOMALIES_NAMED); `anomalyCounts` counts them all. */
  readonly anomalies?: Anomaly[];
  readonly anomalyCounts?: Omit<AnomalySummary, 'first'> & { readonly list: ObjectLocation };
  readonly driftedFeatures?: string[];
  /** Every trial of the run's search, the chosen one marked. */
  readonly tuning?: TrialRecord[];
  /** The model card of the run. */
  readonly report?: ObjectLocation;
  /** For a FAILED run: the state the pipeline had reached, so the run can be re-driven from the failed step. */
  readonly resumeState?: Record<string, unknown>;
  /** How many times the run was re-driven. */
  readonly redrives?: number;
  /** When the same object (and model file) was last uploaded again: no second run started. */
  readonly lastDuplicateAt?: string;
  /** Uploads of the object that reached the pipeline: the one that started the run, and each duplicate since. */
  readonly uploads?: number;
  /** Tickets uploaders took to tell which of identical concurrent uploads started the run (see RunUploads). */
  readonly uploadTickets?: number;
}

export interface SchemaPointer {
  readonly model: string;
  readonly version: number;
  readonly location: ObjectLocation;
  readonly createdFromRun: string;
  readonly updatedAt: string;
}

export interface ArtifactRecord extends ObjectLocation {
  readonly sha256: string;
}

export interface VersionRecord {
  readonly model: string;
  readonly version: number;
  readonly runId: string;
  readonly status: VersionStatus;
  /** Incremented by every change of the version item (optimistic locking). */
  readonly revision: number;
  readonly artifact: ArtifactRecord;
  readonly weightsSha256: string;
  /** The classes a classifier predicts, in its output order (absent for regression, and on versions from before it was recorded). */
  readonly classes?: readonly string[];
  readonly data: DataRecord[];
  readonly modelConfigSha256: string;
  /** The chosen candidate's hyper-parameters, as trained (what `mlops reproduce` trains with). */
  readonly hyperparameters: Hyperparameters;
  /**
   * Present when the trial was chosen by cross-validation: it was then trained on the training and validation rows
   * together for `hyperparameters.epochs` epochs (what `mlops reproduce` replays).
   */
  readonly crossValidation?: { readonly folds: number; readonly seed: number };
  /** Every trial of the run's search, the chosen one marked (absent on versions from before tuning). */
  readonly tuning?: TrialRecord[];
  /** The linear baseline's test metrics, on the same rows (null when it could not be trained). */
  readonly baselineMetrics?: StoredMetrics | null;
  readonly metrics: StoredMetrics;
  readonly gate: GateResult;
  /** The production version the candidate was compared with (re-scored on the same test split), if any. */
  readonly comparedWith: number | null;
  /** The validate step's full findings (curves, fairness, importance, the comparison). */
  readonly evaluation: ObjectLocation;
  /** Mergeable profile of the training split: the reference for drift. */
  readonly profile: ObjectLocation;
  /**
   * What monitoring compares live traffic with (absent on versions from before monitoring): the version's calibration
   * and prediction reference, and the training profile's bootstrapped drift null.
   */
  readonly monitoring?: { readonly reference: ObjectLocation; readonly driftNull: ObjectLocation };
  /** Rows read, kept after cleaning, and in each split. */
  readonly rows: {
    readonly read: number;
    readonly kept: number;
    readonly train: number;
    readonly validation: number;
    readonly test: number;
  };
  readonly schemaVersion: number;
  readonly backend: string;
  readonly tfjsVersion: string;
  readonly codeVersion: string;
  readonly createdAt: string;
}

export interface AliasRecord {
  readonly model: string;
  readonly alias: string;
  readonly version: number;
  readonly artifact: ArtifactRecord;
  /** Incremented by every change; a writer must name the revision it read (optimistic locking). */
  readonly revision: number;
  readonly updatedAt: string;
  readonly reason: string;
  /** Versions this alias pointed at before, oldest first (the rollback path). */
  readonly previous: number[];
}

/**
 * `alarm`: one of the model's alarms changed state (recorded from CloudWatch, with the version then in production).
 * `incident`: a person acknowledged, escalated or resolved one of its incidents (`mlops incidents`).
 */
export type AuditAction =
  'promote' | 'rollback' | 'approve' | 'reject' | 'archive' | 'alias' | 'alarm' | 'release' | 'retrain' | 'incident';

/** One append-only record of a change (or a refused attempt) to what is served or approved. */
export interface AuditEvent {
  readonly model: string;
  readonly at: string;
  readonly id: string;
  readonly action: AuditAction;
  /** Who: the IAM principal in AWS, user@host locally, or the pipeline. */
  readonly actor: string;
  readonly reason: string;
  readonly version: number;
  readonly previousVersion: number | null;
  readonly outcome: 'succeeded' | 'refused';
  readonly detail: string;
}
