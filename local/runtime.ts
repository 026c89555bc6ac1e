import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LocalEventBus, type LocalRule } from './event-bus.js';
import { eventBridgeEnabledBuckets, forwardS3Event } from './s3-events.js';
import { ensureBucket, ensureTable, LOCAL_CREDENTIALS, localDynamoClient, localS3Client, startDynamo, startS3 } from './emulators.js';
import { LocalHttpApi, type LocalRoute } from './http-api.js';
import { LocalFunction } from './lambda-host.js';
import { LocalStepFunctionsApi } from './sfn-api.js';
import { LocalStateMachine, type LocalExecution } from './step-functions.js';
import { LocalResources, type CfnTemplate } from './template.js';
import { synthesizeApp } from './synth-cache.js';
import { LocalXRayDaemon } from './xray-daemon.js';

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT = '000000000000';

export interface LocalRuntimeOptions {
  /** Where emulator state, logs and the synthesized app live. @default `.mlops` */
  readonly stateDir?: string;
  /** Delete the state first. @default false */
  readonly fresh?: boolean;
  /** Ports on loopback; 0 picks a free one. @default api 3000, s3 4568, dynamodb 4567 */
  readonly ports?: { readonly api?: number; readonly s3?: number; readonly dynamodb?: number; readonly stepFunctions?: number };
  /** Keep DynamoDB in memory instead of on disk (tests). @default false */
  readonly inMemoryDynamo?: boolean;
  /** The folder of model files the stack ships (as `cdk deploy -c modelsDir=…`). @default the repository's `models/` */
  readonly modelsDir?: string;
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
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly outputs: Record<string, string>;
}

export interface LocalRuntime {
  readonly endpoints: LocalEndpoints;
  /** The synthesized app it runs, and whether an identical earlier synthesis was reused. */
  readonly assembly: { readonly outdir: string; readonly reused: boolean };
  readonly stateMachines: ReadonlyMap<string, LocalStateMachine>;
  readonly functions: ReadonlyMap<string, LocalFunction>;
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

    routing.bus = new LocalEventBus(loadRules(resources), (arn, input, rule) => {
      const machine = stateMachines.get(arn);
      if (machine === undefined) {
        console.error(`rule ${rule.name}: target ${arn} is not a state machine of this stack; the event is dropped`);
        return;
      }
      machine.start(input);
    });

