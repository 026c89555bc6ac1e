import { QueryCommand, GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConflictError, NotFoundError } from '../../core/errors.js';
import { parseItem, parseStoredItem, runItemSchema, versionItemSchema } from '../contracts/registry-items.js';
import { KEY_PREFIX, runKey, versionCounterKey, versionKey } from '../contracts/registry-keys.js';
import type { RunRecord, VersionRecord } from '../contracts/registry-records.js';
import { backoffMs, failedConditions, writeAtomically, type TransactItem } from './registry-write.js';

const ATTEMPTS = 60;

/** What the registering run records about its version in the same transaction. */
export type RunOutcomeFields = Pick<RunRecord, 'metrics' | 'gate' | 'tuning' | 'driftedFeatures'>;

/** The latest version number: the counter, or (for a registry from before the counter) the highest version item. */
export async function latestVersionOf(
  db: DynamoDBDocumentClient,
  table: string,
  model: string,
): Promise<{ latest: number; counted: boolean }> {
  const counter = await db.send(
    new GetCommand({ TableName: table, Key: versionCounterKey(model), ConsistentRead: true }),
  );
  if (counter.Item !== undefined) return { latest: Number(counter.Item.latest), counted: true };
  const highest = await db.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'pk = :pk AND sk > :digits',
      ExpressionAttributeValues: { ':pk': `${KEY_PREFIX.version}${model}`, ':digits': '0' },
      ScanIndexForward: false,
      Limit: 1,
      ConsistentRead: true,
    }),
  );
  return { latest: Number(highest.Items?.[0]?.version ?? 0), counted: false };
}

/**
 * Registers a run's version in one transaction: the model's counter moves from N to N + 1, the version item N + 1 is
 * created, and the run records its version and outcome — or none of it happens. A concurrent registration makes the
 * counter's condition fail and this one tries N + 2 after a jittered backoff, so numbers go 1..N without gaps. A
 * run that already has a version (a re-driven Validate) gets that version back: a run registers at most one.
 */
export async function registerVersionOnce(
  db: DynamoDBDocumentClient,
  table: string,
  record: Omit<VersionRecord, 'version' | 'revision'>,
  run: RunOutcomeFields,
): Promise<VersionRecord> {
  const { model, runId } = record;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const { latest, counted } = await latestVersionOf(db, table, model);
    const item: VersionRecord = { ...record, version: latest + 1, revision: 1 };
    try {
      await writeAtomically(db, registration(table, item, latest, counted, run));
      return item;
    } catch (error) {
      const failed = failedConditions(error);
      if (failed === null) throw error;
      if (failed[2]) return existingVersion(db, table, model, runId);
      await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt)));
    }
  }
  throw new ConflictError(
    `could not allocate a version number for ${model} after ${ATTEMPTS} attempts (too many concurrent registrations)`,
  );
}

/**
 * The three writes of a registration, one transaction: the counter moves from `latest` (or is created), the version
 * item is created, and the run records its version and outcome while it is running and has none.
 */
function registration(
  table: string,
  item: VersionRecord,
  latest: number,
  counted: boolean,
  run: RunOutcomeFields,
): TransactItem[] {
  const { model, runId } = item;
  const runSets = Object.entries({ ...run, version: item.version, updatedAt: new Date().toISOString() }).filter(
    ([, v]) => v !== undefined,
  );
  return [
    {
      Update: {
        TableName: table,
        Key: versionCounterKey(model),
        UpdateExpression: 'SET latest = :next',
        ConditionExpression: counted ? 'latest = :latest' : 'attribute_not_exists(pk)',
        ExpressionAttributeValues: { ':next': item.version, ...(counted ? { ':latest': latest } : {}) },
      },
    },
    {
      Put: {
        TableName: table,
        Item: { ...versionKey(model, item.version), ...item },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    {
      Update: {
        TableName: table,
        Key: runKey(model, runId),
        UpdateExpression: `SET ${runSets.map((_, i) => `#f${i} = :f${i}`).join(', ')}`,
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#version) AND #status = :running',
        ExpressionAttributeNames: {
          '#version': 'version',
          '#status': 'status',
          ...Object.fromEntries(runSets.map(([name], i) => [`#f${i}`, name])),
        },
        ExpressionAttributeValues: {
          ':running': 'RUNNING',
          ...Object.fromEntries(runSets.map(([, value], i) => [`:f${i}`, value])),
        },
      },
    },
  ];
}

/** The version a run already registered; a run that is missing or not running cannot register one. */
async function existingVersion(
  db: DynamoDBDocumentClient,
  table: string,
  model: string,
  runId: string,
): Promise<VersionRecord> {
  const run = parseItem(
    runItemSchema,
    (await db.send(new GetCommand({ TableName: table, Key: runKey(model, runId), ConsistentRead: true }))).Item,
    'run',
  );
  if (run === undefined)
    throw new NotFoundError(`run ${runId} of ${model} does not exist: register the run before its version`);
  if (run.version === undefined)
    throw new ConflictError(`run ${runId} of ${model} is ${run.status}; only a running run registers a version`);
  const version = (
    await db.send(new GetCommand({ TableName: table, Key: versionKey(model, run.version), ConsistentRead: true }))
  ).Item;
  if (version === undefined)
    throw new NotFoundError(`run ${runId} names version ${run.version} of ${model}, which does not exist`);
  return parseStoredItem(versionItemSchema, version, 'version');
}
