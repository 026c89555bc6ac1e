import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsJsonServer } from '../../local/aws-json-server.js';
import { VirtualClock } from '../../local/clock.js';
import { stepFunctionsService } from '../../local/stepfunctions/api.js';
import type { LocalFunction } from '../../local/lambda/host.js';
import { LocalStateMachine } from '../../local/stepfunctions/state-machine.js';
import { TaskTokens } from '../../local/stepfunctions/task-tokens.js';
import { LOCAL_CREDENTIALS } from '../../local/storage/emulators.js';

/**
 * The local Step Functions API with the AWS CLI as its client, as the people on call investigate an incident:
 * list-state-machines, start-execution, list-executions, describe-execution, get-execution-history, stop-execution.
 */
const run = promisify(execFile);
const clock = new VirtualClock({ rate: 0 });
const machines = new Map<string, LocalStateMachine>();
const tokens = new TaskTokens(clock);
const server = new AwsJsonServer('test Step Functions API', LOCAL_CREDENTIALS, [
  stepFunctionsService(machines, tokens),
]);
/** The tokens handed to the waiting machine's function. */
const handed: string[] = [];
const NOTIFY = 'arn:aws:lambda:us-east-1:000000000000:function:Stack-Notify';
let endpoint: string;

async function aws(...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(
    'aws',
    ['stepfunctions', ...args, '--endpoint-url', endpoint, '--region', 'us-east-1', '--output', 'json'],
    {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      },
    },
  );
  return stdout.trim() === '' ? {} : (JSON.parse(stdout) as Record<string, unknown>);
}

beforeAll(async () => {
  const context = { clock, machines, tokens, journalDir: mkdtempSync(join(tmpdir(), 'mlops-sfn-cli-')) };
  const notify = {
    invoke: async (payload: unknown) => {
      handed.push((payload as { token: string }).token);
      return {};
    },
  } as unknown as LocalFunction;
  const add = (name: string, definition: ConstructorParameters<typeof LocalStateMachine>[2]) =>
    machines.set(
      `arn:aws:states:us-east-1:000000000000:stateMachine:${name}`,
      new LocalStateMachine(
        `arn:aws:states:us-east-1:000000000000:stateMachine:${name}`,
        name,
        definition,
        new Map([[NOTIFY, notify]]),
        mkdtempSync(join(tmpdir(), 'mlops-sfn-logs-')),
        context,
      ),
    );
  add('Quick', { StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } });
  // Waits an hour on the runtime's clock, which stands still here: it runs until stopped.
  add('Slow', { StartAt: 'Hold', States: { Hold: { Type: 'Wait', Seconds: 3600, End: true } } });
  add('Acked', {
    StartAt: 'Ask',
    States: {
      Ask: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
        Parameters: { FunctionName: NOTIFY, Payload: { 'token.$': '$$.Task.Token' } },
        End: true,
      },
    },
  } as never);
  endpoint = `http://127.0.0.1:${await server.listen(0)}`;
});

afterAll(async () => {
  await Promise.all([...machines.values()].map((m) => m.halt()));
  await server.close();
});

describe('the local Step Functions API through the AWS CLI', () => {
  it('lists the state machines, starts and lists executions, and stops a running one with its error and cause', async () => {
    const listed = (await aws('list-state-machines')) as { stateMachines: { name: string; type: string }[] };
    expect(listed.stateMachines.map((m) => [m.name, m.type])).toEqual([
      ['Acked', 'STANDARD'],
      ['Quick', 'STANDARD'],
      ['Slow', 'STANDARD'],
    ]);
    const slowArn = 'arn:aws:states:us-east-1:000000000000:stateMachine:Slow';
    const started = (await aws(
      'start-execution',
      '--state-machine-arn',
      slowArn,
      '--name',
      'held',
      '--input',
      '{"a":1}',
    )) as {
      executionArn: string;
    };
    expect(started.executionArn).toBe('arn:aws:states:us-east-1:000000000000:execution:Slow:held');
    const running = (await aws('list-executions', '--state-machine-arn', slowArn, '--status-filter', 'RUNNING')) as {
      executions: { name: string; status: string }[];
    };
    expect(running.executions.map((e) => [e.name, e.status])).toEqual([['held', 'RUNNING']]);

    await aws(
      'stop-execution',
      '--execution-arn',
      started.executionArn,
      '--error',
      'Incident7',
      '--cause',
      'tier 2 stopped it',
    );
    const described = await aws('describe-execution', '--execution-arn', started.executionArn);
    expect(described).toMatchObject({
      status: 'ABORTED',
      error: 'Incident7',
      cause: 'tier 2 stopped it',
      input: '{"a":1}',
    });
    const history = (await aws('get-execution-history', '--execution-arn', started.executionArn)) as {
      events: { type: string }[];
    };
    expect(history.events[0]?.type).toBe('ExecutionStarted');
    const after = (await aws('list-executions', '--state-machine-arn', slowArn)) as {
      executions: { name: string; status: string; startDate: number; stopDate?: number }[];
    };
    expect(after.executions).toEqual([expect.objectContaining({ name: 'held', status: 'ABORTED' })]);
    // The AWS CLI prints timestamps as received (epoch seconds, its default `cli_timestamp_format`).
    const [held] = after.executions;
    expect(held?.stopDate).toBeGreaterThanOrEqual(held?.startDate as number);
  }, 60_000);

  it('sends a task token back with send-task-heartbeat and send-task-success: the waiting execution goes on', async () => {
    const acked = 'arn:aws:states:us-east-1:000000000000:stateMachine:Acked';
    const { executionArn } = (await aws('start-execution', '--state-machine-arn', acked)) as { executionArn: string };
    for (let i = 0; i < 200 && handed.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    const [token] = handed as [string];
    await aws('send-task-heartbeat', '--task-token', token);
    await aws('send-task-success', '--task-token', token, '--task-output', '{"ack":"ana"}');
    // The execution goes on asynchronously: described until it has ended.
    let described = await aws('describe-execution', '--execution-arn', executionArn);
    for (let i = 0; i < 10 && described.status === 'RUNNING'; i++)
      described = await aws('describe-execution', '--execution-arn', executionArn);
    expect(described).toMatchObject({ status: 'SUCCEEDED', output: '{"ack":"ana"}' });
    await expect(aws('send-task-failure', '--task-token', token, '--error', 'E')).rejects.toThrow(/TaskTimedOut/);
  }, 60_000);

  it('answers the errors the CLI expects: an unknown machine, an unknown execution', async () => {
    await expect(
      aws('list-executions', '--state-machine-arn', 'arn:aws:states:us-east-1:000000000000:stateMachine:Gone'),
    ).rejects.toThrow(/StateMachineDoesNotExist/);
    await expect(
      aws('describe-execution', '--execution-arn', 'arn:aws:states:us-east-1:000000000000:execution:Quick:none'),
    ).rejects.toThrow(/ExecutionDoesNotExist/);
  }, 60_000);
});
