import { randomUUID } from 'node:crypto';
import type { EventBridgeEvent } from '../events/event-bus.js';
import type { LocalExecution, StepEvent } from './state-machine.js';

/**
 * What Step Functions tells about an execution, in AWS's shapes: its history (GetExecutionHistory's events) and the
 * "Step Functions Execution Status Change" event it puts on the default bus at every change of status.
 */

export interface HistoryEvent {
  readonly id: number;
  readonly previousEventId: number;
  /** Epoch seconds, as the JSON protocol carries timestamps. */
  readonly timestamp: number;
  readonly type: string;
  readonly [details: string]: unknown;
}

const json = (value: unknown): string => JSON.stringify(value ?? null);

/** One local state event as AWS records it (`TaskStateEntered`, `MapStateExited`, …); undefined for what AWS does not record. */
function historyDetails(
  event: StepEvent,
  includeData: boolean,
): { type: string; details: Record<string, unknown> } | undefined {
  const data = (key: string, value: unknown) =>
    includeData ? { [key]: json(value), [`${key}Details`]: { truncated: false } } : {};
  switch (event.type) {
    case 'StateEntered':
      return {
        type: `${event.stateType ?? 'Task'}StateEntered`,
        details: { stateEnteredEventDetails: { name: event.state, ...data('input', event.input) } },
      };
    case 'StateExited':
      return {
        type: `${event.stateType ?? 'Task'}StateExited`,
        details: { stateExitedEventDetails: { name: event.state, ...data('output', event.output) } },
      };
    case 'StateFailed':
      return event.stateType === 'Task'
        ? {
            type: 'TaskFailed',
            details: {
              taskFailedEventDetails: {
                error: event.error,
                cause: typeof event.cause === 'string' ? event.cause : json(event.cause),
              },
            },
          }
        : undefined;
    case 'MapIterationStarted':
    case 'MapIterationSucceeded':
    case 'MapIterationFailed': {
      const key = `${event.type.charAt(0).toLowerCase()}${event.type.slice(1)}EventDetails`;
      return { type: event.type, details: { [key]: { name: event.state, index: event.index } } };
    }
    case 'ExecutionSucceeded':
      return { type: event.type, details: { executionSucceededEventDetails: { ...data('output', event.output) } } };
    case 'ExecutionFailed':
      return {
        type: event.type,
        details: {
          executionFailedEventDetails: {
            error: event.error,
            cause: typeof event.cause === 'string' ? event.cause : json(event.cause),
          },
        },
      };
    case 'ExecutionAborted':
    case 'ExecutionTimedOut':
      return { type: event.type, details: {} };
    default:
      return undefined;
  }
}

/** A state event of aws-local-stepfunctions as the local machine keeps it (the state's name, type and data). */
export function toStepEvent(raw: Record<string, unknown>): StepEvent {
  const state = (raw.state ?? raw.parentState) as
    { name?: string; type?: string; input?: unknown; output?: unknown } | undefined;
  const entered = raw.type === 'StateEntered';
  return {
    type: String(raw.type),
    timestamp: Number(raw.timestamp),
    ...(state?.name !== undefined ? { state: state.name } : {}),
    ...(state?.type !== undefined ? { stateType: state.type } : {}),
    ...(entered && state?.input !== undefined ? { input: state.input } : {}),
    ...(typeof raw.index === 'number' ? { index: raw.index } : {}),
    ...(state?.output !== undefined && !entered ? { output: state.output } : {}),
    ...('output' in raw ? { output: raw.output } : {}),
    ...(raw.Error !== undefined ? { error: String(raw.Error) } : {}),
    ...(raw.Cause !== undefined ? { cause: raw.Cause } : {}),
  };
}

/** The execution's history as GetExecutionHistory returns it, oldest first, numbered from 1. */
export function executionHistory(
  execution: Pick<LocalExecution, 'input' | 'startedAt' | 'events' | 'status'>,
  includeData = true,
): HistoryEvent[] {
  const started = execution.startedAt.getTime() / 1000;
  const history: HistoryEvent[] = [
    {
      id: 1,
      previousEventId: 0,
      timestamp: started,
      type: 'ExecutionStarted',
      executionStartedEventDetails: includeData
        ? { input: json(execution.input), inputDetails: { truncated: false } }
        : {},
    },
  ];
  for (const event of execution.events) {
    if (event.type === 'ExecutionStarted') continue;
    const mapped = historyDetails(event, includeData);
    if (mapped === undefined) continue;
    const id = history.length + 1;
    history.push({
      id,
      previousEventId: id - 1,
      timestamp: event.timestamp / 1000,
      type: mapped.type,
      ...mapped.details,
    });
  }
  // An execution ended outside the interpreter (the runtime stopped under it) has no end event of its own.
  const last = history.at(-1)?.type ?? '';
  if (execution.status === 'ABORTED' && last !== 'ExecutionAborted') {
    history.push({
      id: history.length + 1,
      previousEventId: history.length,
      timestamp: (execution.events.at(-1)?.timestamp ?? execution.startedAt.getTime()) / 1000,
      type: 'ExecutionAborted',
    });
  }
  return history;
}

/** The event Step Functions puts on the default bus when an execution's status changes (Standard workflows). */
export function statusChangeEvent(execution: LocalExecution, stoppedAt: number | null): EventBridgeEvent {
  const [, , , region = '', account = ''] = execution.stateMachineArn.split(':');
  const ended = execution.status !== 'RUNNING';
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account,
    time: new Date(stoppedAt ?? execution.startedAt.getTime()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region,
    resources: [execution.executionArn],
    detail: {
      executionArn: execution.executionArn,
      stateMachineArn: execution.stateMachineArn,
      name: execution.name,
      status: execution.status,
      startDate: execution.startedAt.getTime(),
      stopDate: stoppedAt,
      input: json(execution.input),
      output: execution.status === 'SUCCEEDED' ? json(execution.output) : null,
      inputDetails: { included: true },
      outputDetails: execution.status === 'SUCCEEDED' ? { included: true } : null,
      error: ended ? (execution.error?.error ?? null) : null,
      cause: ended ? (execution.error?.cause ?? null) : null,
    },
  };
}
