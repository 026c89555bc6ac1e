import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { ConflictError } from '../../core/errors.js';
import { parseItem } from '../contracts/registry-items.js';
import { releaseKey } from '../contracts/registry-keys.js';
import { isConditionFailure } from './registry-write.js';

export const RELEASE_STATES = ['checking', 'running', 'promoted', 'rolled-back', 'aborted', 'rejected'] as const;
export type ReleaseState = (typeof RELEASE_STATES)[number];
/** States in which the candidate is loaded by serving (checking: only for forced requests; running: by its share). */
export const ACTIVE_RELEASE_STATES: readonly ReleaseState[] = ['checking', 'running'];

export const releaseRecordSchema = z.object({
  model: z.string(),
  releaseId: z.string(),
  mode: z.enum(['canary', 'shadow']),
  candidateVersion: z.number().int().positive(),
  productionVersion: z.number().int().positive().nullable(),
  steps: z.array(z.number()),
  stepIndex: z.number().int().min(0),
  /** Percent of traffic the candidate answers now (canary), or scores (shadow). */
  share: z.number().min(0).max(100),
  bakeMinutes: z.number().int().positive(),
  state: z.enum(RELEASE_STATES),
  startedAt: z.string(),
  updatedAt: z.string(),
  reason: z.string().optional(),
  executionArn: z.string().optional(),
  revision: z.number().int().positive(),
});

export type ReleaseRecord = z.infer<typeof releaseRecordSchema>;

export const isActive = (record: ReleaseRecord | undefined): record is ReleaseRecord =>
  record !== undefined && ACTIVE_RELEASE_STATES.includes(record.state);

/** A model's release item: one per model, replaced by the next release, every change conditioned on its revision. */
export class ReleaseStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async get(model: string): Promise<ReleaseRecord | undefined> {
    const result = await this.db.send(
      new GetCommand({ TableName: this.table, Key: releaseKey(model), ConsistentRead: true }),
    );
    return parseItem(releaseRecordSchema, result.Item, 'release');
  }

  /** Starts a release unless one is active for the model (two releases at once would fight over the share). */
  async begin(record: Omit<ReleaseRecord, 'revision'>): Promise<ReleaseRecord> {
    const next = { ...record, revision: 1 };
    await this.putIf(
      next,
      {
        ConditionExpression: 'attribute_not_exists(pk) OR NOT (#state IN (:checking, :running))',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':checking': 'checking', ':running': 'running' },
      },
      `a release of ${record.model} is in progress; wait for it to end or abort it (mlops release ${record.model} abort)`,
    );
    return next;
  }

  /** Changes the release it read (same id and revision); a concurrent change (an abort) makes this a ConflictError. */
  async update(
    current: ReleaseRecord,
    changes: Partial<Pick<ReleaseRecord, 'share' | 'stepIndex' | 'state' | 'reason' | 'executionArn'>>,
    at: Date,
  ): Promise<ReleaseRecord> {
    const next: ReleaseRecord = { ...current, ...changes, updatedAt: at.toISOString(), revision: current.revision + 1 };
    await this.putIf(
      next,
      {
        ConditionExpression: 'releaseId = :id AND revision = :revision',
        ExpressionAttributeValues: { ':id': current.releaseId, ':revision': current.revision },
      },
      `release ${current.releaseId} of ${current.model} changed while this step ran (revision ${current.revision}); read it again`,
    );
    return next;
  }

  /** Writes the release item under a condition; its failure is a ConflictError saying `conflict`. */
  private async putIf(
    record: ReleaseRecord,
    condition: {
      ConditionExpression: string;
      ExpressionAttributeNames?: Record<string, string>;
      ExpressionAttributeValues: Record<string, unknown>;
    },
    conflict: string,
  ): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({ TableName: this.table, Item: { ...releaseKey(record.model), ...record }, ...condition }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new ConflictError(conflict, { cause: error });
      throw error;
    }
  }
}
