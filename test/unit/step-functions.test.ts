import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LocalFunction } from '../../local/lambda/host.js';
import { VirtualClock } from '../../local/clock.js';
import { LocalStateMachine } from '../../local/stepfunctions/state-machine.js';
import { executionHistory, statusChangeEvent } from '../../local/stepfunctions/history.js';

const arn = 'arn:aws:lambda:us-east-1:000000000000:function:Stack-Fn';
const echo = { invoke: async (input: unknown) => ({ got: input }) } as unknown as LocalFunction;
const context = (
  clock = new VirtualClock({ rate: 0 }),
  machines = new Map<string, LocalStateMachine>(),
  journalDir = mkdtempSync(join(tmpdir(), 'mlops-sfn-')),
) => ({ clock, machines, journalDir });

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
            ItemProcessor: {
              StartAt: 'Call',
              States: { Call: { Type: 'Task', Resource: arn, TimeoutSeconds: 5, ResultPath: '$', End: true } },
            },
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
      new LocalStateMachine(
        'arn:x',
        'm',
        { StartAt: 'T', States: { T: { Type: 'Task', Resource: resource, End: true } } },
        new Map([[arn, echo]]),
        '/tmp/mlops-test-logs',
        context(),
      );
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
    const child = new LocalStateMachine(
      'arn:aws:states:us-east-1:0:stateMachine:child',
      'child',
      { StartAt: 'Call', States: { Call: { Type: 'Task', Resource: arn, TimeoutSeconds: 5, End: true } } },
      new Map([[arn, echo]]),
      '/tmp/mlops-test-logs',
      context(undefined, machines),
    );
    machines.set(child.arn, child);
    const parent = new LocalStateMachine(
      'arn:aws:states:us-east-1:0:stateMachine:parent',
      'parent',
      {
        StartAt: 'Start',
        States: {
          Start: {
            Type: 'Task',
            Resource: 'arn:aws:states:::states:startExecution',
            Parameters: { StateMachineArn: child.arn, 'Input.$': '$' },
            TimeoutSeconds: 5,
            End: true,
          },
        },
      },
      new Map([[arn, echo]]),
      '/tmp/mlops-test-logs',
      context(undefined, machines),
    );
    const execution = parent.start({ model: 'm' });
    await execution.done;
    expect(execution.output).toMatchObject({
      ExecutionArn: expect.stringMatching(/^arn:aws:states:us-east-1:0:execution:child:/),
    });
    const [started] = child.executions;
    await started?.done;
    expect(started?.output).toEqual({ got: { model: 'm' } });
  });
});

