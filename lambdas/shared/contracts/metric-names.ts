/**
 * Names of the project's own CloudWatch metrics that alarms are declared on: the functions publish them (embedded
 * metric format, namespace ServerlessMlops, dimensions `service` and `model`) and the stack alarms on them, so both
 * use these constants.
 */
export const METRIC_NAMESPACE = 'ServerlessMlops';

export const PREDICT_METRICS = {
  /** One per request for a model that has a production version (Count). */
  requests: 'PredictRequests',
  /** 1 for a request answered 5xx, else 0: its Average is the error rate (Count). */
  serverErrors: 'PredictServerErrors',
  /** The handler's time for the request (Milliseconds). */
  latency: 'PredictLatency',
  /** Instances scored (Count). */
  predictions: 'Predictions',
  /**
   * Per variant during a release: the sum of the predictions' scores (positive-class probability, top-class
   * probability, or value for regression); over Predictions, the mean score.
   */
  scoreSum: 'PredictionScoreSum',
  /** Per variant during a release, binary models: predictions of the positive class; over Predictions, the rate. */
  positives: 'PositivePredictions',
  /** A request for a deployed model answered 404: it has no production version (Count). */
  modelMissing: 'PredictModelMissing',
  /** A refresh of the served version failed: the pointer unreadable, or its version not loadable (Count). */
  refreshFailures: 'ModelRefreshFailures',
  /** A release candidate could not be loaded beside production (Count). */
  candidateLoadFailures: 'CandidateLoadFailures',
  /** At each pointer read: 1 when the container serves another version than the pointer names (or none), else 0. */
  servedVersionMismatch: 'ServedVersionMismatch',
} as const;

/** Changes of what is served, by model: the pipeline's promotions, and an operator's promotions and rollbacks. */
export const LIFECYCLE_METRICS = {
  promotions: 'Promotions',
  rollbacks: 'Rollbacks',
} as const;

export const PIPELINE_METRICS = {
  runsFailed: 'RunsFailed',
  runsRejected: 'RunsRejected',
  /** 1 while a release of the model is in progress (the release process publishes it): the suppressor of alerts. */
  releaseInProgress: 'ReleaseInProgress',
} as const;

/** What each monitored window publishes, per model and variant (the monitor function; alarms watch them). */
export const MONITOR_METRICS = {
  /** Predictions in the window (Count). */
  predictions: 'MonitoredPredictions',
  /** Of them, with ground truth received (Count). */
  labelled: 'LabelledPredictions',
  /** Share of features whose drift test flagged the window (None, 0–1); absent with insufficient data. */
  driftedShare: 'DriftedFeatureShare',
  /** 1 when the predictions' distribution drifted, else 0; absent with insufficient data. */
  predictionDrift: 'PredictionDrift',
  /** The version's test accuracy (R² for regression) less the window's estimate (None); absent when not estimable. */
  estimatedDrop: 'EstimatedPerformanceDrop',
  /** The window's estimated accuracy (no labels); absent when not estimable. */
  estimated: 'EstimatedPerformance',
  /** The window's accuracy (R² for regression) from ground truth; absent with too few labels. */
  realized: 'RealizedPerformance',
  /** The same from the window's ground truth; absent with too few labels. */
  realizedDrop: 'RealizedPerformanceDrop',
  /**
   * The largest growth of a feature's share of influence since validation (None, −1–1); absent when influence was not
   * measured (too few labels, or an input not captured as sent).
   */
  influenceGrowth: 'FeatureInfluenceGrowth',
  /**
   * Hours production has gone without a request, counted from when its version began to be served (None; per model,
   * no variant): what the no-traffic alarm watches.
   */
  silentHours: 'ProductionSilentHours',
  /** Inputs with a category, or a value outside the range, the training split never had (Count). */
  newCategories: 'NewCategoryInputs',
  outOfRange: 'OutOfRangeInputs',
} as const;

/** What the retrain function counts per model (a request deduplicated, capped or in cool-down counts 0). */
export const RETRAIN_METRICS = {
  started: 'RetrainingsStarted',
  /** Retrainings the policy allowed that found nothing new to train on (the same data and model file, no labels). */
  nothingNew: 'RetrainingsWithNothingNew',
} as const;

/** The `service` dimension Powertools adds: the construct sets POWERTOOLS_SERVICE_NAME to `mlops-<function>`. */
export const serviceOf = (functionName: string): string => `mlops-${functionName}`;

/**
 * The names of a model's alarms on its release candidate (per minute): explicit and derived from the stack and model
 * names, so the release function finds them from the stack name alone, however many models the stack serves.
 */
export function candidateAlarmNames(
  stackName: string,
  model: string,
): { readonly errorRate: string; readonly latency: string } {
  return {
    errorRate: `${stackName}-${model}-candidate-error-rate`,
    latency: `${stackName}-${model}-candidate-latency`,
  };
}

/** Matches every candidate alarm name of the stack (for the release function's permission to read them). */
export const candidateAlarmNamePattern = (stackName: string): string => `${stackName}-*-candidate-*`;
