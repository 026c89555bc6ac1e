import { PutObjectCommand } from '@aws-sdk/client-s3';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VirtualClock } from './clock.js';
import type { Closers } from './closers.js';
import { LocalCloudWatch } from './cloudwatch/local-cloudwatch.js';
import { LocalEventBus } from './events/event-bus.js';
import { loadDeliveryStreams, LocalSubscriptions } from './firehose/template-firehose.js';
import type { LocalHttpApi } from './api/http-api.js';
import { AsyncInvoker, loadAsyncConfigs } from './lambda/async-invoke.js';
import type { LocalFunction } from './lambda/host.js';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './local-constants.js';
import { loadSchedules, runSchedules } from './events/schedules.js';
import { statusChangeEvent } from './stepfunctions/history.js';
import type { LocalStateMachine } from './stepfunctions/state-machine.js';
import { localS3Client } from './storage/emulators.js';
import type { LocalResources } from './template.js';
import { loadRules } from './events/template-rules.js';

export interface EventParts {
  readonly resources: LocalResources;
  readonly stateDir: string;
  readonly clock: VirtualClock;
  readonly functions: ReadonlyMap<string, LocalFunction>;
  readonly stateMachines: ReadonlyMap<string, LocalStateMachine>;
  readonly api: LocalHttpApi;
  readonly s3Endpoint: string;
}

/**
 * What happens on its own in the stack: CloudWatch (metrics, alarms, logs), the default event bus and its rules, the
 * schedules, and log subscriptions through Firehose, all on the runtime's clock.
 */
export function startEventServices(
  parts: EventParts,
  closers: Closers,
): { cloudwatch: LocalCloudWatch; bus: LocalEventBus } {
  const { resources, stateDir, clock, stateMachines } = parts;
  closers.add(() => clock.stop());
  const routing: { bus?: LocalEventBus; cloudwatch?: LocalCloudWatch } = {};
  const { invokeAsync, deliver } = eventTargets(parts, (arn, subject, message) =>
    routing.cloudwatch?.publish(arn, subject, message, clock.now()),
  );
  const cloudwatch = new LocalCloudWatch({
    resources,
    stateDir,
    clock,
    region: LOCAL_REGION,
    account: LOCAL_ACCOUNT,
    putEvent: (event) => routing.bus?.put(event),
    invokeFunction: async (arn, event) => {
      invokeAsync(arn, event);
    },
  });
  routing.cloudwatch = cloudwatch;
  const bus = new LocalEventBus(
    loadRules(resources),
    (arn, input, rule) => deliver(arn, input, `rule ${rule.name}`),
    (event) => appendFileSync(join(stateDir, 'logs', 'events.jsonl'), `${JSON.stringify(event)}\n`),
  );
  routing.bus = bus;
  // Step Functions puts every execution's status changes on the default bus.
  for (const machine of stateMachines.values())
    machine.onStatusChange((execution, stoppedAt) => bus.put(statusChangeEvent(execution, stoppedAt)));
  const stopSchedules = runSchedules(loadSchedules(resources, LOCAL_REGION, LOCAL_ACCOUNT, deliver), clock);
  closers.add(stopSchedules);

  const [apiResource] = resources.ofType('AWS::ApiGatewayV2::Api');
  cloudwatch.observe({
    functions: parts.functions.values(),
    api: parts.api,
    apiId: apiResource ? resources.ref(apiResource[0]) : undefined,
    stateMachines: stateMachines.values(),
  });
  startLogDelivery(parts, cloudwatch, closers);
  // Executions a stopped runtime left running end ABORTED now, through the rules (a run they were for is marked FAILED).
  for (const machine of stateMachines.values()) machine.restore(clock.now());
  cloudwatch.start();
  closers.add(() => cloudwatch.stop());
  return { cloudwatch, bus };
}

/**
 * Where rules, schedules and alarm actions deliver: a state machine starts, a function is invoked asynchronously
 * (retried on the clock, then dead-lettered), a topic publishes.
 */
function eventTargets(
  parts: EventParts,
  publish: (arn: string, subject: string, message: string) => void,
): {
  invokeAsync: (arn: string, event: unknown) => void;
  deliver: (arn: string, input: unknown, source: string) => void;
} {
  const functionsByArn = new Map([...parts.functions.values()].map((fn) => [fn.spec.arn, fn]));
  const asyncInvoker = new AsyncInvoker(
    loadAsyncConfigs(parts.resources),
    parts.clock,
    join(parts.stateDir, 'dead-letters'),
  );
  const invokeAsync = (arn: string, event: unknown): void => {
    const fn = functionsByArn.get(arn);
    if (fn === undefined) throw new Error(`${arn} is not a function of this stack`);
    asyncInvoker.invoke({ functionName: fn.spec.functionName, arn: fn.spec.arn, invoke: (e) => fn.invoke(e) }, event);
  };
  const deliver = (arn: string, input: unknown, source: string): void => {
    const machine = parts.stateMachines.get(arn);
    if (machine !== undefined) machine.start(input);
    else if (functionsByArn.has(arn)) invokeAsync(arn, input);
    else if (arn.startsWith('arn:aws:sns:')) publish(arn, `from ${source}`, JSON.stringify(input));
    else console.error(`${source}: target ${arn} is not a state machine, function or topic of this stack; dropped`);
  };
  return { invokeAsync, deliver };
}

/**
 * Log subscriptions through Firehose to S3, durable as in AWS: each stream keeps its buffers on disk and delivers at
 * start what an earlier run accepted (killed or not); a graceful stop delivers what is buffered.
 */
function startLogDelivery(parts: EventParts, cloudwatch: LocalCloudWatch, closers: Closers): void {
  const firehoseS3 = localS3Client(parts.s3Endpoint, LOCAL_REGION);
  const put = async (bucket: string, key: string, body: Buffer) => {
    await firehoseS3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  };
  const streams = loadDeliveryStreams(parts.resources, parts.clock, put, join(parts.stateDir, 'firehose'));
  cloudwatch.subscribe(new LocalSubscriptions(parts.resources, streams, LOCAL_ACCOUNT));
  closers.add(async () => {
    await Promise.all([...streams.values()].map((stream) => stream.flushAll()));
    firehoseS3.destroy();
  });
}
