import { Duration } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { AlarmFactory } from './alarm-factory.js';
import { secureTopic, subscribeEmails } from './notification-topic.js';

export interface OperationsAlarmsProps {
  readonly stateMachine: sfn.IStateMachine;
  readonly uploadDeadLetterQueue: sqs.IQueue;
  readonly predictFunction: lambda.IFunction;
  readonly api: apigwv2.IHttpApi;
  /** E-mail addresses subscribed to the alarm topic (each must confirm the subscription). @default none */
  readonly alarmEmails?: readonly string[];
  /** Existing SNS topics (e.g. a pager integration) that also receive every incident page. @default none */
  readonly alarmTopicArns?: readonly string[];
  /** Encrypt the alarm topic with this key. @default unencrypted (see the suppression below for why) */
  readonly encryptionKey?: kms.IKey;
}

/**
 * The topics and the operational alarms every environment gets: a failed or timed-out pipeline run, an upload event
 * that could not start the pipeline (dead-letter queue not empty), predict function errors and API 5xx. Pages go to
 * `topic` (and the `alarmTopicArns`) from the incident function, one per incident event (lib/incident-response.ts);
 * every alarm's own changes, both ways, go to `detailTopic`, a feed for chat and dashboards that pages no one.
 */
export class OperationsAlarms extends Construct {
  public readonly topic: sns.Topic;
  /** Every state change of every alarm, both ways, for chat and dashboards (AWS Chatbot, a webhook); no pages. */
  public readonly detailTopic: sns.Topic;
  /** Where pages go: `topic` and the `alarmTopicArns`. */
  public readonly pageTopics: sns.ITopic[];
  public readonly alarms: cloudwatch.Alarm[];
  /** Where undeliverable alarm e-mails go; only when there are e-mail subscriptions. */
  public readonly deliveryDeadLetterQueue?: sqs.Queue;

  constructor(scope: Construct, id: string, props: OperationsAlarmsProps) {
    super(scope, id);
    const topics = this.createTopics(props);
    this.topic = topics.topic;
    this.detailTopic = topics.detailTopic;
    if (topics.deliveryDeadLetterQueue !== undefined) this.deliveryDeadLetterQueue = topics.deliveryDeadLetterQueue;
    const fiveMinutes = { period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM };
    this.pageTopics = [
      this.topic,
      ...(props.alarmTopicArns ?? []).map((arn, i) => sns.Topic.fromTopicArn(this, `ExtraTopic${i}`, arn)),
    ];
    const alarms = new AlarmFactory(this, { alarmTopics: [this.detailTopic], notifyOk: true });
    const anyOf = (id: string, description: string, metric: cloudwatch.IMetric) =>
      alarms.threshold(id, { description, metric, threshold: 1, crossing: 'atLeast', missingData: 'notBreaching' });
    this.alarms = [
      anyOf(
        'PipelineFailed',
        'A training pipeline execution failed (the run is recorded as FAILED; `mlops runs` shows why).',
        props.stateMachine.metricFailed(fiveMinutes),
      ),
      anyOf(
        'PipelineTimedOut',
        'A training pipeline execution hit its time limit.',
        props.stateMachine.metricTimedOut(fiveMinutes),
      ),
      anyOf(
        'UploadEventsDeadLettered',
        'An upload event could not start the pipeline and is in the dead-letter queue: re-upload or redrive it.',
        props.uploadDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(5),
          statistic: cloudwatch.Stats.MAXIMUM,
        }),
      ),
      anyOf(
        'PredictErrors',
        'The predict function threw (not a 4xx answer: an error in the function itself).',
        props.predictFunction.metricErrors(fiveMinutes),
      ),
      anyOf('ApiServerErrors', 'The inference API answered 5xx.', props.api.metricServerError(fiveMinutes)),
    ];
  }
  /** The page topic (e-mail subscribers, their undelivered messages kept) and the detail topic. */
  private createTopics(props: OperationsAlarmsProps): {
    topic: sns.Topic;
    detailTopic: sns.Topic;
    deliveryDeadLetterQueue?: sqs.Queue;
  } {
    const topic = secureTopic(this, 'Topic', 'serverless-mlops alarms', props.encryptionKey);
    const detailTopic = secureTopic(this, 'DetailTopic', 'serverless-mlops alarm details', props.encryptionKey);
    const queue = subscribeEmails(this, 'UndeliveredAlarms', topic, props.alarmEmails, props.encryptionKey);
    return { topic, detailTopic, ...(queue ? { deliveryDeadLetterQueue: queue } : {}) };
  }
}
