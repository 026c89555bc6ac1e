import { createHash } from 'node:crypto';

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * JSON with every object's keys in sorted order, so equal values give equal bytes whatever order their keys were
 * written in — DynamoDB, for one, does not keep the order of a map's keys (a version's recorded hyper-parameters come
 * back reordered, and an artifact rebuilt from them must hash the same).
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}
