import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { ConflictError } from '../../core/errors.js';
import { WEEK_MS, type RetrainingStart } from '../../core/retraining/retraining-policy.js';
import { parseItem } from '../contracts/registry-items.js';
import { retrainKey } from '../contracts/registry-keys.js';
import { isConditionFailure } from './registry-write.js';

const startsItemSchema = z.object({
  starts: z.array(z.object({ key: z.string(), trigger: z.enum(['alarm', 'schedule', 'manual']), at: z.string() })),
  revision: z.number().int().min(1),
});

export interface RetrainHistory {
  readonly starts: RetrainingStart[];
  /** 0 before the first start. */
  readonly revision: number;
}

/**
 * A model's recent retraining starts, one item changed by compare-and-set on its revision: two deliveries of one alarm
 * (or two alarms at once) both read the history, both may decide to start, and only the first write wins — the other
 * gets a ConflictError, reads again, and finds the start it would have duplicated.
 */
export class RetrainStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async history(model: string): Promise<RetrainHistory> {
    const result = await this.db.send(
      new GetCommand({ TableName: this.table, Key: retrainKey(model), ConsistentRead: true }),
    );
    const item = parseItem(startsItemSchema, result.Item, 'retraining history');
    return item === undefined ? { starts: [], revision: 0 } : item;
  }

  /**
   * Records a start after the history it was decided on (its revision), keeping the starts of the week before it: all
   * the weekly cap counts; the cool-down needs only the newest, which this start becomes.
   */
  async recordStart(model: string, decidedOn: RetrainHistory, start: RetrainingStart): Promise<void> {
    const at = Date.parse(start.at);
    const kept = decidedOn.starts.filter((s) => at - Date.parse(s.at) < WEEK_MS);
    const item = { ...retrainKey(model), model, starts: [...kept, start], revision: decidedOn.revision + 1 };
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: item,
          ...(decidedOn.revision === 0
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : {
                ConditionExpression: 'revision = :revision',
                ExpressionAttributeValues: { ':revision': decidedOn.revision },
              }),
        }),
      );
    } catch (error) {
      if (isConditionFailure(error))
        throw new ConflictError(`the retraining history of ${model} changed while deciding; decide again`, {
          cause: error,
        });
      throw error;
    }
  }
}
