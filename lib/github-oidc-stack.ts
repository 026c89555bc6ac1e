import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { KEY_PREFIX } from '../lambdas/shared/contracts/registry-keys.js';
import { suppress } from './compliance.js';

const GITHUB_ISSUER = 'token.actions.githubusercontent.com';

export interface GithubOidcStackProps extends StackProps {
  /** The GitHub repository allowed to assume the roles, as `owner/name`. */
  readonly repository: string;
  /** GitHub environments whose jobs may deploy (the deploy workflow's `environment:` names). @default ['staging', 'production'] */
  readonly deployEnvironments?: readonly string[];
  /**
   * ARN of the account's existing GitHub OIDC provider (an account can hold only one per URL).
   * @default a new provider for token.actions.githubusercontent.com
   */
  readonly existingProviderArn?: string;
  /** Prefix of the stacks the smoke test may use (`ServerlessMlops-staging`, ...). @default 'ServerlessMlops' */
  readonly stackPrefix?: string;
  /** Qualifier of the account's CDK bootstrap (`cdk bootstrap --qualifier`). @default 'hnb659fds' */
  readonly cdkQualifier?: string;
}

/**
 * What GitHub Actions needs in an AWS account, and nothing long-lived: the GitHub OIDC identity provider and two
 * roles that only workflow runs of one repository can assume.
 *
 * - **Deploy role**: jobs of the named GitHub environments. It may assume the CDK bootstrap roles (so CloudFormation,
 *   not this role, holds the deployment permissions) and do what the smoke test does: read stack outputs, upload
 *   under `incoming/`, read the registry (the production job lists its models) and the data schema, and call the
 *   inference API.
 * - **Diff role**: pull-request runs, for `cdk diff`. It may assume only the bootstrap's read-only lookup role.
 */
export class GithubOidcStack extends Stack {
  public readonly deployRole: iam.Role;
  public readonly diffRole: iam.Role;

  constructor(scope: Construct, id: string, props: GithubOidcStackProps) {
    super(scope, id, props);
    if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(props.repository)) {
      throw new Error(`repository must be "owner/name" as on GitHub (got "${props.repository}")`);
    }
    const providerArn =
      props.existingProviderArn ??
      new iam.OidcProviderNative(this, 'GithubProvider', {
        url: `https://${GITHUB_ISSUER}`,
        clientIds: ['sts.amazonaws.com'],
      }).oidcProviderArn;
    const trust = (subjects: string[]) => githubPrincipal(providerArn, subjects);
    const environments = props.deployEnvironments ?? ['staging', 'production'];
    const qualifier = props.cdkQualifier ?? 'hnb659fds';
    const prefix = props.stackPrefix ?? 'ServerlessMlops';
    const { account, region, partition } = this;
    const bootstrapRole = (kind: string) =>
      `arn:${partition}:iam::${account}:role/cdk-${qualifier}-${kind}-role-${account}-${region}`;

    this.deployRole = new iam.Role(this, 'DeployRole', {
      description: `GitHub Actions deployments of ${props.repository} (environments ${environments.join(', ')})`,
      assumedBy: trust(environments.map((env) => `repo:${props.repository}:environment:${env}`)),
      maxSessionDuration: Duration.hours(2),
    });
    this.deployRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'UseCdkBootstrapRoles',
        actions: ['sts:AssumeRole', 'sts:TagSession'],
        resources: ['deploy', 'file-publishing', 'image-publishing', 'lookup'].map(bootstrapRole),
      }),
    );
    for (const statement of smokeTestStatements(this, prefix)) this.deployRole.addToPolicy(statement);

    this.diffRole = new iam.Role(this, 'DiffRole', {
      description: `GitHub Actions pull-request diffs of ${props.repository}: read-only`,
      assumedBy: trust([`repo:${props.repository}:pull_request`]),
      maxSessionDuration: Duration.hours(1),
    });
    this.diffRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'UseCdkLookupRole',
        actions: ['sts:AssumeRole', 'sts:TagSession'],
        resources: [bootstrapRole('lookup')],
      }),
    );
    suppressSmokeTestPatterns(this.deployRole, prefix);
    new CfnOutput(this, 'DeployRoleArn', {
      value: this.deployRole.roleArn,
      description: 'GitHub environment variable AWS_ROLE_ARN (staging and production)',
    });
    new CfnOutput(this, 'DiffRoleArn', {
      value: this.diffRole.roleArn,
      description: 'GitHub repository variable AWS_DIFF_ROLE_ARN',
    });
  }
}

