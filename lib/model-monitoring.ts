import { Duration } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ModelConfig } from '../lambdas/core/model-config.js';
import { LAYOUT } from '../lambdas/shared/contracts/layout.js';
import { AlarmFactory } from './alarm-factory.js';
import { suppress } from './compliance.js';
import { MlFunction } from './ml-function.js';
import { grantObjects } from './object-access.js';
import { grantRegistry } from './registry-access.js';
import { DeadLetterQueue, type DataProtection } from './secure-defaults.js';

export interface ModelMonitoringProps {
  readonly models: readonly ModelConfig[];
  /** Where the capture and feedback records are (`capture/`, `feedback/`). */
  readonly dataBucket: s3.IBucket;
  /** Where the versions' profiles and monitoring references are (`runs/`). */
  readonly artifactsBucket: s3.IBucket;
  readonly registry: dynamodb.ITable;
  /** The model files shipped with the monitor (its settings: schedule, minimum rows, false-alarm rate). */
  readonly modelsDir: string;
  /** Where the alarm on undelivered schedules reports. */
  readonly detailTopic: sns.ITopic;
  /** Log retention, removal policy and key. @default retained, three months, AWS-managed encryption */
  readonly protection?: DataProtection;
}

/**
 * The monitor of live traffic: one function (lambdas/monitor) that judges a model's last window of captured
 * predictions and feedback, started per model by an EventBridge Scheduler schedule from the model file
 * (`monitoring.schedule`) and on demand by `mlops monitor`. It reads the capture and feedback records and the
 * versions' references, and writes only its own registry items (`MONITOR#`); schedules that cannot be delivered
 * after retries land in a dead-letter queue that raises an alarm.
 */
export class ModelMonitoring extends Construct {
  public readonly monitorFunction: MlFunction;
  public readonly schedules: scheduler.Schedule[] = [];
  public readonly deadLetterQueue: sqs.Queue;
  public readonly deadLettered: cloudwatch.Alarm;
  /** What the schedules deliver with: invoke the monitor, dead-letter, nothing else. */
  public readonly scheduleRole: iam.Role;

  constructor(scope: Construct, id: string, props: ModelMonitoringProps) {
    super(scope, id);
    const protection = props.protection ?? {};
    this.deadLetterQueue = new DeadLetterQueue(this, 'Undelivered', {
      deadLetterOf: "the monitor's schedules",
      ...(protection.encryptionKey ? { encryptionKey: protection.encryptionKey } : {}),
    }).queue;
    this.monitorFunction = new MlFunction(this, 'Monitor', {
      name: 'monitor',
      description: "Monitors a model's window of live traffic: drift, estimated and realized performance",
      memorySize: 1024,
      timeout: Duration.minutes(5),
      // Influence drift re-scores labelled windows with the served version: the compiled forward pass, TF.js only for
      // a network it cannot compile (loaded then, as serving does).
      tensorflow: true,
      lazyTensorflow: true,
      modelFiles: true,
      modelsDir: props.modelsDir,
      environment: { DATA_BUCKET: props.dataBucket.bucketName, ARTIFACTS_BUCKET: props.artifactsBucket.bucketName },
      protection,
    });
    grantObjects(this.monitorFunction, props.dataBucket, LAYOUT.capture, ['read']);
    grantObjects(this.monitorFunction, props.dataBucket, LAYOUT.feedback, ['read']);
    grantObjects(this.monitorFunction, props.artifactsBucket, LAYOUT.runs, ['read']);
    grantObjects(this.monitorFunction, props.artifactsBucket, LAYOUT.models, ['read']);
    grantObjects(this.monitorFunction, props.artifactsBucket, LAYOUT.monitoring, ['write']);
    grantRegistry(this.monitorFunction, props.registry, {
      version: ['read'],
      alias: ['read'],
      monitor: ['read', 'append'],
    });
    ModelMonitoring.grantMetricReads(this.monitorFunction);
    this.scheduleRole = ModelMonitoring.scheduleRole(this);
    for (const model of props.models) this.schedules.push(this.scheduleFor(model));
    // After the schedules: their targets add the role's policy, which the suppression must find.
    suppress(this.scheduleRole, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          "Invoking the monitor function is granted on its ARN and its versions (CDK's grantInvoke adds `<arn>:*`); the role can invoke no other function.",
        appliesTo: ['/^Resource::<[A-Za-z0-9]+\\.Arn>:\\*$/'],
      },
    ]);
    this.deadLettered = new AlarmFactory(this, { alarmTopics: [props.detailTopic] }).deadLettered(
      'DeadLettered',
      this.deadLetterQueue,
      'monitor schedules could not be delivered (see the dead-letter queue)',
    );
  }

  /**
   * Predict's request count, for production's silence (the no-traffic alarm): GetMetricData has no resource-level
   * permissions, so it is granted on "*", with the finding suppressed and why.
   */
  private static grantMetricReads(fn: MlFunction): void {
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['cloudwatch:GetMetricData'], resources: ['*'] }));
    suppress(fn.role as iam.IRole, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'cloudwatch:GetMetricData supports no resource-level permissions (the Service Authorization Reference lists no resource type for it); the function reads metrics, it writes none through the API.',
        appliesTo: ['Resource::*'],
      },
    ]);
  }

  /** The role every schedule of the construct delivers with: it may invoke the monitor and dead-letter, nothing else. */
  private static scheduleRole(scope: Construct): iam.Role {
    const role = new iam.Role(scope, 'ScheduleRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com'),
      description: "EventBridge Scheduler's role for the monitor's schedules",
    });
    return role;
  }

  /** The model's schedule: the monitor with `{model, trigger: "schedule", scheduledTime}`, retried, then dead-lettered. */
  private scheduleFor(model: ModelConfig): scheduler.Schedule {
    const target = new schedulerTargets.LambdaInvoke(this.monitorFunction, {
      role: this.scheduleRole,
      // The time it was scheduled for, which Scheduler fills in: a late run still monitors its own window.
      input: scheduler.ScheduleTargetInput.fromObject({
        model: model.name,
        trigger: 'schedule',
        scheduledTime: scheduler.ContextAttribute.scheduledTime,
      }),
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts: 3,
      maxEventAge: Duration.hours(1),
    });
    return new scheduler.Schedule(this, `Schedule-${model.name}`, {
      description: `Monitors ${model.name}'s live traffic (${model.monitoring.schedule})`,
      schedule: scheduler.ScheduleExpression.expression(model.monitoring.schedule),
      target,
    });
  }
}
