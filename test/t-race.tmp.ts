import { DynamoDBDocumentClient, TransactWriteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { startDynamo, localDynamoClient } from '../local/emulators.js';
import { createRegistry } from './helpers/registry-table.js';
const dynamo = await startDynamo(undefined, 0);
const client = localDynamoClient(dynamo.endpoint, 'us-east-1');
await createRegistry(client);
const db = DynamoDBDocumentClient.from(client);
let doubles = 0;
for (let round = 0; round < 40; round++) {
  const pk = `ALIAS#m${round}`;
  const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => db.send(new TransactWriteCommand({ ClientRequestToken: randomUUID(), TransactItems: [
    { Put: { TableName: 'registry', Item: { pk, sk: 'production', version: i, revision: 1 }, ConditionExpression: 'attribute_not_exists(pk)' } },
    { Put: { TableName: 'registry', Item: { pk: `AUDIT#m${round}`, sk: randomUUID(), v: i }, ConditionExpression: 'attribute_not_exists(pk)' } },
  ] }))));
  const ok = results.filter((r) => r.status === 'fulfilled').length;
  const reasons = new Set(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.name + ':' + JSON.stringify((r as PromiseRejectedResult).reason.CancellationReasons?.map((c: {Code: string}) => c.Code))));
  if (ok !== 1) { doubles++; console.log('round', round, 'ok', ok, [...reasons], (await db.send(new GetCommand({ TableName: 'registry', Key: { pk, sk: 'production' } }))).Item); }
}
console.log('rounds with != 1 winner:', doubles);
client.destroy(); await dynamo.close();
