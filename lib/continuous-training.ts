import { Duration } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { ModelConfig } from '../lambdas/core/model-config.js';
import { LAYOUT } from '../lambdas/shared/contracts/layout.js';
import { AlarmFactory } from './alarm-factory.js';
import { suppress } from './compliance.js';
import { MlFunction } from './ml-function.js';
import { grantObjects } from './object-access.js';
import { grantRegistry } from './registry-access.js';
import { DeadLetterQueue, type DataProtection } from './secure-defaults.js';

export interface ContinuousTrainingProps {
  readonly models: readonly ModelConfig[];
  /** Each model's "needs retraining" composite alarm, by model name. */
  readonly needsRetraining: ReadonlyMap<string, cloudwatch.IAlarm>;
  readonly dataBucket: s3.IBucket;
  readonly registry: dynamodb.ITable;
  readonly trainingStateMachine: sfn.IStateMachine;
  readonly modelsDir: string;
  /** Where the alarm on undelivered retraining requests reports. */
  readonly detailTopic: sns.ITopic;
  /** Log retention, removal policy and key. @default retained, three months, AWS-managed encryption */
  readonly protection?: DataProtection;
}

/**
 * Continuous training: a `retrain` function (lambdas/retrain) that starts the training pipeline when a model's
 * "needs retraining" alarm goes to ALARM (an EventBridge rule per model, with `retraining.onAlarm`), on the model's
 * `retraining.schedule`, and by hand (`mlops retrain`), within the model file's cool-down and weekly cap. It may start
 * executions of the training state machine and write its own registry items and the labelled rows it trains on,
 * nothing else. Deliveries that fail after retries land in a dead-letter queue that raises an alarm.
 */
export class ContinuousTraining extends Construct {
  public readonly retrainFunction: MlFunction;
  public readonly rules: events.Rule[] = [];
  public readonly schedules: scheduler.Schedule[] = [];
  public readonly deadLetterQueue: sqs.Queue;
  public readonly deadLettered: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: ContinuousTrainingProps) {
    super(scope, id);
    const protection = props.protection ?? {};
    this.deadLetterQueue = new DeadLetterQueue(this, 'Undelivered', {
      deadLetterOf: 'the retraining rules, schedules and function',
      ...(protection.encryptionKey ? { encryptionKey: protection.encryptionKey } : {}),
    }).queue;
    this.retrainFunction = new MlFunction(this, 'Retrain', {
      name: 'retrain',
      description: 'Starts a retraining run of a model: on its needs-retraining alarm, its schedule, or by hand',
      memorySize: 1024,
      timeout: Duration.minutes(5),
      modelFiles: true,
      modelsDir: props.modelsDir,
      environment: {
        DATA_BUCKET: props.dataBucket.bucketName,
        TRAINING_STATE_MACHINE_ARN: props.trainingStateMachine.stateMachineArn,
      },
      onFailure: new destinations.SqsDestination(this.deadLetterQueue),
      retryAttempts: 2,
      protection,
    });
    this.grantAccess(props, protection);
    for (const model of props.models) this.addModel(model, props.needsRetraining.get(model.name));
    this.suppressScheduleRole();
    this.deadLettered = new AlarmFactory(this, { alarmTopics: [props.detailTopic] }).deadLettered(
      'DeadLettered',
      this.deadLetterQueue,
      'retraining requests could not be delivered or failed (see the dead-letter queue)',
    );
  }

  /** Read uploads, capture and feedback; write the rows it trains on, its registry items and audit events; start runs. */
  private grantAccess(props: ContinuousTrainingProps, protection: DataProtection): void {
    const fn = this.retrainFunction;
    if (protection.encryptionKey && fn.role) {
      suppress(fn.role, [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            "Sending a failed invocation to the dead-letter queue encrypted with the stack's key needs that key's GenerateDataKey*/ReEncrypt* (CDK's queue grant); the resource is that one key.",
          appliesTo: ['Action::kms:GenerateDataKey*', 'Action::kms:ReEncrypt*'],
        },
      ]);
    }
    grantObjects(fn, props.dataBucket, LAYOUT.incoming, ['read']);
    grantObjects(fn, props.dataBucket, LAYOUT.capture, ['read']);
    grantObjects(fn, props.dataBucket, LAYOUT.feedback, ['read']);
    grantObjects(fn, props.dataBucket, LAYOUT.retraining, ['write']);
    grantRegistry(fn, props.registry, {
      run: ['read'],
      alias: ['read'],
      retrain: ['read', 'write'],
      audit: ['append'],
    });
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['states:StartExecution'],
        resources: [props.trainingStateMachine.stateMachineArn],
      }),
    );
  }

  /** The model's rule on its "needs retraining" alarm going to ALARM, and its retraining schedule. */
  private addModel(model: ModelConfig, needsRetraining: cloudwatch.IAlarm | undefined): void {
    const { retraining } = model;
    if (retraining.onAlarm && needsRetraining !== undefined) {
      const field = (path: string) => events.EventField.fromPath(path);
      const rule = new events.Rule(this, `Rule-${model.name}`, {
        description: `Retrains ${model.name} when its needs-retraining alarm goes to ALARM`,
        eventPattern: {
          source: ['aws.cloudwatch'],
          detailType: ['CloudWatch Alarm State Change'],
          resources: [needsRetraining.alarmArn],
          detail: { state: { value: ['ALARM'] } },
        },
      });
      rule.addTarget(
        new targets.LambdaFunction(this.retrainFunction, {
          event: events.RuleTargetInput.fromObject({
            model: model.name,
            trigger: 'alarm',
            alarmName: field('$.detail.alarmName'),
            reason: field('$.detail.state.reason'),
            time: events.EventField.time,
          }),
          deadLetterQueue: this.deadLetterQueue,
          retryAttempts: 8,
          maxEventAge: Duration.hours(24),
        }),
      );
      this.rules.push(rule);
    }
    if (retraining.schedule !== null) {
      this.schedules.push(
        new scheduler.Schedule(this, `Schedule-${model.name}`, {
          description: `Retrains ${model.name} on its schedule (${retraining.schedule})`,
          schedule: scheduler.ScheduleExpression.expression(retraining.schedule),
          target: new schedulerTargets.LambdaInvoke(this.retrainFunction, {
            input: scheduler.ScheduleTargetInput.fromObject({ model: model.name, trigger: 'schedule' }),
            role: this.scheduleRole(),
            deadLetterQueue: this.deadLetterQueue,
            retryAttempts: 3,
            maxEventAge: Duration.hours(1),
          }),
        }),
      );
    }
  }

  private role: iam.Role | undefined;

  /** One role for every retraining schedule: invoke the retrain function, dead-letter, nothing else. */
  private scheduleRole(): iam.Role {
    this.role ??= new iam.Role(this, 'ScheduleRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com'),
      description: "EventBridge Scheduler's role for the retraining schedules",
    });
    return this.role;
  }

  /** After the schedules: their targets add the role's policy, which the suppression must find. */
  private suppressScheduleRole(): void {
    if (this.role === undefined) return;
    suppress(this.role, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          "Invoking the retrain function is granted on its ARN and its versions (CDK's grantInvoke adds `<arn>:*`); the role can invoke no other function.",
        appliesTo: ['/^Resource::<[A-Za-z0-9]+\\.Arn>:\\*$/'],
      },
    ]);
  }
}
