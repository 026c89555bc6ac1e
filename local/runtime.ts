import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { VirtualClock } from './clock.js';
import { LocalCloudWatchApi } from './cloudwatch/api.js';
import { LocalCloudWatch } from './cloudwatch/local-cloudwatch.js';
import { LocalEventBus } from './event-bus.js';
import { loadSchedules, runSchedules } from './schedules/schedules.js';
import { eventBridgeEnabledBuckets, forwardS3Event } from './s3-events.js';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { LOCAL_CREDENTIALS, localS3Client, startDynamo, startS3 } from './emulators.js';
import { loadDeliveryStreams, LocalSubscriptions } from './firehose/template-firehose.js';
import { LocalHttpApi } from './http-api.js';
import type { LocalFunction } from './lambda-host.js';
import { LocalStepFunctionsApi } from './sfn-api.js';
import { LocalStateMachine, type LocalExecution } from './step-functions.js';
import { LocalResources, type CfnTemplate } from './template.js';
import { synthesizeApp } from './synth-cache.js';
import { createStorage, LOCAL_ACCOUNT, LOCAL_REGION, loadFunctions, loadRoutes, loadRules } from './template-loaders.js';
import { LocalXRayDaemon } from './xray-daemon.js';

export { LOCAL_ACCOUNT, LOCAL_REGION } from './template-loaders.js';

export interface LocalRuntimeOptions {
  /** Where emulator state, logs and the synthesized app live. @default `.mlops` */
  readonly stateDir?: string;
  /** Delete the state first. @default false */
  readonly fresh?: boolean;
  /** Ports on loopback; 0 picks a free one. @default api 3000, s3 4568, dynamodb 4567, stepFunctions 4570, cloudwatch 4571 */
  readonly ports?: { readonly api?: number; readonly s3?: number; readonly dynamodb?: number; readonly stepFunctions?: number; readonly cloudwatch?: number };
  /** Keep DynamoDB in memory instead of on disk (tests). @default false */
  readonly inMemoryDynamo?: boolean;
  /** The folder of model files the stack ships (as `cdk deploy -c modelsDir=…`). @default the repository's `models/` */
  readonly modelsDir?: string;
  /** The clock of alarms, schedules and buffering. @default a clock that follows the wall clock */
  readonly clock?: VirtualClock;
}

/** What `.mlops/local.json` holds: everything a client needs to talk to the running stack. */
export interface LocalEndpoints {
  readonly stackName: string;
  readonly region: string;
  readonly apiUrl: string;
  readonly s3Endpoint: string;
  readonly dynamodbEndpoint: string;
  /** The Step Functions API of the local state machines (StartExecution, DescribeExecution). */
  readonly stepFunctionsEndpoint: string;
  /** The CloudWatch API of the local metrics and alarms. */
  readonly cloudwatchEndpoint: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly outputs: Record<string, string>;
}

export interface LocalRuntime {
  readonly endpoints: LocalEndpoints;
  /** The synthesized app it runs, and whether an identical earlier synthesis was reused. */
  readonly assembly: { readonly outdir: string; readonly reused: boolean };
  readonly stateMachines: ReadonlyMap<string, LocalStateMachine>;
  readonly functions: ReadonlyMap<string, LocalFunction>;
  /** Metrics, alarms and notifications of the stack. */
  readonly cloudwatch: LocalCloudWatch;
  readonly clock: VirtualClock;
  /**
   * The DynamoDB emulator, to take it away and bring it back on the same port with the same data (an outage of the
   * registry, as tests of serving need). Only with the registry on disk (not `inMemoryDynamo`).
   */
  readonly dynamodb: { stop(): Promise<void>; start(): Promise<void> };
  /** Every execution started since start-up, in order. */
  executions(): LocalExecution[];
  stop(): Promise<void>;
}

/**
 * Synthesizes the CDK app and runs it on this machine: S3 and DynamoDB emulators on loopback, the bundled functions
 * in worker threads, the state machines in aws-local-stepfunctions, the EventBridge rules on S3 events, and the
 * HTTP API on localhost.
 */
