import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { LAYOUT } from '../lambdas/shared/contracts/layout.js';
import { trainingDefinition } from '../state-machines/training.js';
import { MlFunction } from './ml-function.js';
import { suppress } from './compliance.js';
import { grantObjects } from './object-access.js';
import { grantRegistry } from './registry-access.js';
import { DeadLetterQueue, secureLogGroup, type DataProtection } from './secure-defaults.js';

export interface TrainingPipelineProps {
  readonly dataBucket: s3.IBucket;
  readonly artifactsBucket: s3.IBucket;
  readonly registry: dynamodb.ITable;
  /** Git commit recorded with each model version. */
  readonly codeVersion: string;
  /** The release state machine a version that passed its gate is handed to (its model file asks for a canary or shadow). */
  readonly releaseStateMachineName: string;
  /** The folder of model files shipped to the functions that read them. @default the repository's `models/` */
  readonly modelsDir?: string;
  /** @default Duration.minutes(15) */
  readonly trainTimeout?: Duration;
  /** @default 3008 (MB): training memory also buys CPU */
  readonly trainMemorySize?: number;
  /** Log retention, removal policy and key. @default retained, three months, AWS-managed encryption */
  readonly protection?: DataProtection;
}

/**
 * The training pipeline: its step functions with least-privilege grants, the Standard state machine (logging ALL,
 * X-Ray), and the EventBridge rule that starts it when a CSV lands under `incoming/` in the data bucket.
 */
