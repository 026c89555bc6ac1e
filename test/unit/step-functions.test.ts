import { describe, expect, it } from 'vitest';
import type { LocalFunction } from '../../local/lambda-host.js';
import { VirtualClock } from '../../local/clock.js';
import { LocalStateMachine } from '../../local/step-functions.js';

const arn = 'arn:aws:lambda:us-east-1:000000000000:function:Stack-Fn';
const echo = { invoke: async (input: unknown) => ({ got: input }) } as unknown as LocalFunction;
const context = (clock = new VirtualClock({ rate: 0 }), machines = new Map<string, LocalStateMachine>()) => ({ clock, machines });

describe('local state machines', () => {
  it('routes Lambda tasks to local functions and never to AWS', async () => {
    const machine = new LocalStateMachine(
      'arn:aws:states:us-east-1:0:stateMachine:m',
      'm',
      { StartAt: 'Call', States: { Call: { Type: 'Task', Resource: arn, TimeoutSeconds: 5, End: true } } },
      new Map([[arn, echo]]),
      '/tmp/mlops-test-logs',
      context(),
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
      context(),
    );
    const execution = machine.start({ items: [1, 2] });
    await execution.done;
    expect(execution.output).toEqual({ items: [1, 2], results: [{ got: 1 }, { got: 2 }] });
  });

  it('refuses to load a machine with a Task it cannot run locally', () => {
    const load = (resource: string) =>
      new LocalStateMachine('arn:x', 'm', { StartAt: 'T', States: { T: { Type: 'Task', Resource: resource, End: true } } }, new Map([[arn, echo]]), '/tmp/mlops-test-logs', context());
    expect(() => load('arn:aws:lambda:us-east-1:000000000000:function:Other')).toThrow(
      'm: Task T calls arn:aws:lambda:us-east-1:000000000000:function:Other, which is not a Lambda function of this stack; the local runtime never calls AWS',
    );
    expect(() => load('arn:aws:states:::dynamodb:putItem')).toThrow('only Lambda tasks can run locally');
  });

  it("waits on the runtime's clock: Seconds, SecondsPath and Timestamp, passing the input through", async () => {
    const clock = new VirtualClock({ start: Date.UTC(2026, 0, 1), rate: 0 });
    const machine = new LocalStateMachine(
      'arn:aws:states:us-east-1:0:stateMachine:w',
      'w',
      {
        StartAt: 'Bake',
        States: {
          Bake: { Type: 'Wait', SecondsPath: '$.bake', Next: 'Short' },
          Short: { Type: 'Wait', Seconds: 60, Next: 'Until' },
          Until: { Type: 'Wait', Timestamp: '2026-01-01T01:00:00Z', Next: 'Call' },
          Call: { Type: 'Task', Resource: arn, TimeoutSeconds: 5, End: true },
        },
      },
      new Map([[arn, echo]]),
      '/tmp/mlops-test-logs',
      context(clock),
    );
    const execution = machine.start({ bake: 300 });
    const entered = (state: string) => execution.events.some((e) => e.type === 'StateEntered' && e.state === state);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(entered('Short')).toBe(false);
    await clock.advance(300_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(entered('Short')).toBe(true);
    expect(entered('Until')).toBe(false);
    await clock.advance(60_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(entered('Until')).toBe(true);
    expect(execution.status).toBe('RUNNING');
    await clock.advance(3600_000);
    await execution.done;
    expect(execution.output).toEqual({ got: { bake: 300 } });
  });

  it('starts another machine of the stack with states:startExecution, as Step Functions answers', async () => {
    const machines = new Map<string, LocalStateMachine>();
    const child = new LocalStateMachine('arn:aws:states:us-east-1:0:stateMachine:child', 'child', { StartAt: 'Call', States: { Call: { Type: 'Task', Resource: arn, TimeoutSeconds: 5, End: true } } }, new Map([[arn, echo]]), '/tmp/mlops-test-logs', context(undefined, machines));
    machines.set(child.arn, child);
    const parent = new LocalStateMachine(
      'arn:aws:states:us-east-1:0:stateMachine:parent',
      'parent',
      { StartAt: 'Start', States: { Start: { Type: 'Task', Resource: 'arn:aws:states:::states:startExecution', Parameters: { StateMachineArn: child.arn, 'Input.$': '$' }, TimeoutSeconds: 5, End: true } } },
      new Map([[arn, echo]]),
      '/tmp/mlops-test-logs',
      context(undefined, machines),
    );
    const execution = parent.start({ model: 'm' });
    await execution.done;
    expect(execution.output).toMatchObject({ ExecutionArn: expect.stringMatching(/^arn:aws:states:us-east-1:0:execution:child:/) });
    const [started] = child.executions;
    await started?.done;
    expect(started?.output).toEqual({ got: { model: 'm' } });
  });
});
