import { AwsJsonError, type AwsJsonService } from '../aws-json-server.js';
import { executionHistory, type HistoryEvent } from './history.js';
import type { LocalExecution, LocalStateMachine } from './state-machine.js';

/**
 * The part of the Step Functions API the CLI and the functions use (StartExecution, DescribeExecution,
 * GetExecutionHistory), in AWS's JSON 1.0 protocol, so `@aws-sdk/client-sfn` talks to the local state machines exactly
 * as it talks to AWS.
 */
export function stepFunctionsService(machines: ReadonlyMap<string, LocalStateMachine>): AwsJsonService {
  const find = (arn: unknown): LocalExecution => {
    for (const machine of machines.values()) {
      const found = machine.executions.find((e) => e.executionArn === arn);
      if (found) return found;
    }
    throw new AwsJsonError('ExecutionDoesNotExist', `Execution Does Not Exist: '${String(arn)}'`);
  };
  return {
    targetPrefix: 'AWSStepFunctions.',
    contentType: 'application/x-amz-json-1.0',
    name: 'Step Functions',
    operations: {
      StartExecution: (input) => startExecution(machines, fields(input)),
      DescribeExecution: (input) => describeExecution(find(fields(input).executionArn)),
      GetExecutionHistory: (input) => historyPage(find(fields(input).executionArn), fields(input)),
    },
  };
}

const fields = (input: unknown): Record<string, unknown> =>
  input !== null && typeof input === 'object' ? (input as Record<string, unknown>) : {};

function startExecution(machines: ReadonlyMap<string, LocalStateMachine>, input: Record<string, unknown>): unknown {
  const machine = machines.get(String(input.stateMachineArn));
  if (machine === undefined)
    throw new AwsJsonError(
      'StateMachineDoesNotExist',
      `State Machine Does Not Exist: '${String(input.stateMachineArn)}'`,
    );
  const name = typeof input.name === 'string' ? input.name : undefined;
  if (name !== undefined && machine.executions.some((e) => e.name === name))
    throw new AwsJsonError('ExecutionAlreadyExists', `Execution Already Exists: '${name}'`);
  let executionInput: unknown;
  try {
    executionInput = JSON.parse(typeof input.input === 'string' ? input.input : '{}');
  } catch {
    throw new AwsJsonError('InvalidExecutionInput', 'input is not JSON');
  }
  const execution = machine.start(executionInput, name);
  return { executionArn: execution.executionArn, startDate: execution.startedAt.getTime() / 1000 };
}

function describeExecution(execution: LocalExecution): unknown {
  return {
    executionArn: execution.executionArn,
    stateMachineArn: execution.stateMachineArn,
    name: execution.name,
    status: execution.status,
    startDate: execution.startedAt.getTime() / 1000,
    input: JSON.stringify(execution.input),
    ...(execution.output !== undefined ? { output: JSON.stringify(execution.output) } : {}),
    ...(execution.error ? { error: execution.error.error, cause: execution.error.cause } : {}),
  };
}

/** One page of an execution's history: `maxResults` (default 100, at most 1000) from `nextToken`, in either order. */
function historyPage(
  execution: LocalExecution,
  input: Record<string, unknown>,
): { events: HistoryEvent[]; nextToken?: string } {
  const all = executionHistory(execution, input.includeExecutionData !== false);
  const ordered = input.reverseOrder === true ? [...all].reverse() : all;
  const size = Math.min(
    1000,
    Math.max(1, typeof input.maxResults === 'number' && input.maxResults > 0 ? input.maxResults : 100),
  );
  const from = typeof input.nextToken === 'string' ? Number(input.nextToken) || 0 : 0;
  const events = ordered.slice(from, from + size);
  return { events, ...(from + size < ordered.length ? { nextToken: String(from + size) } : {}) };
}
