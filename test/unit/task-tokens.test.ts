import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../local/clock.js';
import type { LocalFunction } from '../../local/lambda/host.js';
import { stepFunctionsService } from '../../local/stepfunctions/api.js';
import { LocalStateMachine } from '../../local/stepfunctions/state-machine.js';
import { TaskTokens } from '../../local/stepfunctions/task-tokens.js';

/** `.waitForTaskToken` and SendTask* in the local Step Functions, as AWS documents the callback pattern. */
const FN = 'arn:aws:lambda:us-east-1:000000000000:function:Stack-Notify';
const ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:tiers';

function setup(task: Record<string, unknown> = {}) {
  const clock = new VirtualClock({ rate: 0 });
  const tokens = new TaskTokens(clock);
  const payloads: { token: string; incident: number }[] = [];
  const notify = {
    invoke: async (payload: unknown) => {
      payloads.push(payload as { token: string; incident: number });
      return { sent: true };
    },
  } as unknown as LocalFunction;
  const machines = new Map<string, LocalStateMachine>();
  const machine = new LocalStateMachine(
    ARN,
    'tiers',
    {
      StartAt: 'Tier2',
      States: {
        Tier2: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
          Parameters: { FunctionName: FN, Payload: { 'token.$': '$$.Task.Token', 'incident.$': '$.incident' } },
          ...task,
          Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.escalated', Next: 'Tier3' }],
          End: true,
        },
        Tier3: { Type: 'Pass', End: true },
      },
    } as never,
    new Map([[FN, notify]]),
    mkdtempSync(join(tmpdir(), 'mlops-tokens-logs-')),
    { clock, machines, journalDir: mkdtempSync(join(tmpdir(), 'mlops-tokens-')), tokens },
  );
  machines.set(ARN, machine);
  const api = stepFunctionsService(machines, tokens).operations;
  const tokenOf = async () => {
    for (let i = 0; i < 100 && payloads.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    return payloads[0]?.token as string;
  };
  return { clock, machine, api, payloads, tokenOf };
}

describe('the callback pattern in the local Step Functions', () => {
  it('hands the task a fresh token and goes on with what SendTaskSuccess sends', async () => {
    const { machine, api, payloads, tokenOf } = setup();
    const execution = machine.start({ incident: 7 });
    const token = await tokenOf();
    expect(payloads).toEqual([{ token: expect.stringMatching(/^[0-9a-f]{64}$/), incident: 7 }]);
    expect(execution.status).toBe('RUNNING');
    await api.SendTaskSuccess?.({ taskToken: token, output: JSON.stringify({ acknowledgedBy: 'ana' }) });
    await execution.done;
    expect(execution).toMatchObject({ status: 'SUCCEEDED', output: { acknowledgedBy: 'ana' } });
    // The token's task has ended: AWS answers TaskTimedOut; a token it never gave, InvalidToken.
    await expect(async () => api.SendTaskSuccess?.({ taskToken: token, output: '{}' })).rejects.toMatchObject({
      type: 'TaskTimedOut',
    });
    await expect(async () => api.SendTaskHeartbeat?.({ taskToken: 'nope' })).rejects.toMatchObject({
      type: 'InvalidToken',
    });
  });

  it('fails the task with the error and cause of SendTaskFailure, which Catch matches', async () => {
    const { machine, api, tokenOf } = setup();
    const execution = machine.start({ incident: 8 });
    await api.SendTaskFailure?.({ taskToken: await tokenOf(), error: 'Escalate', cause: 'tier 2 sends it on' });
    await execution.done;
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.output).toMatchObject({ escalated: { Error: 'Escalate', Cause: 'tier 2 sends it on' } });
  });

  it('times out on the runtime’s clock (States.Timeout), and a heartbeat keeps HeartbeatSeconds from expiring', async () => {
    const timed = setup({ TimeoutSeconds: 1800 });
    const late = timed.machine.start({ incident: 9 });
    await timed.tokenOf();
    await timed.clock.advance(1799_000);
    expect(late.status).toBe('RUNNING');
    await timed.clock.advance(2_000);
    await late.done;
    expect(late.output).toMatchObject({ escalated: { Error: 'States.Timeout' } });

    const beating = setup({ HeartbeatSeconds: 600 });
    const alive = beating.machine.start({ incident: 10 });
    const token = await beating.tokenOf();
    await beating.clock.advance(500_000);
    await beating.api.SendTaskHeartbeat?.({ taskToken: token });
    await beating.clock.advance(500_000);
    expect(alive.status).toBe('RUNNING');
    await beating.clock.advance(200_000);
    await alive.done;
    expect(alive.output).toMatchObject({ escalated: { Error: 'States.HeartbeatTimeout' } });
  });

  it('reads the timeout from the input with TimeoutSecondsPath, and rejects one that is not a positive integer', async () => {
    const timed = setup({ TimeoutSecondsPath: '$.ackSeconds' });
    const late = timed.machine.start({ incident: 11, ackSeconds: 120 });
    await timed.tokenOf();
    // The function got its payload only: the timeout is the Task's, not a parameter of the call.
    expect(Object.keys(timed.payloads[0] ?? {}).sort()).toEqual(['incident', 'token']);
    await timed.clock.advance(119_000);
    expect(late.status).toBe('RUNNING');
    await timed.clock.advance(2_000);
    await late.done;
    expect(late.output).toMatchObject({ escalated: { Error: 'States.Timeout' } });

    const bad = setup({ TimeoutSecondsPath: '$.ackSeconds' });
    const refused = bad.machine.start({ incident: 12, ackSeconds: 'soon' });
    await refused.done.catch(() => undefined);
    // A runtime error ends the execution: States.ALL does not catch it (as AWS documents).
    expect(refused.status).toBe('FAILED');
    expect(refused.error).toMatchObject({ error: 'States.Runtime' });
  });
});
