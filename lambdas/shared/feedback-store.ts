import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { feedbackKey } from './registry-keys.js';
import { isConditionFailure } from './registry-write.js';

/** How long a prediction id's truth is remembered for idempotency (the capture data is kept longer, in S3). */
export const FEEDBACK_RETENTION_DAYS = 400;

export type FeedbackStatus = 'recorded' | 'duplicate' | 'conflict';

/**
 * The first truth received for each prediction id, in the registry table: a conditional put records it once, so a
 * client that retries (or sends a batch twice) records nothing twice; a different truth for the same id is a conflict.
 */
export class FeedbackStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async record(model: string, predictionId: string, label: string | number, receivedAt: Date): Promise<FeedbackStatus> {
    const key = feedbackKey(model, predictionId);
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          // The truth as JSON text: any finite number a client sends is kept exactly (DynamoDB's numbers stop at 1e-130).
          Item: { ...key, model, predictionId, label: JSON.stringify(label), receivedAt: receivedAt.toISOString(), expiresAt: Math.floor(receivedAt.getTime() / 1000) + FEEDBACK_RETENTION_DAYS * 86_400 },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return 'recorded';
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const existing = await this.db.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }));
      return (existing.Item as { label?: unknown } | undefined)?.label === JSON.stringify(label) ? 'duplicate' : 'conflict';
    }
  }
}
