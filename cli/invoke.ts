import { InvokeCommand } from '@aws-sdk/client-lambda';
import type * as z from 'zod';
import type { Connection } from './connection.js';

/**
 * Invokes one of the stack's functions as its schedule or rule would (RequestResponse), and checks its answer: a
 * function error becomes an Error naming what failed, any other answer must have the expected shape.
 */
export async function invokeFunction<S extends z.ZodType>(
  c: Pick<Connection, 'lambda'>,
  functionName: string,
  what: string,
  payload: unknown,
  answer: S,
): Promise<z.infer<S>> {
  const result = await c.lambda.send(
    new InvokeCommand({ FunctionName: functionName, Payload: JSON.stringify(payload) }),
  );
  const text = new TextDecoder().decode(result.Payload ?? new Uint8Array());
  if (result.FunctionError !== undefined) {
    const error = JSON.parse(text) as { errorType?: string; errorMessage?: string };
    throw new Error(`${what} failed: ${error.errorType ?? 'Error'}: ${error.errorMessage ?? text}`);
  }
  return answer.parse(JSON.parse(text));
}
