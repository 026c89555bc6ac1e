import { describe, expect, it } from 'vitest';
import type { CaptureRecord } from '../../lambdas/core/capture-record.js';
import { captureAnswer } from '../../lambdas/predict/capture.js';

const answer = {
  model: 'adult',
  version: 2,
  variant: 'production',
  predictions: [{ id: 'req-1.0', label: '>50K', probabilities: { '<=50K': 0.25, '>50K': 0.75 } }],
};
const requestBody = '{"instances":[{"age":39,"sex":"Female","customer":"c-42"}]}';
const instances = [{ age: 39, sex: 'Female', customer: 'c-42' }];
const bodies = { request: requestBody, response: JSON.stringify(answer) };

function capture(redaction: { drop: string[]; hash: string[] }): CaptureRecord[] {
  const lines: string[] = [];
  captureAnswer(
    { samplePercent: 100, redaction },
    { requestId: 'req-1', instances, time: new Date('2026-11-26T00:00:00Z'), bodies },
    answer,
    (line) => lines.push(line),
  );
  return lines.map((line) => JSON.parse(line) as CaptureRecord);
}

describe('capturing an answered request', () => {
  it('records the bodies as sent when redaction changes nothing', () => {
    const [record] = capture({ drop: [], hash: [] });
    expect(record?.captureData.endpointInput.data).toBe(requestBody);
    expect(record?.captureData.endpointOutput.data).toBe(bodies.response);
  });

  it('never records the request body when a field is dropped or hashed: the instances are rebuilt without it', () => {
    for (const redaction of [
      { drop: ['sex'], hash: [] },
      { drop: [], hash: ['customer'] },
    ]) {
      const [record] = capture(redaction);
      const data = record?.captureData.endpointInput.data ?? '';
      expect(data).not.toBe(requestBody);
      const captured = (JSON.parse(data) as { instances: Record<string, unknown>[] }).instances[0];
      if (redaction.drop.length > 0) expect(captured).toEqual({ age: 39, customer: 'c-42' });
      else expect(captured?.customer).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(JSON.parse(record?.captureData.endpointOutput.data ?? '{}')).toEqual({ predictions: answer.predictions });
    }
  });

  it('captures nothing for a request outside the sample', () => {
    const lines: string[] = [];
    expect(
      captureAnswer(
        { samplePercent: 0, redaction: { drop: [], hash: [] } },
        { requestId: 'req-1', instances, time: new Date(), bodies },
        answer,
        (line) => lines.push(line),
      ),
    ).toBe(0);
    expect(lines).toEqual([]);
  });
});
