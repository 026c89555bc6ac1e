import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { rewriteStates, type States } from './definition-walk.js';

type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * `TimeoutSecondsPath` and `HeartbeatSecondsPath` of a Task, which aws-local-stepfunctions ignores: a reference path
 * to the Task's (effective) input whose value is the timeout. The local runtime reads it where Parameters are
 * evaluated, against the same input: each such Task gets one more parameter with that path, which its local handler
 * takes out before the work starts (a Task without Parameters gets its whole input under another one), and the path
 * fields themselves leave the definition the library runs.
 */
export const TIMEOUT_PARAMETER = 'local-timeout-seconds';
export const HEARTBEAT_PARAMETER = 'local-heartbeat-seconds';
export const INPUT_PARAMETER = 'local-task-input';

export function timeoutPathsAsParameters<T extends StateMachineDefinition>(definition: T): T {
  const states = rewriteStates(definition.States as unknown as States, (_name, state) => {
    const timeout = state.TimeoutSecondsPath;
    const heartbeat = state.HeartbeatSecondsPath;
    if (state.Type !== 'Task' || (typeof timeout !== 'string' && typeof heartbeat !== 'string')) return state;
    const { TimeoutSecondsPath: _t, HeartbeatSecondsPath: _h, ...kept } = state;
    return {
      ...kept,
      Parameters: {
        ...((state.Parameters as Record<string, unknown> | undefined) ?? { [`${INPUT_PARAMETER}.$`]: '$' }),
        ...(typeof timeout === 'string' ? { [`${TIMEOUT_PARAMETER}.$`]: timeout } : {}),
        ...(typeof heartbeat === 'string' ? { [`${HEARTBEAT_PARAMETER}.$`]: heartbeat } : {}),
      },
    };
  });
  return { ...definition, States: states } as T;
}

/** A timeout read from the input: a positive whole number of seconds, as Step Functions requires. */
function seconds(state: string, field: string, value: JsonValue | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0)
    // A runtime error: no Retry or Catch matches it, the execution fails (the library reads these two flags).
    throw Object.assign(new Error(`Task ${state}: ${field} is ${JSON.stringify(value)}, not a positive integer`), {
      name: 'States.Runtime',
      isRetryable: false,
      isCatchable: false,
    });
  return value;
}

/** The Task's own input and the timeouts its paths named, taken out of the parameters the library evaluated. */
export function takeTimeouts(
  state: string,
  input: JsonValue,
): { input: JsonValue; timeoutSeconds?: number; heartbeatSeconds?: number } {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return { input };
  const {
    [TIMEOUT_PARAMETER]: timeout,
    [HEARTBEAT_PARAMETER]: heartbeat,
    [INPUT_PARAMETER]: whole,
    ...rest
  } = input as Record<string, JsonValue>;
  const timeoutSeconds = seconds(state, 'TimeoutSecondsPath', timeout);
  const heartbeatSeconds = seconds(state, 'HeartbeatSecondsPath', heartbeat);
  return {
    input: whole !== undefined ? whole : rest,
    ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
    ...(heartbeatSeconds !== undefined ? { heartbeatSeconds } : {}),
  };
}
