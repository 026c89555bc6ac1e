import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConflictError, NotFoundError } from '../../core/errors.js';
import { partitionNames, queryPartition, setExpression } from './dynamo-items.js';
import {
  aliasItemSchema,
  auditItemSchema,
  parseItem,
  parseStoredItem,
  runItemSchema,
  versionItemSchema,
} from '../contracts/registry-items.js';
import { aliasKey, KEY_PREFIX, PRODUCTION_ALIAS, runKey, versionKey } from '../contracts/registry-keys.js';
import {
  auditPut,
  failedConditions,
  isConditionFailure,
  writeAtomically,
  writeWithAudit,
  type AuditDraft,
  type TransactItem,
} from './registry-write.js';
import { latestVersionOf, registerVersionOnce, type RunOutcomeFields } from './version-allocation.js';
import type { AliasRecord, AuditEvent, RunRecord, VersionRecord, VersionStatus } from '../contracts/registry-types.js';
import { SchemaPointerStore } from './schema-pointers.js';

export type * from '../contracts/registry-types.js';

/**
 * The model registry. Every state change is one conditional write to one item, so it is atomic on DynamoDB and on
 * emulators without transactions alike.
 */
export class Registry {
  /** Each model's current data schema (what ETL checks uploads against). */
  readonly schemas: SchemaPointerStore;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {
    this.schemas = new SchemaPointerStore(db, table);
  }

