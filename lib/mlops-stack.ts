import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { loadAllModelConfigs } from './model-configs.js';
import { codeVersion } from './code-version.js';
import { InferenceApi, type ApiAuthorization } from './inference-api.js';
import { SecureTable } from './secure-defaults.js';
import { MlopsStorage } from './storage.js';
import { TrainingPipeline } from './training-pipeline.js';

export interface MlopsStackProps extends StackProps {
  /** Protect the registry table from deletion. @default true */
  readonly deletionProtection?: boolean;
  /** What happens to buckets, the table and log groups when the stack is deleted. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** @default 'iam' */
  readonly apiAuthorization?: ApiAuthorization;
  /** Git commit recorded in lineage. @default the repository's HEAD at synth time */
  readonly codeVersion?: string;
}

/** The whole loop in one stack: buckets, registry, training pipeline and inference API. */
export class MlopsStack extends Stack {
  public readonly storage: MlopsStorage;
  public readonly registry: SecureTable;
  public readonly pipeline: TrainingPipeline;
  public readonly inference: InferenceApi;

  constructor(scope: Construct, id: string, props: MlopsStackProps = {}) {
    super(scope, id, props);
    loadAllModelConfigs(); // a bad model file stops the synth with the reason, before anything deploys
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.storage = new MlopsStorage(this, 'Storage', { removalPolicy });
    this.registry = new SecureTable(this, 'Registry', {
      deletionProtection: props.deletionProtection ?? true,
      removalPolicy,
    });
    this.pipeline = new TrainingPipeline(this, 'Training', {
      dataBucket: this.storage.data,
      artifactsBucket: this.storage.artifacts,
      registry: this.registry.table,
      codeVersion: props.codeVersion ?? codeVersion(),
      logRemovalPolicy: removalPolicy,
    });
    this.inference = new InferenceApi(this, 'Inference', {
      artifactsBucket: this.storage.artifacts,
      registry: this.registry.table,
      authorization: props.apiAuthorization ?? 'iam',
      logRemovalPolicy: removalPolicy,
    });

    new CfnOutput(this, 'DataBucketName', { value: this.storage.data.bucketName });
    new CfnOutput(this, 'ArtifactsBucketName', { value: this.storage.artifacts.bucketName });
    new CfnOutput(this, 'RegistryTableName', { value: this.registry.table.tableName });
    new CfnOutput(this, 'ApiUrl', { value: this.inference.api.apiEndpoint });
    new CfnOutput(this, 'TrainingStateMachineArn', { value: this.pipeline.stateMachine.stateMachineArn });
  }
}
