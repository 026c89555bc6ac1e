import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { parseItem } from '../contracts/registry-items.js';
import { incidentResponseKey } from '../contracts/registry-keys.js';

/**
 * The response to each incident (issue 22), one item per incident beside its record: the tier it is at (1: the
 * automated runbook; 2: data scientists, waiting for their acknowledgement; 3: model developers), the task token
 * tier 2's acknowledgement answers, and the timeline of what was done and by whom — appended to, never rewritten.
 */

const entrySchema = z.object({
  at: z.string(),
  actor: z.string(),
  what: z.string(),
});
export type TimelineEntry = z.infer<typeof entrySchema>;

const responseSchema = z.object({
  incident: z.string(),
  tier: z.union([z.literal(1), z.literal(2), z.literal(3)]),
  /** The token of tier 2's waiting task, while it waits. */
  token: z.string().nullable().default(null),
  acknowledged: z.object({ by: z.string(), at: z.string(), message: z.string() }).nullable().default(null),
  /** When the opening was paged: tier 1's time counts from it. */
  announcedAt: z.string().nullable().default(null),
  timeline: z.array(entrySchema).default([]),
});
export type IncidentResponse = z.infer<typeof responseSchema>;

const key = (id: string) => incidentResponseKey(Number(id));

export class IncidentResponses {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async get(id: string): Promise<IncidentResponse | undefined> {
    const result = await this.db.send(new GetCommand({ TableName: this.table, Key: key(id), ConsistentRead: true }));
    return parseItem(responseSchema, result.Item, `incident ${id}'s response`);
  }

  /** Appends to the timeline and sets the fields given (the tier, the token, the acknowledgement). */
  async update(
    id: string,
    entry: TimelineEntry,
    fields: Partial<Pick<IncidentResponse, 'tier' | 'token' | 'acknowledged' | 'announcedAt'>> = {},
  ): Promise<void> {
    const names: Record<string, string> = { '#timeline': 'timeline', '#incident': 'incident', '#tier': 'tier' };
    const values: Record<string, unknown> = { ':entry': [entry], ':empty': [], ':incident': id };
    const sets = ['#timeline = list_append(if_not_exists(#timeline, :empty), :entry)', '#incident = :incident'];
    for (const [field, value] of Object.entries(fields)) {
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      sets.push(`#${field} = :${field}`);
    }
    if (fields.tier === undefined) {
      values[':one'] = 1;
      sets.push('#tier = if_not_exists(#tier, :one)');
    }
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: key(id),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }
}
