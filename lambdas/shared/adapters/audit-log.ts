import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { auditItemSchema, parseStoredItem } from '../contracts/registry-items.js';
import { KEY_PREFIX } from '../contracts/registry-keys.js';
import type { AuditEvent } from '../contracts/registry-records.js';
import { queryPartition } from './dynamo-items.js';
import { auditPut, failedConditions, writeAtomically, type AuditDraft } from './registry-write.js';

/** The append-only audit trail (`AUDIT#<model>`): appended, never updated or deleted (IAM denies both). */
export class AuditLog {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** Appends an audit event alone (a refused attempt); audit items are never updated or deleted (IAM denies it). */
  async append(event: AuditDraft): Promise<AuditEvent> {
    const { item, event: full } = auditPut(this.table, event);
    await writeAtomically(this.db, [item]);
    return full;
  }

  /**
   * Appends an audit event that has its own identity (an event delivered at least once): a second delivery finds the
   * item there and appends nothing. Returns whether this call appended it.
   */
  async appendOnce(event: AuditDraft, identity: Pick<AuditEvent, 'at' | 'id'>): Promise<boolean> {
    try {
      await writeAtomically(this.db, [auditPut(this.table, event, identity).item]);
      return true;
    } catch (error) {
      if (failedConditions(error)?.[0] === true) return false;
      throw error;
    }
  }

  /** The model's audit events, oldest first; `since` (ISO) reads only those at or after it (their keys sort by time). */
  async list(model: string, since?: string): Promise<AuditEvent[]> {
    return (await queryPartition(this.db, this.table, `${KEY_PREFIX.audit}${model}`, true, since)).map((item) =>
      parseStoredItem(auditItemSchema, item, 'audit'),
    );
  }
}
