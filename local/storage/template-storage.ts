import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { enableTimeToLive, ensureBucket, ensureTable, localDynamoClient, localS3Client } from './emulators.js';
import { LOCAL_REGION } from '../local-constants.js';
import type { LocalResources } from '../template.js';

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
