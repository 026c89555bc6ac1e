/**
 * Where things live in the buckets. The CDK stack scopes IAM grants to these prefixes, so they are defined once here.
 */
export const LAYOUT = {
  /** Data bucket: uploads go under `incoming/<model>/`; each upload starts a run. */
  incoming: 'incoming/',
  /** Artifacts bucket: per-run prepared data and reports. */
  runs: 'runs/',
  /** Artifacts bucket: versioned data schemas. */
  schemas: 'schemas/',
  /** Artifacts bucket: model artifacts, the only prefix serving may read. */
  models: 'models/',
  /** Data bucket: captured requests and answers, `capture/model=<m>/dt=<yyyy-MM-dd-HH>/` (Firehose writes them). */
  capture: 'capture/',
  /** Data bucket: ground truth sent as feedback, `feedback/model=<m>/dt=<yyyy-MM-dd-HH>/`. */
  feedback: 'feedback/',
  /** Data bucket: capture and feedback records Firehose could not partition or process. */
  captureErrors: 'capture-errors/',
  /** Data bucket: the labelled captured rows a retraining on feedback trains on beside the newest upload. */
  retraining: 'retraining/',
  /** Artifacts bucket: one monitoring report (HTML) per monitored window, `monitoring/<model>/<window start>.html`. */
  monitoring: 'monitoring/',
  /** Artifacts bucket: each incident's page (HTML), `incidents/<number>.html`, rewritten as its response goes on. */
  incidents: 'incidents/',
} as const;

/** Files of a run under its prefix: the validate step's findings and the model card drawn from them. */
export const EVALUATION_FILE = 'evaluation.json';
/** The validated version's monitoring reference: calibration and prediction distribution (lambdas/core/monitoring). */
export const MONITORING_REFERENCE_FILE = 'monitoring-reference.json';
/** Every anomaly the data check found (the run item names the first few). */
export const ANOMALIES_FILE = 'anomalies.json';
export const REPORT_FILE = 'report.html';

export function runPrefix(model: string, runId: string): string {
  return `${LAYOUT.runs}${model}/${runId}/`;
}

export function monitoringReportKey(model: string, windowStart: string): string {
  return `${LAYOUT.monitoring}${model}/${windowStart}.html`;
}

export function incidentPageKey(incident: string): string {
  return `${LAYOUT.incidents}${incident}.html`;
}

export function schemaKey(model: string, version: number): string {
  return `${LAYOUT.schemas}${model}/v${version}.json`;
}

/** One trial's model artifact: the chosen candidate's is the version's; the others stay for the record. */
export function trialArtifactKey(model: string, runId: string, trialId: string): string {
  return `${LAYOUT.models}${model}/${runId}/${trialId}.json`;
}

/** A fold training's predictions for the rows it held out, next to the run's prepared data. */
export function trialOutOfFoldKey(model: string, runId: string, trainingId: string): string {
  return `${runPrefix(model, runId)}trials/${trainingId}-out-of-fold.json`;
}

/** One trial's loss per epoch, next to the run's prepared data. */
export function trialHistoryKey(model: string, runId: string, trialId: string): string {
  return `${runPrefix(model, runId)}trials/${trialId}-history.json`;
}
