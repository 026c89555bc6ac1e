import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { NotFoundError } from '../../core/errors.js';
import { runKey } from '../contracts/registry-keys.js';
import { isConditionFailure } from './registry-write.js';

/** What taking a ticket returns: the run's ticket counter after it. */
const ticketSchema = z.object({ uploadTickets: z.number().int().positive() });

/**
 * The uploads behind a run. A run is one object and model file, so every further upload of the same bytes to the same
 * key is a duplicate that starts nothing: the pipeline counts them on the run (`uploads`). An uploader can tell its
 * own upload by the count — unless two identical uploads race, when both see the run appear. Then each takes a
 * ticket on the run: the first ticket is the upload that started the run, every later one a duplicate (the uploads
 * are identical, so which is which only has to be decided once, and consistently).
 */
export class RunUploads {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /**
   * Counts one more upload of the run's object, by the execution it started; the same execution's retry counts
   * nothing (it finds its own id as the last duplicate).
   */
  async recordDuplicate(model: string, runId: string, executionId: string, at: string): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: runKey(model, runId),
          // A run from before the count had one upload.
          UpdateExpression:
            'SET lastDuplicateAt = :at, lastDuplicateExecution = :execution, uploads = if_not_exists(uploads, :one) + :one',
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(lastDuplicateExecution) OR lastDuplicateExecution <> :execution)',
          ExpressionAttributeValues: { ':at': at, ':execution': executionId, ':one': 1 },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // A retry of this execution's count changes nothing; a run that is gone is an error.
      const { Item } = await this.db.send(
        new GetCommand({ TableName: this.table, Key: runKey(model, runId), ConsistentRead: true }),
      );
      if (Item === undefined)
        throw new NotFoundError(`run ${runId} of model ${model} does not exist`, { cause: error });
    }
  }

  /** The uploader's ticket for a run that appeared after its upload: 1 for the upload that started it. */
  async takeTicket(model: string, runId: string): Promise<number> {
    try {
      const result = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: runKey(model, runId),
          UpdateExpression: 'ADD uploadTickets :one',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':one': 1 },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return ticketSchema.parse(result.Attributes ?? {}).uploadTickets;
    } catch (error) {
      if (isConditionFailure(error))
        throw new NotFoundError(`run ${runId} of model ${model} does not exist`, { cause: error });
      throw error;
    }
  }
}
