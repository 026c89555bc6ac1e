import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { captureSchema } from '../../lambdas/core/capture-config.js';
import {
  captureLines,
  isSampled,
  predictionId,
  redact,
  type CaptureRecord,
  type CapturedRequest,
} from '../../lambdas/core/capture-record.js';
import {
  captureRedaction,
  parseCaptureSections,
  parseModelConfig,
  parseModelConfigText,
} from '../../lambdas/core/model-config.js';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The records as a reader of the capture objects sees them. */
const captureRecords = (request: CapturedRequest, limit?: number): CaptureRecord[] =>
  captureLines(request, limit).map((line) => JSON.parse(line) as CaptureRecord);

const SHA256_OF_C42 = '32d54c418f53edf4515aea20b2f607304f94e1834cf07c4802efdc8741369a35';

const request = (instances: unknown[], requestId = 'req-1'): CapturedRequest => ({
  model: 'iris',
  version: 3,
  variant: 'production',
  requestId,
  time: new Date('2026-11-26T21:00:00.000Z'),
  instances,
  predictions: instances.map((_, i) => ({ id: predictionId(requestId, i), value: i })),
});

describe('capture records', () => {
  it('is SageMaker Data Capture shaped, with the model, version, variant and prediction ids', () => {
    const [record, ...rest] = captureRecords(request([{ a: 1 }, { a: 2 }]));
    expect(rest).toEqual([]);
    expect(record).toEqual({
      mlopsRecord: 'capture',
      model: 'iris',
      version: 3,
      variant: 'production',
      predictionIds: ['req-1.0', 'req-1.1'],
      part: 1,
      parts: 1,
      captureData: {
        endpointInput: {
          observedContentType: 'application/json',
          mode: 'INPUT',
          data: '{"instances":[{"a":1},{"a":2}]}',
          encoding: 'JSON',
        },
        endpointOutput: {
          observedContentType: 'application/json',
          mode: 'OUTPUT',
          data: '{"predictions":[{"id":"req-1.0","value":0},{"id":"req-1.1","value":1}]}',
          encoding: 'JSON',
        },
      },
      eventMetadata: { eventId: 'req-1', inferenceId: 'req-1', inferenceTime: '2026-11-26T21:00:00.000Z' },
      eventVersion: '0',
    });
  });

  it('splits a large request into parts over consecutive instances, each line under the limit, losing none', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ a: fc.string({ maxLength: 400 }), b: fc.double() }), { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 4096, max: 40_000 }),
        (instances, limit) => {
          const records = captureRecords(request(instances), limit);
          for (const r of records) expect(Buffer.byteLength(JSON.stringify(r))).toBeLessThanOrEqual(limit);
          expect(records.map((r) => r.part)).toEqual(records.map((_, i) => i + 1));
          expect(records.every((r) => r.parts === records.length)).toBe(true);
          expect(records.flatMap((r) => r.predictionIds)).toEqual(instances.map((_, i) => `req-1.${i}`));
          expect(
            records.flatMap(
              (r) => (JSON.parse(r.captureData.endpointInput.data) as { instances: unknown[] }).instances,
            ),
          ).toEqual(JSON.parse(JSON.stringify(instances)));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('records the request and response bodies verbatim when they fit one record, as SageMaker captures payloads', () => {
    const instances = [{ a: 1 }, { a: 2 }];
    const bodies = {
      request: '{ "instances": [{"a": 1}, {"a": 2}],\n  "version": 3 }',
      response: '{"model":"iris","predictions":[{"id":"req-1.0","value":0},{"id":"req-1.1","value":1}]}',
    };
    const [record, ...rest] = captureRecords({ ...request(instances), bodies });
    expect(rest).toEqual([]);
    expect(record?.captureData.endpointInput.data).toBe(bodies.request);
    expect(record?.captureData.endpointOutput.data).toBe(bodies.response);
    expect(record?.predictionIds).toEqual(['req-1.0', 'req-1.1']);
    expect(record?.eventMetadata.eventId).toBe('req-1');
  });

  it('falls back to parts built from the instances when the bodies would not fit one record, losing none', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ a: fc.string({ maxLength: 400 }) }), { minLength: 1, maxLength: 100 }),
        fc.integer({ min: 4096, max: 20_000 }),
        (instances, limit) => {
          const r = request(instances);
          const bodies = {
            request: JSON.stringify({ instances }),
            response: JSON.stringify({ predictions: r.predictions }),
          };
          const records = captureRecords({ ...r, bodies }, limit);
          for (const record of records) expect(Buffer.byteLength(JSON.stringify(record))).toBeLessThanOrEqual(limit);
          expect(records.flatMap((record) => record.predictionIds)).toEqual(instances.map((_, i) => `req-1.${i}`));
          expect(
            records.flatMap(
              (record) => (JSON.parse(record.captureData.endpointInput.data) as { instances: unknown[] }).instances,
            ),
          ).toEqual(instances);
          expect(
            records.flatMap(
              (record) =>
                (JSON.parse(record.captureData.endpointOutput.data) as { predictions: unknown[] }).predictions,
            ),
          ).toEqual(r.predictions);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('records an instance too large for a log event without its input, saying so', () => {
    const [record] = captureRecords(request([{ blob: 'x'.repeat(300_000) }]));
    expect(Buffer.byteLength(JSON.stringify(record))).toBeLessThan(256 * 1024);
    expect(JSON.parse(record?.captureData.endpointInput.data ?? '{}')).toEqual({
      omitted: expect.stringContaining('larger than the capture limit'),
    });
    expect(record?.predictionIds).toEqual(['req-1.0']);
  });
});

