import * as z from 'zod';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { feedbackKey } from '../contracts/registry-keys.js';
import { parseItem } from '../contracts/registry-items.js';
import { isConditionFailure } from './registry-write.js';

/** How long a prediction id's truth is remembered for idempotency (the capture data is kept longer, in S3). */
export const FEEDBACK_RETENTION_DAYS = 400;

/** A truth as stored: the label as JSON text, when it was received, whether its record line was written. */
const feedbackItemSchema = z.looseObject({
  label: z.string(),
  receivedAt: z.string(),
  emitted: z.boolean().optional(),
});

export type FeedbackStatus = 'recorded' | 'duplicate' | 'conflict';

/** What recording a truth found: its status, and for a duplicate whether its record line was ever written. */
export interface FeedbackOutcome {
  readonly status: FeedbackStatus;
  /** False when the truth is stored but its record line was never written (the writer died in between). */
  readonly emitted: boolean;
  /** When the stored truth was first received. */
  readonly receivedAt: string;
}

/**
 * The first truth received for each prediction id, in the registry table: a conditional put records it once, so a
 * client that retries (or sends a batch twice) records nothing twice; a different truth for the same id is a conflict.
 * Each item says whether its record line was written (`emitted`), so a retry can write a line that was lost.
 */
export class FeedbackStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async record(
    model: string,
    predictionId: string,
    label: string | number,
    receivedAt: Date,
  ): Promise<FeedbackOutcome> {
    const key = feedbackKey(model, predictionId);
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          // The truth as JSON text: any finite number a client sends is kept exactly (DynamoDB's numbers stop at 1e-130).
          Item: {
            ...key,
            model,
            predictionId,
            label: JSON.stringify(label),
            receivedAt: receivedAt.toISOString(),
            emitted: false,
            expiresAt: Math.floor(receivedAt.getTime() / 1000) + FEEDBACK_RETENTION_DAYS * 86_400,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { status: 'recorded', emitted: false, receivedAt: receivedAt.toISOString() };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const existing = parseItem(
        feedbackItemSchema,
        (await this.db.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }))).Item,
        'feedback',
      );
      const status = existing?.label === JSON.stringify(label) ? 'duplicate' : 'conflict';
      // Items from before the flag had their line written with them.
      return {
        status,
        emitted: existing?.emitted !== false,
        receivedAt: existing?.receivedAt ?? receivedAt.toISOString(),
      };
    }
  }

  /** Notes that the truth's record line was written. */
  async markEmitted(model: string, predictionId: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: feedbackKey(model, predictionId),
        UpdateExpression: 'SET emitted = :yes',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':yes': true },
      }),
    );
  }
}
