import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../local/clock.js';
import {
  LocalDeliveryStream,
  parsePartitionQuery,
  type DeliveryStreamSpec,
} from '../../local/firehose/delivery-stream.js';
import { formatUtc, renderPrefix } from '../../local/firehose/prefix.js';
import { loadDeliveryStreams, LocalSubscriptions } from '../../local/firehose/template-firehose.js';
import { LocalResources } from '../../local/template.js';

const T0 = Date.UTC(2026, 10, 26, 9, 59, 30);

describe('Firehose custom S3 prefixes', () => {
  it('renders the documented namespaces: timestamp (UTC), partition keys, random string, error output type', () => {
    expect(
      renderPrefix('capture/model=!{partitionKeyFromQuery:model}/dt=!{timestamp:yyyy-MM-dd-HH}/', {
        time: T0,
        partitionKeys: { model: 'adult' },
      }),
    ).toBe('capture/model=adult/dt=2026-11-26-09/');
    expect(
      renderPrefix('myPrefix/!{timestamp:yyyy/MM/dd}/!{firehose:random-string}/', {
        time: T0,
        random: () => 'abcdefghijk',
      }),
    ).toBe('myPrefix/2026/11/26/abcdefghijk/');
    expect(
      renderPrefix('errors/!{firehose:error-output-type}/', { time: T0, errorOutputType: 'partitioning-failed' }),
    ).toBe('errors/partitioning-failed/');
    expect(formatUtc("yyyy'-week-'MM", T0)).toBe('2026-week-11');
  });

  it('appends the default yyyy/MM/dd/HH/ to a prefix without expressions, and uses it alone without a prefix', () => {
    expect(renderPrefix('logs/', { time: T0 })).toBe('logs/2026/11/26/09/');
    expect(renderPrefix(undefined, { time: T0 })).toBe('2026/11/26/09/');
  });

  it.each([
    ['!{partitionKeyFromLambda:x}/', 'is not a namespace the local Firehose supports'],
    ['!{firehose:error-output-type}/', 'only valid in an error output prefix'],
    ['!{partitionKeyFromQuery:model}/', 'the record has no partition key "model"'],
    ['!{timestamp:yyyy-ww}/', '"w" in the date pattern'],
  ])('refuses %s, saying why', (prefix, message) => {
    expect(() => renderPrefix(prefix, { time: T0 })).toThrow(message);
  });
});

