/**
 * Errors the pipeline raises on purpose. Their `name` is what Step Functions matches in Retry/Catch and what the
 * registry records as the failure kind, so each name says which party must act: the uploader (data), the model
 * owner (config), or the operator (everything else). `retryable` says whether trying again can help: the state
 * machine retries those (with backoff) and fails fast on the rest.
 */
export abstract class MlopsError extends Error {
  abstract override readonly name: string;
  abstract readonly retryable: boolean;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The data cannot be used as uploaded: the uploader must fix it. Trying again changes nothing. */
export class DataValidationError extends MlopsError {
  override readonly name = 'DataValidationError';
  readonly retryable = false;
}

/** The model file is wrong: its owner must fix it and deploy. */
export class ModelConfigError extends MlopsError {
  override readonly name = 'ModelConfigError';
  readonly retryable = false;
}

/** A request to the API is wrong (a 400 naming the field). */
export class RequestValidationError extends MlopsError {
  override readonly name = 'RequestValidationError';
  readonly retryable = false;
}

/** A request body larger than the API takes (a 413). */
export class PayloadTooLargeError extends MlopsError {
  override readonly name = 'PayloadTooLargeError';
  readonly retryable = false;
}

/** What was asked for does not exist (a 404, or a missing run or version). */
export class NotFoundError extends MlopsError {
  override readonly name = 'NotFoundError';
  readonly retryable = false;
}

/** Bytes do not match the sha256 recorded for them: someone changed a stored artifact or data object. */
export class IntegrityError extends MlopsError {
  override readonly name = 'IntegrityError';
  readonly retryable = false;
}

/** The state changed under the caller (a finished run, a moved pointer): re-read and decide again. */
export class ConflictError extends MlopsError {
  override readonly name = 'ConflictError';
  readonly retryable = false;
}

/** No candidate of a run's search could be trained (each trial failed or diverged). */
export class TrainingError extends MlopsError {
  override readonly name = 'TrainingError';
  readonly retryable = false;
}

/** A step received an input it does not accept: the state machine and the function disagree (a bug, not data). */
export class StepInputError extends MlopsError {
  override readonly name = 'StepInputError';
  readonly retryable = false;
}

/** A dependency failed in a way that passes (throttling, a timeout, a 5xx): the same call may succeed later. */
export class TransientError extends MlopsError {
  override readonly name = 'TransientError';
  readonly retryable = true;
}

/**
 * A model cannot be served at all: no version of it was ever loaded here and its production version cannot be (its
 * artifact is missing, damaged or unreadable, or the registry is unreachable). A 503; it may pass once operators act.
 */
export class ModelUnavailableError extends MlopsError {
  override readonly name = 'ModelUnavailableError';
  readonly retryable = true;
}

/** A version cannot be put in production: its artifact is missing or is not the bytes the registry recorded. */
export class UnservableVersionError extends MlopsError {
  override readonly name = 'UnservableVersionError';
  readonly retryable = false;
}

/**
 * Production moved after the gate compared a candidate with it: promoting it now would skip that comparison. The run
 * ends SUPERSEDED; nothing is served that was not compared.
 */
export class SupersededError extends MlopsError {
  override readonly name = 'SupersededError';
  readonly retryable = false;
}

/** Error names the state machine retries with backoff; every other error fails the step at once. */
export const RETRYABLE_ERROR_NAMES = ['TransientError'] as const;
