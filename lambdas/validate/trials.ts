import { TrainingError } from '../core/errors.js';
import type { TrialRecord } from '../core/report/types.js';
import { chooseCandidate } from '../core/tuning.js';
import { causeMessage } from '../shared/cause.js';
import { trainResultSchema, type TrainResult, type TuningResult } from '../shared/pipeline-state.js';

export type TrialSummary = TrialRecord;

export interface TrialSelection {
  readonly chosen: TrainResult;
  /** The linear baseline's training, or why there is none. */
  readonly baseline: TrainResult | { readonly failure: string };
  readonly summaries: TrialSummary[];
}

/**
 * Picks the candidate with the lowest validation loss among the trials that trained; the others are kept in the
 * record. Fails only when no candidate trained at all, naming each trial's reason.
 */
export function selectTrials(tuning: TuningResult): TrialSelection {
  const trained: TrainResult[] = [];
  const failures = new Map<string, string>();
  for (const entry of tuning) {
    const parsed = trainResultSchema.safeParse(entry);
    if (parsed.success) trained.push(parsed.data);
    else if ('trial' in entry) failures.set(entry.trial.id, `${entry.error.Error}: ${causeMessage(entry.error.Cause)}`);
  }
  const chosen = chooseCandidate(trained.map((t) => ({ ...t, validationLoss: t.validationLoss ?? Number.NaN })));
  if (chosen === undefined) {
    const reasons = tuning.map((entry) => {
      const id = 'trial' in entry ? entry.trial.id : entry.id;
      return `${id}: ${failures.get(id) ?? 'the validation loss is not finite (training diverged)'}`;
    });
    throw new TrainingError(`no candidate could be trained: ${reasons.join('; ')}`);
  }
  const baselineRun = trained.find((t) => t.role === 'baseline');
  const baselineFailure = tuning.find((entry) => 'trial' in entry && entry.trial.role === 'baseline');
  const summaries: TrialSummary[] = tuning.map((entry) => {
    if ('trial' in entry) {
      return { id: entry.trial.id, role: entry.trial.role, hyperparameters: null, validationLoss: null, epochsRun: null, bestEpoch: null, stoppedBy: null, seconds: null, chosen: false, failure: failures.get(entry.trial.id) ?? null };
    }
    const t = trained.find((x) => x.id === entry.id) as TrainResult;
    return { id: t.id, role: t.role, hyperparameters: t.hyperparameters, validationLoss: t.validationLoss, epochsRun: t.epochsRun, bestEpoch: t.bestEpoch, stoppedBy: t.stoppedBy, seconds: t.seconds, chosen: t.id === chosen.id, failure: null };
  });
  return {
    chosen: trained.find((t) => t.id === chosen.id) as TrainResult,
    baseline: baselineRun ?? { failure: baselineFailure !== undefined && 'trial' in baselineFailure ? (failures.get(baselineFailure.trial.id) ?? 'failed') : 'no baseline trial in the plan' },
    summaries,
  };
}
