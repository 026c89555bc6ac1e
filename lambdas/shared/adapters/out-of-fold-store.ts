import type { S3Client } from '@aws-sdk/client-s3';
import { outOfFoldScoresSchema, type OutOfFoldScores } from '../../core/out-of-fold.js';
import { parseStoredJson } from '../../core/stored-json.js';
import { getObjectBytes } from './objects.js';
import { s3Uri, type ObjectLocation } from '../contracts/object-location.js';

/** One fold training's stored predictions for the rows it held out, checked on the way in. */
export async function readOutOfFold(s3: S3Client, location: ObjectLocation): Promise<OutOfFoldScores> {
  const text = (await getObjectBytes(s3, location)).toString('utf8');
  return parseStoredJson(outOfFoldScoresSchema, text, s3Uri(location), 'out-of-fold predictions');
}