export class TrainingPipeline extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly uploadRule: events.Rule;
  /** Executions that ended outside the state machine's Catch (aborted, timed out, failed recording a failure) → FinishRun. */
  public readonly stoppedRunRule: events.Rule;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly functions: {
    readonly registerRun: MlFunction;
    readonly etl: MlFunction;
    readonly train: MlFunction;
    readonly validate: MlFunction;
    readonly promote: MlFunction;
    readonly report: MlFunction;
    readonly finishRun: MlFunction;
  };

  constructor(scope: Construct, id: string, props: TrainingPipelineProps) {
    super(scope, id);
    this.deadLetterQueue = new DeadLetterQueue(this, 'UploadEventsDlq', {
      deadLetterOf:
        "the pipeline's rules (uploads, executions that ended outside their Catch) and FinishRun's asynchronous invocations",
      ...(props.protection?.encryptionKey ? { encryptionKey: props.protection.encryptionKey } : {}),
    }).queue;
    this.functions = this.createFunctions(props);
    grantPipelineAccess(this.functions, props);
    this.stateMachine = this.createStateMachine(props);
    this.stoppedRunRule = this.endRunsOfStoppedExecutions();
    this.uploadRule = new events.Rule(this, 'UploadRule', {
      description: 'Starts the training pipeline when an object is created under incoming/ in the data bucket',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [props.dataBucket.bucketName] },
          object: { key: events.Match.prefix(LAYOUT.incoming) },
        },
      },
      targets: [
        new targets.SfnStateMachine(this.stateMachine, {
          deadLetterQueue: this.deadLetterQueue,
          retryAttempts: 8,
          maxEventAge: Duration.hours(2),
        }),
      ],
    });
  }

  /** One function per step, each with the memory and time its work needs. */
  private createFunctions(props: TrainingPipelineProps): TrainingPipeline['functions'] {
    const protection = props.protection ?? {};
    const fn = (name: string, description: string, extra: Partial<ConstructorParameters<typeof MlFunction>[2]> = {}) =>
      new MlFunction(this, name, {
        name: camelToKebab(name),
        description,
        protection,
        ...(props.modelsDir ? { modelsDir: props.modelsDir } : {}),
        ...extra,
      });
    return {
      registerRun: fn(
        'RegisterRun',
        'Records a run for an uploaded object; duplicate events find the run already there',
        { modelFiles: true },
      ),
      etl: fn('Etl', 'Cleans, validates, splits and profiles the uploaded data; fits the preprocessing', {
        modelFiles: true,
        timeout: Duration.minutes(10),
        memorySize: 3008,
      }),
      train: fn('Train', 'Trains the TF.js model on the prepared training split', {
        tensorflow: true,
        timeout: props.trainTimeout ?? Duration.minutes(15),
        memorySize: props.trainMemorySize ?? 3008,
      }),
      validate: fn('Validate', 'Scores the candidate on the test split, applies the gate, registers the version', {
        tensorflow: true,
        timeout: Duration.minutes(10),
        memorySize: 3008,
        environment: { CODE_VERSION: props.codeVersion },
      }),
      promote: fn('Promote', 'Points production at a version that passed its gate (one conditional write)'),
      report: fn('Report', "Renders the run's model card (HTML with inline SVG charts) into the artifacts bucket", {
        timeout: Duration.minutes(2),
        memorySize: 1024,
      }),
      // Model files: a failure before RegisterRun answered is recorded under the run id RegisterRun gives (model sha256 included).
      finishRun: fn('FinishRun', 'Records a run as REJECTED or FAILED with the reason; never touches production', {
        modelFiles: true,
        // Invoked asynchronously by the stopped-execution rule too: retried twice, then dead-lettered.
        onFailure: new destinations.SqsDestination(this.deadLetterQueue),
        retryAttempts: 2,
      }),
    };
  }

  /**
   * Step Functions' status-change events of executions that FAILED, TIMED_OUT or were ABORTED go to FinishRun, which
   * marks a run still RUNNING as FAILED at the step it reached (from the execution's history), so it can be re-driven.
   * The history permission is a policy of its own: the function must not depend on the state machine that invokes it.
   */
  private endRunsOfStoppedExecutions(): events.Rule {
    const { finishRun } = this.functions;
    const rule = new events.Rule(this, 'StoppedRunRule', {
      description:
        'Marks the run of a training execution that ended outside its Catch as FAILED, so it can be re-driven',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: [this.stateMachine.stateMachineArn] },
      },
      targets: [
        new targets.LambdaFunction(finishRun, {
          deadLetterQueue: this.deadLetterQueue,
          retryAttempts: 8,
          maxEventAge: Duration.hours(24),
        }),
      ],
    });
    const executions = Stack.of(this).formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${this.stateMachine.stateMachineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const history = new iam.Policy(this, 'FinishRunHistory', {
      statements: [new iam.PolicyStatement({ actions: ['states:GetExecutionHistory'], resources: [executions] })],
    });
    if (finishRun.role) history.attachToRole(finishRun.role);
    if (this.deadLetterQueue.encryptionMasterKey && finishRun.role) {
      suppress(finishRun.role, [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            "Sending a failed invocation to the dead-letter queue encrypted with the stack's key needs that key's GenerateDataKey*/ReEncrypt* (CDK's queue grant); the resource is that one key.",
          appliesTo: ['Action::kms:GenerateDataKey*', 'Action::kms:ReEncrypt*'],
        },
      ]);
    }
    suppress(history, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          "An execution's history is read by its ARN: executions of the training state machine only (its name, then ':*').",
        appliesTo: [
          '/^Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<TrainingStateMachine[A-Za-z0-9]+\\.Name>:\\*$/',
        ],
      },
    ]);
    return rule;
  }

  /** The pipeline's state machine (standard, traced, every state logged), its tasks given their functions' timeouts. */
  private createStateMachine(props: TrainingPipelineProps): sfn.StateMachine {
    const { registerRun, etl, train, validate, promote, report, finishRun } = this.functions;
    const timeoutOf = (f: MlFunction) => f.timeout ?? Duration.seconds(30);
    // States get their own scope: their names (RegisterRun, ETL, ...) would clash with the functions' ids.
    const releaseMachine = sfn.StateMachine.fromStateMachineName(
      this,
      'ReleaseStateMachine',
      props.releaseStateMachineName,
    );
    const definition = trainingDefinition(
      new Construct(this, 'States'),
      { ...this.functions, release: releaseMachine },
      {
        registerRun: timeoutOf(registerRun),
        etl: timeoutOf(etl),
        train: timeoutOf(train),
        validate: timeoutOf(validate),
        promote: timeoutOf(promote),
        report: timeoutOf(report),
        finishRun: timeoutOf(finishRun),
      },
    );
    const machine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      timeout: Duration.hours(2),
      tracingEnabled: true,
      logs: {
        destination: secureLogGroup(this, 'ExecutionLogs', props.protection ?? {}),
        level: sfn.LogLevel.ALL,
        includeExecutionData: true,
      },
    });
    suppress(machine.role, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'Log delivery (logs:*LogDelivery, DescribeLogGroups, ...) and X-Ray actions take no resource-level permissions; test/cdk/stack-access.test.ts checks that only those use Resource "*".',
        appliesTo: ['Resource::*'],
      },
      {
        id: 'AwsSolutions-IAM5',
        reason:
          "CDK's LambdaInvoke grant covers the pipeline's own functions and their versions/aliases (function ARN plus ':*'); no other function.",
        appliesTo: ['/^Resource::<Training[A-Za-z]+[0-9A-F]{8}\\.Arn>:\\*$/'],
      },
    ]);
    return machine;
  }
}

