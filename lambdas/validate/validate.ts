import { Predictor } from '../core/artifact.js';
import type { Frame } from '../core/dataset.js';
import { evaluate, evaluateFull, scoreSplit, type ScoredSplit } from '../core/evaluation.js';
import { attributeFairness, type AttributeFairness } from '../core/fairness.js';
import { multiclassAttributeFairness } from '../core/fairness-multiclass.js';
import { regressionAttributeFairness } from '../core/fairness-regression.js';
import { evaluateGate } from '../core/gate.js';
import { permutationImportance } from '../core/importance.js';
import { singleFeatureScores } from '../core/leak.js';
import { argmaxRows, storableMetrics } from '../core/metrics.js';
import type { ModelConfig } from '../core/model-config.js';
import type { MonitoringReference } from '../core/monitoring/monitoring-reference.js';
import { trainingInfluenceOf } from '../core/monitoring/influence-drift.js';
import type { EvaluationReport } from '../core/report/types.js';
import { fetchArtifact } from '../shared/adapters/artifacts.js';
import type { StepDeps } from '../shared/adapters/step-deps.js';
import { EVALUATION_FILE, MONITORING_REFERENCE_FILE } from '../shared/contracts/layout.js';
import { putObject } from '../shared/adapters/objects.js';
import { type ObjectLocation } from '../shared/contracts/object-location.js';
import type {
  EtlResult,
  RefitResult,
  RunRef,
  TuningResult,
  ValidationResult,
} from '../shared/contracts/pipeline-state.js';
import { PreparedData } from '../shared/adapters/prepared.js';
import { PRODUCTION_ALIAS } from '../shared/contracts/registry-keys.js';
import type { VersionRecord } from '../shared/contracts/registry-records.js';
import { compareWithProduction } from './production.js';
import { monitoringReferenceOf } from './monitoring.js';
import { refitSelection, selectTrials, type TrialSelection } from './trials.js';
import { PIPELINE_STEPS } from '../shared/contracts/pipeline-steps.js';

/** The predicted class index of each scored row: binary positive at a probability of 0.5 or more, else the likeliest. */
function predictedClasses(scored: ScoredSplit): Float32Array {
  const width = scored.classes.length;
  if (width === 2)
    return Float32Array.from(scored.rows, (_, i) => ((scored.scores[i * 2 + 1] as number) >= 0.5 ? 1 : 0));
  return Float32Array.from(argmaxRows(scored.scores, width, scored.rows.length));
}

/** One per-group table per sensitive attribute, on the scored test rows, in the terms of the model's task. */
function fairnessOf(scored: ScoredSplit, test: Frame, config: ModelConfig): AttributeFairness[] {
  const truth = Float32Array.from(scored.truth);
  const predicted = config.task === 'regression' ? Float32Array.from(scored.scores) : predictedClasses(scored);
  return test.sensitive.map((column) => {
    const attribute = { ...column, values: scored.rows.map((r) => column.values[r] ?? null) };
    if (config.task === 'regression')
      return regressionAttributeFairness(attribute, truth, predicted, config.minGroupSize);
    if (config.task === 'multiclass')
      return multiclassAttributeFairness(attribute, truth, predicted, scored.classes, config.minGroupSize);
    return attributeFairness(attribute, truth, predicted, config.minGroupSize);
  });
}

/** The linear baseline's test metrics, scored on the same rows as the candidate. */
async function baselineOf(
  deps: StepDeps,
  selection: TrialSelection,
  test: Frame,
): Promise<EvaluationReport['baseline']> {
  if ('failure' in selection.baseline) return { failure: selection.baseline.failure };
  const predictor = await Predictor.load(await fetchArtifact(deps.s3, selection.baseline.artifact));
  try {
    return {
      metrics: storableMetrics(evaluate(predictor, test).metrics),
      hyperparameters: selection.baseline.hyperparameters,
    };
  } finally {
    predictor.dispose();
  }
}

interface Findings {
  readonly selection: TrialSelection;
  readonly config: ModelConfig;
  readonly report: EvaluationReport;
  /** The candidate's classes (empty for regression): what feedback for this version may name. */
  readonly classes: readonly string[];
  readonly monitoring: MonitoringReference;
}

/**
 * Everything Validate learns about the chosen trial: test metrics and curves, fairness, feature influence, each
 * feature's power alone, the baseline and production on the same rows, drift, and the gate's verdict.
 */
