import type { S3Client } from '@aws-sdk/client-s3';
import * as z from 'zod';
import { trainingInfluenceSchema } from '../../core/monitoring/influence-drift.js';
import { preprocessorSchema } from '../../core/artifact-schema.js';
import type { DataSchema } from '../../core/data-schema.js';
import type { DriftNull } from '../../core/drift/drift-null.js';
import type { DatasetProfile } from '../../core/drift/profile.js';
import {
  driftNullSchema,
  modelCalibrationSchema,
  type MonitoringReference,
} from '../../core/monitoring/monitoring-reference.js';
import { parseStoredJson } from '../../core/stored-json.js';
import type { Preprocessor } from '../../core/preprocess.js';
import type { EvaluationReport } from '../../core/report/types.js';
import { getObjectBytes } from './objects.js';
import { evaluationDocumentSchema } from '../contracts/evaluation-document.js';
import { s3Uri, type ObjectLocation } from '../contracts/object-location.js';

/**
 * The JSON documents the pipeline stores in S3 and reads back, each checked against its shape on the way in: a
 * document written by another version of the code, or changed by hand, fails with its location and what is wrong
 * instead of deep inside a computation.
 */

const dataSchemaSchema = z.object({
  model: z.string(),
  version: z.number().int().min(1),
  createdFromRun: z.string(),
  columns: z.array(
    z.object({
      name: z.string(),
      type: z.enum(['numeric', 'categorical']),
      presence: z.number().min(0).max(1),
      domain: z.array(z.string()).nullable(),
      range: z.object({ min: z.number(), max: z.number() }).nullable(),
    }),
  ),
});

const profileSchema = z.object({
  rows: z.number().int().min(0),
  features: z.record(
    z.string(),
    z.discriminatedUnion('kind', [
      z.object({
        kind: z.literal('numeric'),
        count: z.number(),
        missing: z.number(),
        min: z.number().nullable(),
        max: z.number().nullable(),
        sum: z.number(),
        sumSquares: z.number(),
        sample: z.array(z.tuple([z.number(), z.number()])),
      }),
      z.object({
        kind: z.literal('categorical'),
        count: z.number(),
        missing: z.number(),
        counts: z.record(z.string(), z.number()),
      }),
    ]),
  ),
});

const monitoringReferenceSchema = z.object({
  task: z.enum(['binary', 'multiclass', 'regression']),
  classes: z.array(z.string()),
  calibration: modelCalibrationSchema,
  predictionSource: z.enum(['validation', 'test']),
  predictions: profileSchema,
  predictionNull: driftNullSchema,
  influence: trainingInfluenceSchema.optional(),
});

function parse<T extends z.ZodType>(schema: T, text: string, where: string, what: string): z.infer<T> {
  return parseStoredJson(schema, text, where, `a ${what}`);
}

const text = async (s3: S3Client, location: ObjectLocation): Promise<string> =>
  (await getObjectBytes(s3, location)).toString('utf8');

export const parseDataSchema = (json: string, where: string): DataSchema =>
  parse(dataSchemaSchema, json, where, 'data schema');
export const parsePreprocessor = (json: string, where: string): Preprocessor =>
  parse(preprocessorSchema, json, where, 'preprocessor');

export const parseEvaluation = (json: string, where: string): EvaluationReport =>
  parse(evaluationDocumentSchema, json, where, 'evaluation report');

export const readDataSchema = async (s3: S3Client, location: ObjectLocation): Promise<DataSchema> =>
  parseDataSchema(await text(s3, location), s3Uri(location));
export const readProfile = async (s3: S3Client, location: ObjectLocation): Promise<DatasetProfile> =>
  parse(profileSchema, await text(s3, location), s3Uri(location), 'data profile');
export const readEvaluation = async (s3: S3Client, location: ObjectLocation): Promise<EvaluationReport> =>
  parseEvaluation(await text(s3, location), s3Uri(location));
export const readDriftNull = async (s3: S3Client, location: ObjectLocation): Promise<DriftNull> =>
  parse(driftNullSchema, await text(s3, location), s3Uri(location), 'drift null');
export const readMonitoringReference = async (s3: S3Client, location: ObjectLocation): Promise<MonitoringReference> =>
  parse(monitoringReferenceSchema, await text(s3, location), s3Uri(location), 'monitoring reference');
