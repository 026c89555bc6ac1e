import { InvokeCommand, LambdaClient, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalFunction } from '../../local/lambda/host.js';
import { LocalLambdaApi } from '../../local/lambda/invoke-api.js';
import { LambdaFunctionError } from '../../local/lambda/spec.js';
import { LOCAL_CREDENTIALS } from '../../local/storage/emulators.js';

/**
 * The local Invoke API through the AWS SDK's own Lambda client, against what AWS documents for Invoke: results,
 * function errors (200 with X-Amz-Function-Error), DryRun (204), unknown functions and qualifiers (404), unsigned
 * or wrongly signed requests (403). The functions behind it are stand-ins: what is tested is the protocol.
 */
const ARN = 'arn:aws:lambda:us-east-1:000000000000:function:Stack-Echo';
const echo = {
  spec: { functionName: 'Stack-Echo', arn: ARN },
  invoke: async (event: unknown) => {
    const input = event as { fail?: string };
    if (input?.fail !== undefined) throw new LambdaFunctionError('MonitorError', input.fail);
    return { echoed: event };
  },
} as unknown as LocalFunction;

let api: LocalLambdaApi;
let client: LambdaClient;
let endpoint: string;

beforeAll(async () => {
  api = new LocalLambdaApi(new Map([['Echo', echo]]), LOCAL_CREDENTIALS);
  endpoint = `http://127.0.0.1:${await api.listen(0)}`;
  client = new LambdaClient({ region: 'us-east-1', endpoint, credentials: LOCAL_CREDENTIALS });
});

afterAll(async () => {
  client.destroy();
  await api.close();
});

const decode = (payload: Uint8Array | undefined) => JSON.parse(new TextDecoder().decode(payload)) as unknown;

describe("Lambda's Invoke API, locally", () => {
  it('invokes by name or ARN and answers the result with 200 and the version run', async () => {
    for (const FunctionName of ['Stack-Echo', ARN, '000000000000:function:Stack-Echo']) {
      const answer = await client.send(
        new InvokeCommand({ FunctionName, Payload: JSON.stringify({ model: 'adult' }) }),
      );
      expect(answer).toMatchObject({ StatusCode: 200, ExecutedVersion: '$LATEST' });
      expect(answer.FunctionError).toBeUndefined();
      expect(decode(answer.Payload)).toEqual({ echoed: { model: 'adult' } });
    }
  });

  it("reports a function's error in the payload with X-Amz-Function-Error, still 200", async () => {
    const answer = await client.send(
      new InvokeCommand({ FunctionName: 'Stack-Echo', Payload: JSON.stringify({ fail: 'no model file' }) }),
    );
    expect(answer).toMatchObject({ StatusCode: 200, FunctionError: 'Unhandled' });
    expect(decode(answer.Payload)).toEqual({ errorType: 'MonitorError', errorMessage: 'no model file', trace: [] });
  });

  it('answers DryRun with 204, and refuses Event locally with the reason', async () => {
    const dry = await client.send(new InvokeCommand({ FunctionName: 'Stack-Echo', InvocationType: 'DryRun' }));
    expect(dry.StatusCode).toBe(204);
    await expect(
      client.send(new InvokeCommand({ FunctionName: 'Stack-Echo', InvocationType: 'Event' })),
    ).rejects.toThrow(/invokes RequestResponse and DryRun/);
  });

  it('answers ResourceNotFoundException (404) for an unknown function or qualifier', async () => {
    const unknown = client.send(new InvokeCommand({ FunctionName: 'Stack-Nope', Payload: '{}' }));
    await expect(unknown).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(unknown).rejects.toMatchObject({
      $metadata: { httpStatusCode: 404 },
      message: 'Function not found: Stack-Nope',
    });
    await expect(
      client.send(new InvokeCommand({ FunctionName: 'Stack-Echo', Qualifier: '3', Payload: '{}' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('refuses a payload that is not JSON, and a request signed with other credentials', async () => {
    await expect(
      client.send(new InvokeCommand({ FunctionName: 'Stack-Echo', Payload: new TextEncoder().encode('{not json') })),
    ).rejects.toMatchObject({ name: 'InvalidRequestContentException', $metadata: { httpStatusCode: 400 } });
    const stranger = new LambdaClient({
      region: 'us-east-1',
      endpoint,
      credentials: { accessKeyId: 'SOMEONE', secretAccessKey: 'ELSE' },
    });
    await expect(stranger.send(new InvokeCommand({ FunctionName: 'Stack-Echo', Payload: '{}' }))).rejects.toMatchObject(
      {
        name: 'UnrecognizedClientException',
        $metadata: { httpStatusCode: 403 },
      },
    );
    stranger.destroy();
  });
});
