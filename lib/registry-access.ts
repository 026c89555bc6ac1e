import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { KEY_PREFIX, type ItemKind } from '../lambdas/shared/contracts/registry-keys.js';
import { grantKeyUse } from './object-access.js';

export type RegistryAccess = 'read' | 'write' | 'append';

const ACTIONS: Record<RegistryAccess, string[]> = {
  read: ['dynamodb:GetItem', 'dynamodb:Query'],
  write: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
  /** New items only: what the append-only audit trail allows. */
  append: ['dynamodb:PutItem'],
};

/** Writes that could change or remove an item: never allowed on the audit trail. */
const AUDIT_TAMPERING = [
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:PartiQLUpdate',
  'dynamodb:PartiQLDelete',
];

/**
 * Grants a function access to some kinds of registry items only — e.g. the ETL step may write runs but never the
 * production pointer — using the `dynamodb:LeadingKeys` condition on the items' partition-key prefixes. Sets
 * REGISTRY_TABLE, the variable the grant goes with.
 */
export function grantRegistry(
  fn: lambda.Function,
  table: dynamodb.ITable,
  access: Partial<Record<ItemKind, readonly RegistryAccess[]>>,
): void {
  fn.addEnvironment('REGISTRY_TABLE', table.tableName);
  const byActions = new Map<string, string[]>();
  for (const [kind, levels] of Object.entries(access) as [ItemKind, RegistryAccess[]][]) {
    const actions = [...new Set(levels.flatMap((level) => ACTIONS[level]))].sort();
    const key = actions.join(',');
    byActions.set(key, [...(byActions.get(key) ?? []), `${KEY_PREFIX[kind]}*`]);
  }
  if (access.audit?.some((level) => level !== 'append' && level !== 'read')) {
    throw new Error('the audit trail is append-only: grant it "append" (and "read"), never "write"');
  }
  // An explicit deny wins over any allow, so no later grant can open the audit trail to updates or deletes.
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      effect: iam.Effect.DENY,
      actions: AUDIT_TAMPERING,
      resources: [table.tableArn],
      conditions: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': [`${KEY_PREFIX.audit}*`] } },
    }),
  );
  if (table.encryptionKey) {
    const writes = Object.values(access).some((levels) => levels.some((level) => level !== 'read'));
    grantKeyUse(fn, table.encryptionKey, writes ? ['read', 'write'] : ['read']);
  }
  for (const [actions, prefixes] of byActions) {
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: actions.split(','),
        resources: [table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': prefixes.sort() } },
      }),
    );
  }
}