describe('sampling', () => {
  it('takes every request at 100 %, none at 0 %, and the same choice for the same request id', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.double({ min: 0, max: 100, noNaN: true }), (id, percent) => {
        expect(isSampled(id, 100)).toBe(true);
        expect(isSampled(id, 0)).toBe(false);
        expect(isSampled(id, percent)).toBe(isSampled(id, percent));
        // A request sampled at a share is sampled at every larger share.
        if (isSampled(id, percent)) expect(isSampled(id, Math.min(100, percent + 10))).toBe(true);
      }),
    );
  });

  it('takes about the configured share of requests (binomial 99.9 % bounds)', () => {
    const n = 20_000;
    const taken = Array.from({ length: n }, (_, i) => isSampled(`request-${i}`, 10)).filter(Boolean).length;
    const sd = Math.sqrt(n * 0.1 * 0.9);
    expect(Math.abs(taken - n * 0.1)).toBeLessThan(3.3 * sd);
  });
});

describe('redaction', () => {
  it("drops the model file's sensitive attributes by default and hashes the fields it names", () => {
    const config = parseModelConfig(
      {
        name: 'm',
        task: 'binary',
        label: 'y',
        sensitive: ['sex', { column: 'age', bins: [30] }],
        capture: { hash: ['customer'] },
      },
      'm.json',
    );
    const redaction = captureRedaction(config);
    expect(redaction).toEqual({ drop: ['sex', 'age'], hash: ['customer'] });
    const [kept] = redact([{ sex: 'F', age: 40, customer: 'c-42', income: 3, note: null }], redaction);
    // The pseudonym is the SHA-256 of the value's JSON (here of `"c-42"`, computed with Python's hashlib).
    expect(kept).toEqual({ customer: `sha256:${SHA256_OF_C42}`, income: 3, note: null });
    // The same value gives the same pseudonym (captures of one customer still join); another value another one.
    expect(redact([{ customer: 'c-42' }], redaction)[0]?.customer).toBe(kept?.customer);
    expect(redact([{ customer: 'c-43' }], redaction)[0]?.customer).not.toBe(kept?.customer);
  });

  it('keeps everything when the model file says drop nothing', () => {
    const config = parseModelConfig(
      { name: 'm', task: 'binary', label: 'y', sensitive: ['sex'], capture: { drop: [] } },
      'm.json',
    );
    expect(redact([{ sex: 'F', x: 1 }], captureRedaction(config))).toEqual([{ sex: 'F', x: 1 }]);
  });

  it("reads serving's sections of every shipped model file exactly as the whole file's parse does", () => {
    const dir = join(import.meta.dirname, '..', '..', 'models');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      const text = readFileSync(join(dir, file), 'utf8');
      const whole = parseModelConfigText(text, file);
      const sections = parseCaptureSections(text, file);
      expect(sections).toEqual({ sensitive: whole.sensitive, capture: whole.capture });
      expect(captureRedaction(sections)).toEqual(captureRedaction(whole));
    }
  });

  it('says which capture setting of a model file is wrong', () => {
    expect(() => parseCaptureSections('{"capture": {"drop": ["a"], "hash": ["a"]}}', 'models/m.json')).toThrow(
      /models\/m\.json:\n {2}- capture\.hash: a field cannot be both dropped and hashed/,
    );
    expect(() => parseCaptureSections('{"capture": {"samplePercent": "all"}}', 'models/m.json')).toThrow(
      /capture\.samplePercent/,
    );
    expect(() => parseCaptureSections('{', 'models/m.json')).toThrow(/not valid JSON/);
  });

  it('refuses a field both dropped and hashed, and a share outside 0–100', () => {
    expect(captureSchema.safeParse({ drop: ['a'], hash: ['a'] }).success).toBe(false);
    expect(captureSchema.safeParse({ samplePercent: 101 }).success).toBe(false);
    expect(captureSchema.safeParse({ samplePercent: 5 }).success).toBe(true);
  });
});
