import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addComplianceChecks, suppress } from '../../lib/compliance.js';
import { undeliverablePaths } from '../helpers/delivery.js';
import { nagFindings } from '../helpers/nag.js';

// The builds of the real stack (default and every environment) are checked in environments.test.ts.
const outdir = () => mkdtempSync(join(tmpdir(), 'mlops-nag-'));

describe('cdk-nag: the check bites (throwaway stacks)', () => {
  it('fails a new resource that breaks a rule: an unencrypted, non-TLS queue in a throwaway stack', () => {
    const app = new App({ outdir: outdir() });
    const stack = new Stack(app, 'Throwaway');
    new sqs.Queue(stack, 'Careless', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    addComplianceChecks(app);
    app.synth();
    const rules = nagFindings(stack).map((f) => f.message.split(':')[0]);
    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-SQS2', 'AwsSolutions-SQS3', 'AwsSolutions-SQS4']));
  });

  it('a granular suppression hides only the findings it names: a broader grant on the same role still fails', () => {
    const app = new App({ outdir: outdir() });
    const stack = new Stack(app, 'Throwaway');
    const fn = new lambda.Function(stack, 'Fn', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('export const handler = async () => 1;'),
    });
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/runs/*'] }));
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] }));
    suppress(fn.role as iam.IRole, [
      {
        id: 'AwsSolutions-IAM5',
        reason: 'prefix-scoped object reads in this test',
        appliesTo: ['Resource::arn:aws:s3:::b/runs/*'],
      },
    ]);
    addComplianceChecks(app);
    app.synth();
    const iam5 = nagFindings(stack)
      .map((f) => f.message)
      .filter((m) => m.startsWith('AwsSolutions-IAM5'));
    expect(iam5.some((m) => m.includes('Action::s3:*'))).toBe(true);
    expect(iam5.some((m) => m.includes('Resource::*'))).toBe(true);
    expect(iam5.some((m) => m.includes('b/runs/*'))).toBe(false);
  });

  it('refuses a whole-rule IAM suppression: wildcard findings must be named', () => {
    const stack = new Stack(new App(), 'Throwaway');
    const queue = new sqs.Queue(stack, 'Q');
    expect(() => suppress(queue, [{ id: 'AwsSolutions-IAM5', reason: 'everything, please, for this test' }])).toThrow(
      /appliesTo/,
    );
  });
});

describe('what the packs miss: the delivery check', () => {
  it('the delivery check catches a rule target and an async-invoked function without a dead-letter queue', () => {
    const stack = new Stack(new App(), 'Throwaway');
    const fn = new lambda.Function(stack, 'Fn', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('export const handler = async () => 1;'),
    });
    new events.Rule(stack, 'Nightly', {
      schedule: events.Schedule.rate(Duration.days(1)),
      targets: [new targets.LambdaFunction(fn)],
    });
    const problems = undeliverablePaths(Template.fromStack(stack));
    expect(problems).toEqual([
      expect.stringMatching(/^EventBridge rule Nightly.*no dead-letter queue/),
      expect.stringMatching(/^function Fn.* is invoked asynchronously/),
    ]);
  });
});
