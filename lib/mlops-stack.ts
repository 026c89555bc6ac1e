import { Annotations, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { AlarmHistory } from './alarm-history.js';
import { CaptureCatalog } from './capture-catalog.js';
import { codeVersion } from './code-version.js';
import { EncryptionKey } from './encryption-key.js';
import { IncidentResponse, type Responders } from './incident-response.js';
import { InferenceApi, type ApiAuthorization, type InferenceApiProps, type JwtSettings } from './inference-api.js';
import { ModelAlarms } from './model-alarms.js';
import { ModelMonitoring } from './model-monitoring.js';
import { ContinuousTraining } from './continuous-training.js';
import { loadAllModelConfigs, MODELS_DIR, modelFileWarnings } from './model-configs.js';
import type { ModelConfig } from '../lambdas/core/model-config.js';
import { OperationsAlarms } from './operations-alarms.js';
import { ModelReleases } from './release.js';
import { RequestCapture } from './request-capture.js';
import { SecureTable, type DataProtection } from './secure-defaults.js';
import { MlopsStorage } from './storage.js';
import { TrainingPipeline } from './training-pipeline.js';

export interface MlopsStackProps extends StackProps {
  /** Protect the registry table from deletion. @default true */
  readonly deletionProtection?: boolean;
  /** What happens to buckets, the table and log groups when the stack is deleted. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** Retention of every log group. @default logs.RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
  /** Encrypt buckets, registry, queue, topic and logs with a customer-managed KMS key (about 1 USD a month). @default false */
  readonly customerManagedKey?: boolean;
  /** Object Lock (governance mode) on every artifact version for this many days. @default no Object Lock */
  readonly artifactRetentionDays?: number;
  /** Point-in-time recovery window of the registry (1–35 days). @default 35 */
  readonly pointInTimeRecoveryDays?: number;
  /** E-mail addresses that receive the incident pages (lib/incident-response.ts). @default none */
  readonly alarmEmails?: readonly string[];
  /** SNS topic ARNs that receive the incident pages. @default none */
  readonly alarmTopicArns?: readonly string[];
  /**
   * Who is told at tiers 2 (data scientists: acknowledge) and 3 (model developers: escalation) of an incident's
   * response. @default topics without subscribers (subscribe to their outputs' ARNs)
   */
  readonly incidentResponders?: { readonly dataScientists?: Responders; readonly modelDevelopers?: Responders };
  /** @default 'iam' */
  readonly apiAuthorization?: ApiAuthorization;
  /** The JWT issuer and audiences, with `apiAuthorization: 'jwt'`. @default none */
  readonly apiJwt?: JwtSettings;
  /** Browser origins allowed to call the API (CORS). @default none */
  readonly apiCorsOrigins?: readonly string[];
  /**
   * The API's throttling: steady requests per second and burst for every route, and limits of single routes by
   * route key. @default 100 per second, bursts of 200, on every route
   */
  readonly apiThrottling?: {
    readonly rateLimit?: number;
    readonly burstLimit?: number;
    readonly routes?: Readonly<Record<string, { readonly rateLimit: number; readonly burstLimit: number }>>;
  };
  /** Git commit recorded in lineage. @default the repository's HEAD at synth time */
  readonly codeVersion?: string;
  /** The folder of model files (`<name>.json`) shipped with the pipeline. @default the repository's `models/` */
  readonly modelsDir?: string;
}

/** The whole loop in one stack: buckets, registry, training pipeline, inference API and operational alarms. */
export class MlopsStack extends Stack {
  public readonly encryptionKey?: EncryptionKey;
  public readonly storage: MlopsStorage;
  public readonly registry: SecureTable;
  public readonly pipeline: TrainingPipeline;
  public readonly inference: InferenceApi;
  public readonly capture: RequestCapture;
  /** Glue tables (partition projection) over the capture and feedback records, for Athena. */
  public readonly captureCatalog: CaptureCatalog;
  public readonly alarms: OperationsAlarms;
  /** Each model's alarms, composite alarm and dashboard. */
  public readonly modelAlarms: ModelAlarms[];
  /** The models' alarm changes, recorded in their audit trails. */
  public readonly alarmHistory: AlarmHistory;
  /** Canary and shadow releases of versions that passed their gate. */
  public readonly releases: ModelReleases;
  /** The monitor of each model's live traffic, on the model's schedule. */
  public readonly liveMonitoring: ModelMonitoring;
  /** Retraining on each model's needs-retraining alarm, its schedule, or by hand. */
  public readonly continuousTraining: ContinuousTraining;
  /** Every alarm change grouped into incidents, their sources named, one page per incident event. */
  public readonly incidents: IncidentResponse;

  constructor(scope: Construct, id: string, props: MlopsStackProps = {}) {
    super(scope, id, props);
    const modelsDir = props.modelsDir ?? MODELS_DIR;
    const models = this.loadModels(modelsDir);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    if (props.customerManagedKey) this.encryptionKey = new EncryptionKey(this, 'EncryptionKey', { removalPolicy });
    const protection: DataProtection = {
      removalPolicy,
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
      ...(this.encryptionKey ? { encryptionKey: this.encryptionKey.key } : {}),
    };
    // Named so the training pipeline can start releases without depending on the release construct (built later).
    const releaseStateMachineName = `${this.stackName}-release`;
    ({ storage: this.storage, registry: this.registry } = this.dataStores(props, removalPolicy, protection));
    this.pipeline = new TrainingPipeline(this, 'Training', {
      dataBucket: this.storage.data,
      artifactsBucket: this.storage.artifacts,
      registry: this.registry.table,
      codeVersion: props.codeVersion ?? codeVersion(),
      modelsDir,
      releaseStateMachineName,
      protection,
    });
    this.inference = new InferenceApi(this, 'Inference', {
      artifactsBucket: this.storage.artifacts,
      registry: this.registry.table,
      ...apiSettingsOf(props),
      modelsDir,
      protection,
    });
    const servingLogs = [this.inference.predictFunction.logGroup, this.inference.feedbackFunction.logGroup];
    this.capture = new RequestCapture(this, 'Capture', {
      bucket: this.storage.data,
      logGroups: servingLogs,
      protection,
    });
    this.captureCatalog = new CaptureCatalog(this, 'CaptureCatalog', {
      bucket: this.storage.data,
      models: models.map((m) => m.name),
    });
    ({
      alarms: this.alarms,
      modelAlarms: this.modelAlarms,
      alarmHistory: this.alarmHistory,
      liveMonitoring: this.liveMonitoring,
    } = this.monitoring(props, models, { modelsDir, protection }));
    this.continuousTraining = this.retraining(models, { modelsDir, protection });
    this.incidents = this.incidentResponse(props, { modelsDir, protection });
    this.releases = new ModelReleases(this, 'Releases', {
      registry: this.registry.table,
      artifactsBucket: this.storage.artifacts,
      predictFunction: this.inference.predictFunction,
      stateMachineName: releaseStateMachineName,
      protection,
    });
    this.addOutputs();
  }

  /** The buckets (data, artifacts) and the registry table. */
  private dataStores(
    props: MlopsStackProps,
    removalPolicy: RemovalPolicy,
    protection: DataProtection,
  ): { storage: MlopsStorage; registry: SecureTable } {
    const storage = new MlopsStorage(this, 'Storage', {
      protection,
      ...(props.artifactRetentionDays
        ? { artifactGovernanceRetention: Duration.days(props.artifactRetentionDays) }
        : {}),
    });
    const registry = new SecureTable(this, 'Registry', {
      deletionProtection: props.deletionProtection ?? true,
      removalPolicy,
      ...(this.encryptionKey ? { encryptionKey: this.encryptionKey.key } : {}),
      ...(props.pointInTimeRecoveryDays ? { pointInTimeRecoveryDays: props.pointInTimeRecoveryDays } : {}),
    });
    return { storage, registry };
  }

  /**
   * The stack's operational alarms, each model's alarms and composite, the alarm history in the audit trail, and the
   * monitor of live traffic.
   */
  private monitoring(
    props: MlopsStackProps,
    models: readonly ModelConfig[],
    shipped: { modelsDir: string; protection: DataProtection },
  ): {
    alarms: OperationsAlarms;
    modelAlarms: ModelAlarms[];
    alarmHistory: AlarmHistory;
    liveMonitoring: ModelMonitoring;
  } {
    const { protection } = shipped;
    const alarms = new OperationsAlarms(this, 'Alarms', {
      stateMachine: this.pipeline.stateMachine,
      uploadDeadLetterQueue: this.pipeline.deadLetterQueue,
      predictFunction: this.inference.predictFunction,
      api: this.inference.api,
      ...(props.alarmEmails ? { alarmEmails: props.alarmEmails } : {}),
      ...(props.alarmTopicArns ? { alarmTopicArns: props.alarmTopicArns } : {}),
      ...(this.encryptionKey ? { encryptionKey: this.encryptionKey.key } : {}),
    });
    const modelAlarms = models.map(
      (model) =>
        new ModelAlarms(this, `Model-${model.name}`, {
          model,
          detailTopic: alarms.detailTopic,
        }),
    );
    const alarmHistory = new AlarmHistory(this, 'AlarmHistory', {
      registry: this.registry.table,
      detailTopic: alarms.detailTopic,
      protection,
    });
    models.forEach((model, i) => alarmHistory.addModel(model.name, modelAlarms[i] as ModelAlarms));
    const liveMonitoring = new ModelMonitoring(this, 'LiveMonitoring', {
      models,
      dataBucket: this.storage.data,
      artifactsBucket: this.storage.artifacts,
      registry: this.registry.table,
      modelsDir: shipped.modelsDir,
      detailTopic: alarms.detailTopic,
      protection,
    });
    return { alarms, modelAlarms, alarmHistory, liveMonitoring };
  }

  /** Every alarm change grouped into incidents, paged once per incident event, with the three tiers of response. */
  private incidentResponse(
    props: MlopsStackProps,
    shipped: { modelsDir: string; protection: DataProtection },
  ): IncidentResponse {
    return new IncidentResponse(this, 'Incidents', {
      registry: this.registry.table,
      pageTopics: this.alarms.pageTopics,
      ...props.incidentResponders,
      modelsDir: shipped.modelsDir,
      artifactsBucket: this.storage.artifacts,
      retrainFunction: this.continuousTraining.retrainFunction,
      protection: shipped.protection,
    });
  }

  /** Retraining on each model's needs-retraining alarm, its schedule, or by hand. */
  private retraining(
    models: readonly ModelConfig[],
    shipped: { modelsDir: string; protection: DataProtection },
  ): ContinuousTraining {
    return new ContinuousTraining(this, 'ContinuousTraining', {
      models,
      needsRetraining: new Map(this.modelAlarms.map((a, i) => [models[i]?.name ?? '', a.retraining.needsRetraining])),
      dataBucket: this.storage.data,
      registry: this.registry.table,
      trainingStateMachine: this.pipeline.stateMachine,
      modelsDir: shipped.modelsDir,
      detailTopic: this.alarms.detailTopic,
      protection: shipped.protection,
    });
  }

  /** The model files: a bad one stops the synth with the reason, before anything deploys; a doubtful one is a warning. */
  private loadModels(modelsDir: string): ModelConfig[] {
    const models = loadAllModelConfigs(modelsDir);
    for (const warning of modelFileWarnings(models)) Annotations.of(this).addWarningV2('mlops:model-file', warning);
    return models;
  }

  /** What the CLI, the local runtime and a deploy's user read from the stack. */
  private addOutputs(): void {
    new CfnOutput(this, 'DataBucketName', { value: this.storage.data.bucketName });
    new CfnOutput(this, 'ArtifactsBucketName', { value: this.storage.artifacts.bucketName });
    new CfnOutput(this, 'RegistryTableName', { value: this.registry.table.tableName });
    new CfnOutput(this, 'ApiUrl', { value: this.inference.api.apiEndpoint });
    new CfnOutput(this, 'TrainingStateMachineArn', { value: this.pipeline.stateMachine.stateMachineArn });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn });
    new CfnOutput(this, 'AlarmChangesTopicArn', { value: this.alarms.detailTopic.topicArn });
    new CfnOutput(this, 'IncidentStateMachineArn', { value: this.incidents.stateMachine.stateMachineArn });
    new CfnOutput(this, 'DataScientistsTopicArn', { value: this.incidents.dataScientistsTopic.topicArn });
    new CfnOutput(this, 'ModelDevelopersTopicArn', { value: this.incidents.modelDevelopersTopic.topicArn });
    new CfnOutput(this, 'ReleaseStateMachineArn', { value: this.releases.stateMachine.stateMachineArn });
    new CfnOutput(this, 'MonitorFunctionName', { value: this.liveMonitoring.monitorFunction.functionName });
    new CfnOutput(this, 'RetrainFunctionName', { value: this.continuousTraining.retrainFunction.functionName });
  }
}

/** The API's authorization, CORS and throttling, from the stack's props (IAM, no CORS and the stage defaults otherwise). */
function apiSettingsOf(
  props: MlopsStackProps,
): Pick<
  InferenceApiProps,
  'authorization' | 'jwt' | 'corsOrigins' | 'throttlingRateLimit' | 'throttlingBurstLimit' | 'routeThrottling'
> {
  return {
    authorization: props.apiAuthorization ?? 'iam',
    ...(props.apiJwt ? { jwt: props.apiJwt } : {}),
    ...(props.apiCorsOrigins ? { corsOrigins: props.apiCorsOrigins } : {}),
    ...(props.apiThrottling?.rateLimit !== undefined ? { throttlingRateLimit: props.apiThrottling.rateLimit } : {}),
    ...(props.apiThrottling?.burstLimit !== undefined ? { throttlingBurstLimit: props.apiThrottling.burstLimit } : {}),
    ...(props.apiThrottling?.routes !== undefined ? { routeThrottling: props.apiThrottling.routes } : {}),
  };
}
