import { QueryCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * Reading and updating the registry table's items: partitions and prefixes read page by page, and updates that name
 * their fields through placeholders (field names may be reserved words).
 */

/** `SET #f0 = :v0, …` for the defined fields, with placeholder names (field names may be reserved words). */
export function setExpression(fields: Record<string, unknown>): {
  expression: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
} {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([name, value], i) => {
      names[`#f${i}`] = name;
      values[`:v${i}`] = value;
      return `#f${i} = :v${i}`;
    });
  return { expression: sets.length === 0 ? '' : `SET ${sets.join(', ')}`, names, values };
}

/** Every item of a partition, in sort-key order (or reversed), read page by page. */
export async function queryPartition(
  db: DynamoDBDocumentClient,
  table: string,
  pk: string,
  forward: boolean,
  /** Only the items whose sort key is at least this. @default all */
  fromSortKey?: string,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: fromSortKey === undefined ? 'pk = :pk' : 'pk = :pk AND sk >= :from',
        ExpressionAttributeValues: { ':pk': pk, ...(fromSortKey === undefined ? {} : { ':from': fromSortKey }) },
        ScanIndexForward: forward,
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) items.push(item);
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return items;
}

/** The names after `prefix` of every partition that starts with it (a scan of the keys only), sorted. */
export async function partitionNames(db: DynamoDBDocumentClient, table: string, prefix: string): Promise<string[]> {
  const names = new Set<string>();
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new ScanCommand({
        TableName: table,
        ProjectionExpression: 'pk',
        FilterExpression: 'begins_with(pk, :prefix)',
        ExpressionAttributeValues: { ':prefix': prefix },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) names.add(String(item.pk).slice(prefix.length));
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return [...names].sort();
}
