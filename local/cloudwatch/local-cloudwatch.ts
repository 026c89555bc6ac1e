import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { VirtualClock } from '../clock.js';
import type { EventBridgeEvent } from '../events/event-bus.js';
import type { LocalHttpApi } from '../api/http-api.js';
import type { LocalFunction } from '../lambda/host.js';
import type { InvocationRecord } from '../lambda/spec.js';
import type { LocalExecution, LocalStateMachine } from '../stepfunctions/state-machine.js';
import type { LocalResources } from '../template.js';
import {
  compositeNotification,
  compositeStateChangeEvent,
  lambdaActionEvent,
  snsNotification,
  stateChangeEvent,
  type Transition,
} from './alarm-messages.js';
import { LocalAlarms } from './alarms.js';
import { LocalCompositeAlarms, type CompositeTransition } from './composite-alarms.js';
import { extractEmf } from './emf.js';
import { LogStore } from './log-store.js';
import { MetricStore, type MetricId } from './metric-store.js';
import { loadCompositeAlarms, loadMetricAlarms } from './template-alarms.js';

export interface LocalCloudWatchOptions {
  readonly resources: LocalResources;
  readonly stateDir: string;
  readonly clock: VirtualClock;
  readonly region: string;
  readonly account: string;
  /** Puts an event on the local default bus. */
  readonly putEvent: (event: EventBridgeEvent) => void;
  /** Invokes a local function by ARN (a Lambda alarm action). */
  readonly invokeFunction: (arn: string, event: unknown) => Promise<unknown>;
}

/** An SNS notification as the local sink keeps it (one JSON line per message in `notifications.jsonl`). */
export interface LocalNotification {
  readonly topicArn: string;
  readonly subject: string;
  readonly message: string;
  readonly timestamp: string;
}

/**
 * CloudWatch for the local runtime: metrics from the functions' embedded-format log lines and from what Lambda,
 * API Gateway and Step Functions count for every invocation, request and execution; the template's metric alarms
 * evaluated on the runtime's clock; on a transition, the alarm's actions (SNS topics → the local notification sink,
 * Lambda functions invoked) and the state-change event on the default bus.
 */
export class LocalCloudWatch {
  readonly metrics: MetricStore;
  readonly alarms: LocalAlarms;
  readonly composites: LocalCompositeAlarms;
  /** The functions' log groups (`mlops logs`, FilterLogEvents). */
  readonly logs: LogStore;
  readonly region: string;
  readonly account: string;
  readonly notificationsFile: string;
  private stopComposites: (() => void) | undefined;
  private subscriptions:
    { deliver(group: string, stream: string, timestamp: number, message: string, id: string): void } | undefined;

  constructor(private readonly options: LocalCloudWatchOptions) {
    const dir = join(options.stateDir, 'cloudwatch');
    mkdirSync(dir, { recursive: true });
    this.metrics = new MetricStore(join(dir, 'metrics.jsonl'));
    this.logs = new LogStore(join(options.stateDir, 'logs', 'groups'));
    this.region = options.region;
    this.account = options.account;
    this.notificationsFile = join(options.stateDir, 'notifications.jsonl');
    this.alarms = new LocalAlarms(
      loadMetricAlarms(options.resources),
      this.metrics,
      options.clock,
      join(dir, 'alarms.json'),
      (t) => this.transition(t),
    );
    this.composites = new LocalCompositeAlarms(
      loadCompositeAlarms(options.resources),
      options.clock,
      (nameOrArn) => this.lookup(nameOrArn),
      join(dir, 'composites.json'),
      (t) => this.compositeTransition(t),
    );
  }

  /** Listens to what the runtime's functions, HTTP API and state machines do, as CloudWatch receives it from AWS. */
  observe(parts: {
    functions: Iterable<LocalFunction>;
    api: LocalHttpApi;
    apiId: string | undefined;
    stateMachines: Iterable<LocalStateMachine>;
  }): void {
    for (const fn of parts.functions)
      fn.observe({
        onLogLine: (group, line) => this.ingestLogLine(line, group),
        onInvocation: (record) => this.recordInvocation(record),
      });
    const { apiId } = parts;
    if (apiId !== undefined)
      parts.api.onResponse((status, latencyMs) => this.recordApiResponse(apiId, status, latencyMs));
    for (const machine of parts.stateMachines) machine.onStart((execution) => this.recordExecution(execution));
  }

  /** The log groups' subscription filters (to Firehose delivery streams). */
  subscribe(subscriptions: {
    deliver(group: string, stream: string, timestamp: number, message: string, id: string): void;
  }): void {
    this.subscriptions = subscriptions;
  }

  start(): void {
    this.alarms.start();
    // After each minute's metric alarms (armed first, so run first at the same time), the composites, which kept
    // their states across a restart as their children did: an unchanged one runs no actions again.
    this.stopComposites = this.options.clock.every(60_000, () => this.composites.evaluateAll());
  }

  /** An SNS publish, as the local topics deliver it: to the notification sink. */
  publish(topicArn: string, subject: string, message: string, time: number): void {
    const notification: LocalNotification = { topicArn, subject, message, timestamp: new Date(time).toISOString() };
    appendFileSync(this.notificationsFile, `${JSON.stringify(notification)}\n`);
  }

  /** Stops evaluating and waits until every metric and log event is on disk. */
  async stop(): Promise<void> {
    this.alarms.stop();
    this.stopComposites?.();
    await Promise.all([this.metrics.close(), this.logs.close()]);
  }

