import type { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { ExecutionDoesNotExist, type SFNClient } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { waitForRun } from '../../cli/runs.js';
import type { Registry } from '../../lambdas/shared/adapters/registry.js';
import type { RunRecord } from '../../lambdas/shared/contracts/registry-records.js';

const MACHINE = 'arn:aws:states:us-east-1:000000000000:stateMachine:Training';
const EXECUTION = 'arn:aws:states:us-east-1:000000000000:execution:Training:first';
const trigger = { bucket: 'b', key: 'incoming/m/a.csv', etag: 'e', versionId: null, size: 1 };

/** A registry that reads the run as the pipeline left it, and Step Functions that reports each execution's statuses in turn. */
function connection(run: RunRecord, statuses: Record<string, string[]>) {
  const described: string[] = [];
  const registry = { runs: { get: async () => run } } as unknown as Registry;
  const sfn = {
    send: async (command: DescribeExecutionCommand) => {
      const arn = command.input.executionArn ?? '';
      described.push(arn);
      const queue = statuses[arn];
      if (queue === undefined)
        throw new ExecutionDoesNotExist({ message: `Execution Does Not Exist: '${arn}'`, $metadata: {} });
      return { status: queue.length > 1 ? queue.shift() : queue[0] };
    },
  } as unknown as SFNClient;
  return { c: { registry, sfn, stateMachineArn: MACHINE }, described };
}

describe('waitForRun: the run has ended, and so has its execution', () => {
  it('waits past a PROMOTED run until its execution (still writing the model card) ends', async () => {
    const run: RunRecord = {
      model: 'm',
      runId: 'run-1',
      status: 'PROMOTED',
      trigger,
      startedAt: 't',
      updatedAt: 't',
      executionId: EXECUTION,
    };
    const { c, described } = connection(run, { [EXECUTION]: ['RUNNING', 'RUNNING', 'SUCCEEDED'] });
    expect(await waitForRun(c, 'm', 'run-1', { pollMs: 1 })).toMatchObject({ status: 'PROMOTED' });
    expect(described).toEqual([EXECUTION, EXECUTION, EXECUTION]);
  });

  it("follows a re-driven run to its latest re-drive's execution", async () => {
    const run: RunRecord = {
      model: 'm',
      runId: 'run-1',
      status: 'FAILED',
      trigger,
      startedAt: 't',
      updatedAt: 't',
      executionId: EXECUTION,
      redrives: 2,
    };
    const redrive = 'arn:aws:states:us-east-1:000000000000:execution:Training:run-1-redrive-2';
    const { c, described } = connection(run, { [redrive]: ['RUNNING', 'FAILED'] });
    await waitForRun(c, 'm', 'run-1', { pollMs: 1 });
    expect(described).toEqual([redrive, redrive]);
  });

  it('returns for an execution Step Functions does not know, and says why when the execution outlives the timeout', async () => {
    const run: RunRecord = {
      model: 'm',
      runId: 'run-1',
      status: 'REJECTED',
      trigger,
      startedAt: 't',
      updatedAt: 't',
      executionId: `${EXECUTION}-gone`,
    };
    expect((await waitForRun(connection(run, {}).c, 'm', 'run-1', { pollMs: 1 })).status).toBe('REJECTED');
    const stuck = { ...run, executionId: EXECUTION };
    await expect(
      waitForRun(connection(stuck, { [EXECUTION]: ['RUNNING'] }).c, 'm', 'run-1', { pollMs: 5, timeoutMs: 30 }),
    ).rejects.toThrow(/run run-1 of m is REJECTED, but its execution is still running after 0 s/);
  });
});
