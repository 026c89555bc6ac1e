import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readCapture } from '../../cli/capture.js';
import { captureLines } from '../../lambdas/core/capture-record.js';

const NOW = Date.parse('2026-11-27T10:30:00Z');

/** An S3 client over objects in memory (key → GZIP JSON Lines), answering the two calls readCapture makes. */
function bucketOf(objects: Record<string, string[]>): S3Client {
  const send = async (command: unknown) => {
    if (command instanceof ListObjectsV2Command) {
      const prefix = command.input.Prefix ?? '';
      return {
        Contents: Object.keys(objects)
          .filter((key) => key.startsWith(prefix))
          .map((Key) => ({ Key })),
      };
    }
    if (command instanceof GetObjectCommand) {
      const bytes = gzipSync((objects[command.input.Key ?? ''] ?? []).join('\n'));
      return { Body: { transformToByteArray: async () => new Uint8Array(bytes) } };
    }
    throw new Error('unexpected command');
  };
  return { send } as unknown as S3Client;
}

describe('mlops capture: predictions joined with their truth, from the capture objects', () => {
  it('reads records holding the response as sent and records rebuilt in parts alike, each prediction with its truth', () => {
    const time = new Date('2026-11-27T10:00:00Z');
    const predictions = [
      { id: 'r1.0', label: '>50K', probabilities: { '<=50K': 0.25, '>50K': 0.75 } },
      { id: 'r1.1', label: '<=50K', probabilities: { '<=50K': 0.875, '>50K': 0.125 } },
    ];
    const answer = { model: 'adult', version: 3, variant: 'production', predictions };
    const verbatim = captureLines({
      model: 'adult',
      version: 3,
      variant: 'production',
      requestId: 'r1',
      time,
      instances: [{ a: 1 }, { a: 2 }],
      predictions,
      bodies: { request: '{"instances":[{"a":1},{"a":2}]}', response: JSON.stringify(answer) },
    });
    const parts = captureLines(
      {
        model: 'adult',
        version: 3,
        variant: 'candidate-shadow',
        requestId: 'r1',
        time,
        instances: [{ a: 'x'.repeat(3000) }, { a: 'y'.repeat(3000) }],
        predictions,
      },
      4096,
    );
    expect(parts.length).toBe(2);
    const truth = {
      mlopsRecord: 'feedback',
      model: 'adult',
      predictionId: 'r1.1',
      groundTruthData: { data: '"<=50K"', encoding: 'JSON', observedContentType: 'application/json' },
      eventMetadata: { eventId: 'e', inferenceId: 'r1' },
      receivedAt: '2026-11-27T10:05:00Z',
      eventVersion: '0',
    };
    const s3 = bucketOf({
      'capture/model=adult/dt=2026-11-27-10/a.gz': [...verbatim, ...parts],
      'feedback/model=adult/dt=2026-11-27-10/b.gz': [JSON.stringify(truth)],
    });
    return expect(readCapture(s3, 'data', 'adult', NOW - 3_600_000, NOW)).resolves.toEqual([
      { at: time.toISOString(), predictionId: 'r1.0', version: 3, variant: 'production', prediction: predictions[0] },
      {
        at: time.toISOString(),
        predictionId: 'r1.1',
        version: 3,
        variant: 'production',
        prediction: predictions[1],
        truth: '<=50K',
      },
      {
        at: time.toISOString(),
        predictionId: 'r1.0',
        version: 3,
        variant: 'candidate-shadow',
        prediction: predictions[0],
      },
      {
        at: time.toISOString(),
        predictionId: 'r1.1',
        version: 3,
        variant: 'candidate-shadow',
        prediction: predictions[1],
        truth: '<=50K',
      },
    ]);
  });
});
