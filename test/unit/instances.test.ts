import { describe, expect, it } from 'vitest';
import { unknownCategories, validateInstances } from '../../lambdas/core/instances.js';
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
    const body = {
      instances: [
        { age: 31, job: 'a', extra: true },
        { age: null, job: null },
      ],
    };
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
    [
      {
        instances: [
          { age: 1, job: 'a' },
          { age: '40', job: 'a' },
        ],
      },
      'instances[1].age must be a finite number or null, got "40"',
    ],
    [{ instances: [{ age: 1, job: 7 }] }, 'instances[0].job must be a string or null, got 7'],
    // float32 overflow: the network would see Infinity and answer a constant
    [
      { instances: [{ age: 1e308, job: 'a' }] },
      'instances[0].age is out of range: 1e+308; the model computes in float32, so numbers must be within ±3.40e+38',
    ],
    // JSON.parse reads 1e400 as Infinity, which JSON.stringify would print as null
    [
      JSON.parse('{"instances": [{"age": 1e400, "job": "a"}]}'),
      'instances[0].age is out of range: a number too large to read (Infinity)',
    ],
  ])('rejects %j with a message naming the field', (body, message) => {
    expect(() => validateInstances(pre, body)).toThrow(message);
  });
});

describe('unknownCategories', () => {
  it('lists, per instance, the categories the model never learned; known and missing values are not warnings', () => {
    const instances = validateInstances(pre, {
      instances: [
        { age: 1, job: 'a' },
        { age: 2, job: 'astronaut' },
        { age: 3, job: null },
        { age: 4, job: 'clown' },
      ],
    });
    expect(unknownCategories(pre, instances)).toEqual([
      {
        instance: 1,
        feature: 'job',
        value: 'astronaut',
        message: 'not a category the model learned; scored as an unknown value',
      },
      {
        instance: 3,
        feature: 'job',
        value: 'clown',
        message: 'not a category the model learned; scored as an unknown value',
      },
    ]);
  });
});
