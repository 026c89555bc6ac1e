import { createHash } from 'node:crypto';
import { RequestValidationError } from '../core/errors.js';
import { VARIANT_HEADER } from '../shared/contracts/api-contracts.js';
import type { ReleaseRecord } from '../shared/adapters/release-store.js';

export type Variant = 'production' | 'candidate';

/** A stable bucket 0–99 of a routing key: the same key always lands in the same bucket, across containers. */
export function routingBucket(key: string): number {
  return createHash('sha256').update(key).digest().readUInt32BE(0) % 100;
}

export interface Route {
  /** The variant whose predictions the caller gets. */
  readonly answer: Variant;
  /** In a shadow release: the candidate scores the same instances too (captured and measured, not returned). */
  readonly shadow: boolean;
}

/**
 * Which version answers: production, unless a release is running — a canary sends the buckets below its share to
 * the candidate, a shadow release has the candidate also score them — or the request forces a variant.
 */
export function chooseRoute(
  release: Pick<ReleaseRecord, 'model' | 'mode' | 'share' | 'state'> | undefined,
  key: string,
  forced: string | undefined,
): Route {
  if (forced !== undefined) {
    if (forced === 'production') return { answer: 'production', shadow: false };
    if (forced !== 'candidate')
      throw new RequestValidationError(`${VARIANT_HEADER} must be "production" or "candidate", not "${forced}"`);
    if (release === undefined || (release.state !== 'running' && release.state !== 'checking')) {
      throw new RequestValidationError(
        `no release is in progress, so there is no candidate to answer (${VARIANT_HEADER}: candidate)`,
      );
    }
    return { answer: 'candidate', shadow: false };
  }
  if (release?.state !== 'running') return { answer: 'production', shadow: false };
  const inShare = routingBucket(key) < release.share;
  return release.mode === 'canary'
    ? { answer: inShare ? 'candidate' : 'production', shadow: false }
    : { answer: 'production', shadow: inShare };
}
