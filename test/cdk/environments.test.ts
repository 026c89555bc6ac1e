import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveEnvironment } from '../../lib/environments.js';
import type { MlopsStack } from '../../lib/mlops-stack.js';
import { undeliverablePaths } from '../helpers/delivery.js';
import { nagFindings } from '../helpers/nag.js';
import { testApp } from '../helpers/test-app.js';

/** The stack as each environment of cdk.json builds it, plus the default (no environment) build: synthesized once. */
const builds: Record<string, MlopsStack> = {};
const templates: Record<string, Template> = {};
const names: Record<string, string> = {};
const tags: Record<string, Record<string, string>> = {};

beforeAll(() => {
  for (const env of ['default', 'dev', 'staging', 'prod']) {
    // Bundling is covered by stack.test.ts; skipping it here keeps four synths fast.
    const { app, stack } = testApp({ context: env === 'default' ? {} : { env } });
    app.synth();
    builds[env] = stack;
    templates[env] = Template.fromStack(stack);
    if (env !== 'default') {
      names[env] = stack.stackName;
      tags[env] = stack.tags.tagValues();
    }
  }
}, 120_000);

const template = (env: string) => templates[env] as Template;

describe('cdk-nag (AwsSolutions and Serverless packs) on every build', () => {
  it.each(['default', 'dev', 'staging', 'prod'])('finds nothing unsuppressed in the %s build', (env) => {
    expect(nagFindings(builds[env] as MlopsStack)).toEqual([]);
  });
});

describe('what the packs miss, on every build', () => {
  it.each(['default', 'staging', 'prod'])(
    'protects the registry from deletion and retains it in the %s build',
    (env) => {
      const template = Template.fromStack(builds[env] as MlopsStack);
      const tables = Object.values(template.findResources('AWS::DynamoDB::Table'));
      expect(tables.length).toBeGreaterThan(0);
      for (const table of tables) {
        expect(table.Properties.DeletionProtectionEnabled).toBe(true);
        expect(table.DeletionPolicy).toBe('Retain');
      }
    },
  );

  it.each(['default', 'dev', 'staging', 'prod'])('versions the artifact bucket in the %s build', (env) => {
    const stack = builds[env] as MlopsStack;
    const template = Template.fromStack(stack);
    const artifactsId = stack.getLogicalId(stack.storage.artifacts.node.defaultChild as never);
    const artifacts = template.toJSON().Resources[artifactsId];
    expect(artifacts.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
  });

  it.each(['default', 'dev', 'staging', 'prod'])(
    'gives every asynchronous delivery a dead-letter queue in the %s build',
    (env) => {
      expect(undeliverablePaths(Template.fromStack(builds[env] as MlopsStack))).toEqual([]);
    },
  );
});

describe('environments from cdk.json context', () => {
  it('names each stack after its environment and tags it', () => {
    expect(names).toEqual({
      dev: 'ServerlessMlops-dev',
      staging: 'ServerlessMlops-staging',
      prod: 'ServerlessMlops-prod',
    });
    // Stack tags: CloudFormation puts them on every resource it creates.
    expect(tags.prod).toEqual({ 'mlops:environment': 'prod' });
  });

  it('dev may be torn down: buckets and table are deleted with the stack, no deletion protection', () => {
    for (const bucket of Object.values(template('dev').findResources('AWS::S3::Bucket')))
      expect(bucket.DeletionPolicy).toBe('Delete');
    template('dev').hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({ DeletionProtectionEnabled: false }),
    });
    template('dev').hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 14 });
    template('dev').hasResourceProperties('AWS::DynamoDB::Table', {
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: 7 },
    });
  });

  it('prod keeps logs a year and point-in-time recovery for the full 35 days', () => {
    for (const group of Object.values(template('prod').findResources('AWS::Logs::LogGroup')))
      expect(group.Properties.RetentionInDays).toBe(365);
    template('prod').hasResourceProperties('AWS::DynamoDB::Table', {
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: 35 },
    });
  });

  it.each(['staging', 'prod'])('%s retains every bucket, the table and the logs', (env) => {
    for (const type of ['AWS::S3::Bucket', 'AWS::DynamoDB::Table', 'AWS::Logs::LogGroup']) {
      const resources = Object.values(template(env).findResources(type));
      expect(resources.length).toBeGreaterThan(0);
      for (const r of resources) expect(r.DeletionPolicy, type).toBe('Retain');
    }
  });

  it('prod encrypts with a rotating customer-managed key: buckets, registry, queue, topic and logs', () => {
    const prod = template('prod');
    prod.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    const keyRef = { 'Fn::GetAtt': [Match.stringLikeRegexp('^EncryptionKey'), 'Arn'] };
    prod.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { LogFilePrefix: 'Artifacts/' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyRef },
            BucketKeyEnabled: true,
          },
        ],
      },
    });
    prod.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyRef },
    });
    prod.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: keyRef });
    prod.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: keyRef });
    for (const group of Object.values(prod.findResources('AWS::Logs::LogGroup')))
      expect(group.Properties.KmsKeyId['Fn::GetAtt'][0]).toMatch(/^EncryptionKey/);
    // The functions may use the key for the data they touch: predict only to decrypt.
    prod.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^InferencePredictRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([{ Action: ['kms:Decrypt', 'kms:DescribeKey'], Effect: 'Allow', Resource: keyRef }]),
      },
    });
  });

  it('prod locks artifact versions in governance mode; staging does not', () => {
    template('prod').hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { LogFilePrefix: 'Artifacts/' },
      ObjectLockEnabled: true,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 365 } },
      },
    });
    for (const bucket of Object.values(template('staging').findResources('AWS::S3::Bucket')))
      expect(bucket.Properties.ObjectLockEnabled).toBeUndefined();
  });

  it('every alarm reports its changes to the detail topic: pages come from the incident function (test/cdk/incidents.test.ts)', () => {
    const resources = template('staging').findResources('AWS::CloudWatch::Alarm');
    const actionOf = (alarm: Record<string, unknown>) =>
      (alarm as { Properties: { AlarmActions: { Ref: string }[] } }).Properties.AlarmActions.map((a) => a.Ref);
    const operational = Object.entries(resources).filter(([id]) => id.startsWith('Alarms'));
    expect(operational.map(([, a]) => a.Properties.MetricName).sort()).toEqual([
      '5xx',
      'ApproximateNumberOfMessagesVisible',
      'Errors',
      'ExecutionsFailed',
      'ExecutionsTimedOut',
    ]);
    for (const [, alarm] of operational) expect(actionOf(alarm)).toEqual([expect.stringMatching(/^AlarmsDetailTopic/)]);
    const perModel = Object.entries(resources).filter(([id]) => id.startsWith('Modeladult'));
    // Production's error rate, latency and traffic, failed runs, serving's load failures, the release signal, the
    // candidate's error rate and latency, and the monitor's drift and decay.
    expect(
      perModel
        .map(([id, a]) => `${a.Properties.MetricName as string}${id.includes('Candidate') ? ' (candidate)' : ''}`)
        .sort(),
    ).toEqual([
      'CandidateLoadFailures',
      'DriftedFeatureShare',
      'EstimatedPerformanceDrop',
      'ModelRefreshFailures',
      'PredictLatency',
      'PredictLatency (candidate)',
      'PredictModelMissing',
      'PredictServerErrors',
      'PredictServerErrors (candidate)',
      'PredictionDrift',
      'ProductionSilentHours',
      'RealizedPerformanceDrop',
      'ReleaseInProgress',
      'RunsFailed',
      'ServedVersionMismatch',
    ]);
    for (const [, alarm] of perModel) expect(actionOf(alarm)).toEqual([expect.stringMatching(/^AlarmsDetailTopic/)]);
    const composites = Object.entries(template('staging').findResources('AWS::CloudWatch::CompositeAlarm'));
    const composite = (name: string) => composites.find(([id]) => id.startsWith(`Modeladult${name}`))?.[1] ?? {};
    expect(actionOf(composite('Degraded'))).toEqual([expect.stringMatching(/^AlarmsDetailTopic/)]);
    // Needing retraining pages nobody: it starts a retraining (lib/continuous-training.ts).
    expect(actionOf(composite('NeedsRetraining'))).toEqual([expect.stringMatching(/^AlarmsDetailTopic/)]);
  });
});

