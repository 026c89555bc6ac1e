import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Registry } from '../../lambdas/shared/registry.js';
import { ensureTable, localDynamoClient, startDynamo } from '../../local/emulators.js';

/** Creates a table shaped like the stack's registry (pk/sk strings) and returns a Registry over it. */
export async function createRegistry(client: DynamoDBClient, tableName = 'registry'): Promise<Registry> {
  await ensureTable(client, {
    TableName: tableName,
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
    ],
    BillingMode: 'PAY_PER_REQUEST',
  });
  return new Registry(DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }), tableName);
}

/** A registry on an in-memory dynalite for one test file; call stop() in afterAll. */
export async function startTestRegistry(): Promise<{ registry: Registry; stop: () => Promise<void> }> {
  const dynamo = await startDynamo(undefined, 0);
  const client = localDynamoClient(dynamo.endpoint, 'us-east-1');
  const registry = await createRegistry(client);
  return {
    registry,
    stop: async () => {
      client.destroy();
      await dynamo.close();
    },
  };
}
