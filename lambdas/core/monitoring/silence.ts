/**
 * How long production has gone without a request, counted only over the time its version has been served: a version
 * promoted ten minutes ago has been silent for ten minutes at most, however long the model went unserved before. The
 * no-traffic alarm watches this figure, so a fresh model is not "silent for a day" before anyone could call it.
 */

const HOUR = 3_600_000;

export interface SilenceInput {
  /** When production last changed (promotion, rollback, a finished release). */
  readonly servedSince: Date;
  /** The ends of the periods in which requests arrived (any order); empty when none did in the looked-at span. */
  readonly requestPeriodEnds: readonly number[];
  readonly now: Date;
}

/** Hours since the last request, or since the version began to be served if that is later; never negative. */
export function silentHours({ servedSince, requestPeriodEnds, now }: SilenceInput): number {
  let since = servedSince.getTime();
  for (const end of requestPeriodEnds) if (end > since) since = Math.min(end, now.getTime());
  return Math.max(0, (now.getTime() - since) / HOUR);
}
