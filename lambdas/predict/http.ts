import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { NotFoundError, RequestValidationError } from '../core/errors.js';
import { logger } from '../shared/logger.js';
import { annotateTrace } from '../shared/tracer.js';

export type JsonEvent = Omit<APIGatewayProxyEventV2, 'body'> & { body: unknown };

export function jsonResponse(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/** The model of the request in every log line and on the trace of the invocation. */
export function correlateModel(): MiddlewareObj<JsonEvent, APIGatewayProxyStructuredResultV2> {
  return {
    before: (request) => {
      const model = request.event.pathParameters?.model;
      if (model === undefined) return;
      logger.appendKeys({ model });
      annotateTrace({ model });
    },
  };
}

/** Parses the JSON body; a missing or non-JSON body is the caller's mistake (400), never a 500. */
export function jsonBody(): MiddlewareObj<JsonEvent, APIGatewayProxyStructuredResultV2> {
  return {
    before: (request) => {
      const raw = request.event.body;
      if (typeof raw !== 'string' || raw.trim() === '') {
        throw new RequestValidationError('the request has no body; send JSON like {"instances": [{...}]}');
      }
      const text = request.event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
      try {
        request.event.body = JSON.parse(text) as unknown;
      } catch (error) {
        throw new RequestValidationError(`the body is not valid JSON: ${(error as Error).message}`);
      }
    },
  };
}

/** Maps errors to HTTP answers: the caller's mistakes to 4xx with the message, anything else to a logged 500. */
export function errorResponses(): MiddlewareObj<JsonEvent, APIGatewayProxyStructuredResultV2> {
  return {
    onError: (request) => {
      const error = request.error;
      if (error instanceof RequestValidationError) {
        request.response = jsonResponse(400, { error: 'BadRequest', message: error.message });
      } else if (error instanceof NotFoundError) {
        request.response = jsonResponse(404, { error: 'NotFound', message: error.message });
      } else {
        logger.error('predict failed', { error: error as Error });
        request.response = jsonResponse(500, { error: 'InternalError', message: 'the prediction failed; see the function logs' });
      }
    },
  };
}
