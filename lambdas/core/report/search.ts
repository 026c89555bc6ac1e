import type { SingleFeatureScore } from '../leak.js';
import { esc, num, table } from './markup.js';
import type { EvaluationReport, TrialRecord } from './types.js';

/** Model-card sections about how the candidate was found: the search's trials and the linear baseline. */

/** The metric the card lists per trial: ROC AUC for classifiers that have it, else accuracy, else R². */
function primaryMetric(trials: readonly TrialRecord[]): string {
  const names = new Set(trials.flatMap((t) => Object.keys(t.validationMetrics ?? {})));
  return ['roc_auc', 'r2', 'accuracy'].find((n) => names.has(n)) ?? 'accuracy';
}

/** A cross-validated trial's fold losses as "mean ± standard deviation" (sample), or a dash. */
export function foldSpread(losses: readonly (number | null)[] | undefined): string {
  const finite = (losses ?? []).filter((l): l is number => l !== null);
  if (finite.length === 0) return '—';
  const mean = finite.reduce((a, b) => a + b, 0) / finite.length;
  const sd = finite.length > 1 ? Math.sqrt(finite.reduce((a, b) => a + (b - mean) ** 2, 0) / (finite.length - 1)) : 0;
  return `${num(mean)} ± ${num(sd)}`;
}

function trialRow(trial: TrialRecord, metric: string, folds: boolean): string[] {
  const hp = trial.hyperparameters;
  const name = trial.role === 'baseline' ? 'linear baseline' : trial.id;
  const foldCells = folds
    ? [esc((trial.foldLosses ?? []).map((l) => num(l)).join(' · ') || '—'), esc(foldSpread(trial.foldLosses))]
    : [];
  if (hp === null) {
    const dashes = Array.from({ length: 8 + foldCells.length }, () => '—');
    return [esc(name), ...dashes, `<span class="fail">failed</span> ${esc(trial.failure ?? '')}`];
  }
  return [
    esc(name),
    esc(hp.hiddenUnits.length === 0 ? 'none (linear)' : hp.hiddenUnits.join(' × ')),
    String(hp.learningRate),
    String(hp.l2),
    String(hp.batchSize),
    folds ? String(trial.epochsRun ?? '—') : `${trial.epochsRun ?? '?'} (best ${trial.bestEpoch ?? '?'})`,
    esc(trial.stoppedBy ?? ''),
    ...foldCells,
    num(trial.validationLoss),
    num(trial.validationMetrics?.[metric] ?? null),
    trial.chosen
      ? '<span class="pass">chosen</span>'
      : trial.failure
        ? `<span class="fail">failed</span> ${esc(trial.failure)}`
        : '',
  ];
}

function searchIntro(report: EvaluationReport, candidates: number): string {
  const cv = report.crossValidation;
  if (cv !== null)
    return `<p>Chosen by ${cv.folds}-fold cross-validation over the ${cv.rows} training and validation rows (fewer than the holdout needs to tell trials apart): each trial was trained ${cv.folds} times, each time scored on the fold it did not see, and one was chosen by the model file's rule on the out-of-fold losses (by default the simplest trial within one standard error of the lowest, the standard error taken from the paired fold losses and corrected for the training rows the folds share). It and the linear baseline were then trained on all ${cv.rows} rows for the mean of their folds' best epochs; the test split was never used.</p>`;
  return candidates > 1
    ? `<p>The candidates were trained on the training split and compared by their loss on the validation split, and one was chosen by the model file's rule (by default the simplest within one standard error of the lowest). Hyper-parameters the model file does not set were chosen from the data, and searched.</p>`
    : '<p>One candidate: the model file fixes the hyper-parameters a search would vary (or sets <code>tuning.candidates</code> to 1).</p>';
}

/** Every trial with its hyper-parameters and validation loss (per fold when cross-validated); the chosen one marked. */
export function searchSection(report: EvaluationReport): string {
  const trials = report.tuning;
  if (trials.length === 0) return '<p>No search was recorded for this run.</p>';
  const candidates = trials.filter((t) => t.role === 'candidate').length;
  const metric = primaryMetric(trials);
  const folds = report.crossValidation !== null;
  const scope = folds ? 'out-of-fold' : 'validation';
  return `${searchIntro(report, candidates)}${table(
    [
      'trial',
      'hidden units',
      'learning rate',
      'l2',
      'batch',
      folds ? 'refit epochs' : 'epochs',
      'stopped by',
      ...(folds ? ['fold losses', 'mean ± sd'] : []),
      `${scope} loss`,
      `${scope} ${metric}`,
      '',
    ],
    trials.map((t) => trialRow(t, metric, folds)),
  )}`;
}

/** The candidate's test metrics beside the linear baseline's, on the same rows. */
export function baselineNote(report: EvaluationReport): string {
  const baseline = report.baseline;
  if (baseline === null) return '';
  if ('failure' in baseline)
    return `<p class="na">The linear baseline could not be trained: ${esc(baseline.failure)}</p>`;
  return '<p>The linear baseline is the same network with no hidden layer, trained on the same split; a model that does not beat it is not worth its complexity.</p>';
}

/** The leak check's evidence: each feature's power alone on the validation split, strongest first. */
export function singleFeatureTable(scores: readonly SingleFeatureScore[], threshold: number): string {
  if (scores.length === 0) return '';
  const sorted = [...scores].sort((a, b) => (b.identical ? 1 : b.score) - (a.identical ? 1 : a.score));
  const rows = sorted.map((s) => [
    esc(s.feature),
    s.identical ? 'identical to the label' : `${s.metric === 'roc_auc' ? 'AUC' : 'R²'} ${num(s.score)}`,
    s.identical || s.score > threshold ? '<span class="fail">leak?</span>' : '',
  ]);
  return `<h3>Each feature alone (the leak check)</h3><p>A one-feature model of each column, fitted on the training split and scored on the validation split. A real predictor can be strong; a copy or an encoding of the label scores above ${threshold}.</p>${table(['feature', 'alone', ''], rows)}`;
}
