import { Template } from 'aws-cdk-lib/assertions';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../lib/app.js';
import { CAPTURE_FILTER_PATTERN } from '../../lib/request-capture.js';
import { LAYOUT } from '../../lambdas/shared/layout.js';
import { compileFilterPattern } from '../../local/cloudwatch/filter-pattern.js';

type Json = Record<string, unknown>;
let template: Template;
let kmsTemplate: Template;

function resources(t: Template, type: string): [string, { Properties: Json; DependsOn?: string[] }][] {
  return Object.entries(t.findResources(type)) as [string, { Properties: Json; DependsOn?: string[] }][];
}

function synth(customerManagedKey: boolean): Template {
  const { app, stack } = buildApp({
    outdir: mkdtempSync(join(tmpdir(), 'mlops-serving-')),
    stackProps: { codeVersion: 'test', customerManagedKey },
    context: { 'aws:cdk:bundling-stacks': [] },
  });
  app.synth();
  return Template.fromStack(stack);
}

beforeAll(() => {
  template = synth(false);
  kmsTemplate = synth(true);
});

describe('request capture', () => {
  it("subscribes predict's own log group to the capture delivery stream, for capture and feedback lines only", () => {
    const [filters] = [resources(template, 'AWS::Logs::SubscriptionFilter')];
    expect(filters).toHaveLength(1);
    const filter = filters[0]?.[1].Properties as { LogGroupName: { Ref: string }; DestinationArn: { 'Fn::GetAtt': string[] }; FilterPattern: string };
    const predict = resources(template, 'AWS::Lambda::Function').find(([id]) => id.startsWith('InferencePredict'))?.[1].Properties as { LoggingConfig: { LogGroup: { Ref: string } } };
    expect(filter.LogGroupName.Ref).toBe(predict.LoggingConfig.LogGroup.Ref);
    expect(filter.DestinationArn['Fn::GetAtt'][0]).toMatch(/^CaptureDeliveryStream/);
    const matches = compileFilterPattern(filter.FilterPattern);
    expect(filter.FilterPattern).toBe(CAPTURE_FILTER_PATTERN);
    expect(matches('{"mlopsRecord":"capture","model":"iris"}')).toBe(true);
    expect(matches('{"mlopsRecord":"feedback","model":"iris"}')).toBe(true);
    expect(matches('{"level":"INFO","message":"answered","model":"iris"}')).toBe(false);
  });

  it('partitions by record kind, model and hour, GZIP, encrypted, with delivery errors logged and kept apart', () => {
    const [[, stream]] = resources(template, 'AWS::KinesisFirehose::DeliveryStream') as [[string, { Properties: Json }]];
    const s3 = stream.Properties.ExtendedS3DestinationConfiguration as Json;
    expect(s3.Prefix).toBe('!{partitionKeyFromQuery:record}/model=!{partitionKeyFromQuery:model}/dt=!{timestamp:yyyy-MM-dd-HH}/');
    expect(String(s3.ErrorOutputPrefix)).toMatch(new RegExp(`^${LAYOUT.captureErrors}`));
    expect(s3).toMatchObject({ CompressionFormat: 'GZIP', DynamicPartitioningConfiguration: { Enabled: true }, CloudWatchLoggingOptions: { Enabled: true } });
    const processors = (s3.ProcessingConfiguration as { Processors: { Type: string }[] }).Processors.map((p) => p.Type);
    expect(processors).toEqual(['Decompression', 'CloudWatchLogProcessing', 'MetadataExtraction', 'AppendDelimiterToRecord']);
    expect(stream.Properties.DeliveryStreamEncryptionConfigurationInput).toEqual({ KeyType: 'AWS_OWNED_CMK' });
    const [[, kmsStream]] = resources(kmsTemplate, 'AWS::KinesisFirehose::DeliveryStream') as [[string, { Properties: Json }]];
    expect(kmsStream.Properties.DeliveryStreamEncryptionConfigurationInput).toMatchObject({ KeyType: 'CUSTOMER_MANAGED_CMK' });
  });

  it('lets Firehose write under the capture prefixes only, and CloudWatch Logs put to this stream only', () => {
    const policies = resources(template, 'AWS::IAM::Policy');
    const statements = (prefix: string) =>
      (policies.find(([id]) => id.startsWith(prefix))?.[1].Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement;
    const put = statements('CaptureDeliveryRole').find((s) => [s.Action].flat().includes('s3:PutObject'));
    const keys = JSON.stringify(put?.Resource);
    for (const prefix of [LAYOUT.capture, LAYOUT.feedback, LAYOUT.captureErrors]) expect(keys).toContain(`/${prefix}*`);
    expect(keys).not.toContain(LAYOUT.incoming);
    const subscription = statements('CaptureSubscriptionRole');
    expect(subscription).toHaveLength(1);
    expect(subscription[0]?.Action).toEqual(['firehose:PutRecord', 'firehose:PutRecordBatch']);
    expect(JSON.stringify(subscription[0]?.Resource)).toMatch(/CaptureDeliveryStream/);
  });
});
