import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { parseItem, parseStoredItem, versionItemSchema } from '../contracts/registry-items.js';
import { KEY_PREFIX, versionKey } from '../contracts/registry-keys.js';
import type { VersionRecord, VersionStatus } from '../contracts/registry-records.js';
import { partitionNames, queryPartition } from './dynamo-items.js';
import { writeWithAudit, type AuditDraft, type TransactItem } from './registry-write.js';
import { latestVersionOf, registerVersionOnce, type RunOutcomeFields } from './version-allocation.js';

/** Model versions (`VERSION#<model>`) and each model's version counter; status changes carry their audit event. */
export class VersionStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async latest(model: string): Promise<number> {
    return (await latestVersionOf(this.db, this.table, model)).latest;
  }

  /**
   * Registers a run's version: the version item, the model's version counter and the run's version and outcome in one
   * transaction (see registerVersionOnce). A run registers at most one version; numbers go 1..N with no gaps.
   */
  async register(
    record: Omit<VersionRecord, 'version' | 'revision'>,
    run: RunOutcomeFields = {},
  ): Promise<VersionRecord> {
    return registerVersionOnce(this.db, this.table, record, run);
  }

  async get(model: string, version: number): Promise<VersionRecord | undefined> {
    const result = await this.db.send(
      new GetCommand({ TableName: this.table, Key: versionKey(model, version), ConsistentRead: true }),
    );
    return parseItem(versionItemSchema, result.Item, 'version');
  }

  /**
   * Changes a version's approval state, conditioned on the revision that was read, and appends its audit event in
   * the same transaction: the change and its record happen together or not at all.
   */
  async setStatus(
    current: VersionRecord,
    status: VersionStatus,
    note: string,
    audit: AuditDraft,
  ): Promise<VersionRecord> {
    const change: TransactItem = {
      Update: {
        TableName: this.table,
        Key: versionKey(current.model, current.version),
        UpdateExpression: 'SET #status = :status, revision = :next, statusNote = :note, statusChangedAt = :now',
        ConditionExpression: 'revision = :revision',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':status': status,
          ':next': current.revision + 1,
          ':revision': current.revision,
          ':note': note,
          ':now': new Date().toISOString(),
        },
      },
    };
    await writeWithAudit(
      this.db,
      this.table,
      change,
      audit,
      `version ${current.version} of ${current.model} changed while this change was being made; read it again and retry`,
    );
    return { ...current, status, revision: current.revision + 1 };
  }

  async list(model: string): Promise<VersionRecord[]> {
    // The partition also holds the version counter (sort key `#latest`): versions only.
    const items = (await queryPartition(this.db, this.table, `${KEY_PREFIX.version}${model}`, true)).filter(
      (item) => !String(item.sk).startsWith('#'),
    );
    return items.map((item) => parseStoredItem(versionItemSchema, item, 'version'));
  }

  /** Models with at least one version (a scan of version partitions: an operator's query, not a hot path). */
  async models(): Promise<string[]> {
    return partitionNames(this.db, this.table, KEY_PREFIX.version);
  }
}
