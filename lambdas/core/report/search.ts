import type { SingleFeatureScore } from '../leak.js';
import { esc, num, table } from './markup.js';
import type { EvaluationReport, TrialRecord } from './types.js';

/** Model-card sections about how the candidate was found: the search's trials and the linear baseline. */

/** The metric the card lists per trial: ROC AUC for classifiers that have it, else accuracy, else R². */
function primaryMetric(trials: readonly TrialRecord[]): string {
  const names = new Set(trials.flatMap((t) => Object.keys(t.validationMetrics ?? {})));
  return ['roc_auc', 'r2', 'accuracy'].find((n) => names.has(n)) ?? 'accuracy';
}

function trialRow(trial: TrialRecord, metric: string): string[] {
  const hp = trial.hyperparameters;
  const name = trial.role === 'baseline' ? 'linear baseline' : trial.id;
  if (hp === null)
    return [
      esc(name),
      '—',
      '—',
      '—',
      '—',
      '—',
      '—',
      '—',
      '—',
      `<span class="fail">failed</span> ${esc(trial.failure ?? '')}`,
    ];
  return [
    esc(name),
    esc(hp.hiddenUnits.length === 0 ? 'none (linear)' : hp.hiddenUnits.join(' × ')),
    String(hp.learningRate),
    String(hp.l2),
    String(hp.batchSize),
    `${trial.epochsRun ?? '?'} (best ${trial.bestEpoch ?? '?'})`,
    esc(trial.stoppedBy ?? ''),
    num(trial.validationLoss),
    num(trial.validationMetrics?.[metric] ?? null),
    trial.chosen ? '<span class="pass">chosen</span>' : '',
  ];
}

/** Every trial with its hyper-parameters and validation loss; the chosen candidate marked. */
export function searchSection(report: EvaluationReport): string {
  const trials = report.tuning;
  if (trials.length === 0) return '<p>No search was recorded for this run.</p>';
  const candidates = trials.filter((t) => t.role === 'candidate').length;
  const intro =
    candidates > 1
      ? `<p>${candidates} candidates were trained on the training split and ranked by their loss on the validation split; the lowest was validated. Hyper-parameters the model file does not set were chosen from the data, and searched.</p>`
      : '<p>One candidate: the model file fixes the hyper-parameters a search would vary (or sets <code>tuning.candidates</code> to 1).</p>';
  const metric = primaryMetric(trials);
  return `${intro}${table(
    [
      'trial',
      'hidden units',
      'learning rate',
      'l2',
      'batch',
      'epochs',
      'stopped by',
      'validation loss',
      `validation ${metric}`,
      '',
    ],
    trials.map((t) => trialRow(t, metric)),
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