describe('environment settings are checked', () => {
  const environments = { staging: { logRetentionDays: 90 } };

  it('fills in the safe defaults for anything left out', () => {
    const { stackName, stackProps } = resolveEnvironment('staging', environments);
    expect(stackName).toBe('ServerlessMlops-staging');
    expect(stackProps).toMatchObject({
      deletionProtection: true,
      customerManagedKey: false,
      pointInTimeRecoveryDays: 35,
    });
    expect(String(stackProps.removalPolicy)).toBe('retain');
  });

  it('names the environments that exist when asked for an unknown one', () => {
    expect(() => resolveEnvironment('qa', environments)).toThrow(
      'unknown environment "qa": cdk.json context "environments" defines staging',
    );
  });

  it('lists every wrong setting with its name', () => {
    const bad = { prod: { account: '12345', logRetentionDays: 10, alarmEmails: ['ops-at-example'], colour: 'blue' } };
    expect(() => resolveEnvironment('prod', bad)).toThrow(
      /account: an AWS account id is 12 digits[\s\S]*logRetentionDays: one of[\s\S]*alarmEmails\.0/,
    );
    expect(() => resolveEnvironment('prod', bad)).toThrow(/colour/);
  });

  it('refuses Object Lock together with destroy-on-delete', () => {
    expect(() => resolveEnvironment('dev', { dev: { removalPolicy: 'destroy', artifactRetentionDays: 30 } })).toThrow(
      /contradict/,
    );
  });

  it('targets the configured account and region', () => {
    const { stackProps } = resolveEnvironment('prod', { prod: { account: '111122223333', region: 'eu-west-1' } });
    expect(stackProps.env).toEqual({ account: '111122223333', region: 'eu-west-1' });
  });
});
