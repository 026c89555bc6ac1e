/**
 * The cold-start baseline of the serving benchmark: the least a model server does on its first request, with nothing
 * of ours — the AWS SDK clients, a read of the production pointer and of the model artifact it names. Bundled by
 * bench/serving.ts as the functions are (esbuild, ESM, minified).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';

const s3 = new S3Client({ forcePathStyle: process.env.AWS_ENDPOINT_URL_S3 !== undefined });
const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export const handler = async (event: { pathParameters: { model: string } }) => {
  const alias = await db.send(
    new GetCommand({
      TableName: process.env.REGISTRY_TABLE,
      Key: { pk: `ALIAS#${event.pathParameters.model}`, sk: 'production' },
    }),
  );
  const artifact = (alias.Item as { artifact: { bucket: string; key: string } }).artifact;
  const object = await s3.send(new GetObjectCommand({ Bucket: artifact.bucket, Key: artifact.key }));
  const bytes = (await object.Body?.transformToString())?.length ?? 0;
  return { statusCode: 200, body: JSON.stringify({ version: (alias.Item as { version: number }).version, bytes }) };
};