describe('a local delivery stream', () => {
  const spec = (overrides: Partial<DeliveryStreamSpec> = {}): DeliveryStreamSpec => ({
    name: 'capture',
    bucket: 'b',
    prefix: 'capture/model=!{partitionKeyFromQuery:model}/dt=!{timestamp:yyyy-MM-dd-HH}/',
    errorOutputPrefix: 'capture-errors/!{firehose:error-output-type}/',
    bufferSizeBytes: 1024,
    bufferIntervalMs: 60_000,
    compression: 'GZIP',
    extractLogMessages: true,
    appendNewline: true,
    partitionQuery: parsePartitionQuery('{model: .model}'),
    ...overrides,
  });
  /** A CloudWatch Logs subscription's delivery: a gzip-compressed DATA_MESSAGE envelope. */
  const envelope = (messages: string[], messageType = 'DATA_MESSAGE') =>
    gzipSync(
      JSON.stringify({
        messageType,
        owner: '000000000000',
        logGroup: 'g',
        logStream: 's',
        subscriptionFilters: ['f'],
        logEvents: messages.map((message, i) => ({ id: String(i), timestamp: T0, message })),
      }),
    );

  function setup(overrides: Partial<DeliveryStreamSpec> = {}) {
    const clock = new VirtualClock({ start: T0, rate: 0 });
    const objects: { key: string; lines: string[] }[] = [];
    const stream = new LocalDeliveryStream(spec(overrides), clock, async (_bucket, key, body) => {
      objects.push({
        key,
        lines: (key.endsWith('.gz') ? gunzipSync(body) : body).toString('utf8').trimEnd().split('\n'),
      });
    });
    return { clock, stream, objects };
  }

  it("buffers a subscription's log lines per partition and writes each buffer when its interval has passed", async () => {
    const { clock, stream, objects } = setup();
    stream.putRecord(envelope([JSON.stringify({ model: 'adult', n: 1 }), JSON.stringify({ model: 'churn', n: 2 })]));
    stream.putRecord(envelope([JSON.stringify({ model: 'adult', n: 3 })]));
    stream.putRecord(envelope([], 'CONTROL_MESSAGE'));
    await clock.advance(59_000);
    expect(objects).toEqual([]);
    await clock.advance(1_000);
    await stream.flushAll();
    expect(objects.map((o) => o.key.replace(/-[0-9a-f-]{36}\.gz$/, ''))).toEqual([
      'capture/model=adult/dt=2026-11-26-09/capture-1-2026-11-26-10-00-30',
      'capture/model=churn/dt=2026-11-26-09/capture-1-2026-11-26-10-00-30',
    ]);
    expect(objects[0]?.lines.map((l) => (JSON.parse(l) as { n: number }).n)).toEqual([1, 3]);
  });

  it('writes a buffer as soon as it reaches its size, and a record that cannot be partitioned under the error prefix', async () => {
    const { stream, objects } = setup({ bufferSizeBytes: 40 });
    stream.putRecord(envelope([JSON.stringify({ model: 'adult', pad: 'x'.repeat(40) }), 'not json']));
    await stream.flushAll();
    expect(objects.map((o) => o.key.split('/capture-1-')[0])).toEqual([
      'capture/model=adult/dt=2026-11-26-09',
      'capture-errors/partitioning-failed',
    ]);
    expect(objects[1]?.lines).toEqual(['not json']);
  });

  it('reads only the documented JQ form of the partitioning query', () => {
    expect(parsePartitionQuery('{model: .model, day: .meta.day}')).toEqual({ model: ['model'], day: ['meta', 'day'] });
    expect(() => parsePartitionQuery('{model: .model | ascii_downcase}')).toThrow('is not "name: .path"');
  });
});

