import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { LocalHttpApi } from '../../local/api/http-api.js';
import { describeStartError } from '../../local/start-errors.js';

describe('npm start on a taken port', () => {
  it('names the port, what wanted it and the flag that changes it, from the error listen really gives', async () => {
    const blocker = createServer();
    const port = await new Promise<number>((resolve) =>
      blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as { port: number }).port)),
    );
    const api = new LocalHttpApi([], { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, 'us-east-1');
    const error = await api.listen(port).then(
      () => undefined,
      (e: unknown) => e,
    );
    blocker.close();
    expect(describeStartError(error, [{ flag: '--api-port', what: 'the HTTP API', port }])).toBe(
      `port ${port} (the HTTP API) is already in use, perhaps by another npm start: stop that process, or start with another port: npm start -- --api-port ${port + 10}`,
    );
    expect(describeStartError(new Error('boom'), [])).toBeUndefined();
  });
});
