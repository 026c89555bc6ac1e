import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { LAYOUT } from '../lambdas/shared/contracts/layout.js';
import { candidateAlarmNamePattern } from '../lambdas/shared/contracts/metric-names.js';
import { releaseDefinition } from '../state-machines/release.js';
import { suppress } from './compliance.js';
import { MlFunction } from './ml-function.js';
import { grantObjects } from './object-access.js';
import { grantRegistry } from './registry-access.js';
import { secureLogGroup, type DataProtection } from './secure-defaults.js';

export interface ModelReleasesProps {
  readonly registry: dynamodb.ITable;
  readonly artifactsBucket: s3.IBucket;
  /** The serving function the release check queries, forcing the candidate. */
  readonly predictFunction: lambda.IFunction;
  /** The state machine's name, so the training pipeline can start it without depending on this construct. */
  readonly stateMachineName: string;
  /** Log retention, removal policy and key. @default retained, three months, AWS-managed encryption */
  readonly protection?: DataProtection;
}

/**
 * Canary and shadow releases: the release state machine (release check, then a step's share of traffic for its bake
 * time, a minute at a time, reading the candidate's alarms) and the release function it runs.
 */
export class ModelReleases extends Construct {
  public readonly releaseFunction: MlFunction;
  public readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: ModelReleasesProps) {
    super(scope, id);
    const protection = props.protection ?? {};
    this.releaseFunction = this.createReleaseFunction(scope, props, protection);
    const timeoutOf = (f: lambda.IFunction) => (f as lambda.Function).timeout ?? Duration.seconds(30);
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(
        releaseDefinition(
          new Construct(this, 'States'),
          { release: this.releaseFunction, predict: props.predictFunction },
          { release: timeoutOf(this.releaseFunction), predict: timeoutOf(props.predictFunction) },
        ),
      ),
      // Ten steps of a day each at most (the model file's limits).
      timeout: Duration.days(11),
      tracingEnabled: true,
      logs: {
        destination: secureLogGroup(this, 'ExecutionLogs', protection),
        level: sfn.LogLevel.ALL,
        includeExecutionData: true,
      },
    });
    suppress(this.stateMachine.role, [
      {
        id: 'AwsSolutions-IAM5',
        reason: 'Log delivery and X-Ray actions take no resource-level permissions.',
        appliesTo: ['Resource::*'],
      },
      {
        id: 'AwsSolutions-IAM5',
        reason:
          "CDK's LambdaInvoke grant: the release and predict functions and their versions (function ARN plus ':*').",
        appliesTo: ['/^Resource::<(ReleasesRelease|InferencePredict)[A-Za-z0-9]*\\.Arn>:\\*$/'],
      },
    ]);
  }
  /**
   * The function that steps releases: it reads versions and runs, moves the production pointer at the end, appends to
   * the audit trail, reads models and run splits, and reads the stack's candidate alarms.
   */
  private createReleaseFunction(scope: Construct, props: ModelReleasesProps, protection: DataProtection): MlFunction {
    const releaseFunction = new MlFunction(this, 'Release', {
      name: 'release',
      description: 'Steps a canary or shadow release: the release check, each minute of a bake, promotion or rollback',
      tensorflow: true,
      memorySize: 1769,
      timeout: Duration.minutes(2),
      protection,
      // Each model's candidate alarms are named from the stack's name (candidateAlarmNames): the environment stays the
      // same size however many models the stack serves.
      environment: { ARTIFACTS_BUCKET: props.artifactsBucket.bucketName, STACK_NAME: Stack.of(scope).stackName },
    });
    // Releases read versions and runs, move the production pointer at the end, and append to the audit trail.
    grantRegistry(releaseFunction, props.registry, {
      alias: ['read', 'write'],
      version: ['read'],
      run: ['read'],
      release: ['read', 'write'],
      audit: ['append'],
    });
    grantObjects(releaseFunction, props.artifactsBucket, LAYOUT.models, ['read']);
    grantObjects(releaseFunction, props.artifactsBucket, LAYOUT.runs, ['read']);
    // Reading alarm states: only the stack's candidate alarms (a name pattern, so any number of models fits).
    const stack = Stack.of(this);
    releaseFunction.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['cloudwatch:DescribeAlarms'],
        resources: [
          stack.formatArn({
            service: 'cloudwatch',
            resource: 'alarm',
            resourceName: candidateAlarmNamePattern(stack.stackName),
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
    suppress(releaseFunction.role as iam.IRole, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          "DescribeAlarms on the stack's candidate alarms only (named <stack>-<model>-candidate-<kind>): a pattern keeps the policy one line however many models the stack serves.",
        appliesTo: [
          '/^Resource::arn:<AWS::Partition>:cloudwatch:<AWS::Region>:<AWS::AccountId>:alarm:[A-Za-z0-9-]+-\\*-candidate-\\*$/',
        ],
      },
    ]);
    return releaseFunction;
  }
}
