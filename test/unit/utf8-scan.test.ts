import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Utf8Scanner } from '../../lambdas/core/utf8-scan.js';

const scan = (bytes: number[], chunks = 1): Utf8Scanner => {
  const scanner = new Utf8Scanner();
  const data = Uint8Array.from(bytes);
  const size = Math.ceil(data.length / chunks) || 1;
  for (let i = 0; i < data.length; i += size) scanner.push(data.subarray(i, i + size));
  scanner.finish();
  return scanner;
};

describe('Utf8Scanner', () => {
  it('accepts UTF-8 and finds the classic invalid sequences with their lines', () => {
    expect(scan([...Buffer.from('a\nCuraçao 日本 😀\n')]).invalidSequences).toBe(0);
    expect(scan([0x61, 0x0a, 0xe7, 0x61]).lines).toEqual([2]); // Latin-1 ç
    expect(scan([0xc0, 0xaf]).invalidSequences).toBeGreaterThan(0); // overlong "/"
    expect(scan([0xed, 0xa0, 0x80]).invalidSequences).toBeGreaterThan(0); // a UTF-16 surrogate
    expect(scan([0xf4, 0x90, 0x80, 0x80]).invalidSequences).toBeGreaterThan(0); // above U+10FFFF
    expect(scan([0xe6, 0x97]).invalidSequences).toBe(1); // cut off at the end
  });

  it('agrees with a fatal TextDecoder on any bytes, however they are chunked', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 64 }),
        fc.integer({ min: 1, max: 5 }),
        (bytes, chunks) => {
          let valid = true;
          try {
            new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
          } catch {
            valid = false;
          }
          expect(scan(bytes, chunks).invalidSequences === 0).toBe(valid);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
