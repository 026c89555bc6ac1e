import { describe, expect, it } from 'vitest';
import type { LocalFunction } from '../../local/lambda-host.js';
import { LocalStateMachine } from '../../local/step-functions.js';

const arn = 'arn:aws:lambda:us-east-1:000000000000:function:Stack-Fn';
const echo = { invoke: async (input: unknown) => ({ got: input }) } as unknown as LocalFunction;

describe('local state machines', () => {
  it('routes Lambda tasks to local functions and never to AWS', async () => {
    const machine = new LocalStateMachine(
      'arn:aws:states:us-east-1:0:stateMachine:m',
      'm',
      { StartAt: 'Call', States: { Call: { Type: 'Task', Resource: arn, TimeoutSeconds: 5, End: true } } },
      new Map([[arn, echo]]),
      '/tmp/mlops-test-logs',
    );
    const execution = machine.start({ a: 1 });
    await execution.done;
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.output).toEqual({ got: { a: 1 } });
  });

  it('"ResultPath": "$" replaces the input with the result, as in AWS, inside a Map too', async () => {
    const machine = new LocalStateMachine(
      'arn:aws:states:us-east-1:0:stateMachine:m',
      'm',
      {
        StartAt: 'Each',
        States: {
          Each: {
            Type: 'Map',
            ItemsPath: '$.items',
            ItemProcessor: { StartAt: 'Call', States: { Call: { Type: 'Task', Resource: arn, TimeoutSeconds: 5, ResultPath: '$', End: true } } },
            ResultPath: '$.results',
            End: true,
          },
        },
      },
      new Map([[arn, echo]]),
      '/tmp/mlops-test-logs',
    );
    const execution = machine.start({ items: [1, 2] });
    await execution.done;
    expect(execution.output).toEqual({ items: [1, 2], results: [{ got: 1 }, { got: 2 }] });
  });

  it('refuses to load a machine with a Task it cannot run locally', () => {
    const load = (resource: string) =>
      new LocalStateMachine('arn:x', 'm', { StartAt: 'T', States: { T: { Type: 'Task', Resource: resource, End: true } } }, new Map([[arn, echo]]), '/tmp/mlops-test-logs');
    expect(() => load('arn:aws:lambda:us-east-1:000000000000:function:Other')).toThrow(
      'm: Task T calls arn:aws:lambda:us-east-1:000000000000:function:Other, which is not a Lambda function of this stack; the local runtime never calls AWS',
    );
    expect(() => load('arn:aws:states:::dynamodb:putItem')).toThrow('only Lambda tasks can run locally');
  });
});
