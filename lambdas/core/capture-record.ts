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
export function redact(instances: readonly Readonly<Record<string, unknown>>[], redaction: Redaction): Record<string, unknown>[] {
  if (redaction.drop.length === 0 && redaction.hash.length === 0) return instances.map((i) => ({ ...i }));
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

/** The request's capture records: one, or parts over consecutive instances when one would exceed `maxLineBytes`. */
export function captureRecords(request: CapturedRequest, maxLineBytes = MAX_CAPTURE_LINE_BYTES): CaptureRecord[] {
  const ranges = partRanges(request, maxLineBytes);
  return ranges.map(([start, end], part) => withinLimit(record(request, ranges.length, start, end, part), maxLineBytes));
}

function record(request: CapturedRequest, parts: number, start: number, end: number, part: number): CaptureRecord {
  return {
    mlopsRecord: CAPTURE_RECORD,
    model: request.model,
    version: request.version,
    variant: request.variant,
    predictionIds: Array.from({ length: end - start }, (_, i) => predictionId(request.requestId, start + i)),
    part: part + 1,
    parts,
    captureData: {
      endpointInput: { observedContentType: 'application/json', mode: 'INPUT', data: JSON.stringify({ instances: request.instances.slice(start, end) }), encoding: 'JSON' },
      endpointOutput: { observedContentType: 'application/json', mode: 'OUTPUT', data: JSON.stringify({ predictions: request.predictions.slice(start, end) }), encoding: 'JSON' },
    },
    eventMetadata: { eventId: parts === 1 ? request.requestId : `${request.requestId}/${part + 1}`, inferenceId: request.requestId, inferenceTime: request.time.toISOString() },
    eventVersion: '0',
  };
}

/**
 * A single instance too large for a log event (a caller may send extra fields of any size) is recorded without its
 * input, saying so, rather than as a truncated line no reader can parse.
 */
function withinLimit(record: CaptureRecord, maxLineBytes: number): CaptureRecord {
  if (Buffer.byteLength(JSON.stringify(record)) <= maxLineBytes) return record;
  const omitted = JSON.stringify({ omitted: `the input was larger than the capture limit of ${maxLineBytes} bytes` });
  return { ...record, captureData: { ...record.captureData, endpointInput: { ...record.captureData.endpointInput, data: omitted } } };
}

/** Instance ranges [start, end) whose records fit the limit; one instance always makes a part, whatever its size. */
function partRanges(request: CapturedRequest, maxLineBytes: number): [number, number][] {
  // Envelope, ids and escaping (JSON inside a JSON string) make a record about twice its payload in the worst case.
  const budget = Math.max(1, Math.floor(maxLineBytes / 2) - 1024);
  const ranges: [number, number][] = [];
  let start = 0;
  let size = 0;
  request.instances.forEach((instance, i) => {
    const cost = Buffer.byteLength(JSON.stringify(instance)) + Buffer.byteLength(JSON.stringify(request.predictions[i])) + request.requestId.length + 8;
    if (i > start && size + cost > budget) {
      ranges.push([start, i]);
      start = i;
      size = 0;
    }
    size += cost;
  });
  ranges.push([start, request.instances.length]);
  return ranges;
}