/** GitHub's OIDC tokens for these subjects (`repo:<owner>/<name>:environment:<env>`, …), for STS only. */
function githubPrincipal(providerArn: string, subjects: string[]): iam.WebIdentityPrincipal {
  return new iam.WebIdentityPrincipal(providerArn, {
    StringEquals: { [`${GITHUB_ISSUER}:aud`]: 'sts.amazonaws.com' },
    StringLike: { [`${GITHUB_ISSUER}:sub`]: subjects },
  });
}

/**
 * What the deploy workflow's smoke test and production check need of a deployed stack: its outputs, an upload under
 * `incoming/`, the data schema, the registry, the predict route — and, for stacks with a customer-managed key, the
 * key, only through S3 and DynamoDB.
 */
function smokeTestStatements(stack: Stack, prefix: string): iam.PolicyStatement[] {
  const { account, region, partition } = stack;
  const bucketPattern = (logical: string) => `arn:${partition}:s3:::${prefix.toLowerCase()}-*-storage${logical}bucket*`;
  const smoke: [string, string[], string[]][] = [
    [
      'ReadStackOutputs',
      ['cloudformation:DescribeStacks'],
      [`arn:${partition}:cloudformation:${region}:${account}:stack/${prefix}-*/*`],
    ],
    ['UploadSmokeData', ['s3:PutObject'], [`${bucketPattern('data')}/incoming/*`]],
    ['ReadDataSchema', ['s3:GetObject'], [`${bucketPattern('artifacts')}/schemas/*`]],
    // Scan: the production job's check lists the models (`mlops models`).
    [
      'ReadRegistry',
      ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan'],
      [`arn:${partition}:dynamodb:${region}:${account}:table/${prefix}-*`],
    ],
    [
      'CallInferenceApi',
      ['execute-api:Invoke'],
      [`arn:${partition}:execute-api:${region}:${account}:*/*/POST/v1/models/*/predict`],
    ],
    // The smoke test waits for its run's execution to end (the model card is written after the decision).
    ['WatchRunExecutions', ['states:DescribeExecution'], [`arn:${partition}:states:${region}:${account}:execution:*`]],
  ];
  return [
    ...smoke.map(([sid, actions, resources]) => new iam.PolicyStatement({ sid, actions, resources })),
    // The one registry write: an upload's ticket on its run (which of identical racing uploads started it).
    new iam.PolicyStatement({
      sid: 'TakeUploadTickets',
      actions: ['dynamodb:UpdateItem'],
      resources: [`arn:${partition}:dynamodb:${region}:${account}:table/${prefix}-*`],
      conditions: {
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${KEY_PREFIX.run}*`] },
        'ForAllValues:StringEquals': { 'dynamodb:Attributes': ['pk', 'sk', 'uploadTickets'] },
      },
    }),
    // Stacks built with customerManagedKey: the key is used only through S3 and DynamoDB, never directly.
    new iam.PolicyStatement({
      sid: 'UseStackKeyThroughS3AndDynamoDB',
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: [`arn:${partition}:kms:${region}:${account}:key/*`],
      conditions: {
        StringEquals: { 'kms:ViaService': [`s3.${region}.amazonaws.com`, `dynamodb.${region}.amazonaws.com`] },
      },
    }),
  ];
}

/** The smoke test's name patterns, explained for cdk-nag. */
function suppressSmokeTestPatterns(role: iam.Role, prefix: string): void {
  suppress(role, [
    {
      id: 'AwsSolutions-IAM5',
      reason: `The smoke test works on stacks named ${prefix}-<environment>, whose bucket, table and state machine names CloudFormation generates with a random suffix, so only name patterns can scope it; every pattern is bound to this account and region, to the incoming/ and schemas/ prefixes, to the predict route, and to reading executions' status.`,
      appliesTo: [
        `Resource::arn:<AWS::Partition>:cloudformation:<AWS::Region>:<AWS::AccountId>:stack/${prefix}-*/*`,
        `Resource::arn:<AWS::Partition>:s3:::${prefix.toLowerCase()}-*-storagedatabucket*/incoming/*`,
        `Resource::arn:<AWS::Partition>:s3:::${prefix.toLowerCase()}-*-storageartifactsbucket*/schemas/*`,
        `Resource::arn:<AWS::Partition>:dynamodb:<AWS::Region>:<AWS::AccountId>:table/${prefix}-*`,
        'Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:*/*/POST/v1/models/*/predict',
        'Resource::arn:<AWS::Partition>:kms:<AWS::Region>:<AWS::AccountId>:key/*',
        'Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:*',
      ],
    },
  ]);
}
