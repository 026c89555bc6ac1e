import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AlarmFactory } from './alarm-factory.js';
import { suppress } from './compliance.js';
import { MlFunction } from './ml-function.js';
import { LAYOUT } from '../lambdas/shared/contracts/layout.js';
import { grantObjects } from './object-access.js';
import { grantRegistry } from './registry-access.js';
import { secureTopic, subscribeEmails } from './notification-topic.js';
import { DeadLetterQueue, secureLogGroup, type DataProtection } from './secure-defaults.js';
import { incidentDefinition } from '../state-machines/incident.js';

/** Who is told at a tier of an incident's response: e-mail addresses, and existing topics (a chat or pager hook). */
export interface Responders {
  /** @default none */
  readonly emails?: readonly string[];
  /** @default none */
  readonly topicArns?: readonly string[];
}

export interface IncidentResponseProps {
  readonly registry: dynamodb.ITable;
  /** Where incident pages go: the stack's alarm topic and the `alarmTopicArns`. */
  readonly pageTopics: readonly sns.ITopic[];
  /** Tier 2: told when tier 1 has not resolved an incident; they acknowledge it. @default a topic without subscribers */
  readonly dataScientists?: Responders;
  /** Tier 3: told when tier 2 does not acknowledge in time, or sends it on. @default a topic without subscribers */
  readonly modelDevelopers?: Responders;
  /** Where the model files come from (each model's `incidents` section). @default the repository's `models/` */
  readonly modelsDir?: string;
  /** Tier 1 checks the served artifacts (read under `models/`) and rolls back. */
  readonly artifactsBucket: s3.IBucket;
  /** Tier 1 asks it for retrainings (its dedup and cool-down apply). */
  readonly retrainFunction: lambda.IFunction;
  /** Log retention, removal policy and key. @default retained, three months, AWS-managed encryption */
  readonly protection?: DataProtection;
}

/**
 * Incidents (issue 22): one EventBridge rule sends every "CloudWatch Alarm State Change" of the stack's alarms (their
 * names begin with the stack's name: CloudFormation's generated names and the explicit ones alike) to the incident
 * function, which groups them into incidents, names the likely source and pages the page topics once per incident
 * event. Deliveries that fail after retries, and invocations that fail, land in a dead-letter queue whose alarm pages
 * the topics directly — the one alarm that does, since it reports that incident pages may be missing. Its name does
 * not begin with the stack's, so the rule does not send it to the function it reports on.
 */
export class IncidentResponse extends Construct {
  public readonly incidentFunction: MlFunction;
  /** Runs the steps of each incident's response workflow (tier 1's runbook among them). */
  public readonly responseFunction: MlFunction;
  /** One execution per incident opened (or reopened): announce, tier 1, tier 2, tier 3. */
  public readonly stateMachine: sfn.StateMachine;
  /** Tier 2's topic (data scientists) and tier 3's (model developers). */
  public readonly dataScientistsTopic: sns.Topic;
  public readonly modelDevelopersTopic: sns.Topic;
  public readonly rule: events.Rule;
  /** Sends the response workflows that ended early to the incident function. */
  public readonly responseEndedRule: events.Rule;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly deadLettered: cloudwatch.Alarm;
  /** What the rule matches in an alarm's name. */
  public readonly alarmNamePrefix: string;

