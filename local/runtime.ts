import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { VirtualClock } from './clock.js';
import type { LocalCloudWatch } from './cloudwatch/local-cloudwatch.js';
import { LOCAL_CREDENTIALS } from './storage/emulators.js';
import type { ApiSettings } from '../lib/api-settings.js';
import { LocalHttpApi } from './api/http-api.js';
import type { LocalFunction } from './lambda/host.js';
import { Closers } from './closers.js';
import { startEmulators, type Emulators } from './storage/emulators.js';
import { startEventServices } from './event-services.js';
import { LocalLambdaApi } from './lambda/invoke-api.js';
import { functionEnvironment, loadFunctions } from './lambda/template-functions.js';
import { loadStateMachines } from './stepfunctions/template-state-machines.js';
import { createStorage } from './storage/template-storage.js';
import { eventBridgeEnabledBuckets } from './events/s3-events.js';
import type { LocalExecution, LocalStateMachine } from './stepfunctions/state-machine.js';
import { TaskTokens } from './stepfunctions/task-tokens.js';
import { synthesizeApp, type SynthesizedApp } from './synth-cache.js';
import { LocalResources, type CfnTemplate } from './template.js';
import { DEFAULT_PORTS, LOCAL_ACCOUNT, LOCAL_REGION } from './local-constants.js';
import { configureApi } from './api/api-config.js';
import { startServiceApis } from './service-apis.js';
import { LocalXRayDaemon } from './lambda/xray-daemon.js';

export interface LocalRuntimeOptions {
  /** Where emulator state, logs and the synthesized app live. @default `.mlops` */
  readonly stateDir?: string;
  /** Delete the state first. @default false */
  readonly fresh?: boolean;
  /**
   * Ports on loopback; 0 picks a free one. @default DEFAULT_PORTS: api 3000, s3 4568, dynamodb 4567, stepFunctions 4570,
   * cloudwatch 4571, lambda 4572, sns 4573
   */
  readonly ports?: {
    readonly api?: number;
    readonly s3?: number;
    readonly dynamodb?: number;
    readonly stepFunctions?: number;
    readonly cloudwatch?: number;
    readonly lambda?: number;
    readonly sns?: number;
  };
  /** Keep DynamoDB in memory instead of on disk (tests). @default false */
  readonly inMemoryDynamo?: boolean;
  /** The folder of model files the stack ships (as `cdk deploy -c modelsDir=…`). @default the repository's `models/` */
  readonly modelsDir?: string;
  /** The clock of alarms, schedules and buffering. @default a clock that follows the wall clock */
  readonly clock?: VirtualClock;
  /** The API as an environment of cdk.json declares it (`npm start -- --env <name>`). @default IAM, no CORS */
  readonly api?: ApiSettings;
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
  /** Lambda's Invoke API over the local functions (what `mlops monitor` invokes the monitor through). */
  readonly lambdaEndpoint: string;
  /** SNS's Publish to the template's topics (into the notification sink). */
  readonly snsEndpoint: string;
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
 * in worker threads, the state machines in aws-local-stepfunctions, the EventBridge rules, schedules, CloudWatch and
 * log subscriptions on the runtime's clock, and the HTTP, Step Functions and CloudWatch APIs on localhost.
 */
export async function startLocalRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  const stateDir = resolve(options.stateDir ?? '.mlops');
  if (options.fresh) rmSync(stateDir, { recursive: true, force: true });
  mkdirSync(stateDir, { recursive: true });
  // A cdk.out of earlier versions of the runtime is no longer used.
  rmSync(join(stateDir, 'cdk.out'), { recursive: true, force: true });
  const stack = synthesizeApp({
    ...(options.modelsDir ? { modelsDir: options.modelsDir } : {}),
    ...(options.api ? { api: options.api } : {}),
  });
  const template = JSON.parse(readFileSync(join(stack.outdir, stack.templateFile), 'utf8')) as CfnTemplate;
  const closers = new Closers();
  try {
    return await run(stateDir, stack, template, options, closers);
  } catch (error) {
    await closers.closeAll();
    throw error;
  }
}

