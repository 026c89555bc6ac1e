import type { RetrainingConfig } from './retraining-config.js';

/**
 * Whether a request to retrain starts a run: deduplicated per alarm episode (or schedule firing), and for automatic
 * triggers limited by a cool-down and a weekly cap, so that a model whose retrained versions keep drifting cannot
 * retrain in a loop. A person's request (`mlops retrain`) passes the cool-down and the cap — it is audited instead —
 * but is counted by them.
 */

export type RetrainingTrigger = 'alarm' | 'schedule' | 'manual';

export interface RetrainingRequest {
  readonly trigger: RetrainingTrigger;
  /** What makes two deliveries the same request: the alarm and its state-change time, the schedule's firing time. */
  readonly key: string;
  readonly at: Date;
}

/** The retrainings started so far (the last week's are enough), oldest first. */
export interface RetrainingStart {
  readonly key: string;
  readonly trigger: RetrainingTrigger;
  readonly at: string;
}

export type RetrainingDecision =
  { readonly start: true } | { readonly start: false; readonly reason: string; readonly duplicate: boolean };

const HOUR = 3_600_000;
export const WEEK_MS = 7 * 24 * HOUR;

export function decideRetraining(
  config: RetrainingConfig,
  history: readonly RetrainingStart[],
  request: RetrainingRequest,
): RetrainingDecision {
  const refuse = (reason: string, duplicate = false): RetrainingDecision => ({ start: false, reason, duplicate });
  if (history.some((s) => s.key === request.key))
    return refuse(`a retraining was already started for ${request.key}`, true);
  if (request.trigger === 'alarm' && !config.onAlarm)
    return refuse('retraining on the alarm is off (retraining.onAlarm)');
  if (request.trigger === 'manual') return { start: true };
  const at = request.at.getTime();
  const last = history.reduce((latest, s) => Math.max(latest, Date.parse(s.at)), Number.NEGATIVE_INFINITY);
  if (at - last < config.cooldownHours * HOUR) {
    const until = new Date(last + config.cooldownHours * HOUR).toISOString();
    return refuse(
      `in the cool-down: the last retraining started ${new Date(last).toISOString()}; none before ${until} (retraining.cooldownHours ${config.cooldownHours})`,
    );
  }
  const lastWeek = history.filter((s) => s.trigger !== 'manual' && at - Date.parse(s.at) < WEEK_MS);
  if (lastWeek.length >= config.maxPerWeek)
    return refuse(
      `${lastWeek.length} automatic retrainings in the last 7 days: the weekly cap (retraining.maxPerWeek ${config.maxPerWeek})`,
    );
  return { start: true };
}
