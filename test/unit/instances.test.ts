import { describe, expect, it } from 'vitest';
import { validateInstances } from '../../lambdas/core/instances.js';
import type { Preprocessor } from '../../lambdas/core/preprocess.js';

const pre: Preprocessor = {
  features: [
    { name: 'age', type: 'numeric', median: 30, mean: 30, std: 10 },
    { name: 'job', type: 'categorical', categories: ['a'] },
  ],
  label: { task: 'binary', classes: ['n', 'y'] },
  width: 3,
};

describe('validateInstances', () => {
  it('accepts numbers, strings and null (missing), ignoring extra fields', () => {
    const body = { instances: [{ age: 31, job: 'a', extra: true }, { age: null, job: null }] };
    expect(validateInstances(pre, body)).toHaveLength(2);
  });

  it.each([
    [null, 'the body must be a JSON object'],
    [[1], 'the body must be a JSON object'],
    [{}, '"instances" is required and must be an array of objects'],
    [{ instances: [] }, '"instances" has 0 items; send between 1 and 1000 per request'],
    [{ instances: Array.from({ length: 1001 }, () => ({ age: 1, job: 'a' })) }, '"instances" has 1001 items'],
    [{ instances: [5] }, 'instances[0] must be an object of feature values'],
    [{ instances: [{ job: 'a' }] }, 'instances[0].age is missing'],
    [{ instances: [{ age: 1, job: 'a' }, { age: '40', job: 'a' }] }, 'instances[1].age must be a finite number or null, got "40"'],
    [{ instances: [{ age: 1, job: 7 }] }, 'instances[0].job must be a string or null, got 7'],
  ])('rejects %j with a message naming the field', (body, message) => {
    expect(() => validateInstances(pre, body)).toThrow(message);
  });
});
