import type { RemovalPolicy } from 'aws-cdk-lib';
import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { secureLogGroup } from './secure-defaults.js';

const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const WASM_DIR = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));

/**
 * An ES-module bundle needs `require` for the CommonJS parts of its dependencies (tfjs, the SDK) and `__dirname` for
 * emscripten's loader of the .wasm files next to the bundle.
 */
const ESM_BANNER = [
  "import { createRequire as __mlopsCreateRequire } from 'node:module';",
  "import { fileURLToPath as __mlopsFileURLToPath } from 'node:url';",
  "import { dirname as __mlopsDirname } from 'node:path';",
  'const require = __mlopsCreateRequire(import.meta.url);',
  'const __filename = __mlopsFileURLToPath(import.meta.url);',
  'const __dirname = __mlopsDirname(__filename);',
].join(' ');

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
  /** Ship the model files (`models/*.json`) in `models/` next to the bundle. @default false */
  readonly modelFiles?: boolean;
  readonly environment?: Record<string, string>;
  /** @default RemovalPolicy.RETAIN for the function's log group */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * A pipeline or serving function: bundled by esbuild into one ES module (nothing from node_modules ships, the SDK
 * included, so what runs locally is byte for byte what deploys), Node.js 22 on arm64, X-Ray tracing, its own log
 * group with retention.
 */
export class MlFunction extends nodejs.NodejsFunction {
  constructor(scope: Construct, id: string, props: MlFunctionProps) {
    const copies = assetCopyCommands(props);
    super(scope, id, {
      entry: join(PROJECT_ROOT, 'lambdas', props.name, 'handler.ts'),
      handler: 'handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? Duration.seconds(30),
      tracing: lambda.Tracing.ACTIVE,
      logGroup: secureLogGroup(scope, `${id}Logs`, props.logRemovalPolicy),
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      environment: {
        POWERTOOLS_SERVICE_NAME: `mlops-${props.name}`,
        ...props.environment,
      },
      bundling: {
        format: nodejs.OutputFormat.ESM,
        logLevel: nodejs.LogLevel.WARNING,
        target: 'node22',
        // Minified but with names kept, for readable stack traces without loading a source map at cold start.
        minify: true,
        keepNames: true,
        sourceMap: false,
        // Bundle the AWS SDK too: the exact version tested locally is the one deployed.
        externalModules: ['@tensorflow/tfjs-node'],
        banner: ESM_BANNER,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_input: string, output: string) => copies.map((command) => command(output)),
        },
      },
    });
  }
}

/** Shell commands that put the files a function needs beside its bundle (bundling runs inside the constructor). */
function assetCopyCommands(props: MlFunctionProps): ((output: string) => string)[] {
  const commands: ((output: string) => string)[] = [];
  if (props.tensorflow) commands.push((out) => `cp "${WASM_DIR}"/*.wasm "${out}/"`);
  if (props.modelFiles) {
    commands.push((out) => `mkdir -p "${out}/models" && cp "${join(PROJECT_ROOT, 'models')}"/*.json "${out}/models/"`);
  }
  return commands;
}
