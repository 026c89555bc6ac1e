import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { aliasItemSchema, parseItem } from '../contracts/registry-items.js';
import { aliasKey, PRODUCTION_ALIAS } from '../contracts/registry-keys.js';
import type { AliasRecord } from '../contracts/registry-records.js';
import { writeWithAudit, type AuditDraft, type TransactItem } from './registry-write.js';

/** Aliases (`ALIAS#<model>`, production first): a pointer to a version, moved by compare-and-set with its audit event. */
export class AliasStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async get(model: string, alias: string = PRODUCTION_ALIAS): Promise<AliasRecord | undefined> {
    const result = await this.db.send(
      new GetCommand({ TableName: this.table, Key: aliasKey(model, alias), ConsistentRead: true }),
    );
    return parseItem(aliasItemSchema, result.Item, 'alias');
  }

  /**
   * Points an alias at a version, with its audit event, in one transaction: it succeeds only if the alias is still at
   * `expectedRevision` (0 = does not exist yet), so two concurrent promotions cannot both win.
   */
  async set(
    target: Omit<AliasRecord, 'revision' | 'updatedAt'>,
    expectedRevision: number,
    audit: AuditDraft,
  ): Promise<AliasRecord> {
    const record: AliasRecord = {
      ...target,
      previous: target.previous.slice(-50),
      revision: expectedRevision + 1,
      // Date.now(): locally the runtime's clock, from which a version's silence is counted (lambdas/monitor/silence.ts).
      updatedAt: new Date(Date.now()).toISOString(),
    };
    const change: TransactItem = {
      Put: {
        TableName: this.table,
        Item: { ...aliasKey(target.model, target.alias), ...record },
        ConditionExpression: expectedRevision === 0 ? 'attribute_not_exists(pk)' : 'revision = :expected',
        ...(expectedRevision === 0 ? {} : { ExpressionAttributeValues: { ':expected': expectedRevision } }),
      },
    };
    await writeWithAudit(
      this.db,
      this.table,
      change,
      audit,
      `the ${target.alias} alias of ${target.model} changed while this change was being made (expected revision ${expectedRevision}); read it again and retry`,
    );
    return record;
  }
}