  /** Records a new run; returns false when a run with this id exists (a duplicate event for the same object). */
  async createRun(run: RunRecord): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...runKey(run.model, run.runId), ...run },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async getRun(model: string, runId: string): Promise<RunRecord | undefined> {
    const result = await this.db.send(new GetCommand({ TableName: this.table, Key: runKey(model, runId) }));
    return parseItem(runItemSchema, result.Item, 'run');
  }

  async listRuns(model: string): Promise<RunRecord[]> {
    const items = await queryPartition(this.db, this.table, `${KEY_PREFIX.run}${model}`, true);
    return items
      .map((item) => parseStoredItem(runItemSchema, item, 'run'))
      .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  }

  /**
   * Updates a run that is still RUNNING. Setting a final status (PROMOTED, REJECTED, FAILED) ends it; a finished
   * run is never changed again, so a late retry cannot turn a promotion into a failure.
   */
  async updateRun(model: string, runId: string, fields: Partial<Omit<RunRecord, 'model' | 'runId'>>): Promise<void> {
    try {
      await this.setRunFields(model, runId, { ...fields, updatedAt: new Date().toISOString() }, true);
    } catch (error) {
      if (isConditionFailure(error)) {
        const current = await this.getRun(model, runId);
        if (current === undefined) throw new ConflictError(`run ${runId} of model ${model} does not exist`);
        if (fields.status !== undefined && current.status === fields.status) return; // a retried final write
        throw new ConflictError(`run ${runId} of model ${model} is already ${current.status}`);
      }
      throw error;
    }
  }

  /**
   * Adds facts to a run whatever its status, for what is recorded after the decision (the model card). Never changes
   * the status, the outcome or the results.
   */
  async annotateRun(model: string, runId: string, fields: Pick<RunRecord, 'report'>): Promise<void> {
    try {
      await this.setRunFields(model, runId, fields, false);
    } catch (error) {
      if (isConditionFailure(error)) throw new NotFoundError(`run ${runId} of model ${model} does not exist`);
      throw error;
    }
  }

  /** Sets fields of an existing run, only while it is RUNNING when `whileRunning`. */
  private async setRunFields(
    model: string,
    runId: string,
    fields: Record<string, unknown>,
    whileRunning: boolean,
  ): Promise<void> {
    const set = setExpression(fields);
    if (set.expression === '') return;
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: runKey(model, runId),
        UpdateExpression: set.expression,
        ConditionExpression: whileRunning ? 'attribute_exists(pk) AND #status = :running' : 'attribute_exists(pk)',
        ExpressionAttributeNames: whileRunning ? { ...set.names, '#status': 'status' } : set.names,
        ExpressionAttributeValues: whileRunning ? { ...set.values, ':running': 'RUNNING' } : set.values,
      }),
    );
  }

  /**
   * Reopens a FAILED run so it can be re-driven from its failed step: one write conditioned on the run still being
   * FAILED, so two operators cannot re-drive it twice.
   */
  async reopenRun(model: string, runId: string): Promise<RunRecord> {
    try {
      const result = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: runKey(model, runId),
          UpdateExpression:
            'SET #status = :running, updatedAt = :now, redrives = if_not_exists(redrives, :zero) + :one REMOVE finishedAt, reason, errorType',
          ConditionExpression: 'attribute_exists(pk) AND #status = :failed',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':running': 'RUNNING',
            ':failed': 'FAILED',
            ':now': new Date().toISOString(),
            ':zero': 0,
            ':one': 1,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return parseStoredItem(runItemSchema, result.Attributes ?? {}, 'run');
    } catch (error) {
      if (isConditionFailure(error)) {
        const current = await this.getRun(model, runId);
        if (current === undefined) throw new NotFoundError(`run ${runId} of model ${model} does not exist`);
        throw new ConflictError(
          `run ${runId} of model ${model} is ${current.status}; only FAILED runs can be re-driven`,
        );
      }
      throw error;
    }
  }

  async latestVersion(model: string): Promise<number> {
    return (await latestVersionOf(this.db, this.table, model)).latest;
  }

  /**
   * Registers a run's version: the version item, the model's version counter and the run's version and outcome in one
   * transaction (see registerVersionOnce). A run registers at most one version; numbers go 1..N with no gaps.
   */
  async registerVersion(
    record: Omit<VersionRecord, 'version' | 'revision'>,
    run: RunOutcomeFields = {},
  ): Promise<VersionRecord> {
    return registerVersionOnce(this.db, this.table, record, run);
  }

  async getVersion(model: string, version: number): Promise<VersionRecord | undefined> {
    const result = await this.db.send(
      new GetCommand({ TableName: this.table, Key: versionKey(model, version), ConsistentRead: true }),
    );
    return parseItem(versionItemSchema, result.Item, 'version');
  }

  /**
   * Changes a version's approval state, conditioned on the revision that was read, and appends its audit event in
   * the same transaction: the change and its record happen together or not at all.
   */
  async setVersionStatus(
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

  /** Appends an audit event alone (a refused attempt); audit items are never updated or deleted (IAM denies it). */
  async appendAudit(event: AuditDraft): Promise<AuditEvent> {
    const { item, event: full } = auditPut(this.table, event);
    await writeAtomically(this.db, [item]);
    return full;
  }

  /**
   * Appends an audit event that has its own identity (an event delivered at least once): a second delivery finds the
   * item there and appends nothing. Returns whether this call appended it.
   */
  async appendAuditOnce(event: AuditDraft, identity: Pick<AuditEvent, 'at' | 'id'>): Promise<boolean> {
    try {
      await writeAtomically(this.db, [auditPut(this.table, event, identity).item]);
      return true;
    } catch (error) {
      if (failedConditions(error)?.[0] === true) return false;
      throw error;
    }
  }

  async listAudit(model: string): Promise<AuditEvent[]> {
    return (await queryPartition(this.db, this.table, `${KEY_PREFIX.audit}${model}`, true)).map((item) =>
      parseStoredItem(auditItemSchema, item, 'audit'),
    );
  }

  /** Model names with at least one version (a scan of version partitions: an operator's query, not a hot path). */
  /** Models that have versions (or, with `'run'`, runs: a model whose every run failed has no version). */
  async listModels(kind: 'version' | 'run' = 'version'): Promise<string[]> {
    return partitionNames(this.db, this.table, kind === 'version' ? KEY_PREFIX.version : KEY_PREFIX.run);
  }

  async listVersions(model: string): Promise<VersionRecord[]> {
    // The partition also holds the version counter (sort key `#latest`): versions only.
    const items = (await queryPartition(this.db, this.table, `${KEY_PREFIX.version}${model}`, true)).filter(
      (item) => !String(item.sk).startsWith('#'),
    );
    return items.map((item) => parseStoredItem(versionItemSchema, item, 'version'));
  }

  async getAlias(model: string, alias: string = PRODUCTION_ALIAS): Promise<AliasRecord | undefined> {
    const result = await this.db.send(
      new GetCommand({ TableName: this.table, Key: aliasKey(model, alias), ConsistentRead: true }),
    );
    return parseItem(aliasItemSchema, result.Item, 'alias');
  }

  /**
   * Points an alias at a version, with its audit event, in one transaction: it succeeds only if the alias is still at
   * `expectedRevision` (0 = does not exist yet), so two concurrent promotions cannot both win.
   */
  async setAlias(
    target: Omit<AliasRecord, 'revision' | 'updatedAt'>,
    expectedRevision: number,
    audit: AuditDraft,
  ): Promise<AliasRecord> {
    const record: AliasRecord = {
      ...target,
      previous: target.previous.slice(-50),
      revision: expectedRevision + 1,
      updatedAt: new Date().toISOString(),
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
