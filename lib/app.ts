import { App, RemovalPolicy } from 'aws-cdk-lib';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addComplianceChecks } from './compliance.js';
import { resolveEnvironment } from './environments.js';
import { MlopsStack, type MlopsStackProps } from './mlops-stack.js';

export const DEFAULT_STACK_NAME = 'ServerlessMlops';

export interface BuildAppOptions {
  /** Cloud assembly directory. @default the CDK CLI's choice (cdk.out) */
  readonly outdir?: string;
  readonly stackName?: string;
  readonly stackProps?: MlopsStackProps;
  /** Context on top of cdk.json's (what `-c key=value` gives the CDK CLI). @default none */
  readonly context?: Record<string, unknown>;
}

/**
 * Builds the CDK app; shared by `cdk synth/deploy` (bin/app.ts) and the local runtime, which synthesizes the same
 * app and runs what it produced.
 *
 * Context: `-c env=<name>` deploys the environment of that name from cdk.json (stack `ServerlessMlops-<name>`);
 * without it, one stack named `ServerlessMlops` with the safe defaults. `-c stackName=...` and
 * `-c destroyOnDelete=true` override either; `-c modelsDir=<folder>` ships the model files of another folder.
 */
export function buildApp(options: BuildAppOptions = {}): { app: App; stack: MlopsStack } {
  const app = new App({
    ...(options.outdir ? { outdir: options.outdir } : {}),
    // cdk.json's context (feature flags) applies when the app is built in-process too, so the local runtime
    // synthesizes exactly what `cdk synth` does; the CLI's own context still takes precedence.
    context: { ...projectContext(), ...options.context, 'aws:cdk:enable-asset-metadata': true },
  });
  const context = (key: string): unknown => app.node.tryGetContext(key);
  const envName = context('env');
  const environment =
    typeof envName === 'string' && envName !== ''
      ? resolveEnvironment(envName, context('environments'), {
          ...(process.env.CDK_DEFAULT_ACCOUNT ? { account: process.env.CDK_DEFAULT_ACCOUNT } : {}),
          ...(process.env.CDK_DEFAULT_REGION ? { region: process.env.CDK_DEFAULT_REGION } : {}),
        })
      : undefined;
  const destroyOnDelete = context('destroyOnDelete') === true || context('destroyOnDelete') === 'true';
  const stackName =
    options.stackName ?? stringOrUndefined(context('stackName')) ?? environment?.stackName ?? DEFAULT_STACK_NAME;
  const modelsDir = stringOrUndefined(context('modelsDir'));
  const stack = new MlopsStack(app, stackName, {
    description: 'serverless-mlops: data → training pipeline → registry → inference API',
    ...environment?.stackProps,
    ...(destroyOnDelete ? { removalPolicy: RemovalPolicy.DESTROY, deletionProtection: false } : {}),
    ...(modelsDir ? { modelsDir: resolve(modelsDir) } : {}),
    ...options.stackProps,
  });
  addComplianceChecks(app);
  return { app, stack };
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** cdk.json's context (feature flags, environments). */
export function projectContext(): Record<string, unknown> {
  const file = join(dirname(fileURLToPath(import.meta.url)), '..', 'cdk.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { context?: Record<string, unknown> }).context ?? {};
}
