import { Match, Template } from 'aws-cdk-lib/assertions';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildGithubOidcApp } from '../../lib/github-oidc-app.js';
import type { GithubOidcStack } from '../../lib/github-oidc-stack.js';
import { nagFindings } from '../helpers/nag.js';

let stack: GithubOidcStack;
let template: Template;

beforeAll(() => {
  const built = buildGithubOidcApp({
    outdir: mkdtempSync(join(tmpdir(), 'mlops-oidc-')),
    context: { githubRepo: 'acme/ml-platform' },
  });
  built.app.synth();
  stack = built.stack;
  template = Template.fromStack(stack);
});

const roleLogicalId = (prefix: string) =>
  Object.keys(template.findResources('AWS::IAM::Role')).find((id) => id.startsWith(prefix)) as string;

describe('GitHub OIDC bootstrap stack', () => {
  it('passes cdk-nag with no unsuppressed finding', () => {
    expect(nagFindings(stack)).toEqual([]);
  });

  it('creates the GitHub identity provider for the STS audience, without a custom resource', () => {
    template.hasResourceProperties('AWS::IAM::OIDCProvider', {
      Url: 'https://token.actions.githubusercontent.com',
      ClientIdList: ['sts.amazonaws.com'],
    });
    expect(Object.keys(template.findResources('AWS::Lambda::Function'))).toEqual([]);
  });

  it("lets only the repository's staging and production environment jobs assume the deploy role", () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: {
              StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
              StringLike: {
                'token.actions.githubusercontent.com:sub': [
                  'repo:acme/ml-platform:environment:staging',
                  'repo:acme/ml-platform:environment:production',
                ],
              },
            },
          }),
        ],
      },
      MaxSessionDuration: 7200,
    });
  });

  it('gives pull requests only a role that can assume the read-only lookup role', () => {
    const diff = roleLogicalId('DiffRole');
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Condition: Match.objectLike({
              StringLike: { 'token.actions.githubusercontent.com:sub': ['repo:acme/ml-platform:pull_request'] },
            }),
          }),
        ],
      },
    });
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p.Properties.Roles).includes(diff),
    );
    expect(policies).toHaveLength(1);
    const statements = policies[0]?.Properties.PolicyDocument.Statement as { Action: string[]; Resource: unknown }[];
    expect(statements).toHaveLength(1);
    expect(statements[0]?.Action).toEqual(['sts:AssumeRole', 'sts:TagSession']);
    expect(JSON.stringify(statements[0]?.Resource)).toContain('-lookup-role-');
  });

  it('deploys through the CDK bootstrap roles: no CloudFormation, IAM or wildcard-action permission of its own', () => {
    const deploy = roleLogicalId('DeployRole');
    const policy = Object.values(template.findResources('AWS::IAM::Policy')).find((p) =>
      JSON.stringify(p.Properties.Roles).includes(deploy),
    );
    const statements = policy?.Properties.PolicyDocument.Statement as { Sid: string; Action: string | string[] }[];
    const actions = statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    expect(
      actions.filter(
        (a) =>
          a.includes('*') ||
          a.startsWith('iam:') ||
          (a.startsWith('cloudformation:') && a !== 'cloudformation:DescribeStacks'),
      ),
    ).toEqual([]);
    const registry = statements.find((s) => s.Sid === 'ReadRegistry');
    expect(registry?.Action).toEqual(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan']);
    // One registry write: an upload's ticket on its run, and only that attribute of run items.
    const writes = statements.filter((s) =>
      (Array.isArray(s.Action) ? s.Action : [s.Action]).some((a) =>
        /^dynamodb:(Put|Update|Delete|BatchWrite)|^s3:Delete/.test(a),
      ),
    );
    expect(writes).toEqual([
      expect.objectContaining({
        Sid: 'TakeUploadTickets',
        Action: 'dynamodb:UpdateItem',
        Condition: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['RUN#*'] },
          'ForAllValues:StringEquals': { 'dynamodb:Attributes': ['pk', 'sk', 'uploadTickets'] },
        },
      }),
    ]);
    expect(statements.find((s) => s.Sid === 'WatchRunExecutions')?.Action).toBe('states:DescribeExecution');
    expect(statements.map((s) => s.Sid).sort()).toEqual([
      'CallInferenceApi',
      'ReadDataSchema',
      'ReadRegistry',
      'ReadStackOutputs',
      'TakeUploadTickets',
      'UploadSmokeData',
      'UseCdkBootstrapRoles',
      'UseStackKeyThroughS3AndDynamoDB',
      'WatchRunExecutions',
    ]);
  });

  it('refuses a repository that is not owner/name, and asks for one when missing', () => {
    expect(() => buildGithubOidcApp({ context: { githubRepo: 'https://github.com/acme/ml' } })).toThrow(/owner\/name/);
    expect(() => buildGithubOidcApp({ context: {} })).toThrow(/-c githubRepo=<owner>\/<name>/);
  });
});
