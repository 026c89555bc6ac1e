import type { InputTransformer } from './input-transformer.js';
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { join } from 'node:path';
import { enableTimeToLive, ensureBucket, ensureTable, localDynamoClient, localS3Client } from './emulators.js';
import type { LocalRule } from './event-bus.js';
import { LocalFunction } from './lambda-host.js';
import type { LocalResources } from './template.js';
import { LOCAL_REGION } from './local-constants.js';

/** The local stack's region and account (what ARNs and events carry). */

/** Creates the template's buckets and tables in the emulators. */
export async function createStorage(
  resources: LocalResources,
  s3Endpoint: string,
  dynamoEndpoint: string,
): Promise<void> {
  const s3 = localS3Client(s3Endpoint, LOCAL_REGION);
  const db = localDynamoClient(dynamoEndpoint, LOCAL_REGION);
  try {
    for (const [logicalId] of resources.ofType('AWS::S3::Bucket'))
      await ensureBucket(s3, resources.physicalName(logicalId));
    for (const [logicalId, resource] of resources.ofType('AWS::DynamoDB::Table')) {
      const p = resources.resolve(resource.Properties ?? {}) as Record<string, unknown>;
      const input: CreateTableCommandInput = {
        TableName: resources.physicalName(logicalId),
        KeySchema: p.KeySchema as CreateTableCommandInput['KeySchema'],
        AttributeDefinitions: p.AttributeDefinitions as CreateTableCommandInput['AttributeDefinitions'],
        BillingMode: 'PAY_PER_REQUEST',
        ...(p.GlobalSecondaryIndexes
          ? { GlobalSecondaryIndexes: p.GlobalSecondaryIndexes as CreateTableCommandInput['GlobalSecondaryIndexes'] }
          : {}),
      };
      await ensureTable(db, input);
      // Time to live as the template sets it (DynamoDB Local keeps the setting; whether it deletes is its business).
      const ttl = p.TimeToLiveSpecification as { AttributeName?: string; Enabled?: boolean } | undefined;
      if (ttl?.Enabled === true && ttl.AttributeName !== undefined)
        await enableTimeToLive(db, input.TableName as string, ttl.AttributeName);
    }
  } finally {
    s3.destroy();
    db.destroy();
  }
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

export function loadRules(resources: LocalResources): LocalRule[] {
  return resources.ofType('AWS::Events::Rule').flatMap(([logicalId, resource]) => {
    const props = resources.resolve(resource.Properties ?? {}) as {
      EventPattern?: Record<string, unknown>;
      State?: string;
      EventBusName?: string;
      Targets?: { Id: string; Arn: string; Input?: string; InputPath?: string; InputTransformer?: InputTransformer }[];
    };
    if (
      props.EventPattern === undefined ||
      props.State === 'DISABLED' ||
      (props.EventBusName ?? 'default') !== 'default'
    )
      return [];
    return [
      {
        name: resources.physicalName(logicalId),
        arn: resources.arn(logicalId),
        pattern: props.EventPattern,
        targets: (props.Targets ?? []).map((target) => ({
          id: target.Id,
          arn: target.Arn,
          ...(target.Input ? { input: target.Input } : {}),
          ...(target.InputPath ? { inputPath: target.InputPath } : {}),
          ...(target.InputTransformer ? { inputTransformer: target.InputTransformer } : {}),
        })),
      },
    ];
  });
}
