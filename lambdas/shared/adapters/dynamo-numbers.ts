/**
 * DynamoDB's numbers stop at a magnitude of 1e-130 (smaller ones fail the whole write with "Number underflow"), and
 * statistics reach far below it: a drift test's p-value on thousands of rows is 1e-300 and less. Such a number is
 * stored as 0 — below anything a threshold compares it with — instead of losing the record.
 */
export const SMALLEST_DYNAMO_NUMBER = 1e-130;

/** The value with every finite number closer to 0 than DynamoDB stores replaced by 0 (a copy; the input is kept). */
export function withinDynamoRange<T>(value: T): T {
  if (typeof value === 'number')
    return (value !== 0 && Number.isFinite(value) && Math.abs(value) < SMALLEST_DYNAMO_NUMBER ? 0 : value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => withinDynamoRange(v)) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withinDynamoRange(v)])) as T;
  return value;
}