export async function startLocalRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  const stateDir = resolve(options.stateDir ?? '.mlops');
  if (options.fresh) rmSync(stateDir, { recursive: true, force: true });
  mkdirSync(stateDir, { recursive: true });
  // A cdk.out of earlier versions of the runtime is no longer used.
  rmSync(join(stateDir, 'cdk.out'), { recursive: true, force: true });
  const stack = synthesizeApp(options.modelsDir ? { modelsDir: options.modelsDir } : {});
  const { outdir } = stack;
  const template = JSON.parse(readFileSync(join(outdir, stack.templateFile), 'utf8')) as CfnTemplate;

  const closers: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const close of closers.splice(0).reverse()) await close().catch((error: unknown) => console.error(error));
  };
  try {
    // S3 events can only be routed once the rules are loaded, which needs the emulators running first.
    const routing: { bus?: LocalEventBus; buckets: Set<string> } = { buckets: new Set() };
    const s3 = await startS3(join(stateDir, 's3'), options.ports?.s3 ?? 4568, (record) => {
      if (routing.bus !== undefined && routing.buckets.has(record.s3.bucket.name)) forwardS3Event(routing.bus, record, LOCAL_REGION, LOCAL_ACCOUNT);
    });
    closers.push(() => s3.close());
    const dynamoDir = options.inMemoryDynamo ? undefined : join(stateDir, 'dynamodb-local');
    let dynamo = await startDynamo(dynamoDir, options.ports?.dynamodb ?? 4567);
    closers.push(() => dynamo.close());
    const dynamoPort = Number(new URL(dynamo.endpoint).port);
    const dynamodb = {
      stop: () => dynamo.close(),
      start: async () => {
        if (dynamoDir === undefined) throw new Error('an in-memory registry cannot be brought back: start the runtime without inMemoryDynamo');
        dynamo = await startDynamo(dynamoDir, dynamoPort);
      },
    };

    const api = new LocalHttpApi([], LOCAL_CREDENTIALS, LOCAL_REGION); // routes are added once functions exist
    const apiPort = await api.listen(options.ports?.api ?? 3000);
    closers.push(() => api.close());
    const apiUrl = `http://127.0.0.1:${apiPort}`;

    const resources = new LocalResources(template, { stackName: stack.stackName, region: LOCAL_REGION, account: LOCAL_ACCOUNT, apiUrl });
    await createStorage(resources, s3.endpoint, dynamo.endpoint);
    routing.buckets = eventBridgeEnabledBuckets(resources);

    const xray = await LocalXRayDaemon.start(join(stateDir, 'logs', 'xray-segments.jsonl'));
    closers.push(() => xray.close());
    const baseEnv: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      TZ: 'UTC',
      AWS_REGION: LOCAL_REGION,
      AWS_DEFAULT_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      // Never read the user's real AWS profile files: local functions must not reach AWS.
      AWS_CONFIG_FILE: join(stateDir, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(stateDir, 'no-aws-credentials'),
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      // As Lambda sets them: the X-Ray SDK sends traced functions' segments to the daemon (here, the local sink).
      AWS_XRAY_DAEMON_ADDRESS: xray.address,
      _AWS_XRAY_DAEMON_ADDRESS: xray.address.split(':')[0] as string,
      _AWS_XRAY_DAEMON_PORT: xray.address.split(':')[1] as string,
      AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    };
    const functions = loadFunctions(resources, outdir, baseEnv, join(stateDir, 'logs', 'functions'));
    closers.push(async () => {
      await Promise.all([...functions.values()].map((fn) => fn.stop()));
    });
    const functionsByArn = new Map([...functions.values()].map((fn) => [fn.spec.arn, fn]));

    const stateMachines = new Map<string, LocalStateMachine>();
    for (const [logicalId, resource] of resources.ofType('AWS::StepFunctions::StateMachine')) {
      const definition = JSON.parse(String(resources.resolve(resource.Properties?.DefinitionString))) as StateMachineDefinition;
      const arn = resources.arn(logicalId);
      stateMachines.set(arn, new LocalStateMachine(arn, resources.physicalName(logicalId), definition, functionsByArn, join(stateDir, 'logs', 'states')));
    }

    const clock = options.clock ?? new VirtualClock();
    closers.push(async () => clock.stop());
    const cloudwatch = new LocalCloudWatch({
      resources,
      stateDir,
      clock,
      region: LOCAL_REGION,
      account: LOCAL_ACCOUNT,
      putEvent: (event) => routing.bus?.put(event),
      invokeFunction: (arn, event) => invokeByArn(functionsByArn, arn, event),
    });
    // Where rules and schedules deliver: a state machine starts, a function is invoked, a topic publishes.
    const deliver = (arn: string, input: unknown, source: string): void => {
      const machine = stateMachines.get(arn);
      if (machine !== undefined) machine.start(input);
      else if (functionsByArn.has(arn)) void invokeByArn(functionsByArn, arn, input).catch((error: unknown) => console.error(`${source}: ${arn}: ${(error as Error).message}`));
      else if (arn.startsWith('arn:aws:sns:')) cloudwatch.publish(arn, `from ${source}`, JSON.stringify(input), clock.now());
      else console.error(`${source}: target ${arn} is not a state machine, function or topic of this stack; dropped`);
    };
    const bus = new LocalEventBus(loadRules(resources), (arn, input, rule) => deliver(arn, input, `rule ${rule.name}`), (event) =>
      appendFileSync(join(stateDir, 'logs', 'events.jsonl'), `${JSON.stringify(event)}\n`),
    );
    const stopSchedules = runSchedules(loadSchedules(resources, LOCAL_REGION, LOCAL_ACCOUNT, deliver), clock);
    closers.push(async () => stopSchedules());
    routing.bus = bus;

    api.setRoutes(loadRoutes(resources, functionsByArn));
    const [apiResource] = resources.ofType('AWS::ApiGatewayV2::Api');
    cloudwatch.observe({ functions: functions.values(), api, apiId: apiResource ? resources.ref(apiResource[0]) : undefined, stateMachines: stateMachines.values() });
    const firehoseS3 = localS3Client(s3.endpoint, LOCAL_REGION);
    const streams = loadDeliveryStreams(resources, clock, async (bucket, key, body) => {
      await firehoseS3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    });
    cloudwatch.subscribe(new LocalSubscriptions(resources, streams, LOCAL_ACCOUNT));
    closers.push(async () => {
      // What is still buffered is delivered before the emulators stop (Firehose would deliver it by its interval).
      await Promise.all([...streams.values()].map((stream) => stream.flushAll()));
      firehoseS3.destroy();
    });
    cloudwatch.start();
    closers.push(async () => cloudwatch.stop());
    const sfnApi = new LocalStepFunctionsApi(stateMachines, LOCAL_CREDENTIALS);
    const sfnPort = await sfnApi.listen(options.ports?.stepFunctions ?? 4570);
    closers.push(() => sfnApi.close());
    const cloudwatchApi = new LocalCloudWatchApi(cloudwatch, LOCAL_CREDENTIALS, () => clock.now());
    const cloudwatchPort = await cloudwatchApi.listen(options.ports?.cloudwatch ?? 4571);
    closers.push(() => cloudwatchApi.close());

    const outputs = Object.fromEntries(
      Object.entries(template.Outputs ?? {}).map(([name, output]) => [name, String(resources.resolve(output.Value))]),
    );
    const endpoints: LocalEndpoints = {
      stackName: stack.stackName,
      region: LOCAL_REGION,
      apiUrl,
      s3Endpoint: s3.endpoint,
      dynamodbEndpoint: dynamo.endpoint,
      stepFunctionsEndpoint: `http://127.0.0.1:${sfnPort}`,
      cloudwatchEndpoint: `http://127.0.0.1:${cloudwatchPort}`,
      credentials: { accessKeyId: LOCAL_CREDENTIALS.accessKeyId, secretAccessKey: LOCAL_CREDENTIALS.secretAccessKey },
      outputs,
    };
    writeFileSync(join(stateDir, 'local.json'), `${JSON.stringify(endpoints, null, 2)}\n`);
    return {
      endpoints,
      assembly: { outdir, reused: stack.reused },
      cloudwatch,
      clock,
      stateMachines,
      functions,
      dynamodb,
      executions: () => [...stateMachines.values()].flatMap((m) => m.executions).sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime()),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

function invokeByArn(functionsByArn: ReadonlyMap<string, LocalFunction>, arn: string, event: unknown): Promise<unknown> {
  const fn = functionsByArn.get(arn);
  if (fn === undefined) return Promise.reject(new Error(`${arn} is not a function of this stack`));
  return fn.invoke(event);
}
