import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { randomUUID } from 'node:crypto';
import { TASK_TOKEN_PLACEHOLDER, type TaskTokens } from './task-tokens.js';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { VirtualClock } from '../clock.js';
import type { LocalFunction } from '../lambda/host.js';
import { timeoutPathsAsParameters } from './timeout-paths.js';
import { waitsOnClock } from './wait-states.js';
import { mapTasks, type JsonValue, type StateLike, type TaskHandler } from './tasks.js';
import { ExecutionJournal, restoredExecution } from './journal.js';
import { toStepEvent } from './history.js';

/** What a machine needs of the runtime besides its functions: the clock (Wait states) and the other machines. */
export interface MachineContext {
  readonly clock: VirtualClock;
  /** Machines a Task may start (`arn:aws:states:::states:startExecution`), filled by the runtime. */
  readonly machines: ReadonlyMap<string, LocalStateMachine>;
  /** Where the executions' histories are kept (one folder per machine), across restarts. */
  readonly journalDir: string;
  /** The tokens of Tasks waiting for a callback (`.waitForTaskToken`), shared with the API. @default none: such a Task cannot run */
  readonly tokens?: TaskTokens;
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';

export interface StepEvent {
  readonly type: string;
  readonly state?: string;
  /** The state's type (Task, Map, Choice, …), for the history's event names. */
  readonly stateType?: string;
  readonly timestamp: number;
  readonly input?: unknown;
  readonly output?: unknown;
  /** A Map iteration's index. */
  readonly index?: number;
  readonly error?: string;
  readonly cause?: unknown;
}

export interface LocalExecution {
  readonly executionArn: string;
  readonly name: string;
  readonly stateMachineArn: string;
  readonly input: unknown;
  readonly startedAt: Date;
  status: ExecutionStatus;
  output?: unknown;
  error?: { readonly error: string; readonly cause: string };
  /** When it ended (ms), once it has. */
  stoppedAt?: number;
  readonly events: StepEvent[];
  /** Resolves when the execution ends, whatever its status. */
  readonly done: Promise<LocalExecution>;
}

/**
 * A state machine from the template, run by aws-local-stepfunctions with every Task routed to a local function.
 * The mapping is built and checked when the machine is loaded: a Task whose resource is not a function of this
 * stack is an error at start-up.
 */
export class LocalStateMachine {
  private readonly machine: StateMachine;
  private readonly handlers: Record<string, TaskHandler>;
  readonly executions: LocalExecution[] = [];
  private readonly listeners: ((execution: LocalExecution, event: StepEvent) => void)[] = [];
  private readonly startListeners: ((execution: LocalExecution) => void)[] = [];
  private readonly statusListeners: ((execution: LocalExecution, stoppedAt: number | null) => void)[] = [];
  private readonly journal: ExecutionJournal;
  /** How to stop each running execution, by name. */
  private readonly aborts = new Map<string, () => void>();
  /** When the runtime loaded it (ms, on its clock): ListStateMachines' creation date. */
  readonly createdAt: number;
  /** The error and cause a StopExecution gave, by execution name, recorded when the abort settles. */
  private readonly stopReasons = new Map<string, { readonly error: string; readonly cause: string }>();
  /** Set when the runtime stops: nothing more is run, journaled or logged. */
  private halted = false;

  constructor(
    readonly arn: string,
    readonly name: string,
    private readonly definition: StateMachineDefinition,
    functionsByArn: ReadonlyMap<string, LocalFunction>,
    private readonly logDir: string,
    context: MachineContext,
  ) {
    this.createdAt = context.clock.now();
    const onClock = waitsOnClock(timeoutPathsAsParameters(definition));
    const tasks = { functionsByArn, machineName: name, context, waits: onClock.waits };
    this.handlers = mapTasks(onClock.definition.States as Record<string, StateLike>, tasks);
    this.machine = new StateMachine(withRootResultPaths(onClock.definition), {
      validationOptions: { checkArn: false, checkPaths: true },
    });
    mkdirSync(logDir, { recursive: true });
    this.journal = new ExecutionJournal(join(context.journalDir, name));
  }

