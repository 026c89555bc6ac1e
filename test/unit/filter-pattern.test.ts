import { describe, expect, it } from 'vitest';
import { compileFilterPattern } from '../../local/cloudwatch/filter-pattern.js';

const json = (value: unknown) => JSON.stringify(value);

describe('CloudWatch Logs filter patterns', () => {
  it('matches every event for an empty pattern, and terms case-sensitively, all of them', () => {
    expect(compileFilterPattern('')('anything')).toBe(true);
    const errorException = compileFilterPattern('ERROR Exception');
    expect(errorException('[ERROR] Caught Exception in handler')).toBe(true);
    expect(errorException('[ERROR] no exception here')).toBe(false);
    expect(compileFilterPattern('"Caught Exception"')('[ERROR] Caught Exception')).toBe(true);
    expect(compileFilterPattern('"Caught Exception"')('Caught an Exception')).toBe(false);
  });

  it('reads ?term as any of them and -term as none of them', () => {
    const anyOf = compileFilterPattern('?ERROR ?WARN');
    expect([anyOf('ERROR x'), anyOf('WARN y'), anyOf('INFO z')]).toEqual([true, true, false]);
    const without = compileFilterPattern('ERROR -retry');
    expect([without('ERROR final'), without('ERROR will retry')]).toEqual([true, false]);
  });

  it('matches JSON events by selector: strings (with * wildcards), numbers, && and || with parentheses', () => {
    const level = compileFilterPattern('{ $.level = "ERROR" }');
    expect([level(json({ level: 'ERROR' })), level(json({ level: 'INFO' })), level('not json ERROR')]).toEqual([
      true,
      false,
      false,
    ]);
    expect(compileFilterPattern('{ $.service = mlops-* }')(json({ service: 'mlops-predict' }))).toBe(true);
    const slow = compileFilterPattern('{ $.latencyMs > 1000 && ($.status = 500 || $.status = 503) }');
    expect([
      slow(json({ latencyMs: 1500, status: 503 })),
      slow(json({ latencyMs: 1500, status: 200 })),
      slow(json({ latencyMs: 10, status: 500 })),
    ]).toEqual([true, false, false]);
    expect(compileFilterPattern('{ $.user.ids[1] >= 7 }')(json({ user: { ids: [1, 7] } }))).toBe(true);
    expect(compileFilterPattern('{ $.model != "adult" }')(json({ model: 'churn' }))).toBe(true);
    expect(compileFilterPattern('{ $.model != "adult" }')(json({}))).toBe(false);
  });

  it('tests presence and literals: NOT EXISTS, IS NULL, IS TRUE, IS FALSE', () => {
    expect(compileFilterPattern('{ $.error NOT EXISTS }')(json({ level: 'INFO' }))).toBe(true);
    expect(compileFilterPattern('{ $.error IS NULL }')(json({ error: null }))).toBe(true);
    expect(compileFilterPattern('{ $.cold_start IS TRUE }')(json({ cold_start: true }))).toBe(true);
    expect(compileFilterPattern('{ $.cold_start IS FALSE }')(json({ cold_start: true }))).toBe(false);
  });

  it.each([
    ['{ $.level = "ERROR"', 'does not end with "}"'],
    ['{ level = "ERROR" }', 'expected a $.selector'],
    ['{ $.level > "ERROR" }', 'strings compare with = or != only'],
    ['{ ($.a = 1 }', 'is not closed'],
  ])('refuses %s, saying why', (pattern, message) => {
    expect(() => compileFilterPattern(pattern)).toThrow(message);
  });
});
