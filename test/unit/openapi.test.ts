import { readFileSync } from 'node:fs';
import { API_ROUTE_KEYS } from '../../lib/inference-api.js';
import { describe, expect, it } from 'vitest';
import { parseBody, predictRequestSchema } from '../../lambdas/shared/contracts/api-contracts.js';
import { openApiDocument } from '../../lambdas/shared/contracts/openapi.js';

describe('the OpenAPI document', () => {
  it('is checked in as generated from the schemas that validate requests (run `npm run openapi` after changing them)', () => {
    expect(JSON.parse(readFileSync('docs/openapi.json', 'utf8'))).toEqual(openApiDocument());
  });

  it('describes every route the stack declares, each with its error answers', () => {
    const paths = openApiDocument().paths as Record<string, Record<string, { responses: Record<string, unknown> }>>;
    const routes = Object.entries(paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(routes.sort()).toEqual([...API_ROUTE_KEYS].sort());
    expect(Object.keys(paths['/v1/models/{model}/predict']?.post?.responses ?? {}).sort()).toEqual([
      '200',
      '400',
      '403',
      '404',
      '413',
      '429',
      '503',
    ]);
    expect(Object.keys(paths['/v1/models/{model}/feedback']?.post?.responses ?? {}).sort()).toEqual([
      '200',
      '400',
      '403',
      '404',
      '409',
      '413',
      '429',
    ]);
  });

  it('states the limits the validation enforces: 1–1000 instances, no unknown fields, a positive integer version', () => {
    const request = (
      openApiDocument().components as {
        schemas: Record<string, { properties: Record<string, Record<string, unknown>>; additionalProperties: unknown }>;
      }
    ).schemas.PredictRequest;
    expect(request?.properties.instances).toMatchObject({ type: 'array', minItems: 1, maxItems: 1000 });
    expect(request?.additionalProperties).toBe(false);
    expect(request?.properties.version).toMatchObject({ type: 'integer', exclusiveMinimum: 0 });
    // The same limits, enforced:
    expect(() => parseBody(predictRequestSchema, { instances: [] })).toThrow(
      '"instances" has 0 items; send between 1 and 1000 per request',
    );
    expect(() => parseBody(predictRequestSchema, { instances: [{}], extra: 1 })).toThrow('unknown field "extra"');
    expect(() => parseBody(predictRequestSchema, { instances: [{}], version: 0 })).toThrow(/^version /);
    expect(() => parseBody(predictRequestSchema, { instances: [{}, 3] })).toThrow(
      'instances[1] must be an object of feature values',
    );
  });
});
