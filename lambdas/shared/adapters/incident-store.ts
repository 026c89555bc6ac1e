import { GetCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { ConflictError } from '../../core/errors.js';
import type { GroupingState, Incident } from '../../core/incidents/grouping.js';
import { SIGNAL_KINDS } from '../../core/incidents/signals.js';
import type { LikelySource } from '../../core/incidents/source.js';
import { parseItem } from '../contracts/registry-items.js';
import { incidentKey, incidentStateKey, KEY_PREFIX } from '../contracts/registry-keys.js';
import { isConditionFailure } from './registry-write.js';

const memberSchema = z.object({
  alarmName: z.string(),
  model: z.string().nullable(),
  kind: z.enum(SIGNAL_KINDS),
  state: z.enum(['ALARM', 'OK', 'INSUFFICIENT_DATA']),
  firstAlarmAt: z.string(),
  changedAt: z.string(),
  reason: z.string(),
});
const incidentSchema = z.object({
  id: z.string(),
  models: z.array(z.string()),
  status: z.enum(['open', 'resolved']),
  openedAt: z.string(),
  updatedAt: z.string(),
  resolvedAt: z.string().nullable(),
  members: z.array(memberSchema),
});
const sourceSchema = z.object({
  kind: z.enum(['change', 'signal', 'uncertain']),
  summary: z.string(),
  evidence: z.string(),
  confidence: z.number(),
});

/** A page owed for an incident: opened, its source changed, resolved. Kept until sent (an outbox). */
export const pageSchema = z.object({
  id: z.string(),
  incident: z.string(),
  event: z.enum(['opened', 'reopened', 'source changed', 'resolved', 'escalated']),
  subject: z.string(),
  message: z.string(),
});
export type IncidentPage = z.infer<typeof pageSchema>;

const stateItemSchema = z.object({
  revision: z.number().int().min(1),
  /** The number the next incident gets. */
  next: z.number().int().min(1),
  incidents: z.array(incidentSchema),
  alarms: z.record(
    z.string(),
    z.object({
      state: z.enum(['ALARM', 'OK', 'INSUFFICIENT_DATA']),
      time: z.string(),
      model: z.string().nullable().optional(),
      kind: z.enum(SIGNAL_KINDS).optional(),
    }),
  ),
  outbox: z.array(pageSchema),
  /** What the people were told of each incident (lambdas/core/incidents/paging.ts). */
  told: z.record(z.string(), z.enum(['open', 'closed'])).default({}),
  /** Response workflows owed (an incident opened or reopened), by execution name: kept until started. */
  starts: z.array(z.object({ incident: z.string(), name: z.string() })).default([]),
  /** Incidents whose response workflow runs (from its start owed until it pages the settled resolution). */
  responding: z.array(z.string()).default([]),
  /** Each live incident's last page line: a new line is a changed source, which pages. */
  lines: z.record(z.string(), z.string()),
});

export interface StoredGrouping extends GroupingState {
  /** 0 before the first incident. */
  readonly revision: number;
  readonly next: number;
  readonly outbox: IncidentPage[];
  readonly told: Record<string, 'open' | 'closed'>;
  readonly starts: { readonly incident: string; readonly name: string }[];
  readonly responding: string[];
  readonly lines: Record<string, string>;
}

export const incidentRecordSchema = incidentSchema.extend({
  source: sourceSchema,
  /** The page's one line: `incident 7 (adult): likely source — …`. */
  line: z.string(),
});
export type IncidentRecord = Incident & { readonly source: LikelySource; readonly line: string };

/**
 * Incidents in the registry table: the grouping state in one item changed by compare-and-set on its revision (two
 * alarms at once both read it, and the second write gets a ConflictError and applies its alarm again to what the first
 * wrote), and one record per incident, written in the same transaction, for `mlops incidents`.
 */
export class IncidentStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async state(): Promise<StoredGrouping> {
    const result = await this.db.send(
      new GetCommand({ TableName: this.table, Key: incidentStateKey(), ConsistentRead: true }),
    );
    const item = parseItem(stateItemSchema, result.Item, 'incident grouping state');
    if (item === undefined)
      return {
        revision: 0,
        next: 1,
        incidents: [],
        alarms: {},
        outbox: [],
        told: {},
        starts: [],
        responding: [],
        lines: {},
      };
    return item;
  }

  /** Writes the state after the one read (its revision) and the records of the incidents that changed, or none. */
  async commit(read: StoredGrouping, next: Omit<StoredGrouping, 'revision'>, records: IncidentRecord[]): Promise<void> {
    const state = { ...incidentStateKey(), ...next, revision: read.revision + 1 };
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.table,
                Item: state,
                ConditionExpression: read.revision === 0 ? 'attribute_not_exists(pk)' : '#revision = :revision',
                ...(read.revision === 0
                  ? {}
                  : {
                      ExpressionAttributeNames: { '#revision': 'revision' },
                      ExpressionAttributeValues: { ':revision': read.revision },
                    }),
              },
            },
            ...records.map((record) => ({
              Put: { TableName: this.table, Item: { ...incidentKey(Number(record.id)), ...record } },
            })),
          ],
        }),
      );
    } catch (error) {
      if (isConditionFailure(error) || (error as { name?: string }).name === 'TransactionCanceledException')
        throw new ConflictError('the incident state changed meanwhile; read it again', { cause: error });
      throw error;
    }
  }

  /** One incident's record (its likely source as last named), or undefined. */
  async get(id: string): Promise<IncidentRecord | undefined> {
    const result = await this.db.send(
      new GetCommand({ TableName: this.table, Key: incidentKey(Number(id)), ConsistentRead: true }),
    );
    return parseItem(incidentRecordSchema, result.Item, `incident ${id}`) as IncidentRecord | undefined;
  }

  /** The incidents, newest first. */
  async list(limit = 50): Promise<IncidentRecord[]> {
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `${KEY_PREFIX.incident}log` },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (result.Items ?? []).map(
      (item) => parseItem(incidentRecordSchema, item, 'incident') as unknown as IncidentRecord,
    );
  }
}
