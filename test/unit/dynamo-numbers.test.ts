import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SMALLEST_DYNAMO_NUMBER, withinDynamoRange } from '../../lambdas/shared/adapters/dynamo-numbers.js';

describe('numbers DynamoDB can store', () => {
  it('stores a p-value below 1e-130 as 0 and keeps every other value, deep in objects and arrays', () => {
    const window = { pValue: 1e-300, drift: [{ p: -2e-200, statistic: 0.31 }], n: 0, label: 'x', empty: null };
    expect(withinDynamoRange(window)).toEqual({
      pValue: 0,
      drift: [{ p: 0, statistic: 0.31 }],
      n: 0,
      label: 'x',
      empty: null,
    });
    expect(window.pValue).toBe(1e-300);
  });

  it('for any JSON value: nothing left below the limit, nothing at or above it changed', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const kept = withinDynamoRange(value);
        const numbers = (v: unknown): number[] =>
          typeof v === 'number'
            ? [v]
            : Array.isArray(v)
              ? v.flatMap(numbers)
              : v !== null && typeof v === 'object'
                ? Object.values(v).flatMap(numbers)
                : [];
        const before = numbers(value);
        const after = numbers(kept);
        expect(after).toHaveLength(before.length);
        before.forEach((n, i) => expect(after[i]).toBe(n !== 0 && Math.abs(n) < SMALLEST_DYNAMO_NUMBER ? 0 : n));
      }),
    );
  });
});