  /** Called at every change of an execution's status, as Step Functions puts its status-change event on the bus. */
  onStatusChange(listener: (execution: LocalExecution, stoppedAt: number | null) => void): void {
    this.statusListeners.push(listener);
  }

  /**
   * Reads back the executions of earlier runs of the runtime; those the journal shows running were stopped with it and
   * end ABORTED now, with their status change. Call once listeners are attached. Returns the executions it aborted.
   */
  restore(now: number): LocalExecution[] {
    const aborted: LocalExecution[] = [];
    for (const journaled of this.journal.load()) {
      if (this.executions.some((e) => e.executionArn === journaled.executionArn)) continue;
      const end = journaled.end ?? {
        status: 'ABORTED' as const,
        stoppedAt: now,
        error: { error: 'States.Aborted', cause: 'the local runtime stopped while the execution was running' },
      };
      if (journaled.end === undefined) this.journal.ended(journaled.name, end);
      const execution = restoredExecution(journaled, end);
      this.executions.push(execution);
      if (journaled.end === undefined) {
        aborted.push(execution);
        for (const listener of this.statusListeners) listener(execution, end.stoppedAt);
      }
    }
    return aborted;
  }

  /** Called for every state event of every execution (the demo prints progress from it). */
  onEvent(listener: (execution: LocalExecution, event: StepEvent) => void): void {
    this.listeners.push(listener);
  }

  /** Called when an execution starts (the service metrics of AWS/States are counted from it). */
  onStart(listener: (execution: LocalExecution) => void): void {
    this.startListeners.push(listener);
  }

  /**
   * The runtime stops: running executions stop where they are and nothing more is written (their log and journal
   * files may be removed next). They stay running in the journal, so a restart ends them ABORTED, as AWS reports an
   * execution stopped outside its own Catch. Resolves once each has stopped.
   */
  async halt(): Promise<void> {
    this.halted = true;
    const running = this.executions.filter((e) => e.status === 'RUNNING');
    for (const abort of this.aborts.values()) abort();
    await Promise.all(running.map((e) => e.done));
  }

  /**
   * StopExecution: a running execution ends ABORTED with the error and cause given (as AWS records them); one that
   * has ended stays as it is. Resolves with the execution once it has ended.
   */
  async stop(name: string, error?: string, cause?: string): Promise<LocalExecution | undefined> {
    const execution = this.executions.find((e) => e.name === name);
    if (execution === undefined) return undefined;
    if (execution.status === 'RUNNING') {
      this.stopReasons.set(name, { error: error ?? '', cause: cause ?? '' });
      this.aborts.get(name)?.();
    }
    return execution.done;
  }

  start(input: unknown, name: string = randomUUID()): LocalExecution {
    if (this.halted) throw new Error(`the local runtime is stopping: ${this.name} starts no execution`);
    const executionArn = `${this.arn.replace(':stateMachine:', ':execution:')}:${name}`;
    const startedAt = new Date();
    const run = this.machine.run(input as JsonValue, {
      overrides: { taskResourceLocalHandlers: this.handlers },
      context: {
        Execution: { Id: executionArn, Name: name, StartTime: startedAt.toISOString(), Input: input as JsonValue },
        // `$$.Task.Token`: a placeholder the waiting Task's handler replaces with a fresh token (task-tokens.ts).
        Task: { Token: TASK_TOKEN_PLACEHOLDER },
        StateMachine: { Id: this.arn, Name: this.name },
      },
    });
    let finish: (e: LocalExecution) => void = () => undefined;
    const execution: LocalExecution = {
      executionArn,
      name,
      stateMachineArn: this.arn,
      input,
      startedAt,
      status: 'RUNNING',
      events: [],
      done: new Promise<LocalExecution>((resolve) => {
        finish = resolve;
      }),
    };
    this.executions.push(execution);
    this.aborts.set(name, () => run.abort());
    this.journal.started(execution);
    for (const listener of this.startListeners) listener(execution);
    for (const listener of this.statusListeners) listener(execution, null);
    this.follow(execution, run.eventLogs as unknown as AsyncIterable<Record<string, unknown>>);
    this.settle(execution, run.result as Promise<unknown>, finish);
    return execution;
  }

