import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { parseItem, schemaPointerItemSchema } from '../contracts/registry-items.js';
import { schemaKey } from '../contracts/registry-keys.js';
import type { SchemaPointer } from '../contracts/registry-records.js';
import { isConditionFailure } from './registry-write.js';

/** Each model's pointer to its current data schema (`schemas/<model>/v<N>.json`), which ETL checks uploads against. */
export class SchemaPointerStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async get(model: string): Promise<SchemaPointer | undefined> {
    const result = await this.db.send(
      new GetCommand({ TableName: this.table, Key: schemaKey(model), ConsistentRead: true }),
    );
    return parseItem(schemaPointerItemSchema, result.Item, 'schema pointer');
  }

  /**
   * Points the model at a schema version: version 1 only if there is none yet (two first runs racing: one wins, the
   * other's data is checked against it next time); later versions only over the version before.
   */
  async set(pointer: Omit<SchemaPointer, 'updatedAt'>): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...schemaKey(pointer.model), ...pointer, updatedAt: new Date().toISOString() },
          ConditionExpression: pointer.version === 1 ? 'attribute_not_exists(pk)' : 'version = :previous',
          ...(pointer.version === 1 ? {} : { ExpressionAttributeValues: { ':previous': pointer.version - 1 } }),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
