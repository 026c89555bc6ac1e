import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConflictError, NotFoundError } from '../../core/errors.js';
import { parseItem, parseStoredItem, runItemSchema } from '../contracts/registry-items.js';
import { KEY_PREFIX, runKey } from '../contracts/registry-keys.js';
import type { RunRecord } from '../contracts/registry-records.js';
import { partitionNames, queryPartition, setExpression } from './dynamo-items.js';
import { isConditionFailure } from './registry-write.js';

/** Training runs (`RUN#<model>`): one item per run, every change a single conditional write. */
export class RunStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** Records a new run; returns false when a run with this id exists (a duplicate event for the same object). */
  async create(run: RunRecord): Promise<boolean> {
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

  async get(model: string, runId: string): Promise<RunRecord | undefined> {
    const result = await this.db.send(new GetCommand({ TableName: this.table, Key: runKey(model, runId) }));
    return parseItem(runItemSchema, result.Item, 'run');
  }

  async list(model: string): Promise<RunRecord[]> {
    const items = await queryPartition(this.db, this.table, `${KEY_PREFIX.run}${model}`, true);
    return items
      .map((item) => parseStoredItem(runItemSchema, item, 'run'))
      .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  }

  /**
   * Updates a run that is still RUNNING. Setting a final status (PROMOTED, REJECTED, FAILED) ends it; a finished
   * run is never changed again, so a late retry cannot turn a promotion into a failure.
   */
  async update(model: string, runId: string, fields: Partial<Omit<RunRecord, 'model' | 'runId'>>): Promise<void> {
    try {
      await this.setRunFields(model, runId, { ...fields, updatedAt: new Date().toISOString() }, true);
    } catch (error) {
      if (isConditionFailure(error)) {
        const current = await this.get(model, runId);
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
  async annotate(model: string, runId: string, fields: Pick<RunRecord, 'report'>): Promise<void> {
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
  async reopen(model: string, runId: string): Promise<RunRecord> {
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
        const current = await this.get(model, runId);
        if (current === undefined) throw new NotFoundError(`run ${runId} of model ${model} does not exist`);
        throw new ConflictError(
          `run ${runId} of model ${model} is ${current.status}; only FAILED runs can be re-driven`,
        );
      }
      throw error;
    }
  }

  /** Models with at least one run (a model whose every run failed has no version): an operator's query, a scan. */
  async models(): Promise<string[]> {
    return partitionNames(this.db, this.table, KEY_PREFIX.run);
  }
}
