import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceNotFoundException, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import dynalite from 'dynalite';
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import S3rver, { type S3rverEventRecord } from 's3rver';

/** s3rver checks signatures against this fixed key pair; dynalite accepts any. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface RunningS3 {
  readonly endpoint: string;
  readonly server: S3rver;
  close(): Promise<void>;
}

export interface RunningDynamo {
  readonly endpoint: string;
  close(): Promise<void>;
}

/**
 * Starts s3rver on loopback. Object events are handed to `onEvent` on the next tick: s3rver calls listeners inside
 * the request, so a throw there would turn a stored object into a 500 for the client.
 */
export async function startS3(directory: string, port: number, onEvent: (record: S3rverEventRecord) => void): Promise<RunningS3> {
  mkdirSync(directory, { recursive: true });
  const server = new S3rver({ address: '127.0.0.1', port, directory, silent: true, allowMismatchedSignatures: false });
  server.on('event', (event: { Records?: S3rverEventRecord[] }) => {
    for (const record of event.Records ?? []) {
      setImmediate(() => {
        try {
          onEvent(record);
        } catch (error) {
          console.error('local S3 event handling failed:', error);
        }
      });
    }
  });
  const address = await server.run();
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    server,
    close: async () => {
      server.httpServer?.closeAllConnections();
      await server.close();
    },
  };
}

export async function startDynamo(directory: string | undefined, port: number): Promise<RunningDynamo> {
  if (directory !== undefined) mkdirSync(directory, { recursive: true });
  const server: Server = dynalite({ ...(directory !== undefined ? { path: directory } : {}), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${actual}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function localS3Client(endpoint: string, region: string): S3Client {
  return new S3Client({
    endpoint,
    region,
    forcePathStyle: true,
    // A copy: the SDK marks the credentials object it is given with internal fields ($source).
    credentials: { ...LOCAL_CREDENTIALS },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export function localDynamoClient(endpoint: string, region: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region, credentials: { ...LOCAL_CREDENTIALS } });
}

export async function ensureBucket(s3: S3Client, bucket: string): Promise<void> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  }
}

/** Creates the table from its template properties unless it exists (state is kept across restarts). */
export async function ensureTable(db: DynamoDBClient, input: CreateTableCommandInput): Promise<void> {
  try {
    await db.send(new DescribeTableCommand({ TableName: input.TableName }));
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    await db.send(new CreateTableCommand(input));
  }
}