async function run(
  stateDir: string,
  stack: SynthesizedApp,
  template: CfnTemplate,
  options: LocalRuntimeOptions,
  closers: Closers,
): Promise<LocalRuntime> {
  const base = await startBase(stateDir, stack, template, options, closers);
  const { emulators, api, resources } = base;
  const clock = options.clock ?? new VirtualClock();
  const stateMachines = new Map<string, LocalStateMachine>();
  const tokens = new TaskTokens(clock);
  const cloudwatchRef: { current?: LocalCloudWatch } = {};
  const services = await startServiceApis(
    { machines: stateMachines, tokens },
    cloudwatchRef,
    clock,
    options.ports ?? {},
    closers,
    base.resources,
  );
  // The Lambda API first, on the map the functions fill: functions that invoke functions get its endpoint.
  const invokable = new Map<string, LocalFunction>();
  const lambdaApi = new LocalLambdaApi(invokable, LOCAL_CREDENTIALS);
  const lambdaPort = await lambdaApi.listen(options.ports?.lambda ?? DEFAULT_PORTS.lambda);
  closers.add(() => lambdaApi.close());
  const lambdaEndpoint = `http://127.0.0.1:${lambdaPort}`;
  const { functions, functionsByArn } = loadCompute(
    { stateDir, stack, clock, stateMachines, tokens, base, services: { ...services, lambdaEndpoint } },
    closers,
  );
  const { cloudwatch, bus } = startEventServices(
    { resources, stateDir, clock, functions, stateMachines, api, s3Endpoint: emulators.s3.endpoint },
    closers,
  );
  cloudwatchRef.current = cloudwatch;
  // Closed first (closers run last-in first-out): executions stop before what they write to goes away.
  closers.add(() => haltAll(stateMachines));
  emulators.routeS3Events(bus, eventBridgeEnabledBuckets(resources));
  configureApi(api, resources, functionsByArn, clock);
  for (const [name, fn] of functions) invokable.set(name, fn);
  const endpoints = writeEndpoints(stateDir, { stack, template, base, services: { ...services, lambdaEndpoint } });
  return {
    endpoints,
    assembly: { outdir: stack.outdir, reused: stack.reused },
    cloudwatch,
    clock,
    stateMachines,
    functions,
    dynamodb: emulators.dynamodb,
    executions: () => executionsOf(stateMachines),
    stop: () => closers.closeAll(),
  };
}

/** The emulators with the template's buckets and tables, the HTTP API (routes come later), and the X-Ray daemon. */
interface RuntimeBase {
  readonly emulators: Emulators;
  readonly api: LocalHttpApi;
  readonly apiUrl: string;
  readonly resources: LocalResources;
  readonly xray: LocalXRayDaemon;
}

type ServiceEndpoints = Awaited<ReturnType<typeof startServiceApis>>;

async function startBase(
  stateDir: string,
  stack: SynthesizedApp,
  template: CfnTemplate,
  options: LocalRuntimeOptions,
  closers: Closers,
): Promise<RuntimeBase> {
  const ports = options.ports ?? {};
  const emulators = await startEmulators(
    stateDir,
    {
      s3Port: ports.s3 ?? DEFAULT_PORTS.s3,
      dynamoPort: ports.dynamodb ?? DEFAULT_PORTS.dynamodb,
      inMemoryDynamo: options.inMemoryDynamo === true,
    },
    closers,
  );
  const api = new LocalHttpApi([], LOCAL_CREDENTIALS, LOCAL_REGION); // routes are added once functions exist
  const apiUrl = `http://127.0.0.1:${await api.listen(ports.api ?? DEFAULT_PORTS.api)}`;
  closers.add(() => api.close());
  const resources = new LocalResources(template, {
    stackName: stack.stackName,
    region: LOCAL_REGION,
    account: LOCAL_ACCOUNT,
    apiUrl,
  });
  await createStorage(resources, emulators.s3.endpoint, emulators.dynamoEndpoint);

  const xray = await LocalXRayDaemon.start(join(stateDir, 'logs', 'xray-segments.jsonl'));
  closers.add(() => xray.close());
  return { emulators, api, apiUrl, resources, xray };
}

