import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import type { VirtualClock } from '../clock.js';
import { readPath } from '../events/input-transformer.js';
import { rewriteStates, type States } from './definition-walk.js';

type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** The resource of the Task a Wait state becomes locally (never deployed: the template keeps its Wait states). */
export const CLOCK_WAIT_RESOURCE = 'arn:aws:states:::local:wait';

interface WaitState {
  Type: 'Wait';
  Seconds?: number;
  SecondsPath?: string;
  Timestamp?: string;
  TimestampPath?: string;
  Next?: string;
  End?: boolean;
  InputPath?: string;
  OutputPath?: string;
  Comment?: string;
}

/**
 * Wait states on the runtime's clock: aws-local-stepfunctions sleeps on the wall clock, so each Wait becomes a Task
 * (same Next/End, InputPath and OutputPath; its output is its input, as a Wait's is) whose local handler waits for the
 * clock to reach the time the Wait would: `Seconds`/`SecondsPath` after it is entered, or `Timestamp`/`TimestampPath`.
 */
export function waitsOnClock<T extends StateMachineDefinition>(
  definition: T,
): { definition: T; waits: Map<string, WaitState> } {
  const waits = new Map<string, WaitState>();
  const states = rewriteStates(definition.States as unknown as States, (name, state) => {
    if (state.Type !== 'Wait') return state;
    const wait = state as unknown as WaitState;
    waits.set(name, wait);
    const { Seconds: _s, SecondsPath: _sp, Timestamp: _t, TimestampPath: _tp, Type: _type, ...kept } = wait;
    return { ...kept, Type: 'Task', Resource: CLOCK_WAIT_RESOURCE };
  });
  return { definition: { ...definition, States: states } as T, waits };
}

/** The handler of a Wait made Task: resolves with its input once the clock has reached the Wait's end. */
export function clockWait(
  name: string,
  wait: WaitState,
  clock: VirtualClock,
): (input: JsonValue) => Promise<JsonValue> {
  return async (input) => {
    const until = waitEnd(name, wait, input, clock.now());
    if (until > clock.now()) await new Promise<void>((resolve) => clock.at(until, resolve));
    return input;
  };
}

function waitEnd(name: string, wait: WaitState, input: JsonValue, now: number): number {
  if (wait.Seconds !== undefined) return now + wait.Seconds * 1000;
  if (wait.SecondsPath !== undefined) {
    const seconds = readPath(input, wait.SecondsPath);
    if (typeof seconds !== 'number' || seconds < 0)
      throw Object.assign(
        new Error(`Wait ${name}: ${wait.SecondsPath} is ${JSON.stringify(seconds)}, not a number of seconds`),
        { name: 'States.Runtime', isRetryable: false, isCatchable: false },
      );
    return now + seconds * 1000;
  }
  const stamp = wait.Timestamp ?? (wait.TimestampPath !== undefined ? readPath(input, wait.TimestampPath) : undefined);
  const time = typeof stamp === 'string' ? Date.parse(stamp) : Number.NaN;
  if (Number.isNaN(time))
    throw Object.assign(new Error(`Wait ${name}: no Seconds, SecondsPath, Timestamp or TimestampPath to wait for`), {
      name: 'States.Runtime',
      isRetryable: false,
      isCatchable: false,
    });
  return time;
}
