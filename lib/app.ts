import { App, RemovalPolicy } from 'aws-cdk-lib';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
    // cdk.json's context (feature flags) applies when the app is built in-process too, so the local runtime
    // synthesizes exactly what `cdk synth` does; the CLI's own context still takes precedence.
    context: { ...projectContext(), 'aws:cdk:enable-asset-metadata': true },
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

function projectContext(): Record<string, unknown> {
  const file = join(dirname(fileURLToPath(import.meta.url)), '..', 'cdk.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { context?: Record<string, unknown> }).context ?? {};
}