describe("the template's subscription filters and delivery streams", () => {
  it('delivers the log lines that match the filter through the delivery stream to S3, under the configured prefix', async () => {
    const resources = new LocalResources(
      {
        Resources: {
          Bucket: { Type: 'AWS::S3::Bucket' },
          Logs: { Type: 'AWS::Logs::LogGroup' },
          Stream: {
            Type: 'AWS::KinesisFirehose::DeliveryStream',
            Properties: {
              ExtendedS3DestinationConfiguration: {
                BucketARN: { 'Fn::GetAtt': ['Bucket', 'Arn'] },
                Prefix: 'capture/model=!{partitionKeyFromQuery:model}/dt=!{timestamp:yyyy-MM-dd-HH}/',
                ErrorOutputPrefix: 'capture-errors/!{firehose:error-output-type}/',
                BufferingHints: { IntervalInSeconds: 60, SizeInMBs: 64 },
                CompressionFormat: 'GZIP',
                DynamicPartitioningConfiguration: { Enabled: true },
                ProcessingConfiguration: {
                  Enabled: true,
                  Processors: [
                    {
                      Type: 'Decompression',
                      Parameters: [{ ParameterName: 'CompressionFormat', ParameterValue: 'GZIP' }],
                    },
                    {
                      Type: 'CloudWatchLogProcessing',
                      Parameters: [{ ParameterName: 'DataMessageExtraction', ParameterValue: 'true' }],
                    },
                    {
                      Type: 'MetadataExtraction',
                      Parameters: [
                        { ParameterName: 'MetadataExtractionQuery', ParameterValue: '{model: .model}' },
                        { ParameterName: 'JsonParsingEngine', ParameterValue: 'JQ-1.6' },
                      ],
                    },
                    { Type: 'AppendDelimiterToRecord', Parameters: [] },
                  ],
                },
              },
            },
          },
          Capture: {
            Type: 'AWS::Logs::SubscriptionFilter',
            Properties: {
              LogGroupName: { Ref: 'Logs' },
              FilterPattern: '{ $.capture IS TRUE }',
              DestinationArn: { 'Fn::GetAtt': ['Stream', 'Arn'] },
            },
          },
        },
      },
      { stackName: 'Stack', region: 'us-east-1', account: '000000000000', apiUrl: 'http://127.0.0.1:3000' },
    );
    const clock = new VirtualClock({ start: T0, rate: 0 });
    const objects: { bucket: string; key: string; lines: string[] }[] = [];
    const streams = loadDeliveryStreams(resources, clock, async (bucket, key, body) => {
      objects.push({ bucket, key, lines: gunzipSync(body).toString('utf8').trimEnd().split('\n') });
    });
    const subscriptions = new LocalSubscriptions(resources, streams, '000000000000');
    const line = (fields: Record<string, unknown>) => JSON.stringify(fields);
    subscriptions.deliver('Stack-Logs', 'local', T0, line({ capture: true, model: 'adult', id: 'p1' }), 'e1');
    subscriptions.deliver('Stack-Logs', 'local', T0, line({ level: 'INFO', model: 'adult' }), 'e2');
    subscriptions.deliver('Other-Group', 'local', T0, line({ capture: true, model: 'adult', id: 'p2' }), 'e3');
    await clock.advance(60_000);
    await Promise.all([...streams.values()].map((s) => s.flushAll()));
    expect(objects).toHaveLength(1);
    expect(objects[0]?.bucket).toBe('stack-bucket');
    expect(objects[0]?.key).toMatch(
      /^capture\/model=adult\/dt=2026-11-26-09\/Stack-Stream-1-2026-11-26-10-00-30-[0-9a-f-]{36}\.gz$/,
    );
    expect(objects[0]?.lines.map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(['p1']);
  });
});

describe('a local delivery stream across a crash (buffers on disk)', () => {
  const spec: DeliveryStreamSpec = {
    name: 'capture',
    bucket: 'b',
    prefix: 'capture/',
    bufferSizeBytes: 1024 * 1024,
    bufferIntervalMs: 60_000,
    compression: 'GZIP',
    extractLogMessages: false,
    appendNewline: true,
  };
  const linesOf = (body: Buffer) => gunzipSync(body).toString('utf8').trimEnd().split('\n');

  it('delivers at the next start, once, the records a killed runtime had accepted, and each buffer under one key even when the crash came during its write', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlops-firehose-'));
    const clock = new VirtualClock({ start: T0, rate: 0 });
    // The first run accepts three records, then dies before the interval: nothing delivered.
    const first = new LocalDeliveryStream(
      spec,
      new VirtualClock({ start: T0, rate: 0 }),
      async () => {
        throw new Error('never reached');
      },
      dir,
    );
    for (const line of ['a', 'b', 'c']) first.putRecord(Buffer.from(line));

    const delivered = new Map<string, string[]>();
    const put = async (_bucket: string, key: string, body: Buffer) => void delivered.set(key, linesOf(body));
    const second = new LocalDeliveryStream(spec, clock, put, dir);
    second.putRecord(Buffer.from('d'));
    await second.flushAll();
    // What the first run accepted is delivered at the start, as one object; what the second accepted, by itself.
    expect([...delivered.values()]).toEqual([['a', 'b', 'c'], ['d']]);
    await clock.advance(60_000);

    // A crash while the object was being written: its key was chosen first, so the next start writes the same bytes
    // under the same key (S3 keeps one object), not a second copy.
    const hanging = new LocalDeliveryStream(
      spec,
      new VirtualClock({ start: clock.now(), rate: 0 }),
      () => new Promise(() => undefined),
      dir,
    );
    hanging.putRecord(Buffer.from('e'));
    void hanging.flushAll();
    const chosen = readdirSync(dir)
      .filter((f) => f.endsWith('.key'))
      .map((f) => readFileSync(join(dir, f), 'utf8'));
    expect(chosen).toHaveLength(1);
    const writes: { key: string; lines: string[] }[] = [];
    const third = new LocalDeliveryStream(
      spec,
      clock,
      async (_bucket, key, body) => void writes.push({ key, lines: linesOf(body) }),
      dir,
    );
    await third.flushAll();
    expect(writes).toHaveLength(1);
    expect(writes[0]?.lines).toEqual(['e']);
    expect(writes[0]?.key).toBe(chosen[0]);
    // Nothing is left to deliver after a successful write.
    const fourth: string[] = [];
    await new LocalDeliveryStream(spec, clock, async (_bucket, key) => void fourth.push(key), dir).flushAll();
    expect(fourth).toEqual([]);
  });
});