/** What each step may read and write: its data and artifact prefixes, its registry items (only promote moves production). */
function grantPipelineAccess(functions: TrainingPipeline['functions'], props: TrainingPipelineProps): void {
  const { registerRun, etl, train, validate, promote, report, finishRun } = functions;
  // Data: read the uploads.
  grantObjects(registerRun, props.dataBucket, LAYOUT.incoming, ['read']);
  grantObjects(etl, props.dataBucket, LAYOUT.incoming, ['read']);
  // A retraining on feedback names the labelled captured rows it wrote under retraining/ beside the upload.
  grantObjects(registerRun, props.dataBucket, LAYOUT.retraining, ['read']);
  grantObjects(etl, props.dataBucket, LAYOUT.retraining, ['read']);
  // Artifacts: each step reads and writes only its prefixes.
  for (const f of [etl, train, validate, report])
    f.addEnvironment('ARTIFACTS_BUCKET', props.artifactsBucket.bucketName);
  grantObjects(etl, props.artifactsBucket, LAYOUT.runs, ['write']);
  grantObjects(etl, props.artifactsBucket, LAYOUT.schemas, ['read', 'write']);
  grantObjects(train, props.artifactsBucket, LAYOUT.runs, ['read', 'write']);
  grantObjects(train, props.artifactsBucket, LAYOUT.models, ['write']);
  grantObjects(validate, props.artifactsBucket, LAYOUT.runs, ['read', 'write']);
  grantObjects(validate, props.artifactsBucket, LAYOUT.models, ['read']);
  // Promote checks the version's artifact (exists, its sha256) before production points at it.
  grantObjects(promote, props.artifactsBucket, LAYOUT.models, ['read']);
  grantObjects(report, props.artifactsBucket, LAYOUT.runs, ['read', 'write']);
  grantObjects(report, props.artifactsBucket, LAYOUT.schemas, ['read']);
  // Registry: only promote can write the production pointer (ALIAS# items).
  grantRegistry(registerRun, props.registry, { run: ['read', 'write'] });
  grantRegistry(etl, props.registry, { run: ['read', 'write'], schema: ['read', 'write'] });
  grantRegistry(train, props.registry, { run: ['read', 'write'] });
  grantRegistry(validate, props.registry, { run: ['read', 'write'], version: ['read', 'write'], alias: ['read'] });
  grantRegistry(promote, props.registry, {
    run: ['read', 'write'],
    version: ['read'],
    alias: ['read', 'write'],
    audit: ['append'],
  });
  grantRegistry(report, props.registry, { run: ['read', 'write'], version: ['read'], alias: ['read'] });
  grantRegistry(finishRun, props.registry, { run: ['read', 'write'] });
}

function camelToKebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}