describe('execution histories and status changes, across a stop of the runtime', () => {
  const definition = {
    StartAt: 'Prepare',
    States: {
      Prepare: { Type: 'Task', Resource: arn, TimeoutSeconds: 5, ResultPath: '$.prepared', Next: 'Each' },
      Each: {
        Type: 'Map',
        ItemsPath: '$.items',
        ItemProcessor: {
          StartAt: 'Work',
          States: { Work: { Type: 'Task', Resource: arn, TimeoutSeconds: 5, End: true } },
        },
        ResultPath: '$.done',
        End: true,
      },
    },
  };

  it('records the history as GetExecutionHistory gives it, and a status change at the start and at the end', async () => {
    const machine = new LocalStateMachine(
      'arn:aws:states:us-east-1:000000000000:stateMachine:m',
      'm',
      definition as never,
      new Map([[arn, echo]]),
      '/tmp/mlops-test-logs',
      context(),
    );
    const changes: unknown[] = [];
    machine.onStatusChange((execution, stoppedAt) => changes.push(statusChangeEvent(execution, stoppedAt)));
    const execution = machine.start({ items: [1, 2] }, 'exec-1');
    await execution.done;
    const history = executionHistory(execution);
    expect(history.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskStateExited',
      'MapStateEntered',
      ...history.slice(4, -2).map((e) => e.type),
      'MapStateExited',
      'ExecutionSucceeded',
    ]);
    expect(
      history
        .slice(4, -2)
        .map((e) => e.type)
        .sort(),
    ).toEqual([
      'MapIterationStarted',
      'MapIterationStarted',
      'MapIterationSucceeded',
      'MapIterationSucceeded',
      'TaskStateEntered',
      'TaskStateEntered',
      'TaskStateExited',
      'TaskStateExited',
    ]);
    expect(history.map((e) => e.id)).toEqual(history.map((_, i) => i + 1));
    expect(history[3]).toMatchObject({
      previousEventId: 3,
      stateEnteredEventDetails: {
        name: 'Each',
        input: JSON.stringify({ items: [1, 2], prepared: { got: { items: [1, 2] } } }),
      },
    });
    expect(changes).toEqual([
      expect.objectContaining({
        source: 'aws.states',
        'detail-type': 'Step Functions Execution Status Change',
        account: '000000000000',
        region: 'us-east-1',
        resources: [execution.executionArn],
        detail: expect.objectContaining({ status: 'RUNNING', stopDate: null, input: '{"items":[1,2]}' }),
      }),
      expect.objectContaining({
        detail: expect.objectContaining({
          status: 'SUCCEEDED',
          name: 'exec-1',
          stateMachineArn: machine.arn,
          output: JSON.stringify(execution.output),
          error: null,
        }),
      }),
    ]);
  });

  it('ends as ABORTED, once, at the next start an execution that was running when the runtime stopped; its history stays readable', async () => {
    const journalDir = mkdtempSync(join(tmpdir(), 'mlops-sfn-'));
    const stuck = { invoke: () => new Promise(() => undefined) } as unknown as LocalFunction;
    const before = new LocalStateMachine(
      'arn:aws:states:us-east-1:0:stateMachine:m',
      'm',
      definition as never,
      new Map([[arn, stuck]]),
      '/tmp/mlops-test-logs',
      context(undefined, undefined, journalDir),
    );
    const running = before.start({ items: [] }, 'exec-stuck');
    const finished = before.start({ items: [] }, 'exec-other');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect([running.status, finished.status]).toEqual(['RUNNING', 'RUNNING']);

    // The runtime stops (the process dies); a new one starts on the same journal.
    const after = new LocalStateMachine(
      'arn:aws:states:us-east-1:0:stateMachine:m',
      'm',
      definition as never,
      new Map([[arn, echo]]),
      '/tmp/mlops-test-logs',
      context(undefined, undefined, journalDir),
    );
    const changes: string[] = [];
    after.onStatusChange((execution) => changes.push(`${execution.name} ${execution.status}`));
    const aborted = after.restore(Date.now());
    expect(aborted.map((e) => e.name).sort()).toEqual(['exec-other', 'exec-stuck']);
    expect(changes.sort()).toEqual(['exec-other ABORTED', 'exec-stuck ABORTED']);
    const history = executionHistory(after.executions.find((e) => e.name === 'exec-stuck') as never);
    expect(history.map((e) => e.type)).toEqual(['ExecutionStarted', 'TaskStateEntered', 'ExecutionAborted']);
    expect(history[1]).toMatchObject({ stateEnteredEventDetails: { name: 'Prepare', input: '{"items":[]}' } });
    // A second start finds them ended: nothing is aborted twice.
    const again = new LocalStateMachine(
      'arn:aws:states:us-east-1:0:stateMachine:m',
      'm',
      definition as never,
      new Map([[arn, echo]]),
      '/tmp/mlops-test-logs',
      context(undefined, undefined, journalDir),
    );
    expect(again.restore(Date.now())).toEqual([]);
    expect(again.executions.map((e) => e.status)).toEqual(['ABORTED', 'ABORTED']);
  });

  it('halts with the runtime: a running execution stops at once, writes nothing more, and is ended ABORTED by the next start', async () => {
    const journalDir = mkdtempSync(join(tmpdir(), 'mlops-sfn-'));
    const logDir = mkdtempSync(join(tmpdir(), 'mlops-sfn-logs-'));
    const stuck = { invoke: () => new Promise(() => undefined) } as unknown as LocalFunction;
    const machine = new LocalStateMachine(
      'arn:aws:states:us-east-1:0:stateMachine:m',
      'm',
      definition as never,
      new Map([[arn, stuck]]),
      logDir,
      context(undefined, undefined, journalDir),
    );
    const changes: string[] = [];
    machine.onStatusChange((execution) => changes.push(`${execution.name} ${execution.status}`));
    const running = machine.start({ items: [] }, 'exec-halted');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const logged = readFileSync(join(logDir, 'm.log'), 'utf8');
    await machine.halt();
    expect(running.status).toBe('ABORTED');
    // No status change was told, and the log is as it was: the runtime may remove its state folder now.
    expect(changes).toEqual(['exec-halted RUNNING']);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(readFileSync(join(logDir, 'm.log'), 'utf8')).toBe(logged);
    expect(() => machine.start({}, 'late')).toThrow('the local runtime is stopping: m starts no execution');
    const after = new LocalStateMachine(
      'arn:aws:states:us-east-1:0:stateMachine:m',
      'm',
      definition as never,
      new Map([[arn, echo]]),
      logDir,
      context(undefined, undefined, journalDir),
    );
    expect(after.restore(Date.now()).map((e) => `${e.name} ${e.status}`)).toEqual(['exec-halted ABORTED']);
  });
});