  /** A function's log line, as CloudWatch Logs receives it: kept in its log group; EMF documents become metrics. */
  ingestLogLine(line: string, group?: string): void {
    if (group !== undefined) {
      const event = this.logs.put(group, 'local', this.options.clock.now(), line);
      this.subscriptions?.deliver(group, event.logStreamName, event.timestamp, line, event.eventId);
    }
    for (const point of extractEmf(line)) {
      // The functions' Date.now() follows the runtime's clock (LocalFunction.useClock): timestamps are on it already.
      for (const sample of point.samples) this.metrics.put(point, point.timestamp, sample, point.unit);
    }
  }

  /** AWS/Lambda: Invocations, Errors, Duration and Throttles by FunctionName. */
  recordInvocation(record: InvocationRecord): void {
    const id = (name: string): MetricId => ({
      namespace: 'AWS/Lambda',
      name,
      dimensions: { FunctionName: record.functionName },
    });
    const now = this.options.clock.now();
    if (record.outcome === 'throttled') {
      this.metrics.put(id('Throttles'), now, { value: 1, count: 1 }, 'Count');
      return;
    }
    this.metrics.put(id('Invocations'), now, { value: 1, count: 1 }, 'Count');
    this.metrics.put(id('Errors'), now, { value: record.outcome === 'failed' ? 1 : 0, count: 1 }, 'Count');
    this.metrics.put(id('Duration'), now, { value: record.durationMs, count: 1 }, 'Milliseconds');
  }

  /** AWS/ApiGateway (HTTP API): Count, 4xx, 5xx and Latency by ApiId, and by ApiId and Stage. */
  recordApiResponse(apiId: string, status: number, latencyMs: number): void {
    const now = this.options.clock.now();
    const sets: Record<string, string>[] = [{ ApiId: apiId }, { ApiId: apiId, Stage: '$default' }];
    for (const dimensions of sets) {
      const put = (name: string, value: number, unit: string) =>
        this.metrics.put({ namespace: 'AWS/ApiGateway', name, dimensions }, now, { value, count: 1 }, unit);
      put('Count', 1, 'Count');
      put('4xx', status >= 400 && status < 500 ? 1 : 0, 'Count');
      put('5xx', status >= 500 ? 1 : 0, 'Count');
      put('Latency', latencyMs, 'Milliseconds');
    }
  }

  /** AWS/States: ExecutionsStarted, and how each execution ended, by StateMachineArn. */
  recordExecution(execution: LocalExecution): void {
    const put = (name: string) =>
      this.metrics.put(
        { namespace: 'AWS/States', name, dimensions: { StateMachineArn: execution.stateMachineArn } },
        this.options.clock.now(),
        { value: 1, count: 1 },
        'Count',
      );
    put('ExecutionsStarted');
    void execution.done.then((done) => {
      const ended = {
        SUCCEEDED: 'ExecutionsSucceeded',
        FAILED: 'ExecutionsFailed',
        TIMED_OUT: 'ExecutionsTimedOut',
        ABORTED: 'ExecutionsAborted',
        RUNNING: undefined,
      }[done.status];
      if (ended !== undefined) put(ended);
    });
  }

  /** A metric or composite alarm by the name or ARN a rule or suppressor uses. */
  private lookup(nameOrArn: string) {
    const metric = this.alarms.describe().find(({ spec }) => spec.name === nameOrArn || spec.arn === nameOrArn);
    return metric !== undefined
      ? { name: metric.spec.name, arn: metric.spec.arn, status: metric.status }
      : this.composites.statusOf(nameOrArn);
  }

  private async transition(t: Transition): Promise<void> {
    const { region, account } = this.options;
    if (t.alarm.actionsEnabled) {
      const { subject, message } = snsNotification(t, region, account);
      for (const action of t.alarm.actions[t.current.state])
        await this.runAction(action, t.alarm.name, subject, message, () => lambdaActionEvent(t, region, account));
    }
    this.options.putEvent(stateChangeEvent(t, region, account));
    await this.composites.alarmChanged(t.alarm.name, t.alarm.arn, t.current.state, t.previous.state);
  }

  private async compositeTransition(t: CompositeTransition): Promise<void> {
    const { region, account } = this.options;
    if (t.runActions && t.alarm.actionsEnabled) {
      const { subject, message } = compositeNotification(t, region, account);
      for (const action of t.alarm.actions[t.current.state])
        await this.runAction(action, t.alarm.name, subject, message, () => ({
          source: 'aws.cloudwatch',
          alarmArn: t.alarm.arn,
          accountId: account,
          region,
          alarmData: compositeStateChangeEvent(t, region, account).detail,
        }));
    }
    if (t.changed) this.options.putEvent(compositeStateChangeEvent(t, region, account));
  }

  private async runAction(
    action: string,
    alarm: string,
    subject: string,
    message: Record<string, unknown>,
    lambdaEvent: () => unknown,
  ): Promise<void> {
    if (action.startsWith('arn:aws:sns:')) {
      this.publish(action, subject, JSON.stringify(message), this.options.clock.now());
    } else if (action.startsWith('arn:aws:lambda:')) {
      await this.options.invokeFunction(action, lambdaEvent()).catch((error: unknown) => {
        console.error(`alarm ${alarm}: its Lambda action ${action} failed: ${(error as Error).message}`);
      });
    } else {
      console.error(`alarm ${alarm}: the local runtime cannot run the action ${action}; skipped`);
    }
  }
}
