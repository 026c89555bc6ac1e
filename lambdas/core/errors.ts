/**
 * Errors the pipeline raises on purpose. Their `name` is what Step Functions matches in Retry/Catch and what the
 * registry records as the failure kind, so each name says which party must act: the uploader (data), the model
 * owner (config), or the operator (everything else).
 */
export class DataValidationError extends Error {
  override readonly name = 'DataValidationError';
}

export class ModelConfigError extends Error {
  override readonly name = 'ModelConfigError';
}

export class RequestValidationError extends Error {
  override readonly name = 'RequestValidationError';
}

export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

export class IntegrityError extends Error {
  override readonly name = 'IntegrityError';
}

export class ConflictError extends Error {
  override readonly name = 'ConflictError';
}

/** No candidate of a run's search could be trained (each trial failed or diverged). */
export class TrainingError extends Error {
  override readonly name = 'TrainingError';
}
