import type { Prediction, Predictor } from '../core/artifact.js';
import { predictionId } from '../core/capture-record.js';
import { unknownCategories, validateInstances, type InstanceWarning } from '../core/instances.js';
import { requestModelName } from '../core/model-name.js';
import { summarizePredictions, type PredictionSummary } from '../core/prediction-summary.js';
import type { InputValue } from '../core/preprocess.js';
import { parseBody, predictRequestSchema } from '../shared/contracts/api-contracts.js';
import type { ProductionModelCache } from './model-cache.js';
import { chooseRoute, type Variant } from './routing.js';

/** A prediction with the id that ground truth sent as feedback refers to. */
export type IdentifiedPrediction = Prediction & { readonly id: string };

export interface PredictResponse {
  readonly model: string;
  readonly version: number;
  /** Which release variant answered: `production`, or `candidate` during a canary. */
  readonly variant: Variant;
  readonly predictions: IdentifiedPrediction[];
  /** Values the model could not use as sent (unknown categories), per instance; absent when there are none. */
  readonly warnings?: InstanceWarning[];
}

export interface PredictOutcome {
  readonly answer: PredictResponse;
  /** The answer's share of the variant's prediction distribution (per-variant metrics). */
  readonly summary: PredictionSummary;
  /** The request's instances as validated (for capture). */
  readonly instances: Record<string, InputValue>[];
  /** A shadow release's candidate scoring of the same instances: captured and measured, never returned. */
  readonly shadow?: ShadowOutcome;
}

/** The candidate's side of a shadowed request: its answer, or its failure (which never reaches the caller). */
export interface ShadowOutcome {
  readonly answer?: PredictResponse;
  readonly summary?: PredictionSummary;
  readonly latencyMs: number;
  readonly failure?: string;
}

/** How the request is routed during a release: its sticky key, and a variant it forces (header). */
export interface RoutingInput {
  readonly key: string;
  readonly forced?: string;
  /** Told the variant as soon as it is chosen (so a failure while scoring counts against that variant). */
  readonly onRoute?: (variant: Variant) => void;
}

/** Validates the request against the served version's features and predicts; each prediction gets its id. */
export async function predict(
  cache: ProductionModelCache<Predictor>,
  name: string | undefined,
  body: unknown,
  requestId: string,
  routing: RoutingInput,
): Promise<PredictOutcome> {
  const model = requestModelName(name);
  const request = parseBody(predictRequestSchema, body);
  if (request.version !== undefined)
    return score(model, await cache.getPinned(model, request.version), 'production', request, requestId);
  // Forcing the candidate reads the release now: the release check may come before this container's next refresh.
  const served = await cache.get(model, { fresh: routing.forced === 'candidate' });
  const route = chooseRoute(served.release?.record, routing.key, routing.forced);
  // Per-variant measures matter during a release (its alarms read the candidate's); outside one all is production.
  if (served.release !== undefined) routing.onRoute?.(route.answer);
  const candidate = served.release?.candidate;
  const answer = await score(
    model,
    route.answer === 'candidate' && candidate ? candidate : served,
    route.answer,
    request,
    requestId,
  );
  if (!route.shadow || candidate === undefined) return answer;
  return { ...answer, shadow: await scoreShadow(model, candidate, request, requestId) };
}

/**
 * The shadow candidate scores the request once production's answer is ready. The caller waits for it too: Lambda runs
 * nothing after the handler returns, so a shadow step adds the candidate's scoring time to its share's requests.
 * Whatever goes wrong there (it cannot read an instance production could, it throws) is the candidate's failure,
 * counted against it, not the caller's.
 */
async function scoreShadow(
  model: string,
  candidate: { version: number; predictor: Predictor },
  request: { instances: unknown[] },
  requestId: string,
): Promise<ShadowOutcome> {
  const started = performance.now();
  try {
    const { answer, summary } = await score(model, candidate, 'candidate', request, requestId);
    return { answer, summary, latencyMs: performance.now() - started };
  } catch (error) {
    return { latencyMs: performance.now() - started, failure: (error as Error).message };
  }
}

async function score(
  model: string,
  served: { version: number; predictor: Predictor },
  variant: Variant,
  request: { instances: unknown[] },
  requestId: string,
): Promise<PredictOutcome> {
  const pre = served.predictor.artifact.preprocessor;
  const instances = validateInstances(pre, request);
  const warnings = unknownCategories(pre, instances);
  // A large batch runs on TF.js, loaded by the first request that needs it.
  await served.predictor.prepare(instances.length);
  const scored = served.predictor.predictInstances(instances);
  const predictions = scored.map((p, i) => ({ id: predictionId(requestId, i), ...p }));
  return {
    answer: { model, version: served.version, variant, predictions, ...(warnings.length > 0 ? { warnings } : {}) },
    summary: summarizePredictions(pre.label, scored),
    instances,
  };
}
