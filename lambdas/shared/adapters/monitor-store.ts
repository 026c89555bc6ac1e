import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { withinDynamoRange } from './dynamo-numbers.js';
import * as z from 'zod';
import { variantSummarySchema } from '../../core/monitoring/window-summary.js';
import { parseItem } from '../contracts/registry-items.js';
import { KEY_PREFIX, monitorKey } from '../contracts/registry-keys.js';
import { isConditionFailure } from './registry-write.js';

export const monitorWindowSchema = z.object({
  model: z.string(),
  windowStart: z.string(),
  windowEnd: z.string(),
  monitoredAt: z.string(),
  trigger: z.enum(['schedule', 'manual']),
  variants: z.array(variantSummarySchema),
  /** Capture and feedback lines that could not be read: how many, and where the first few were and why. */
  unreadable: z.object({
    count: z.number().int(),
    first: z.array(z.object({ where: z.string(), reason: z.string() })),
  }),
  /** The monitoring report (HTML) in the artifacts bucket. */
  report: z.object({ bucket: z.string(), key: z.string() }).nullable(),
  /**
   * A monitor of the window that failed or ran out of time, and why: no figures, nothing published (so no alarm and no
   * retraining follows from it). A later monitor of the window that succeeds replaces it.
   */
  failure: z.object({ reason: z.string() }).optional(),
});
export type MonitorWindow = z.infer<typeof monitorWindowSchema>;

/**
 * The monitored windows of each model, one item per window start. The first monitor of a window records it with a
 * conditional put; a re-delivered schedule or a second monitor of the same window finds it there and records nothing
 * (and publishes nothing) again. A failed monitor is recorded too, with its reason, and stands only until a monitor
 * of the window succeeds; it never replaces a success.
 */
export class MonitorStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** Records the window unless it is recorded; returns the one that stands and whether this call wrote it. */
  async record(window: MonitorWindow): Promise<{ recorded: boolean; window: MonitorWindow }> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...monitorKey(window.model, window.windowStart), ...withinDynamoRange(window) },
          // A new window, or one whose earlier monitor failed: a success replaces a failure, nothing replaces a success.
          ConditionExpression: 'attribute_not_exists(pk) OR attribute_exists(failure)',
        }),
      );
      return { recorded: true, window };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const existing = await this.get(window.model, window.windowStart);
      if (existing === undefined) throw error;
      return { recorded: false, window: existing };
    }
  }

  async get(model: string, windowStart: string): Promise<MonitorWindow | undefined> {
    const result = await this.db.send(
      new GetCommand({ TableName: this.table, Key: monitorKey(model, windowStart), ConsistentRead: true }),
    );
    return parseItem(monitorWindowSchema, result.Item, 'monitored window');
  }

  /** The model's newest windows first. */
  async list(model: string, limit = 24): Promise<MonitorWindow[]> {
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `${KEY_PREFIX.monitor}${model}` },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (result.Items ?? []).flatMap((item) => {
      const parsed = parseItem(monitorWindowSchema, item, 'monitored window');
      return parsed === undefined ? [] : [parsed];
    });
  }
}
