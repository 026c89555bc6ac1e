import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AliasStore } from './alias-store.js';
import { AuditLog } from './audit-log.js';
import { RunStore } from './run-store.js';
import { SchemaPointerStore } from './schema-pointers.js';
import { VersionStore } from './version-store.js';

/**
 * The model registry: one DynamoDB table, one store per entity. Every state change is one conditional write to one
 * item (or one transaction with its audit event), so it is atomic on DynamoDB and on emulators alike.
 */
export class Registry {
  readonly runs: RunStore;
  readonly versions: VersionStore;
  readonly audit: AuditLog;
  readonly aliases: AliasStore;
  /** Each model's current data schema (what ETL checks uploads against). */
  readonly schemas: SchemaPointerStore;

  constructor(db: DynamoDBDocumentClient, table: string) {
    this.runs = new RunStore(db, table);
    this.versions = new VersionStore(db, table);
    this.audit = new AuditLog(db, table);
    this.aliases = new AliasStore(db, table);
    this.schemas = new SchemaPointerStore(db, table);
  }
}
