import { describe, expect, it } from 'vitest';
import { readEnv, readEnvNumber } from '../../lambdas/shared/runtime/env.js';

describe('the environment, read once at cold start', () => {
  it('names every missing variable at once, and reads a number within its bounds or fails naming it', () => {
    expect(() => readEnv(['A', 'B'], {})).toThrow(/Missing environment variable\(s\) A, B/);
    expect(readEnv(['A'], { A: 'x' })).toEqual({ A: 'x' });
    expect(readEnvNumber('REFRESH', { min: 0 }, { REFRESH: '15' })).toBe(15);
    expect(() => readEnvNumber('REFRESH', { min: 0 }, { REFRESH: '-1' })).toThrow(
      'REFRESH must be a number of at least 0, got "-1"',
    );
    expect(() => readEnvNumber('REFRESH', {}, { REFRESH: 'soon' })).toThrow('REFRESH must be a number, got "soon"');
  });
});
