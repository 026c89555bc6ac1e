import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import S3rver, { type S3rverEventRecord } from 's3rver';
import type { Closers } from '../closers.js';
import { spawnDynamoDbLocal, waitUntilServing } from './dynamodb-local.js';
import type { LocalEventBus } from '../events/event-bus.js';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../local-constants.js';
import { forwardS3Event } from '../events/s3-events.js';

/** s3rver checks signatures against this fixed key pair; DynamoDB Local accepts any. */
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
export async function startS3(
  directory: string,
  port: number,
  onEvent: (record: S3rverEventRecord) => void,
): Promise<RunningS3> {
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

/**
 * Starts AWS's own DynamoDB Local (Java 17+) on loopback: transactions, conditions and limits as DynamoDB has them.
 * In memory, or with its database under `directory` so state survives restarts.
 */
export async function startDynamo(directory: string | undefined, port: number): Promise<RunningDynamo> {
  const started = await spawnDynamoDbLocal(directory, port);
  const endpoint = `http://127.0.0.1:${started.port}`;
  const probe = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { ...LOCAL_CREDENTIALS },
    maxAttempts: 1,
  });
  try {
    await waitUntilServing(started, probe);
  } catch (error) {
    started.process.kill('SIGKILL');
    throw error;
  } finally {
    probe.destroy();
  }
  return {
    endpoint,
    close: async () => {
      if (started.process.exitCode !== null || started.process.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => started.process.once('exit', () => resolve()));
      started.process.kill('SIGTERM');
      const timer = setTimeout(() => started.process.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
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

/** Turns on the table's time to live unless it is on (a second UpdateTimeToLive with the same setting is an error). */
export async function enableTimeToLive(db: DynamoDBClient, table: string, attribute: string): Promise<void> {
  const current = await db.send(new DescribeTimeToLiveCommand({ TableName: table }));
  if (current.TimeToLiveDescription?.TimeToLiveStatus === 'ENABLED') return;
  await db.send(
    new UpdateTimeToLiveCommand({
      TableName: table,
      TimeToLiveSpecification: { AttributeName: attribute, Enabled: true },
    }),
  );
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

/** The emulators, and the DynamoDB one as a service that can be taken away and brought back (an outage). */
export interface Emulators {
  readonly s3: RunningS3;
  readonly dynamoEndpoint: string;
  readonly dynamodb: { stop(): Promise<void>; start(): Promise<void> };
  /** Where S3 events go once the bus exists (rules need the emulators running first). */
  routeS3Events(bus: LocalEventBus, buckets: ReadonlySet<string>): void;
}

export async function startEmulators(
  stateDir: string,
  options: { s3Port: number; dynamoPort: number; inMemoryDynamo: boolean },
  closers: Closers,
): Promise<Emulators> {
  const routing: { bus?: LocalEventBus; buckets: ReadonlySet<string> } = { buckets: new Set() };
  const s3 = await startS3(join(stateDir, 's3'), options.s3Port, (record) => {
    if (routing.bus !== undefined && routing.buckets.has(record.s3.bucket.name))
      forwardS3Event(routing.bus, record, LOCAL_REGION, LOCAL_ACCOUNT);
  });
  closers.add(() => s3.close());
  const dynamoDir = options.inMemoryDynamo ? undefined : join(stateDir, 'dynamodb-local');
  let dynamo: RunningDynamo = await startDynamo(dynamoDir, options.dynamoPort);
  closers.add(() => dynamo.close());
  const port = Number(new URL(dynamo.endpoint).port);
  return {
    s3,
    dynamoEndpoint: dynamo.endpoint,
    dynamodb: {
      stop: () => dynamo.close(),
      start: async () => {
        if (dynamoDir === undefined)
          throw new Error('an in-memory registry cannot be brought back: start the runtime without inMemoryDynamo');
        dynamo = await startDynamo(dynamoDir, port);
      },
    },
    routeS3Events: (bus, buckets) => {
      routing.bus = bus;
      routing.buckets = buckets;
    },
  };
}
