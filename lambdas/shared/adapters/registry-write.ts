import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { ConflictError } from '../../core/errors.js';
import type { AuditEvent } from '../contracts/registry-records.js';
import { auditKey } from '../contracts/registry-keys.js';

/** An audit event before it is written: the registry stamps its time and id. */
export type AuditDraft = Omit<AuditEvent, 'at' | 'id'>;

type TransactItems = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>;
export type TransactItem = TransactItems[number];

export function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error as { name?: string }).name === 'ConditionalCheckFailedException'
  );
}

/** Which items of a cancelled transaction failed their condition (by position), or null when it was not cancelled. */
export function failedConditions(error: unknown): boolean[] | null {
  const cancelled =
    error instanceof TransactionCanceledException ||
    (error as { name?: string }).name === 'TransactionCanceledException';
  if (!cancelled) return null;
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.map((reason) => reason.Code === 'ConditionalCheckFailed');
}

/** The put of one audit event: a new item only (the trail is append-only). */
export function auditPut(
  table: string,
  draft: AuditDraft,
  identity?: Pick<AuditEvent, 'at' | 'id'>,
): { item: TransactItem; event: AuditEvent } {
  const event: AuditEvent = {
    ...draft,
    at: identity?.at ?? new Date().toISOString(),
    id: identity?.id ?? randomUUID(),
  };
  return {
    event,
    item: {
      Put: {
        TableName: table,
        Item: { ...auditKey(event.model, event.at, event.id), ...event },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  };
}

/**
 * Writes items atomically, all or none. The client request token makes a retried call (the SDK's own retries, after
 * a lost response) idempotent: DynamoDB applies the transaction once.
 */
export async function writeAtomically(db: DynamoDBDocumentClient, items: TransactItem[]): Promise<void> {
  await db.send(new TransactWriteCommand({ TransactItems: items, ClientRequestToken: randomUUID() }));
}

/** A wait before the next try under contention: full jitter over an exponential cap (AWS's recommended backoff). */
export function backoffMs(attempt: number, baseMs = 10, capMs = 1000): number {
  return Math.random() * Math.min(capMs, baseMs * 2 ** attempt);
}

/** A state change and its audit event in one transaction; a failed condition on the change is a ConflictError. */
export async function writeWithAudit(
  db: DynamoDBDocumentClient,
  table: string,
  change: TransactItem,
  audit: AuditDraft,
  conflict: string,
): Promise<void> {
  try {
    await writeAtomically(db, [change, auditPut(table, audit).item]);
  } catch (error) {
    if (failedConditions(error)?.[0] === true) throw new ConflictError(conflict, { cause: error });
    throw error;
  }
}
