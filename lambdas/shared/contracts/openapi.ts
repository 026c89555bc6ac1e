import * as z from 'zod';
import { MODEL_NAME_PATTERN } from '../../core/model-name.js';
import {
  errorResponseSchema,
  feedbackRequestSchema,
  feedbackResponseSchema,
  healthResponseSchema,
  instanceSchema,
  modelResponseSchema,
  predictRequestSchema,
  ROUTING_KEY_HEADER,
  predictResponseSchema,
} from './api-contracts.js';

type Json = Record<string, unknown>;

const schemaOf = (schema: z.ZodType, io: 'input' | 'output'): Json => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    // An instance is checked by a function (cheap on the request path); as a schema it is an object of any fields.
    override: (ctx) => {
      if (ctx.zodSchema === instanceSchema)
        Object.assign(ctx.jsonSchema, {
          type: 'object',
          additionalProperties: { type: ['number', 'string', 'boolean', 'null'] },
        });
    },
  }) as Json;
  return rest;
};

const COMPONENTS = {
  PredictRequest: schemaOf(predictRequestSchema, 'input'),
  PredictResponse: schemaOf(predictResponseSchema, 'output'),
  FeedbackRequest: schemaOf(feedbackRequestSchema, 'input'),
  FeedbackResponse: schemaOf(feedbackResponseSchema, 'output'),
  Model: schemaOf(modelResponseSchema, 'output'),
  Health: schemaOf(healthResponseSchema, 'output'),
  Error: schemaOf(errorResponseSchema, 'output'),
};

const ref = (name: keyof typeof COMPONENTS) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: keyof typeof COMPONENTS, description: string) => ({
  description,
  content: { 'application/json': { schema: ref(name) } },
});
const errors = (codes: Record<string, string>) =>
  Object.fromEntries(Object.entries(codes).map(([code, why]) => [code, json('Error', why)]));
const modelParameter = {
  name: 'model',
  in: 'path',
  required: true,
  schema: { type: 'string', pattern: MODEL_NAME_PATTERN.source },
  description: 'The model name (its model file).',
};
const COMMON_ERRORS = {
  '403': 'Not signed, or signed by a principal that may not call the API (IAM), or no valid token (JWT).',
  '429': 'Throttled: retry after the Retry-After header.',
};

/** The API's OpenAPI 3.1 document, from the schemas that validate its requests. */
export function openApiDocument(): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'serverless-mlops inference API',
      version: '1',
      description:
        'Predictions from the served version of each model, ground truth for them, and what is served. Requests are SigV4-signed (IAM) unless the stack is deployed with a JWT authorizer.',
    },
    paths: { ...modelPaths(), ...servicePaths() },
    components: { schemas: COMPONENTS },
  };
}

/** The routes of one model: predict, feedback, and what is served. */
function modelPaths(): Json {
  return {
    '/v1/models/{model}/predict': {
      post: {
        summary: 'Score 1–1000 instances',
        parameters: [
          modelParameter,
          {
            name: ROUTING_KEY_HEADER,
            in: 'header',
            required: false,
            schema: { type: 'string' },
            description: 'Sticky routing during a release: one key always meets one version (default: the caller).',
          },
        ],
        requestBody: { required: true, content: { 'application/json': { schema: ref('PredictRequest') } } },
        responses: {
          '200': json('PredictResponse', 'The predictions, in the order of the instances.'),
          ...errors({
            '400': 'The body or an instance is wrong; the message names the field.',
            '404': 'No such model, or no version in production.',
            '413': 'The body is larger than 1 MB.',
            '503':
              'The model has a production version, but nothing can serve it (its artifact is missing or damaged, or the registry is unreachable); the message names the version. Retry after the Retry-After header.',
            ...COMMON_ERRORS,
          }),
        },
      },
    },
    '/v1/models/{model}/feedback': {
      post: {
        summary: 'Record ground truth by prediction id (idempotent on the id)',
        parameters: [modelParameter],
        requestBody: { required: true, content: { 'application/json': { schema: ref('FeedbackRequest') } } },
        responses: {
          '200': json('FeedbackResponse', 'Each id: recorded now, or already recorded with the same truth.'),
          ...errors({
            '400':
              'A malformed id, a repeated id, a truth of the wrong type for the model, or a class its served versions do not predict (the message lists them).',
            '404': 'No such model.',
            '409': 'An id already has a different truth recorded (the others were recorded).',
            '413': 'The body is larger than 1 MB.',
            ...COMMON_ERRORS,
          }),
        },
      },
    },
    '/v1/models/{model}': {
      get: {
        summary: 'What is served: production, the candidate and its share',
        parameters: [modelParameter],
        responses: {
          '200': json('Model', 'The model as served now.'),
          ...errors({ '404': 'No such model.', ...COMMON_ERRORS }),
        },
      },
    },
  };
}

/** The service's own routes: health and this document. */
function servicePaths(): Json {
  return {
    '/v1/health': {
      get: {
        summary: 'Whether each deployed model is served as the registry says',
        responses: {
          '200': json('Health', 'Every model serving (status ok or degraded).'),
          '503': json('Health', 'A model with a production version serves nothing.'),
          ...errors(COMMON_ERRORS),
        },
      },
    },
    '/v1/openapi.json': {
      get: {
        summary: 'This document',
        responses: {
          '200': {
            description: 'The OpenAPI document.',
            content: { 'application/json': { schema: { type: 'object' } } },
          },
        },
      },
    },
  };
}
