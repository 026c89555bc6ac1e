import { createHash } from 'node:crypto';

/**
 * Request capture records: SageMaker Data Capture's JSON Lines shape (`captureData.endpointInput/endpointOutput`,
 * `eventMetadata`, `eventVersion`) plus the model, version, variant and the prediction ids ground truth joins on. They
 * are written as log lines, so a record stays under CloudWatch Logs' event size limit: a large request is split into
 * parts over consecutive instances.
 */
export const CAPTURE_RECORD = 'capture';

/** CloudWatch Logs accepts events up to 256 KB (with 26 bytes of overhead); parts stay well under it. */
export const MAX_CAPTURE_LINE_BYTES = 200 * 1024;

export interface CaptureRecord {
  readonly mlopsRecord: typeof CAPTURE_RECORD;
  readonly model: string;
  readonly version: number;
  readonly variant: string;
  readonly predictionIds: string[];
  readonly part: number;
  readonly parts: number;
  readonly captureData: {
    readonly endpointInput: CapturedPayload<'INPUT'>;
    readonly endpointOutput: CapturedPayload<'OUTPUT'>;
  };
  readonly eventMetadata: { readonly eventId: string; readonly inferenceId: string; readonly inferenceTime: string };
  readonly eventVersion: '0';
}

interface CapturedPayload<M extends 'INPUT' | 'OUTPUT'> {
  readonly observedContentType: 'application/json';
  readonly mode: M;
  readonly data: string;
  readonly encoding: 'JSON';
}

/** The id of each prediction of a request: the request id and the instance's position, so one id finds its record. */
export function predictionId(requestId: string, index: number): string {
  return `${requestId}.${index}`;
}

/** Whether a request is captured: a stable choice from its id, so a retried request is captured or not alike. */
export function isSampled(requestId: string, samplePercent: number): boolean {
  if (samplePercent >= 100) return true;
  if (samplePercent <= 0) return false;
  const bucket = createHash('sha256').update(requestId).digest().readUInt32BE(0) / 0x1_0000_0000;
  return bucket * 100 < samplePercent;
}

export interface Redaction {
  readonly drop: readonly string[];
  readonly hash: readonly string[];
}

/** The instances as they may be stored: dropped fields gone, hashed ones replaced by `sha256:<hex>` of their JSON. */
export function redact(instances: readonly Readonly<Record<string, unknown>>[], redaction: Redaction): readonly Readonly<Record<string, unknown>>[] {
  const fields = [...redaction.drop, ...redaction.hash];
  // Most requests carry none of the fields: then the instances are captured as they are, without a copy.
  if (!instances.some((instance) => fields.some((field) => field in instance))) return instances;
  const drop = new Set(redaction.drop);
  const hash = new Set(redaction.hash);
  return instances.map((instance) => {
    const kept: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(instance)) {
      if (drop.has(field)) continue;
      kept[field] = hash.has(field) && value !== null && value !== undefined ? `sha256:${createHash('sha256').update(JSON.stringify(value)).digest('hex')}` : value;
    }
    return kept;
  });
}

export interface CapturedRequest {
  readonly model: string;
  readonly version: number;
  readonly variant: string;
  readonly requestId: string;
  readonly time: Date;
  /** Already redacted. */
  readonly instances: readonly unknown[];
  readonly predictions: readonly unknown[];
}

/**
 * The request's capture records as log lines: one, or parts over consecutive instances when one would exceed
 * `maxLineBytes`. Each instance and prediction is serialized once (this runs on the request path).
 */
export function captureLines(request: CapturedRequest, maxLineBytes = MAX_CAPTURE_LINE_BYTES): string[] {
  const inputs = request.instances.map((i) => JSON.stringify(i));
  const outputs = request.predictions.map((p) => JSON.stringify(p));
  const line = (start: number, end: number, part: number, parts: number, input?: string) =>
    recordLine(request, parts, start, end, part, input ?? `{"instances":[${inputs.slice(start, end).join(',')}]}`, `{"predictions":[${outputs.slice(start, end).join(',')}]}`);
  // Ranges sized for ASCII with JSON's escaping; a part that still comes out too large is halved.
  const pending = partRanges(inputs, outputs, request.requestId.length, maxLineBytes);
  const ranges: { start: number; end: number; draft: string }[] = [];
  while (pending.length > 0) {
    const [start, end] = pending.shift() as [number, number];
    const draft = line(start, end, 0, 1);
    const middle = start + Math.floor((end - start) / 2);
    if (Buffer.byteLength(draft) <= maxLineBytes || end - start === 1) ranges.push({ start, end, draft });
    else pending.unshift([start, middle], [middle, end]);
  }
  return ranges.map(({ start, end, draft }, part) => {
    // The common case, one part: the draft is the line.
    const full = ranges.length === 1 ? draft : line(start, end, part, ranges.length);
    if (Buffer.byteLength(full) <= maxLineBytes) return full;
    // A single instance too large for a log event (a caller may send extra fields of any size) is recorded without
    // its input, saying so, rather than as a truncated line no reader can parse.
    return line(start, end, part, ranges.length, JSON.stringify({ omitted: `the input was larger than the capture limit of ${maxLineBytes} bytes` }));
  });
}

function recordLine(request: CapturedRequest, parts: number, start: number, end: number, part: number, input: string, output: string): string {
  const record: CaptureRecord = {
    mlopsRecord: CAPTURE_RECORD,
    model: request.model,
    version: request.version,
    variant: request.variant,
    predictionIds: Array.from({ length: end - start }, (_, i) => predictionId(request.requestId, start + i)),
    part: part + 1,
    parts,
    captureData: {
      endpointInput: { observedContentType: 'application/json', mode: 'INPUT', data: input, encoding: 'JSON' },
      endpointOutput: { observedContentType: 'application/json', mode: 'OUTPUT', data: output, encoding: 'JSON' },
    },
    eventMetadata: { eventId: parts === 1 ? request.requestId : `${request.requestId}/${part + 1}`, inferenceId: request.requestId, inferenceTime: request.time.toISOString() },
    eventVersion: '0',
  };
  return JSON.stringify(record);
}

/** Instance ranges [start, end) whose records fit the limit; one instance always makes a part, whatever its size. */
function partRanges(inputs: readonly string[], outputs: readonly string[], idLength: number, maxLineBytes: number): [number, number][] {
  // Envelope, ids and JSON's escaping of JSON inside a string: typically a third more than the payload.
  const budget = Math.max(1, Math.floor(maxLineBytes / 1.6) - 1024);
  const ranges: [number, number][] = [];
  let start = 0;
  let size = 0;
  inputs.forEach((input, i) => {
    const cost = input.length + (outputs[i]?.length ?? 0) + idLength + 8;
    if (i > start && size + cost > budget) {
      ranges.push([start, i]);
      start = i;
      size = 0;
    }
    size += cost;
  });
  ranges.push([start, inputs.length]);
  return ranges;
}
