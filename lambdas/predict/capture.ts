import { captureLines, isSampled, redact, type Redaction } from '../core/capture-record.js';
import { ModelConfigError } from '../core/errors.js';
import { captureRedaction } from '../core/model-config.js';
import { loadCaptureSections } from '../shared/contracts/model-files.js';
import { stdoutLines, type LineWriter } from '../shared/contracts/log-lines.js';
import { logger } from '../shared/runtime/logger.js';
import type { PredictResponse } from './predict.js';

export interface CaptureSettings {
  readonly samplePercent: number;
  readonly redaction: Redaction;
}

const settingsByModel = new Map<string, CaptureSettings | undefined>();

/**
 * The model file's capture settings, read once per container (the deployed files never change under a running
 * function); a model served without a deployed model file is not captured (and says so, once).
 */
export function captureSettings(model: string): CaptureSettings | undefined {
  if (settingsByModel.has(model)) return settingsByModel.get(model);
  const settings = readCaptureSettings(model);
  settingsByModel.set(model, settings);
  return settings;
}

function readCaptureSettings(model: string): CaptureSettings | undefined {
  try {
    const sections = loadCaptureSections(model);
    return { samplePercent: sections.capture.samplePercent, redaction: captureRedaction(sections) };
  } catch (error) {
    if (!(error instanceof ModelConfigError)) throw error;
    logger.warn('no capture for a model without a deployed model file', { model, reason: error.message });
    return undefined;
  }
}

/**
 * Writes the capture records of an answered request as log lines: no network call on the request path and nothing
 * lost if the container freezes after answering (Lambda has already taken the lines). A log subscription delivers
 * them through Firehose to S3.
 */
export function captureAnswer(
  settings: CaptureSettings | undefined,
  request: {
    readonly requestId: string;
    readonly instances: readonly Readonly<Record<string, unknown>>[];
    readonly time: Date;
    /** The request and response bodies as sent (recorded verbatim when nothing in them is redacted). */
    readonly bodies?: { readonly request: string; readonly response: string; readonly predictions?: readonly string[] };
  },
  answer: Pick<PredictResponse, 'model' | 'version' | 'predictions'> & { readonly variant: string },
  write: LineWriter = stdoutLines,
): number {
  if (settings === undefined || !isSampled(request.requestId, settings.samplePercent)) return 0;
  const instances = redact(request.instances, settings.redaction);
  const lines = captureLines({
    model: answer.model,
    version: answer.version,
    variant: answer.variant,
    requestId: request.requestId,
    time: request.time,
    instances,
    predictions: answer.predictions,
    // The bodies would carry what redaction removed: recorded verbatim only when redaction changed nothing.
    ...(instances === request.instances && request.bodies !== undefined ? { bodies: request.bodies } : {}),
  });
  for (const line of lines) write(line);
  return lines.length;
}
