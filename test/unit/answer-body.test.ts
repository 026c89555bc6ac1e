import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { captureLines, type CaptureRecord } from '../../lambdas/core/capture-record.js';
import { answerBody } from '../../lambdas/predict/answer-body.js';
import type { PredictResponse } from '../../lambdas/predict/predict.js';

const text = fc.string({ unit: 'grapheme', maxLength: 12 });
const classification = fc.record({
  id: text,
  label: text,
  probabilities: fc.dictionary(text, fc.double({ min: 0, max: 1, noNaN: true }), { maxKeys: 3 }),
});
const regression = fc.record({ id: text, value: fc.double({ noNaN: true, noDefaultInfinity: true }) });
const answers: fc.Arbitrary<PredictResponse> = fc.record(
  {
    model: text,
    version: fc.integer({ min: 1, max: 10_000 }),
    variant: fc.constantFrom('production' as const, 'candidate' as const),
    predictions: fc.oneof(fc.array(classification, { maxLength: 20 }), fc.array(regression, { maxLength: 20 })),
    warnings: fc.array(fc.record({ instance: fc.nat(), feature: text, value: text, message: text }), {
      minLength: 1,
      maxLength: 3,
    }),
  },
  { requiredKeys: ['model', 'version', 'variant', 'predictions'] },
);

describe("predict's answer text", () => {
  it('is byte for byte what JSON.stringify gives, with each prediction as it stands in it', () => {
    fc.assert(
      fc.property(answers, (answer) => {
        const { body, predictions } = answerBody(answer);
        expect(body).toBe(JSON.stringify(answer));
        expect(predictions).toEqual(answer.predictions.map((p) => JSON.stringify(p)));
      }),
      { numRuns: 300 },
    );
  });

  it('is what capture reuses for the predictions when it splits a large request into parts', () => {
    const instances = Array.from({ length: 40 }, (_, i) => ({ blob: 'x'.repeat(300), i }));
    const predictions = instances.map((_, i) => ({ id: `req.${i}`, value: i }));
    // Marked texts (spaces JSON.stringify never writes) show which ones the records carry.
    const marked = predictions.map((p) => `{ "id": "${p.id}", "value": ${p.value} }`);
    const request = {
      model: 'm',
      version: 1,
      variant: 'production',
      requestId: 'req',
      time: new Date(0),
      instances,
      predictions,
    };
    const lines = captureLines(
      { ...request, bodies: { request: JSON.stringify({ instances }), response: '{}', predictions: marked } },
      6000,
    );
    expect(lines.length).toBeGreaterThan(1);
    const outputs = lines.map((line) => (JSON.parse(line) as CaptureRecord).captureData.endpointOutput.data);
    expect(outputs.join('')).toContain(marked[0]);
    expect(outputs.flatMap((data) => (JSON.parse(data) as { predictions: unknown[] }).predictions)).toEqual(
      predictions,
    );
  });
});
