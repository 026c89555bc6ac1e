import { join } from 'node:path';
import { LOCAL_CREDENTIALS } from '../storage/emulators.js';
import { LocalFunction } from './host.js';
import { LOCAL_REGION } from '../local-constants.js';
import type { LocalResources } from '../template.js';

/** The environment every local function gets, as Lambda sets it, with AWS endpoints pointed at the emulators. */
export function functionEnvironment(
  stateDir: string,
  endpoints: {
    s3: string;
    dynamodb: string;
    xray: string;
    stepFunctions: string;
    cloudwatch: string;
    sns: string;
    lambda: string;
  },
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
    AWS_ENDPOINT_URL_SNS: endpoints.sns,
    AWS_ENDPOINT_URL_LAMBDA: endpoints.lambda,
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

/** Every function built from a CDK asset; others (e.g. CDK's inline custom-resource handlers) never run locally. */
export function loadFunctions(
  resources: LocalResources,
  outdir: string,
  baseEnv: Record<string, string>,
  logDir: string,
): Map<string, LocalFunction> {
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
      LoggingConfig?: { LogGroup?: string };
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
          ...(props.ReservedConcurrentExecutions !== undefined
            ? { reservedConcurrency: props.ReservedConcurrentExecutions }
            : {}),
          tracing: props.TracingConfig?.Mode === 'Active',
          ...(props.LoggingConfig?.LogGroup ? { logGroup: props.LoggingConfig.LogGroup } : {}),
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
