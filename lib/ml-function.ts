import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suppress } from './compliance.js';
import { secureLogGroup, type DataProtection } from './secure-defaults.js';
import { METRIC_NAMESPACE, serviceOf } from '../lambdas/shared/contracts/metric-names.js';

const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const WASM_DIR = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));

/**
 * An ES-module bundle needs `require` for the CommonJS parts of its dependencies (tfjs, the SDK) and `__dirname` for
 * emscripten's loader of the .wasm files next to the bundle.
 */
export const ESM_BANNER = [
  "import { createRequire as __mlopsCreateRequire } from 'node:module';",
  "import { fileURLToPath as __mlopsFileURLToPath } from 'node:url';",
  "import { dirname as __mlopsDirname } from 'node:path';",
  'const require = __mlopsCreateRequire(import.meta.url);',
  'const __filename = __mlopsFileURLToPath(import.meta.url);',
  'const __dirname = __mlopsDirname(__filename);',
].join(' ');

/** How the Predictor imports the TF.js engine (lambdas/core/artifact.ts); left as an import for lazy functions. */
const TFJS_ENGINE_IMPORT = './tfjs-engine.js';

export interface MlFunctionProps {
  /** Folder under `lambdas/` holding `handler.ts`. */
  readonly name: string;
  readonly description: string;
  /** @default Duration.seconds(30) */
  readonly timeout?: Duration;
  /** @default 1024 */
  readonly memorySize?: number;
  /** Ship the TF.js WebAssembly binaries next to the bundle. @default false */
  readonly tensorflow?: boolean;
  /**
   * Put TF.js in a file of its own next to the bundle (`tfjs-engine.js`), imported the first time a request needs it,
   * so a cold start that never needs it does not parse it (serving: small batches run on the compiled forward pass).
   * @default false: TF.js is in the bundle
   */
  readonly lazyTensorflow?: boolean;
  /** Ship the model files (`models/*.json`) in `models/` next to the bundle. @default false */
  readonly modelFiles?: boolean;
  /** Where the model files come from. @default the repository's `models/` */
  readonly modelsDir?: string;
  readonly environment?: Record<string, string>;
  /** Where a failed asynchronous invocation goes after its retries. @default none: the function is invoked synchronously */
  readonly onFailure?: lambda.IDestination;
  /** Retries of a failed asynchronous invocation (0–2). @default 2, Lambda's own default */
  readonly retryAttempts?: number;
  /** Retention, removal and key of the function's log group. @default retained, three months, AWS-managed encryption */
  readonly protection?: DataProtection;
}

/**
 * A pipeline or serving function: bundled by esbuild into one ES module (nothing from node_modules ships, the SDK
 * included, so what runs locally is byte for byte what deploys), Node.js 22 on arm64, X-Ray tracing, its own log
 * group with retention.
 */
export class MlFunction extends nodejs.NodejsFunction {
  constructor(scope: Construct, id: string, props: MlFunctionProps) {
    // Its own role that may write only to its own log group, instead of AWSLambdaBasicExecutionRole (any log group).
    const logGroup = secureLogGroup(scope, `${id}Logs`, props.protection);
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Role of the ${props.name} function`,
    });
    logGroup.grantWrite(role);
    super(scope, id, {
      entry: join(PROJECT_ROOT, 'lambdas', props.name, 'handler.ts'),
      handler: 'handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? Duration.seconds(30),
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      role,
      ...(props.onFailure ? { onFailure: props.onFailure } : {}),
      ...(props.retryAttempts !== undefined ? { retryAttempts: props.retryAttempts } : {}),
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      environment: {
        POWERTOOLS_SERVICE_NAME: serviceOf(props.name),
        POWERTOOLS_METRICS_NAMESPACE: METRIC_NAMESPACE,
        ...props.environment,
      },
      bundling: bundlingOptions(props),
    });
    suppress(this, [
      {
        id: 'AwsSolutions-L1',
        reason:
          'Node.js 22 is the runtime the project is built and tested on, locally and in CI (package.json engines); moving to a newer one is a deliberate upgrade of both.',
      },
      {
        id: 'Serverless-LambdaLatestVersion',
        reason: 'Same as AwsSolutions-L1: the runtime is pinned to the tested Node.js 22.',
      },
      {
        id: 'Serverless-LambdaDLQ',
        reason:
          'Invoked synchronously (Step Functions tasks, API Gateway), where a DLQ never receives anything: failures go to the state machine Catch or the HTTP caller; or asynchronously with an on-failure destination (a dead-letter queue with an alarm). test/cdk/delivery.test.ts fails if an asynchronous source is added without a DLQ or on-failure destination.',
      },
    ]);
    suppress(role, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'X-Ray PutTraceSegments/PutTelemetryRecords do not support resource-level permissions; test/cdk/stack-access.test.ts checks that only X-Ray actions use Resource "*".',
        appliesTo: ['Resource::*'],
      },
    ]);
  }
}

/**
 * One ES module per function, minified with names kept; the AWS SDK bundled too (the exact version tested locally is
 * the one deployed); the files the function needs copied beside the bundle.
 */
function bundlingOptions(props: MlFunctionProps): nodejs.BundlingOptions {
  const copies = assetCopyCommands(props);
  return {
    format: nodejs.OutputFormat.ESM,
    logLevel: nodejs.LogLevel.WARNING,
    target: 'node22',
    // Minified but with names kept, for readable stack traces without loading a source map at cold start.
    minify: true,
    keepNames: true,
    sourceMap: false,
    // Bundle the AWS SDK too: the exact version tested locally is the one deployed.
    externalModules: ['@tensorflow/tfjs-node', ...(props.lazyTensorflow ? [TFJS_ENGINE_IMPORT] : [])],
    banner: ESM_BANNER,
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (_input: string, output: string) => copies.map((command) => command(output)),
    },
  };
}

/** Shell commands that put the files a function needs beside its bundle (bundling runs inside the constructor). */
function assetCopyCommands(props: MlFunctionProps): ((output: string) => string)[] {
  const commands: ((output: string) => string)[] = [];
  if (props.tensorflow) commands.push((out) => `cp "${WASM_DIR}"/*.wasm "${out}/"`);
  if (props.lazyTensorflow) {
    const banner = Buffer.from(ESM_BANNER).toString('base64');
    commands.push((out) => `node "${join(PROJECT_ROOT, 'bin', 'bundle-tfjs-engine.mjs')}" "${out}" ${banner}`);
  }
  if (props.modelFiles) {
    const source = props.modelsDir ?? join(PROJECT_ROOT, 'models');
    commands.push((out) => `mkdir -p "${out}/models" && cp "${source}"/*.json "${out}/models/"`);
  }
  return commands;
}
