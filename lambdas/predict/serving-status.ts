import { ModelUnavailableError, NotFoundError } from '../core/errors.js';
import type { Disposable, ProductionModelCache } from './model-cache.js';

/**
 * What this container serves of a model against what the registry points at: `ok` (the pointer's version), `behind`
 * (another version, because the pointer's could not be loaded), `unavailable` (nothing), `none` (no production version).
 */
export interface ModelServing {
  readonly model: string;
  readonly state: 'ok' | 'behind' | 'unavailable' | 'none';
  readonly serving: number | null;
  readonly production: number | null;
  /** One line: "serving v8; v7 could not be loaded: its artifact is missing". */
  readonly message: string;
  /** The latest refresh failed (the pointer unreadable, its version not loadable): serving, but not as it should. */
  readonly degraded?: true;
}

/** Asks the cache for the model (loading it if this container has not yet) and says how it stands. */
export async function servingOf<P extends Disposable>(
  cache: ProductionModelCache<P>,
  model: string,
): Promise<ModelServing> {
  try {
    await cache.get(model);
  } catch (error) {
    if (error instanceof NotFoundError)
      return { model, state: 'none', serving: null, production: null, message: 'no production version yet' };
    if (!(error instanceof ModelUnavailableError)) throw error;
  }
  const status = cache.status(model);
  const serving = status?.served ?? null;
  const production = status?.production ?? null;
  const failure = status?.failure;
  const failed =
    failure === undefined
      ? undefined
      : failure.version !== undefined
        ? `v${failure.version} could not be loaded: ${failure.reason}`
        : failure.reason;
  if (serving === null)
    return {
      model,
      state: 'unavailable',
      serving,
      production,
      message: `serving nothing; ${failed ?? 'no version could be loaded'}`,
    };
  const state = production !== null && production !== serving ? 'behind' : 'ok';
  return {
    model,
    state,
    serving,
    production,
    message: `serving v${serving}${failed !== undefined ? `; ${failed}` : ''}`,
    ...(failed !== undefined ? { degraded: true } : {}),
  };
}

/** `GET /v1/health`: each deployed model's serving state; `unavailable` when one of them serves nothing it should. */
export async function servingHealth<P extends Disposable>(
  cache: ProductionModelCache<P>,
  models: readonly string[],
  now: Date,
): Promise<{ status: 'ok' | 'degraded' | 'unavailable'; time: string; models: ModelServing[] }> {
  const states = await Promise.all(models.map((model) => servingOf(cache, model)));
  const status = states.some((s) => s.state === 'unavailable')
    ? 'unavailable'
    : states.some((s) => s.state === 'behind' || s.degraded === true)
      ? 'degraded'
      : 'ok';
  return { status, time: now.toISOString(), models: states };
}