    api.setRoutes(loadRoutes(resources, functionsByArn));
    const sfnApi = new LocalStepFunctionsApi(stateMachines, LOCAL_CREDENTIALS);
    const sfnPort = await sfnApi.listen(options.ports?.stepFunctions ?? 4570);
    closers.push(() => sfnApi.close());

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
      credentials: { accessKeyId: LOCAL_CREDENTIALS.accessKeyId, secretAccessKey: LOCAL_CREDENTIALS.secretAccessKey },
      outputs,
    };
    writeFileSync(join(stateDir, 'local.json'), `${JSON.stringify(endpoints, null, 2)}\n`);
    return {
      endpoints,
      assembly: { outdir, reused: stack.reused },
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

async function createStorage(resources: LocalResources, s3Endpoint: string, dynamoEndpoint: string): Promise<void> {
  const s3 = localS3Client(s3Endpoint, LOCAL_REGION);
  const db = localDynamoClient(dynamoEndpoint, LOCAL_REGION);
  try {
    for (const [logicalId] of resources.ofType('AWS::S3::Bucket')) await ensureBucket(s3, resources.physicalName(logicalId));
    for (const [logicalId, resource] of resources.ofType('AWS::DynamoDB::Table')) {
      const p = resources.resolve(resource.Properties ?? {}) as Record<string, unknown>;
      const input: CreateTableCommandInput = {
        TableName: resources.physicalName(logicalId),
        KeySchema: p.KeySchema as CreateTableCommandInput['KeySchema'],
        AttributeDefinitions: p.AttributeDefinitions as CreateTableCommandInput['AttributeDefinitions'],
        BillingMode: 'PAY_PER_REQUEST',
        ...(p.GlobalSecondaryIndexes ? { GlobalSecondaryIndexes: p.GlobalSecondaryIndexes as CreateTableCommandInput['GlobalSecondaryIndexes'] } : {}),
      };
      await ensureTable(db, input);
    }
  } finally {
    s3.destroy();
    db.destroy();
  }
}

/** Every function built from a CDK asset; others (e.g. CDK's inline custom-resource handlers) never run locally. */
function loadFunctions(resources: LocalResources, outdir: string, baseEnv: Record<string, string>, logDir: string): Map<string, LocalFunction> {
  const functions = new Map<string, LocalFunction>();
  for (const [logicalId, resource] of resources.ofType('AWS::Lambda::Function')) {
    const assetPath = resource.Metadata?.['aws:asset:path'];
    if (typeof assetPath !== 'string') continue;
    const props = resources.resolve(resource.Properties ?? {}) as {
      Handler: string;
      Timeout?: number;
      MemorySize?: number;
      ReservedConcurrentExecutions?: number;
      TracingConfig?: { Mode?: string };
      Environment?: { Variables?: Record<string, string> };
    };
    const functionName = resources.physicalName(logicalId);
    functions.set(
      logicalId,
      new LocalFunction(
        {
          logicalId,
          functionName,
          arn: resources.arn(logicalId),
          assetDir: join(outdir, assetPath),
          handler: props.Handler,
          timeoutSeconds: props.Timeout ?? 3,
          memoryMb: props.MemorySize ?? 128,
          ...(props.ReservedConcurrentExecutions !== undefined ? { reservedConcurrency: props.ReservedConcurrentExecutions } : {}),
          tracing: props.TracingConfig?.Mode === 'Active',
          environment: {
            ...baseEnv,
            LAMBDA_TASK_ROOT: join(outdir, assetPath),
            _HANDLER: props.Handler,
            AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
            AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
            ...props.Environment?.Variables,
            AWS_LAMBDA_FUNCTION_NAME: functionName,
            AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(props.MemorySize ?? 128),
            AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
          },
        },
        logDir,
      ),
    );
  }
  return functions;
}

function loadRules(resources: LocalResources): LocalRule[] {
  return resources.ofType('AWS::Events::Rule').flatMap(([logicalId, resource]) => {
    const props = resources.resolve(resource.Properties ?? {}) as {
      EventPattern?: Record<string, unknown>;
      State?: string;
      EventBusName?: string;
      Targets?: { Id: string; Arn: string; Input?: string; InputPath?: string; InputTransformer?: unknown }[];
    };
    if (props.EventPattern === undefined || props.State === 'DISABLED' || (props.EventBusName ?? 'default') !== 'default') return [];
    return [
      {
        name: resources.physicalName(logicalId),
        pattern: props.EventPattern,
        targets: (props.Targets ?? []).map((target) => {
          if (target.InputTransformer !== undefined) {
            throw new Error(`rule ${logicalId}: target ${target.Id} uses an InputTransformer, which the local runtime does not support`);
          }
          return { id: target.Id, arn: target.Arn, ...(target.Input ? { input: target.Input } : {}), ...(target.InputPath ? { inputPath: target.InputPath } : {}) };
        }),
      },
    ];
  });
}

function loadRoutes(resources: LocalResources, functionsByArn: ReadonlyMap<string, LocalFunction>): LocalRoute[] {
  const integrations = new Map(resources.ofType('AWS::ApiGatewayV2::Integration').map(([id, r]) => [resources.ref(id), resources.resolve(r.Properties ?? {}) as { IntegrationUri?: string; PayloadFormatVersion?: string }]));
  return resources.ofType('AWS::ApiGatewayV2::Route').map(([logicalId, resource]) => {
    const props = resources.resolve(resource.Properties ?? {}) as { RouteKey: string; AuthorizationType?: string; Target?: string };
    const integrationId = (props.Target ?? '').replace(/^integrations\//, '');
    const integration = integrations.get(integrationId);
    const fn = integration?.IntegrationUri !== undefined ? functionsByArn.get(integration.IntegrationUri) : undefined;
    if (fn === undefined) throw new Error(`route ${logicalId} (${props.RouteKey}) does not integrate a Lambda function of this stack`);
    const [method = 'ANY', path = '/'] = props.RouteKey.split(' ');
    const authorization = props.AuthorizationType ?? 'NONE';
    if (authorization !== 'AWS_IAM' && authorization !== 'NONE') {
      throw new Error(`route ${props.RouteKey}: authorization ${authorization} is not supported locally (AWS_IAM or NONE)`);
    }
    return {
      method,
      path,
      routeKey: props.RouteKey,
      authorization,
      fn,
      payloadFormatVersion: integration?.PayloadFormatVersion === '1.0' ? '1.0' : '2.0',
    };
  });
}