/** Regression: how the target was modelled, and whether the model file or `auto` chose it; null for classifiers. */
function targetOf(candidate: Predictor, config: ModelConfig): EvaluationReport['target'] {
  const label = candidate.artifact.preprocessor.label;
  return label.task === 'regression' ? { transform: label.transform, requested: config.targetTransform } : null;
}

/** The folds the trials were chosen on, and over how many rows (null when compared on the validation split). */
function crossValidationOf(etl: EtlResult): EvaluationReport['crossValidation'] {
  const folds = etl.tuning.crossValidation;
  return folds === null ? null : { ...folds, rows: etl.rows.train + etl.rows.validation };
}

/** Which trial Validate examines: chosen on the validation split here, or out of fold by the Refit step. */
function selectionFor(
  deps: StepDeps,
  etl: EtlResult,
  tuning: TuningResult,
  refit: RefitResult | undefined,
  validation: Frame,
): Promise<TrialSelection> {
  const { task, tuning: search } = etl.config;
  if (refit !== undefined) return Promise.resolve(refitSelection(refit));
  return selectTrials(deps.s3, etl.tuning.trials, tuning, validation, task, search.selection);
}

/** What Validate measures on the chosen trial itself: test metrics, fairness, influence, its monitoring reference. */
async function studyCandidate(
  deps: StepDeps,
  inputs: { etl: EtlResult; tuning: TuningResult; refit: RefitResult | undefined; selection: TrialSelection },
  splits: { train: Frame; validation: Frame; test: Frame },
) {
  const { etl, tuning, refit, selection } = inputs;
  const { train, validation, test } = splits;
  const { config } = etl;
  // A refit trained on the validation rows: influence is then measured on rows it never saw, the test split's.
  const influenceRows = refit === undefined ? validation : test;
  const candidate = await Predictor.load(await fetchArtifact(deps.s3, selection.chosen.artifact));
  try {
    const sliceColumns = [...test.sensitive, ...test.features.filter((c) => config.slices.includes(c.name))];
    const scored = scoreSplit(candidate, test);
    const importance = permutationImportance(candidate, influenceRows, selection.chosen.hyperparameters.seed);
    const reference = await monitoringReferenceOf(deps, etl, tuning, refit, candidate, {
      validation,
      test,
      scoredTest: scored,
    });
    const influence = trainingInfluenceOf(importance);
    return {
      influenceRows,
      evaluation: evaluateFull(scored, test, sliceColumns, config.minGroupSize),
      fairness: fairnessOf(scored, test, config),
      importance,
      singles: singleFeatureScores(config.task, train, validation, candidate.classes),
      classes: [...candidate.classes],
      target: targetOf(candidate, config),
      monitoring: influence === undefined ? reference : { ...reference, influence },
    };
  } finally {
    candidate.dispose();
  }
}

async function examine(
  deps: StepDeps,
  run: RunRef,
  etl: EtlResult,
  tuning: TuningResult,
  refit: RefitResult | undefined,
): Promise<Findings> {
  const prepared = new PreparedData(deps.s3, etl);
  const { config } = etl;
  const [train, test, validation, production] = await Promise.all([
    prepared.split('train'),
    prepared.split('test'),
    prepared.split('validation'),
    deps.registry.aliases.get(run.model, PRODUCTION_ALIAS),
  ]);
  const selection = await selectionFor(deps, etl, tuning, refit, validation);
  const seed = selection.chosen.hyperparameters.seed;
  const studied = await studyCandidate(deps, { etl, tuning, refit, selection }, { train, validation, test });
  const { influenceRows, evaluation, fairness, importance, singles, classes, target, monitoring } = studied;
  const baseline = await baselineOf(deps, selection, test);
  const { champion, drift } =
    production === undefined
      ? { champion: null, drift: null }
      : await compareWithProduction(deps, run.model, production, etl, test, influenceRows, seed, config);
  const gate = evaluateGate({
    metrics: storableMetrics(evaluation.metrics),
    gate: config.gate,
    production: champion ?? undefined,
    baseline: baseline ?? undefined,
    fairness,
    minGroupSize: config.minGroupSize,
    importance,
    singleFeatureScores: singles,
  });
  const report: EvaluationReport = {
    model: run.model,
    runId: run.runId,
    candidate: evaluation,
    fairness,
    importance,
    production: champion,
    drift,
    gate,
    tuning: selection.summaries,
    crossValidation: crossValidationOf(etl),
    baseline,
    singleFeatureScores: singles,
    target,
  };
  return { selection, config, report, classes, monitoring };
}

