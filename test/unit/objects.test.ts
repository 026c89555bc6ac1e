import { S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';

type SentRequest = { headers: Record<string, string> };
import { putObject } from '../../lambdas/shared/adapters/objects.js';

describe('putObject', () => {
  it('sends Content-MD5 with every write (required by buckets with Object Lock retention)', async () => {
    const sent: SentRequest[] = [];
    const s3 = new S3Client({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      requestHandler: {
        handle: async (request: SentRequest) => {
          sent.push(request);
          return { response: { statusCode: 200, headers: { etag: '"e"' }, body: Readable.from([]) } };
        },
      },
    });
    const body = JSON.stringify({ model: 'adult', weights: [0.25, -1.5] });
    await putObject(s3, { bucket: 'artifacts', key: 'models/adult/run-1/model.json' }, body, 'application/json');
    expect(sent).toHaveLength(1);
    expect(sent[0]?.headers['content-md5']).toBe(createHash('md5').update(body).digest('base64'));
    expect(sent[0]?.headers['content-type']).toBe('application/json');
  });
});
