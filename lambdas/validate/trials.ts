import type { S3Client } from '@aws-sdk/client-s3';
import { Predictor } from '../core/artifact.js';
import type { Frame } from '../core/dataset.js';
import { TrainingError } from '../core/errors.js';
import { metricsOf, scoreSplit } from '../core/evaluation.js';
import { rowLosses } from '../core/fit.js';
import { storableMetrics } from '../core/metrics.js';
import type { TaskKind } from '../core/model-config.js';
import type { TrialRecord } from '../core/report/types.js';
import { chooseTrial, type SelectionRule } from '../core/tuning.js';
import { fetchArtifact } from '../shared/adapters/artifacts.js';
import { causeMessage } from '../shared/contracts/cause.js';
import {
  trainResultSchema,
  type RefitResult,
  type TrainResult,
  type TrialPlan,
  type TuningResult,
} from '../shared/contracts/pipeline-state.js';
import type { StoredMetrics } from '../shared/contracts/registry-records.js';

export interface TrialSelection {
  readonly chosen: TrainResult;
  /** The linear baseline's training, or why there is none. */
  readonly baseline: TrainResult | { readonly failure: string };
  readonly summaries: TrialRecord[];
}

interface ScoredTrial {
  readonly id: string;
  readonly parameters: number;
  /** Loss on every validation row (the same rows for every trial). */
  readonly rowLosses: Float64Array;
  readonly metrics: StoredMetrics;
}

/** Each trial scored on the validation split by the serving code: per-row losses for the choice, metrics for the record. */
async function scoreTrials(
  s3: S3Client,
  trials: readonly TrainResult[],
  validation: Frame,
  task: TaskKind,
): Promise<ScoredTrial[]> {
  const scoredTrials: ScoredTrial[] = [];
  for (const trial of trials) {
    const predictor = await Predictor.load(await fetchArtifact(s3, trial.artifact));
    try {
      const scored = scoreSplit(predictor, validation);
      const metrics = storableMetrics(metricsOf(scored));
      scoredTrials.push({
        id: trial.id,
        parameters: trial.parameters,
        rowLosses: rowLosses(task, scored.scores, scored.truth, scored.classes.length, true),
        metrics,
      });
    } finally {
      predictor.dispose();
    }
  }
  return scoredTrials;
}

function summaries(
  roleOf: (id: string) => TrialPlan['role'],
  tuning: TuningResult,
  trained: readonly TrainResult[],
  scored: readonly ScoredTrial[],
  failures: ReadonlyMap<string, string>,
  chosenId: string,
): TrialRecord[] {
  return tuning.map((entry) => {
    if ('trial' in entry) {
      return {
        id: entry.trial.id,
        role: roleOf(entry.trial.id),
        hyperparameters: null,
        validationLoss: null,
        validationMetrics: null,
        epochsRun: null,
        bestEpoch: null,
        stoppedBy: null,
        seconds: null,
        chosen: false,
        failure: failures.get(entry.trial.id) ?? null,
      };
    }
    const t = trained.find((x) => x.id === entry.id) as TrainResult;
    const validationMetrics = scored.find((s) => s.id === t.id)?.metrics ?? null;
    return {
      id: t.id,
      role: t.role,
      hyperparameters: t.hyperparameters,
      validationLoss: t.validationLoss,
      validationMetrics,
      epochsRun: t.epochsRun,
      bestEpoch: t.bestEpoch,
      stoppedBy: t.stoppedBy,
      seconds: t.seconds,
      chosen: t.id === chosenId,
      failure: null,
    };
  });
}

/**
 * Picks the trial to validate among those that trained and compete (the linear baseline too, unless the model file
 * fixes the architecture), by the model file's rule on their validation losses; every trial is kept in the record.
 * Fails only when nothing that competes trained, naming each trial's reason.
 */
export async function selectTrials(
  s3: S3Client,
  plans: readonly TrialPlan[],
  tuning: TuningResult,
  validation: Frame,
  task: TaskKind,
  rule: SelectionRule,
): Promise<TrialSelection> {
  const trained: TrainResult[] = [];
  const failures = new Map<string, string>();
  for (const entry of tuning) {
    const parsed = trainResultSchema.safeParse(entry);
    if (parsed.success) trained.push(parsed.data);
    else if ('trial' in entry) failures.set(entry.trial.id, `${entry.error.Error}: ${causeMessage(entry.error.Cause)}`);
  }
  const scored = await scoreTrials(s3, trained, validation, task);
  const competing = new Set(trained.filter((t) => t.competes && t.validationLoss !== null).map((t) => t.id));
  const chosen = chooseTrial(
    scored.filter((s) => competing.has(s.id)),
    rule,
  );
  if (chosen === undefined) {
    const reasons = tuning.map((entry) => {
      const id = 'trial' in entry ? entry.trial.id : entry.id;
      return `${id}: ${failures.get(id) ?? ('trial' in entry || entry.competes ? 'the validation loss is not finite (training diverged)' : 'does not compete')}`;
    });
    throw new TrainingError(`no model could be trained: ${reasons.join('; ')}`);
  }
  const baseline = trained.find((t) => t.role === 'baseline');
  const roleOf = (id: string) => plans.find((p) => p.id === id)?.role ?? 'candidate';
  const baselineFailed = tuning.find((entry) => 'trial' in entry && roleOf(entry.trial.id) === 'baseline');
  return {
    chosen: trained.find((t) => t.id === chosen.id) as TrainResult,
    baseline: baseline ?? {
      failure:
        baselineFailed !== undefined && 'trial' in baselineFailed
          ? (failures.get(baselineFailed.trial.id) ?? 'failed')
          : 'no baseline trial in the plan',
    },
    summaries: summaries(roleOf, tuning, trained, scored, failures, chosen.id),
  };
}

/**
 * The selection a cross-validated run made in its Refit step: the chosen trial and the baseline as refit on the
 * training and validation rows, and every trial with its fold losses and out-of-fold metrics.
 */
export function refitSelection(refit: RefitResult): TrialSelection {
  return {
    chosen: refit.chosen,
    baseline: refit.baseline,
    summaries: refit.trials.map((trial) => {
      const fit = trial.chosen
        ? refit.chosen
        : trial.role === 'baseline' && 'id' in refit.baseline
          ? refit.baseline
          : null;
      return {
        id: trial.id,
        role: trial.role,
        hyperparameters: fit?.hyperparameters ?? trial.hyperparameters,
        validationLoss: trial.outOfFoldLoss,
        validationMetrics: trial.outOfFoldMetrics,
        epochsRun: fit?.epochsRun ?? trial.refitEpochs,
        bestEpoch: null,
        stoppedBy: fit?.stoppedBy ?? null,
        seconds: trial.seconds + (fit?.seconds ?? 0),
        chosen: trial.chosen,
        failure: trial.failure,
        foldLosses: trial.foldLosses,
      };
    }),
  };
}