/**
 * Picks the search's best trial, scores it on the held-out test split beside the linear baseline and the production
 * model (re-scored on the same rows); measures fairness by sensitive group, each feature's influence and each
 * feature's power alone (the leak check); applies the gate; registers the candidate as a new version (rejected ones
 * too: the registry keeps every trained model and why it was not served).
 */
export async function runValidation(
  deps: StepDeps & { codeVersion: string },
  run: RunRef,
  etl: EtlResult,
  tuning: TuningResult,
  refit?: RefitResult,
): Promise<ValidationResult> {
  const existing = await deps.registry.runs.get(run.model, run.runId);
  if (existing?.version !== undefined && existing.metrics !== undefined && existing.gate !== undefined) {
    // A retry of this step after the version was registered: answer with what was recorded.
    const version = await deps.registry.versions.get(run.model, existing.version);
    return {
      version: existing.version,
      metrics: existing.metrics,
      gate: { passed: existing.gate.passed, summary: existing.gate.summary },
      comparedWith: version?.comparedWith ?? null,
    };
  }
  await deps.registry.runs.update(run.model, run.runId, { step: PIPELINE_STEPS.validate });
  const findings = await examine(deps, run, etl, tuning, refit);
  const { selection, report } = findings;
  const reportLocation = { bucket: deps.artifactsBucket, key: `${etl.prefix}${EVALUATION_FILE}` };
  const monitoringLocation = { bucket: deps.artifactsBucket, key: `${etl.prefix}${MONITORING_REFERENCE_FILE}` };
  await Promise.all([
    putObject(deps.s3, reportLocation, JSON.stringify(report), 'application/json'),
    putObject(deps.s3, monitoringLocation, JSON.stringify(findings.monitoring), 'application/json'),
  ]);

  // The version item, the model's version counter and the run's outcome in one transaction: a re-driven Validate gets
  // the version this run registered before, never a second one.
  const version = await deps.registry.versions.register(
    versionRecordOf(deps, run, etl, findings, { evaluation: reportLocation, monitoring: monitoringLocation }),
    {
      metrics: storableMetrics(report.candidate.metrics),
      gate: report.gate,
      tuning: selection.summaries,
      ...(report.drift ? { driftedFeatures: report.drift.driftedFeatures } : {}),
    },
  );
  return {
    version: version.version,
    metrics: version.metrics,
    gate: { passed: version.gate.passed, summary: version.gate.summary },
    comparedWith: version.comparedWith,
  };
}

/** The version as registered: the chosen trial, what it was trained on and with, and what Validate found. */
function versionRecordOf(
  deps: { codeVersion: string },
  run: RunRef,
  etl: EtlResult,
  findings: Findings,
  stored: { readonly evaluation: ObjectLocation; readonly monitoring: ObjectLocation },
): Omit<VersionRecord, 'version' | 'revision'> {
  const { selection, config, report, classes } = findings;
  const { chosen } = selection;
  const { gate, baseline, production: champion } = report;
  return {
    model: run.model,
    runId: run.runId,
    status: gate.passed ? (config.requireApproval ? 'pending' : 'approved') : 'rejected',
    artifact: chosen.artifact,
    weightsSha256: chosen.weightsSha256,
    ...(classes.length > 0 ? { classes } : {}),
    data: etl.data,
    modelConfigSha256: etl.modelConfigSha256,
    hyperparameters: chosen.hyperparameters,
    ...(etl.tuning.crossValidation === null ? {} : { crossValidation: etl.tuning.crossValidation }),
    tuning: selection.summaries,
    baselineMetrics: baseline !== null && 'metrics' in baseline ? baseline.metrics : null,
    metrics: storableMetrics(report.candidate.metrics),
    gate,
    comparedWith: champion?.version ?? null,
    evaluation: stored.evaluation,
    profile: etl.profile,
    ...(etl.driftNull === null ? {} : { monitoring: { reference: stored.monitoring, driftNull: etl.driftNull } }),
    rows: etl.rows,
    schemaVersion: etl.schemaVersion,
    backend: chosen.backend,
    tfjsVersion: chosen.tfjsVersion,
    codeVersion: deps.codeVersion,
    createdAt: new Date().toISOString(),
  };
}
