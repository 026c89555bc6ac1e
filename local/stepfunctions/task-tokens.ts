import { randomUUID } from 'node:crypto';
import type { VirtualClock } from '../clock.js';

/**
 * The callback pattern (`.waitForTaskToken`) as Step Functions documents it, which aws-local-stepfunctions lacks:
 * a Task hands a token to the work it starts and waits until SendTaskSuccess (its output) or SendTaskFailure (its error
 * and cause) names that token; SendTaskHeartbeat keeps a Task with `HeartbeatSeconds` alive. `TimeoutSeconds` and
 * `HeartbeatSeconds` run on the runtime's clock and fail the Task with `States.Timeout` / `States.HeartbeatTimeout`.
 * A token that never existed is `InvalidToken`; one whose Task has ended is `TaskTimedOut`, as AWS answers both.
 */

type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * What `$$.Task.Token` evaluates to when the library builds a Task's Parameters; the Task's local handler puts a fresh
 * token in its place, one per entry into the state.
 */
export const TASK_TOKEN_PLACEHOLDER = 'local-task-token-placeholder';

export class TaskTokenError extends Error {
  constructor(
    readonly type: 'InvalidToken' | 'TaskTimedOut',
    message: string,
  ) {
    super(message);
  }
}

/** An error a waiting Task fails with: its name is the error Step Functions' Retry and Catch match. */
function taskError(name: string, cause: string): Error {
  const error = new Error(cause);
  error.name = name;
  return error;
}

interface Pending {
  readonly resolve: (output: JsonValue) => void;
  readonly reject: (error: Error) => void;
  readonly heartbeat: () => void;
}

export interface WaitOptions {
  readonly timeoutSeconds?: number | undefined;
  readonly heartbeatSeconds?: number | undefined;
}

export class TaskTokens {
  private readonly pending = new Map<string, Pending>();
  private readonly ended = new Set<string>();

  constructor(private readonly clock: VirtualClock) {}

  /** A new token and the Task's result: what SendTaskSuccess sends, or the failure. */
  wait(options: WaitOptions = {}): { token: string; result: Promise<JsonValue> } {
    const token = `${randomUUID()}${randomUUID()}`.replace(/-/g, '');
    const result = new Promise<JsonValue>((resolve, reject) => {
      const cancels: (() => void)[] = [];
      const end = () => {
        for (const cancel of cancels.splice(0)) cancel();
        this.pending.delete(token);
        this.ended.add(token);
      };
      const fail = (name: string, cause: string) => {
        end();
        reject(taskError(name, cause));
      };
      if (options.timeoutSeconds !== undefined)
        cancels.push(
          this.clock.at(this.clock.now() + options.timeoutSeconds * 1000, () =>
            fail('States.Timeout', `the task was not completed within ${options.timeoutSeconds} s`),
          ),
        );
      let heartbeatCancel: (() => void) | undefined;
      const armHeartbeat = () => {
        heartbeatCancel?.();
        if (options.heartbeatSeconds === undefined) return;
        heartbeatCancel = this.clock.at(this.clock.now() + options.heartbeatSeconds * 1000, () =>
          fail('States.HeartbeatTimeout', `no heartbeat within ${options.heartbeatSeconds} s`),
        );
      };
      armHeartbeat();
      cancels.push(() => heartbeatCancel?.());
      this.pending.set(token, {
        resolve: (output) => {
          end();
          resolve(output);
        },
        reject: (error) => {
          end();
          reject(error);
        },
        heartbeat: armHeartbeat,
      });
    });
    return { token, result };
  }

  private find(token: string): Pending {
    const pending = this.pending.get(token);
    if (pending !== undefined) return pending;
    if (this.ended.has(token))
      throw new TaskTokenError('TaskTimedOut', 'Task Timed Out: the task of this token has ended');
    throw new TaskTokenError('InvalidToken', 'Invalid token');
  }

  succeed(token: string, output: JsonValue): void {
    this.find(token).resolve(output);
  }

  fail(token: string, error = '', cause = ''): void {
    this.find(token).reject(taskError(error, cause));
  }

  heartbeat(token: string): void {
    this.find(token).heartbeat();
  }
}

/** The input with every placeholder token replaced by `token`. */
export function withToken(value: JsonValue, token: string): JsonValue {
  if (value === TASK_TOKEN_PLACEHOLDER) return token;
  if (Array.isArray(value)) return value.map((v) => withToken(v, token));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withToken(v, token)]));
  return value;
}
