import type { RunRecord, VersionRecord } from '../lambdas/shared/contracts/registry-records.js';
import { foldSpread } from '../lambdas/core/report/search.js';
import { formatTable, metric } from './format.js';

const hiddenUnits = (units: readonly number[]): string => (units.length === 0 ? 'none (linear)' : units.join(' × '));

/**
 * `mlops show`: one version's metrics beside the linear baseline's, every gate check, the search, and lineage (with
 * what started its run, when the run is known).
 */
export function describeVersion(model: string, version: VersionRecord, run?: Pick<RunRecord, 'startedBy'>): string {
  const baseline = version.baselineMetrics ?? null;
  const metrics = Object.entries(version.metrics).map(([k, v]) =>
    baseline === null ? [k, metric(v)] : [k, metric(v), metric(baseline[k] ?? null)],
  );
  const checks = gateRows(version);
  const trials = trialRows(version);
  return [
    `${model} v${version.version} — ${version.status} (revision ${version.revision})`,
    `gate: ${version.gate.summary}`,
    formatTable(baseline === null ? ['metric', 'value'] : ['metric', 'value', 'linear baseline'], metrics),
    checks.length === 0
      ? 'no gate checks'
      : formatTable(['check', 'what', 'value', 'threshold', 'result', 'detail'], checks),
    trials.length === 0 ? '' : formatTable(trialHeaders(version.crossValidation !== undefined), trials),
    formatTable(['lineage', 'value'], lineageRows(version, run)),
  ]
    .filter((part) => part !== '')
    .join('\n\n');
}

/** Every gate check: what, the value, the threshold, pass / WARN / FAIL and why. */
function gateRows(version: VersionRecord): (string | number | null)[][] {
  return version.gate.checks.map((c) => [
    c.kind,
    c.metric,
    metric(c.value),
    `${c.comparison} ${c.threshold}`,
    c.passed ? 'pass' : (c.severity ?? 'blocking') === 'warning' ? 'WARN' : 'FAIL',
    c.description,
  ]);
}

/** The trial table's columns: cross-validated, the losses are out of fold and each trial's fold spread is shown. */
function trialHeaders(crossValidated: boolean): string[] {
  const scope = crossValidated ? 'out-of-fold' : 'validation';
  return [
    'trial',
    'hidden units',
    'learning rate',
    'l2',
    'batch',
    crossValidated ? 'refit epochs' : 'epochs',
    ...(crossValidated ? ['fold loss (mean ± sd)'] : []),
    `${scope} loss`,
    `${scope} score`,
    '',
  ];
}

/** Every trial of the search, the chosen one marked. */
function trialRows(version: VersionRecord): (string | number | null)[][] {
  const folds = version.crossValidation !== undefined;
  return (version.tuning ?? []).map((t) => [
    t.role === 'baseline' ? 'baseline' : t.id,
    t.hyperparameters === null ? '—' : hiddenUnits(t.hyperparameters.hiddenUnits),
    t.hyperparameters?.learningRate ?? null,
    t.hyperparameters?.l2 ?? null,
    t.hyperparameters?.batchSize ?? null,
    t.epochsRun === null ? null : folds ? t.epochsRun : `${t.epochsRun} (best ${t.bestEpoch ?? '?'})`,
    ...(folds ? [foldSpread(t.foldLosses)] : []),
    metric(t.validationLoss),
    metric(t.validationMetrics?.roc_auc ?? t.validationMetrics?.r2 ?? t.validationMetrics?.accuracy ?? null),
    t.failure === null ? (t.chosen ? 'chosen' : '') : `failed: ${t.failure}`,
  ]);
}

/** Where the version came from: run, data, rows, schema, model file, code, hyper-parameters, artifact. */
function lineageRows(version: VersionRecord, run?: Pick<RunRecord, 'startedBy'>): (string | null)[][] {
  const hp = version.hyperparameters;
  return [
    ['run', version.runId],
    ...(run === undefined ? [] : [['started by', startedBy(run)]]),
    ['data', version.data.map((d) => `s3://${d.bucket}/${d.key} sha256 ${d.sha256 ?? '?'}`).join('; ')],
    [
      'rows',
      `${version.rows.read} read, ${version.rows.kept} kept (train ${version.rows.train}, validation ${version.rows.validation}, test ${version.rows.test})`,
    ],
    ['data schema', `v${version.schemaVersion}`],
    ['model file sha256', version.modelConfigSha256],
    ['code version', version.codeVersion],
    ['backend', `${version.backend}; ${version.tfjsVersion}`],
    [
      'selection',
      version.crossValidation === undefined
        ? 'on the validation split'
        : `${version.crossValidation.folds}-fold cross-validation (seed ${version.crossValidation.seed}), refit on train + validation`,
    ],
    [
      'hyper-parameters',
      `hidden ${hiddenUnits(hp.hiddenUnits)}, learning rate ${hp.learningRate} (${hp.learningRateSchedule ?? 'constant'}), l2 ${hp.l2}, batch ${hp.batchSize}, epochs ${hp.epochs}, seed ${hp.seed}`,
    ],
    ['artifact', `s3://${version.artifact.bucket}/${version.artifact.key}`],
    ['artifact sha256', version.artifact.sha256],
    ['weights sha256', version.weightsSha256],
    ['compared with', version.comparedWith === null ? null : `v${version.comparedWith}`],
  ];
}

/** What started a run: an upload, or the retraining's trigger and why. */
export function startedBy(run: Pick<RunRecord, 'startedBy'>): string {
  return run.startedBy === undefined ? 'upload' : `${run.startedBy.trigger}: ${run.startedBy.detail}`;
}
