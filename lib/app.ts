import { App, RemovalPolicy } from 'aws-cdk-lib';
import { MlopsStack, type MlopsStackProps } from './mlops-stack.js';

export const DEFAULT_STACK_NAME = 'ServerlessMlops';

export interface BuildAppOptions {
  /** Cloud assembly directory. @default the CDK CLI's choice (cdk.out) */
  readonly outdir?: string;
  readonly stackName?: string;
  readonly stackProps?: MlopsStackProps;
}

/**
 * Builds the CDK app; shared by `cdk synth/deploy` (bin/app.ts) and the local runtime, which synthesizes the same
 * app and runs what it produced.
 */
export function buildApp(options: BuildAppOptions = {}): { app: App; stack: MlopsStack } {
  const app = new App({
    ...(options.outdir ? { outdir: options.outdir } : {}),
    context: { 'aws:cdk:enable-asset-metadata': true },
  });
  const context = (key: string): unknown => app.node.tryGetContext(key);
  const destroyOnDelete = context('destroyOnDelete') === true || context('destroyOnDelete') === 'true';
  const stack = new MlopsStack(app, options.stackName ?? String(context('stackName') ?? DEFAULT_STACK_NAME), {
    description: 'serverless-mlops: data → training pipeline → registry → inference API',
    ...(destroyOnDelete ? { removalPolicy: RemovalPolicy.DESTROY, deletionProtection: false } : {}),
    ...options.stackProps,
  });
  return { app, stack };
}
