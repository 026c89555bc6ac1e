import type { MachineContext } from './step-functions.js';
import { AsyncInvoker, loadAsyncConfigs } from './async-invoke.js';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VirtualClock } from './clock.js';
import { LocalCloudWatch } from './cloudwatch/local-cloudwatch.js';
import {
  LOCAL_CREDENTIALS,
  localS3Client,
  startDynamo,
  startS3,
  type RunningDynamo,
  type RunningS3,
} from './emulators.js';
import { LocalEventBus } from './event-bus.js';
import { loadDeliveryStreams, LocalSubscriptions } from './firehose/template-firehose.js';
import type { LocalHttpApi } from './http-api.js';
import type { LocalFunction } from './lambda-host.js';
import { forwardS3Event } from './s3-events.js';
import { loadSchedules, runSchedules } from './schedules/schedules.js';
import { LocalStateMachine } from './step-functions.js';
import { statusChangeEvent } from './sfn-history.js';
import type { LocalResources } from './template.js';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './local-constants.js';
import { loadRules } from './template-loaders.js';

/** What the runtime must close when it stops, closed in reverse order of opening. */
export class Closers {
  private readonly closers: (() => Promise<void>)[] = [];

  add(close: () => Promise<void> | void): void {
    this.closers.push(async () => close());
  }

  async closeAll(): Promise<void> {
    for (const close of this.closers.splice(0).reverse()) await close().catch((error: unknown) => console.error(error));
  }
}

/** The emulators, and the DynamoDB one as a service that can be taken away and brought back (an outage). */
export interface Emulators {
  readonly s3: RunningS3;
  readonly dynamoEndpoint: string;
  readonly dynamodb: { stop(): Promise<void>; start(): Promise<void> };
  /** Where S3 events go once the bus exists (rules need the emulators running first). */
  routeS3Events(bus: LocalEventBus, buckets: ReadonlySet<string>): void;
}

export async function startEmulators(
  stateDir: string,
  options: { s3Port: number; dynamoPort: number; inMemoryDynamo: boolean },
  closers: Closers,
): Promise<Emulators> {
  const routing: { bus?: LocalEventBus; buckets: ReadonlySet<string> } = { buckets: new Set() };
  const s3 = await startS3(join(stateDir, 's3'), options.s3Port, (record) => {
    if (routing.bus !== undefined && routing.buckets.has(record.s3.bucket.name))
      forwardS3Event(routing.bus, record, LOCAL_REGION, LOCAL_ACCOUNT);
  });
  closers.add(() => s3.close());
  const dynamoDir = options.inMemoryDynamo ? undefined : join(stateDir, 'dynamodb-local');
  let dynamo: RunningDynamo = await startDynamo(dynamoDir, options.dynamoPort);
  closers.add(() => dynamo.close());
  const port = Number(new URL(dynamo.endpoint).port);
  return {
    s3,
    dynamoEndpoint: dynamo.endpoint,
    dynamodb: {
      stop: () => dynamo.close(),
      start: async () => {
        if (dynamoDir === undefined)
          throw new Error('an in-memory registry cannot be brought back: start the runtime without inMemoryDynamo');
        dynamo = await startDynamo(dynamoDir, port);
      },
    },
    routeS3Events: (bus, buckets) => {
      routing.bus = bus;
      routing.buckets = buckets;
    },
  };
}

/** The environment every local function gets, as Lambda sets it, with AWS endpoints pointed at the emulators. */
export function functionEnvironment(
  stateDir: string,
  endpoints: { s3: string; dynamodb: string; xray: string; stepFunctions: string; cloudwatch: string },
): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    TZ: 'UTC',
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SFN: endpoints.stepFunctions,
    AWS_ENDPOINT_URL_CLOUDWATCH: endpoints.cloudwatch,
    // Never read the user's real AWS profile files: local functions must not reach AWS.
    AWS_CONFIG_FILE: join(stateDir, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(stateDir, 'no-aws-credentials'),
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    // As Lambda sets them: the X-Ray SDK sends traced functions' segments to the daemon (here, the local sink).
    AWS_XRAY_DAEMON_ADDRESS: endpoints.xray,
    _AWS_XRAY_DAEMON_ADDRESS: endpoints.xray.split(':')[0] as string,
    _AWS_XRAY_DAEMON_PORT: endpoints.xray.split(':')[1] as string,
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
  };
}

/** Every state machine of the template, its tasks routed to the local functions. */
export function loadStateMachines(
  resources: LocalResources,
  functionsByArn: ReadonlyMap<string, LocalFunction>,
  logDir: string,
  context: MachineContext,
): Map<string, LocalStateMachine> {
  const machines = new Map<string, LocalStateMachine>();
  for (const [logicalId, resource] of resources.ofType('AWS::StepFunctions::StateMachine')) {
    const definition = JSON.parse(
      String(resources.resolve(resource.Properties?.DefinitionString)),
    ) as StateMachineDefinition;
    const arn = resources.arn(logicalId);
    machines.set(
      arn,
      new LocalStateMachine(arn, resources.physicalName(logicalId), definition, functionsByArn, logDir, context),
    );
  }
  return machines;
}

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