  /** Every state event: kept, journaled, logged (level ALL, as the deployed machine logs to CloudWatch Logs), told. */
  private follow(execution: LocalExecution, eventLogs: AsyncIterable<Record<string, unknown>>): void {
    const logFile = join(this.logDir, `${this.name}.log`);
    void (async () => {
      for await (const raw of eventLogs) {
        if (this.halted) return;
        const event = toStepEvent(raw);
        execution.events.push(event);
        this.journal.event(execution.name, event);
        appendFileSync(logFile, `${JSON.stringify({ execution: execution.name, ...event })}\n`);
        for (const listener of this.listeners) listener(execution, event);
      }
    })();
  }

  /** The execution's end: its status and output or error, journaled, told as a status change, then `done`. */
  private settle(execution: LocalExecution, result: Promise<unknown>, finish: (e: LocalExecution) => void): void {
    result
      .then(
        (output) => {
          execution.status = 'SUCCEEDED';
          execution.output = output;
        },
        (error: Error & { cause?: unknown }) => {
          execution.status =
            error.name === 'ExecutionTimeoutError'
              ? 'TIMED_OUT'
              : error.name === 'ExecutionAbortedError'
                ? 'ABORTED'
                : 'FAILED';
          const failed = [...execution.events].reverse().find((e) => e.type === 'ExecutionFailed');
          // The library wraps an uncaught error of a state (a runtime error among them) as ExecutionError.
          const inner = error.name === 'ExecutionError' && error.cause instanceof Error ? error.cause : undefined;
          execution.error = this.stopReasons.get(execution.name) ?? {
            error: inner?.name ?? failed?.error ?? error.name,
            cause: inner?.message ?? (typeof failed?.cause === 'string' ? failed.cause : error.message),
          };
        },
      )
      .finally(() => {
        // Let the event-log loop deliver the last events before anyone awaiting `done` looks at them.
        setImmediate(() => {
          this.aborts.delete(execution.name);
          if (this.halted) {
            finish(execution);
            return;
          }
          const stoppedAt = Date.now();
          execution.stoppedAt = stoppedAt;
          const { status, output, error } = execution;
          this.journal.ended(execution.name, {
            status: status as Exclude<ExecutionStatus, 'RUNNING'>,
            stoppedAt,
            ...(output !== undefined ? { output } : {}),
            ...(error ? { error } : {}),
          });
          for (const listener of this.statusListeners) listener(execution, stoppedAt);
          finish(execution);
        });
      });
  }
}

/**
 * `"ResultPath": "$"` means the result replaces the state's input (the AWS default, written out). aws-local-stepfunctions
 * 3.0 stores the result under a key named "$" instead, so the path is dropped before loading: same meaning in AWS.
 */
export function withRootResultPaths<T extends StateMachineDefinition>(definition: T): T {
  const fix = (states: Record<string, StateLike & { ResultPath?: unknown }>): Record<string, unknown> =>
    Object.fromEntries(
      Object.entries(states).map(([name, state]) => {
        const { ResultPath, ...rest } = state;
        const copy: Record<string, unknown> = ResultPath === '$' ? rest : state;
        const inner = state.ItemProcessor ?? state.Iterator;
        if (inner) copy[state.ItemProcessor ? 'ItemProcessor' : 'Iterator'] = { ...inner, States: fix(inner.States) };
        if (state.Branches) copy.Branches = state.Branches.map((b) => ({ ...b, States: fix(b.States) }));
        return [name, copy];
      }),
    );
  return { ...definition, States: fix(definition.States as Record<string, StateLike>) } as T;
}
