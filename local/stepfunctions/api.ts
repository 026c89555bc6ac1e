import { AwsJsonError, type AwsJsonService } from '../aws-json-server.js';
import { executionHistory, type HistoryEvent } from './history.js';
import type { LocalExecution, LocalStateMachine } from './state-machine.js';
import type { JsonValue } from './tasks.js';
import { TaskTokenError, type TaskTokens } from './task-tokens.js';

/**
 * The part of the Step Functions API the CLI, the functions and the people on call use (StartExecution,
 * DescribeExecution, GetExecutionHistory, ListStateMachines, ListExecutions, StopExecution), in AWS's JSON 1.0
 * protocol, so `@aws-sdk/client-sfn` and the AWS CLI talk to the local state machines as they talk to AWS.
 */
export function stepFunctionsService(
  machines: ReadonlyMap<string, LocalStateMachine>,
  tokens?: TaskTokens,
): AwsJsonService {
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
      SendTaskSuccess: (input) => callback(tokens, fields(input), 'success'),
      SendTaskFailure: (input) => callback(tokens, fields(input), 'failure'),
      SendTaskHeartbeat: (input) => callback(tokens, fields(input), 'heartbeat'),
      ListStateMachines: (input) => listStateMachines(machines, fields(input)),
      ListExecutions: (input) => listExecutions(machines, fields(input)),
      StopExecution: async (input) => {
        const { executionArn, error, cause } = fields(input);
        const execution = find(executionArn);
        const machine = machines.get(execution.stateMachineArn) as LocalStateMachine;
        const stopped = await machine.stop(execution.name, str(error), str(cause));
        return { stopDate: (stopped?.stoppedAt ?? Date.now()) / 1000 };
      },
    },
  };
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** One page of a list: `maxResults` (default 100, at most 1000) from `nextToken` (an offset). */
function page<T>(items: readonly T[], input: Record<string, unknown>): { items: T[]; nextToken?: string } {
  const size = Math.min(
    1000,
    Math.max(1, typeof input.maxResults === 'number' && input.maxResults > 0 ? input.maxResults : 100),
  );
  const from = typeof input.nextToken === 'string' ? Number(input.nextToken) || 0 : 0;
  return {
    items: items.slice(from, from + size),
    ...(from + size < items.length ? { nextToken: String(from + size) } : {}),
  };
}

function listStateMachines(machines: ReadonlyMap<string, LocalStateMachine>, input: Record<string, unknown>): unknown {
  const all = [...machines.values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((m) => ({ stateMachineArn: m.arn, name: m.name, type: 'STANDARD', creationDate: m.createdAt / 1000 }));
  const { items, nextToken } = page(all, input);
  return { stateMachines: items, ...(nextToken ? { nextToken } : {}) };
}

/** A machine's executions, newest first, optionally of one status. */
function listExecutions(machines: ReadonlyMap<string, LocalStateMachine>, input: Record<string, unknown>): unknown {
  const machine = machineOf(machines, input.stateMachineArn);
  const status = str(input.statusFilter);
  const all = machine.executions
    .filter((e) => status === undefined || e.status === status)
    .sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime())
    .map((e) => ({
      executionArn: e.executionArn,
      stateMachineArn: e.stateMachineArn,
      name: e.name,
      status: e.status,
      startDate: e.startedAt.getTime() / 1000,
      ...(e.stoppedAt !== undefined ? { stopDate: e.stoppedAt / 1000 } : {}),
    }));
  const { items, nextToken } = page(all, input);
  return { executions: items, ...(nextToken ? { nextToken } : {}) };
}

/** SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat: the waiting Task of the token goes on. */
function callback(
  tokens: TaskTokens | undefined,
  input: Record<string, unknown>,
  kind: 'success' | 'failure' | 'heartbeat',
): unknown {
  const token = str(input.taskToken);
  if (token === undefined || tokens === undefined) throw new AwsJsonError('InvalidToken', 'Invalid token');
  try {
    if (kind === 'heartbeat') tokens.heartbeat(token);
    else if (kind === 'failure') tokens.fail(token, str(input.error), str(input.cause));
    else {
      let output: JsonValue;
      try {
        output = JSON.parse(str(input.output) ?? '') as JsonValue;
      } catch {
        throw new AwsJsonError('InvalidOutput', 'Invalid output: not JSON');
      }
      tokens.succeed(token, output);
    }
  } catch (error) {
    if (error instanceof TaskTokenError) throw new AwsJsonError(error.type, error.message);
    throw error;
  }
  return {};
}

const fields = (input: unknown): Record<string, unknown> =>
  input !== null && typeof input === 'object' ? (input as Record<string, unknown>) : {};

/** The machine an ARN names, or the error Step Functions answers. */
function machineOf(machines: ReadonlyMap<string, LocalStateMachine>, arn: unknown): LocalStateMachine {
  const machine = machines.get(String(arn));
  if (machine === undefined)
    throw new AwsJsonError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${String(arn)}'`);
  return machine;
}

function startExecution(machines: ReadonlyMap<string, LocalStateMachine>, input: Record<string, unknown>): unknown {
  const machine = machineOf(machines, input.stateMachineArn);
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
  const { items, nextToken } = page(input.reverseOrder === true ? [...all].reverse() : all, input);
  return { events: items, ...(nextToken ? { nextToken } : {}) };
}