/** The template's functions (in worker threads, with its environment and limits) and state machines over them. */
function loadCompute(
  parts: {
    stateDir: string;
    stack: SynthesizedApp;
    clock: VirtualClock;
    stateMachines: Map<string, LocalStateMachine>;
    tokens: TaskTokens;
    base: RuntimeBase;
    services: ServiceEndpoints & { lambdaEndpoint: string };
  },
  closers: Closers,
): { functions: Map<string, LocalFunction>; functionsByArn: Map<string, LocalFunction> } {
  const { stateDir, clock, stateMachines, tokens, base, services } = parts;
  const { resources } = base;
  const env = functionEnvironment(stateDir, {
    s3: base.emulators.s3.endpoint,
    dynamodb: base.emulators.dynamoEndpoint,
    xray: base.xray.address,
    stepFunctions: services.sfnEndpoint,
    cloudwatch: services.cloudwatchEndpoint,
    sns: services.snsEndpoint,
    lambda: services.lambdaEndpoint,
  });
  const functions = loadFunctions(resources, parts.stack.outdir, env, join(stateDir, 'logs', 'functions'));
  closers.add(async () => {
    await Promise.all([...functions.values()].map((fn) => fn.stop()));
  });
  const functionsByArn = new Map([...functions.values()].map((fn) => [fn.spec.arn, fn]));
  for (const [arn, machine] of loadStateMachines(resources, functionsByArn, join(stateDir, 'logs', 'states'), {
    clock,
    machines: stateMachines,
    journalDir: join(stateDir, 'step-functions'),
    tokens,
  }))
    stateMachines.set(arn, machine);
  for (const fn of functions.values()) fn.useClock(() => clock.now());
  return { functions, functionsByArn };
}

/** The endpoints, credentials and stack outputs, written to `<state dir>/local.json` for the CLI. */
function writeEndpoints(
  stateDir: string,
  parts: {
    stack: SynthesizedApp;
    template: CfnTemplate;
    base: RuntimeBase;
    services: ServiceEndpoints & { lambdaEndpoint: string };
  },
): LocalEndpoints {
  const { template } = parts;
  const { resources, emulators, apiUrl } = parts.base;
  const endpoints: LocalEndpoints = {
    stackName: parts.stack.stackName,
    region: LOCAL_REGION,
    apiUrl,
    s3Endpoint: emulators.s3.endpoint,
    dynamodbEndpoint: emulators.dynamoEndpoint,
    stepFunctionsEndpoint: parts.services.sfnEndpoint,
    cloudwatchEndpoint: parts.services.cloudwatchEndpoint,
    snsEndpoint: parts.services.snsEndpoint,
    lambdaEndpoint: parts.services.lambdaEndpoint,
    credentials: { accessKeyId: LOCAL_CREDENTIALS.accessKeyId, secretAccessKey: LOCAL_CREDENTIALS.secretAccessKey },
    outputs: Object.fromEntries(
      Object.entries(template.Outputs ?? {}).map(([name, output]) => [name, String(resources.resolve(output.Value))]),
    ),
  };
  writeFileSync(join(stateDir, 'local.json'), `${JSON.stringify(endpoints, null, 2)}\n`);
  return endpoints;
}

/** Every execution of the machines, in the order they started. */
function executionsOf(stateMachines: ReadonlyMap<string, LocalStateMachine>): LocalExecution[] {
  return [...stateMachines.values()]
    .flatMap((m) => m.executions)
    .sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
}

async function haltAll(stateMachines: ReadonlyMap<string, LocalStateMachine>): Promise<void> {
  await Promise.all([...stateMachines.values()].map((machine) => machine.halt()));
}
