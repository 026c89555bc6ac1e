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
export function redact(
  instances: readonly Readonly<Record<string, unknown>>[],
  redaction: Redaction,
): readonly Readonly<Record<string, unknown>>[] {
  const fields = [...redaction.drop, ...redaction.hash];
  // Most requests carry none of the fields: then the instances are captured as they are, without a copy.
  if (!instances.some((instance) => fields.some((field) => field in instance))) return instances;
  const drop = new Set(redaction.drop);
  const hash = new Set(redaction.hash);
  return instances.map((instance) => {
    const kept: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(instance)) {
      if (drop.has(field)) continue;
      kept[field] =
        hash.has(field) && value !== null && value !== undefined
          ? `sha256:${createHash('sha256').update(JSON.stringify(value)).digest('hex')}`
          : value;
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
  /**
   * The request and response bodies as they crossed the API, when the instances are captured unredacted: recorded
   * verbatim (as SageMaker captures payloads) when the record is one part, which saves serializing every instance and
   * prediction again on the request path. The request's must hold `instances`, the response's `predictions`.
   */
  readonly bodies?: {
    readonly request: string;
    readonly response: string;
    /** Each prediction's text as the response holds it (reused when a large request is split into parts). */
    readonly predictions?: readonly string[];
  };
}

/**
 * The request's capture records as log lines: one, or parts over consecutive instances when one would exceed
 * `maxLineBytes`. Each instance and prediction is serialized once, each part's payloads escaped once (this runs on
 * the request path).
 */
export function captureLines(request: CapturedRequest, maxLineBytes = MAX_CAPTURE_LINE_BYTES): string[] {
  const verbatim = verbatimLine(request, maxLineBytes);
  if (verbatim !== undefined) return [verbatim];
  const inputs = request.instances.map((i) => JSON.stringify(i));
  const outputs = request.bodies?.predictions ?? request.predictions.map((p) => JSON.stringify(p));
  // Each range's payloads are escaped once; the part numbers, known only when every range fits, are added last.
  const payloads = (start: number, end: number, input?: string) => ({
    start,
    end,
    input: JSON.stringify(input ?? `{"instances":[${inputs.slice(start, end).join(',')}]}`),
    output: JSON.stringify(`{"predictions":[${outputs.slice(start, end).join(',')}]}`),
  });
  // Ranges sized for ASCII with JSON's escaping; a part that still comes out too large is halved.
  const pending = partRanges(inputs, outputs, request.requestId.length, maxLineBytes);
  const parts: { part: Payloads; fits: boolean }[] = [];
  while (pending.length > 0) {
    const [start, end] = pending.shift() as [number, number];
    const part = payloads(start, end);
    const middle = start + Math.floor((end - start) / 2);
    const fits = lineBytes(request, part) <= maxLineBytes;
    if (fits || end - start === 1) parts.push({ part, fits });
    else pending.unshift([start, middle], [middle, end]);
  }
  return parts.map(({ part, fits }, index) => {
    // A single instance too large for a log event (a caller may send extra fields of any size) is recorded without
    // its input, saying so, rather than as a truncated line no reader can parse.
    const payload = fits
      ? part
      : payloads(
          part.start,
          part.end,
          JSON.stringify({ omitted: `the input was larger than the capture limit of ${maxLineBytes} bytes` }),
        );
    return recordLine(request, payload, index, parts.length);
  });
}

/** A part's instances [start, end) and its payloads, already escaped as JSON strings. */
interface Payloads {
  readonly start: number;
  readonly end: number;
  readonly input: string;
  readonly output: string;
}

/**
 * The bytes of a part's line, measured as part 1 of 1, with room for what its final numbering adds: the part numbers
 * (up to four digits each, 6 bytes more) and the event id's `/<part>` (5). The payloads are measured on their own (flat
 * strings, counted fast) and the rest on a record around empty ones: no line is assembled just to be measured.
 */
function lineBytes(request: CapturedRequest, part: Payloads): number {
  const envelope = Buffer.byteLength(recordLine(request, { ...part, input: '', output: '' }, 0, 1));
  return envelope + Buffer.byteLength(part.input) + Buffer.byteLength(part.output) + 11;
}

/** The one-part record of the bodies as sent, or undefined when there are none or the line would be too large. */
function verbatimLine(request: CapturedRequest, maxLineBytes: number): string | undefined {
  const bodies = request.bodies;
  // Escaped inside the record, the bodies only grow: larger already, they cannot fit.
  if (bodies === undefined || bodies.request.length + bodies.response.length > maxLineBytes) return undefined;
  const part = {
    start: 0,
    end: request.predictions.length,
    input: JSON.stringify(bodies.request),
    output: JSON.stringify(bodies.response),
  };
  return lineBytes(request, part) <= maxLineBytes ? recordLine(request, part, 0, 1) : undefined;
}

/**
 * One record as a line, in CaptureRecord's shape; written out by hand around the payloads, which arrive escaped (the
 * large part of a record, escaped once however many times a part is measured).
 */
function recordLine(request: CapturedRequest, part: Payloads, index: number, parts: number): string {
  const ids = Array.from({ length: part.end - part.start }, (_, i) => predictionId(request.requestId, part.start + i));
  const metadata = {
    eventId: parts === 1 ? request.requestId : `${request.requestId}/${index + 1}`,
    inferenceId: request.requestId,
    inferenceTime: request.time.toISOString(),
  };
  const payload = (mode: 'INPUT' | 'OUTPUT', data: string) =>
    `{"observedContentType":"application/json","mode":"${mode}","data":${data},"encoding":"JSON"}`;
  return (
    `{"mlopsRecord":"${CAPTURE_RECORD}","model":${JSON.stringify(request.model)},"version":${request.version},"variant":${JSON.stringify(request.variant)},` +
    `"predictionIds":${JSON.stringify(ids)},"part":${index + 1},"parts":${parts},` +
    `"captureData":{"endpointInput":${payload('INPUT', part.input)},"endpointOutput":${payload('OUTPUT', part.output)}},` +
    `"eventMetadata":${JSON.stringify(metadata)},"eventVersion":"0"}`
  );
}

/** Instance ranges [start, end) whose records fit the limit; one instance always makes a part, whatever its size. */
function partRanges(
  inputs: readonly string[],
  outputs: readonly string[],
  idLength: number,
  maxLineBytes: number,
): [number, number][] {
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
