import type { LocalFunction } from '../lambda/host.js';
import { withToken } from './task-tokens.js';
import { takeTimeouts } from './timeout-paths.js';
import { CLOCK_WAIT_RESOURCE, clockWait } from './wait-states.js';
import type { MachineContext } from './state-machine.js';

/**
 * How the local runtime runs a state machine's Task states: each is routed, by state name, to a function of this
 * stack, a clock-driven wait or another machine of this stack — and anything else is an error when the machine is
 * loaded, never a call to AWS.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A Task resource the local runtime cannot run: it must fail loudly, never fall through to a call to AWS. */
export class UnmappedTaskError extends Error {
  override readonly name = 'UnmappedTaskError';
}

export type TaskHandler = (input: JsonValue) => Promise<JsonValue>;

export interface StateLike {
  Type?: string;
  Resource?: string;
  Parameters?: Record<string, unknown>;
  TimeoutSeconds?: number;
  HeartbeatSeconds?: number;
  Iterator?: { States: Record<string, StateLike> };
  ItemProcessor?: { States: Record<string, StateLike> };
  Branches?: { States: Record<string, StateLike> }[];
}

const LAMBDA_INVOKE_ARN = 'arn:aws:states:::lambda:invoke';
const LAMBDA_INVOKE = /^arn:aws:states:::lambda:invoke$/;
/** Starting another execution without waiting for it (the `.sync` forms are not supported locally). */
const START_EXECUTION = 'arn:aws:states:::states:startExecution';

interface TaskContext {
  readonly functionsByArn: ReadonlyMap<string, LocalFunction>;
  readonly machineName: string;
  readonly context: MachineContext;
  readonly waits: ReadonlyMap<string, Parameters<typeof clockWait>[1]>;
}

export function mapTasks(
  states: Record<string, StateLike>,
  tasks: TaskContext,
  handlers: Record<string, TaskHandler> = {},
): Record<string, TaskHandler> {
  for (const [stateName, state] of Object.entries(states)) {
    if (state.Type === 'Task') {
      if (stateName in handlers) {
        throw new UnmappedTaskError(
          `${tasks.machineName}: two Task states are named ${stateName}; local overrides are keyed by state name`,
        );
      }
      handlers[stateName] = taskHandler(stateName, state, tasks);
    }
    if (state.Type === 'Map') {
      const inner = state.ItemProcessor ?? state.Iterator;
      if (inner) mapTasks(inner.States, tasks, handlers);
    }
    if (state.Type === 'Parallel') for (const branch of state.Branches ?? []) mapTasks(branch.States, tasks, handlers);
  }
  return handlers;
}

function taskHandler(stateName: string, state: StateLike, tasks: TaskContext): TaskHandler {
  const { functionsByArn, machineName } = tasks;
  const resource = state.Resource ?? '';
  const wait = tasks.waits.get(stateName);
  if (resource === CLOCK_WAIT_RESOURCE && wait !== undefined) return clockWait(stateName, wait, tasks.context.clock);
  if (resource === START_EXECUTION) return startExecution(stateName, tasks);
  const find = (arn: unknown): LocalFunction => {
    const fn =
      typeof arn === 'string'
        ? (functionsByArn.get(arn) ?? functionsByArn.get(arn.replace(/:(\$LATEST|\d+)$/, '')))
        : undefined;
    if (fn === undefined) {
      throw new UnmappedTaskError(
        `${machineName}: Task ${stateName} calls ${String(arn)}, which is not a Lambda function of this stack; the local runtime never calls AWS`,
      );
    }
    return fn;
  };
  if (resource.startsWith('arn:aws:lambda:')) {
    const fn = find(resource);
    return async (input) => (await fn.invoke(input)) as JsonValue;
  }
  if (resource === `${LAMBDA_INVOKE_ARN}.waitForTaskToken`) return waitForTaskToken(stateName, state, tasks, find);
  if (LAMBDA_INVOKE.test(resource)) {
    // The optimized integration: Parameters carry FunctionName and Payload; the result wraps the payload.
    return async (input) => {
      const { FunctionName, Payload } = input as { FunctionName?: unknown; Payload?: unknown };
      const result = await find(FunctionName).invoke(Payload ?? {});
      return { ExecutedVersion: '$LATEST', Payload: result as JsonValue, StatusCode: 200 };
    };
  }
  throw new UnmappedTaskError(
    `${machineName}: Task ${stateName} uses ${resource || 'no resource'}; only Lambda tasks can run locally`,
  );
}

/** `states:startExecution`: starts the named machine of this stack and answers as Step Functions does. */
function startExecution(stateName: string, tasks: TaskContext): TaskHandler {
  return async (input) => {
    const { StateMachineArn, Input, Name } = input as { StateMachineArn?: unknown; Input?: unknown; Name?: unknown };
    const machine = typeof StateMachineArn === 'string' ? tasks.context.machines.get(StateMachineArn) : undefined;
    if (machine === undefined)
      throw new UnmappedTaskError(
        `${tasks.machineName}: Task ${stateName} starts ${String(StateMachineArn)}, which is not a state machine of this stack`,
      );
    const parsed = typeof Input === 'string' ? (JSON.parse(Input) as unknown) : (Input ?? {});
    const execution = machine.start(parsed, typeof Name === 'string' ? Name : undefined);
    return { ExecutionArn: execution.executionArn, StartDate: execution.startedAt.toISOString() };
  };
}

/**
 * `lambda:invoke.waitForTaskToken`: invokes the function with its payload (the token in place of `$$.Task.Token`) and
 * waits for SendTaskSuccess or SendTaskFailure with that token, or the Task's timeout (`TimeoutSeconds`, or read from
 * the input by `TimeoutSecondsPath`: timeout-paths.ts) on the runtime's clock. The
 * function's own answer is not the Task's result; its failure is, as Step Functions reports a failed invocation.
 */
function waitForTaskToken(
  stateName: string,
  state: StateLike,
  tasks: TaskContext,
  find: (arn: unknown) => LocalFunction,
): TaskHandler {
  const tokens = tasks.context.tokens;
  if (tokens === undefined)
    throw new UnmappedTaskError(
      `${tasks.machineName}: Task ${stateName} waits for a task token, which needs the runtime's token registry`,
    );
  return async (given) => {
    const { input, timeoutSeconds, heartbeatSeconds } = takeTimeouts(stateName, given);
    const { token, result } = tokens.wait({
      timeoutSeconds: state.TimeoutSeconds ?? timeoutSeconds,
      heartbeatSeconds: state.HeartbeatSeconds ?? heartbeatSeconds,
    });
    const { FunctionName, Payload } = withToken(input, token) as { FunctionName?: unknown; Payload?: JsonValue };
    const invoked = find(FunctionName).invoke(Payload ?? {});
    invoked.catch((error: unknown) => {
      try {
        tokens.fail(token, 'Lambda.ServiceException', error instanceof Error ? error.message : String(error));
      } catch {
        // the task had ended already (its callback came first)
      }
    });
    return result;
  };
}