  constructor(scope: Construct, id: string, props: IncidentResponseProps) {
    super(scope, id);
    const protection = props.protection ?? {};
    const stackName = Stack.of(this).stackName;
    this.alarmNamePrefix = `${stackName}-`;
    this.deadLetterQueue = new DeadLetterQueue(this, 'Undelivered', {
      deadLetterOf: "the incident rule's target and the incident function",
      ...(protection.encryptionKey ? { encryptionKey: protection.encryptionKey } : {}),
    }).queue;
    const tiers = this.tierTopics(props, protection);
    this.dataScientistsTopic = tiers.dataScientists;
    this.modelDevelopersTopic = tiers.modelDevelopers;
    const stateMachineName = `${stackName}-incident`;
    const stateMachineArn = Stack.of(this).formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.incidentFunction = this.createIncidentFunction(props, stateMachineArn, protection);
    this.responseFunction = this.createResponseFunction(props, { stateMachineArn, tiers, protection });
    this.stateMachine = this.createStateMachine(stateMachineName, protection);
    for (const fn of [this.incidentFunction, this.responseFunction]) this.suppressKeyWildcards(fn, protection);
    this.rule = new events.Rule(this, 'AlarmChanges', {
      description: "Every state change of the stack's alarms, to the incident function",
      eventPattern: {
        source: ['aws.cloudwatch'],
        detailType: ['CloudWatch Alarm State Change'],
        // Into or out of ALARM: INSUFFICIENT_DATA ⇄ OK (a new alarm settling, a quiet period) says nothing of a storm.
        detail: {
          alarmName: events.Match.prefix(this.alarmNamePrefix),
          $or: [{ state: { value: ['ALARM'] } }, { previousState: { value: ['ALARM'] } }],
        },
      },
    });
    const target = new targets.LambdaFunction(this.incidentFunction, {
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts: 8,
      maxEventAge: Duration.hours(24),
    });
    this.rule.addTarget(target);
    // A response workflow that ends without finishing: the incident function starts it again or lets the incident go.
    this.responseEndedRule = new events.Rule(this, 'ResponseEnded', {
      description: "An incident's response workflow that was stopped, failed or timed out, to the incident function",
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { status: ['ABORTED', 'FAILED', 'TIMED_OUT'], stateMachineArn: [this.stateMachine.stateMachineArn] },
      },
    });
    this.responseEndedRule.addTarget(target);
    this.deadLettered = new AlarmFactory(this, { alarmTopics: props.pageTopics }).deadLettered(
      'DeadLettered',
      this.deadLetterQueue,
      'alarm changes could not be applied to the incidents, so pages may be missing (see the dead-letter queue and the incident function’s log)',
      `incident-pages-undelivered-${stackName}`,
    );
  }

  /** The rule's target: incident items, the audit trail and runs read; the page topics; the workflow started. */
  private createIncidentFunction(
    props: IncidentResponseProps,
    stateMachineArn: string,
    protection: DataProtection,
  ): MlFunction {
    const fn = new MlFunction(this, 'Incident', {
      name: 'incident',
      description:
        "Groups the stack's alarm changes into incidents, names their likely source, pages once per incident",
      memorySize: 512,
      timeout: Duration.seconds(60),
      environment: {
        PAGE_TOPIC_ARNS: props.pageTopics.map((t) => t.topicArn).join(','),
        RESPONSE_STATE_MACHINE_ARN: stateMachineArn,
      },
      onFailure: new destinations.SqsDestination(this.deadLetterQueue),
      retryAttempts: 2,
      protection,
    });
    grantRegistry(fn, props.registry, { incident: ['read', 'write'], audit: ['read'], run: ['read'] });
    for (const topic of props.pageTopics) topic.grantPublish(fn);
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['states:StartExecution', 'states:SendTaskSuccess'],
        resources: [stateMachineArn],
      }),
    );
    return fn;
  }

  /** Tier 2's and tier 3's topics, with their e-mail subscribers; their extra topics by ARN. */
  private tierTopics(
    props: IncidentResponseProps,
    protection: DataProtection,
  ): { dataScientists: sns.Topic; modelDevelopers: sns.Topic; tier2: sns.ITopic[]; tier3: sns.ITopic[] } {
    const key = protection.encryptionKey;
    const make = (id: string, name: string, responders: Responders | undefined) => {
      const topic = secureTopic(this, `${id}Topic`, name, key);
      subscribeEmails(this, `${id}Undelivered`, topic, responders?.emails, key);
      const extra = (responders?.topicArns ?? []).map((arn, i) => sns.Topic.fromTopicArn(this, `${id}Extra${i}`, arn));
      return { topic, all: [topic, ...extra] };
    };
    const ds = make('DataScientists', 'serverless-mlops incidents: data scientists (tier 2)', props.dataScientists);
    const md = make('ModelDevelopers', 'serverless-mlops incidents: model developers (tier 3)', props.modelDevelopers);
    return { dataScientists: ds.topic, modelDevelopers: md.topic, tier2: ds.all, tier3: md.all };
  }

  /** The workflow's steps: incident items and responses; the page and tier topics; answering tier 2's wait. */
  private createResponseFunction(
    props: IncidentResponseProps,
    context: { stateMachineArn: string; tiers: ReturnType<IncidentResponse['tierTopics']>; protection: DataProtection },
  ): MlFunction {
    const { tiers } = context;
    const fn = new MlFunction(this, 'Response', {
      name: 'incident-response',
      description: "Steps an incident's response: announce it, check it, notify tier 2, escalate to tier 3",
      memorySize: 512,
      timeout: Duration.seconds(60),
      modelFiles: true,
      ...(props.modelsDir !== undefined ? { modelsDir: props.modelsDir } : {}),
      environment: {
        PAGE_TOPIC_ARNS: props.pageTopics.map((t) => t.topicArn).join(','),
        TIER2_TOPIC_ARNS: tiers.tier2.map((t) => t.topicArn).join(','),
        TIER3_TOPIC_ARNS: tiers.tier3.map((t) => t.topicArn).join(','),
        RETRAIN_FUNCTION_NAME: props.retrainFunction.functionName,
        ARTIFACTS_BUCKET: props.artifactsBucket.bucketName,
      },
      protection: context.protection,
    });
    // Tier 1: reads the production pointers and versions, moves a pointer back (audited), reads the artifacts.
    grantRegistry(fn, props.registry, {
      incident: ['read', 'write'],
      alias: ['read', 'write'],
      version: ['read'],
      audit: ['append'],
    });
    grantObjects(fn, props.artifactsBucket, LAYOUT.models, ['read']);
    // Each incident's page, rewritten as its response goes on.
    grantObjects(fn, props.artifactsBucket, LAYOUT.incidents, ['write']);
    props.retrainFunction.grantInvoke(fn);
    suppress(fn.role as iam.IRole, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          "Invoking the retrain function is granted on its ARN and its versions (CDK's grantInvoke adds `<arn>:*`); the role can invoke no other function.",
        appliesTo: ['/^Resource::<ContinuousTrainingRetrain[A-Za-z0-9]+\\.Arn>:\\*$/'],
      },
    ]);
    for (const topic of [...props.pageTopics, ...tiers.tier2, ...tiers.tier3]) topic.grantPublish(fn);
    fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['states:SendTaskSuccess'], resources: [context.stateMachineArn] }),
    );
    return fn;
  }

  private createStateMachine(stateMachineName: string, protection: DataProtection): sfn.StateMachine {
    const timeout = this.responseFunction.timeout ?? Duration.seconds(60);
    const machine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(
        incidentDefinition(new Construct(this, 'States'), this.responseFunction, timeout),
      ),
      // A day of tier 1 and a week to acknowledge at most (the model file's limits), with room for held announcements.
      timeout: Duration.days(9),
      tracingEnabled: true,
      logs: {
        destination: secureLogGroup(this, 'ExecutionLogs', protection),
        level: sfn.LogLevel.ALL,
        includeExecutionData: true,
      },
    });
    suppress(machine.role, [
      {
        id: 'AwsSolutions-IAM5',
        reason: 'Log delivery and X-Ray actions take no resource-level permissions.',
        appliesTo: ['Resource::*'],
      },
      {
        id: 'AwsSolutions-IAM5',
        reason: "CDK's LambdaInvoke grant: the incident-response function and its versions (function ARN plus ':*').",
        appliesTo: ['/^Resource::<IncidentsResponse[A-Za-z0-9]*\\.Arn>:\\*$/'],
      },
    ]);
    return machine;
  }

  private suppressKeyWildcards(fn: MlFunction, protection: DataProtection): void {
    if (!protection.encryptionKey || !fn.role) return;
    suppress(fn.role, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          "Sending a failed invocation to the dead-letter queue, and publishing to the alarm topic, both encrypted with the stack's key, need that key's GenerateDataKey*/ReEncrypt* (CDK's grants); the resource is that one key.",
        appliesTo: ['Action::kms:GenerateDataKey*', 'Action::kms:ReEncrypt*'],
      },
    ]);
  }
}
