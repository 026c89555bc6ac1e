/**
 * Serving benchmark (issue 12): for 1, 100 and 1,000 instances, side by side in one run: the warm predict handler
 * (its bundle in a process of its own), a bare TF.js `model.predict` and the compiled forward pass on the same encoded
 * rows, and the floor of the handler shape itself (bench/shape-handler.ts); the engines at more batch sizes (where
 * the compiled pass stops paying off); cold starts of the predict bundle against a minimal handler in fresh processes; the cost capture adds to a request; and a monthly cost table from the
 * measured durations. Writes bench/results/serving.json.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { build } from 'esbuild';
import { execFile } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { captureAnswer } from '../lambdas/predict/capture.js';
import { fetchArtifact } from '../lambdas/shared/adapters/artifacts.js';
import { Registry } from '../lambdas/shared/adapters/registry.js';
import { ESM_BANNER } from '../lib/ml-function.js';
import { localDynamoClient, localS3Client } from '../local/storage/emulators.js';
import { startLocalRuntime } from '../local/runtime.js';
import { monthlyCosts } from './serving-costs.js';
import { measureEngines } from './serving-engines.js';
import { benchResult, round, summarize } from './stats.js';

const ROOT = join(import.meta.dirname, '..');
const SIZES = [1, 100, 1000];
const ENGINE_SIZES = [1, 8, 32, 64, 100, 128, 256, 1000];
const COLD_RUNS = 11;
const run = promisify(execFile);

/** A bench handler (beside this file) bundled as the functions are: ES module, minified, with their banner. */
async function bundleAsLambda(entry: string): Promise<string> {
  const outfile = join(mkdtempSync(join(tmpdir(), 'mlops-bench-')), 'index.mjs');
  await build({
    entryPoints: [join(import.meta.dirname, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    minify: true,
    keepNames: true,
    banner: { js: ESM_BANNER },
    logLevel: 'warning',
  });
  return outfile;
}
const runtime = await startLocalRuntime({
  stateDir: mkdtempSync(join(tmpdir(), 'mlops-bench-')),
  ports: { api: 0, s3: 0, dynamodb: 0, stepFunctions: 0, cloudwatch: 0, lambda: 0 },
  inMemoryDynamo: true,
});
const { endpoints } = runtime;
const s3 = localS3Client(endpoints.s3Endpoint, endpoints.region);
try {
  // A production model of the example: the pipeline on the first 8,000 rows of adult.csv.
  const data = readFileSync(join(ROOT, 'examples', 'data', 'adult.csv'), 'utf8')
    .split('\n')
    .slice(0, 8001)
    .join('\n');
  const before = runtime.executions().length;
  await s3.send(
    new PutObjectCommand({ Bucket: endpoints.outputs.DataBucketName, Key: 'incoming/adult/bench.csv', Body: data }),
  );
  while (runtime.executions().length === before) await new Promise((r) => setTimeout(r, 5));
  const execution = await runtime.executions()[before]?.done;
  if (execution?.status !== 'SUCCEEDED')
    throw new Error(`pipeline ${execution?.status}: ${JSON.stringify(execution?.error)}`);
  const registry = new Registry(
    DynamoDBDocumentClient.from(localDynamoClient(endpoints.dynamodbEndpoint, endpoints.region)),
    endpoints.outputs.RegistryTableName as string,
  );
  const production = await registry.aliases.get('adult');
  if (production === undefined) throw new Error('no production version after the pipeline');
  const artifact = await fetchArtifact(s3, production.artifact);
  const pre = artifact.preprocessor;
  const request = JSON.parse(readFileSync(join(ROOT, 'examples', 'requests', 'adult.json'), 'utf8')) as {
    instances: Record<string, unknown>[];
  };
  const instances = (n: number) =>
    Array.from({ length: n }, (_, i) => request.instances[i % request.instances.length] as Record<string, unknown>);

  // 1. The engines in this process, on the same encoded rows.
  const { engines, bare, compiledMs, backend } = await measureEngines(artifact, instances, ENGINE_SIZES);

  // 2. The warm handler in its own process (its copy of TF.js loaded only if a batch needs it).
  const predictFn = [...runtime.functions.values()].find((fn) => fn.spec.logicalId.startsWith('InferencePredict'));
  if (predictFn === undefined) throw new Error('no predict function in the template');
  const bundle = join(predictFn.spec.assetDir, 'index.mjs');
  const childEnv = {
    ...predictFn.spec.environment,
    PATH: process.env.PATH ?? '',
    ...(process.env.BENCH_CPU_PROFILE
      ? { BENCH_CPU_PROFILE: process.env.BENCH_CPU_PROFILE, BENCH_PROFILE_SIZE: process.env.BENCH_PROFILE_SIZE ?? '1' }
      : {}),
  };
  const warmSamples = async (module: string) =>
    benchResult<Record<string, number[]>>(
      (
        await run(
          process.execPath,
          [
            join(import.meta.dirname, 'warm-predict.mjs'),
            module,
            '300',
            JSON.stringify(request.instances),
            SIZES.join(','),
          ],
          { env: childEnv, maxBuffer: 1024 * 1024 * 1024 },
        )
      ).stdout,
    );
  // The floor: the same handler shape (middy, Powertools logger/tracer/metrics, the JSON body) answering a constant.
  const shape = await bundleAsLambda('shape-handler.ts');
  const handlerSamples = await warmSamples(bundle);
  const floorSamples = await warmSamples(shape);
  const warm: Record<string, unknown> = {};
  for (const n of SIZES) {
    const h = summarize(handlerSamples[String(n)] ?? []);
    const floor = summarize(floorSamples[String(n)] ?? []).median;
    warm[`instances_${n}`] = {
      handler_ms: { median: round(h.median, 4), p90: round(h.p90, 4) },
      bare_tfjs_predict_ms: bare[n],
      compiled_forward_ms: compiledMs[n],
      handler_over_bare_tfjs: round(h.median / (bare[n] as number), 3),
      per_row_ms: round(h.median / n, 5),
      handler_shape_floor_ms: round(floor, 4),
      above_floor_over_bare_tfjs: round((h.median - floor) / (bare[n] as number), 3),
    };
  }
  const handlerMedian = (n: number) => summarize(handlerSamples[String(n)] ?? []).median;
  const targets = {
    one_instance_handler_over_bare_tfjs: {
      measured: round(handlerMedian(1) / (bare[1] as number), 3),
      target: '≤ 0.25',
    },
    hundred_instances_handler_over_bare_tfjs: {
      measured: round(handlerMedian(100) / (bare[100] as number), 3),
      target: '≤ 1.0',
    },
    per_row_at_1000_over_one_instance_call: {
      measured: round(handlerMedian(1000) / 1000 / handlerMedian(1), 4),
      target: '≤ 0.02',
    },
  };

  // 3. Cold starts: fresh processes, import + the first request (1 instance, which reads and loads the model),
  // against the baseline of a model server with nothing of ours: the SDK clients and the model read, bundled alike.
  const minimal = await bundleAsLambda('baseline-handler.ts');
  const event = {
    version: '2.0',
    routeKey: 'POST /v1/models/{model}/predict',
    rawPath: '/v1/models/adult/predict',
    headers: { 'content-type': 'application/json' },
    pathParameters: { model: 'adult' },
    body: JSON.stringify({ instances: instances(1) }),
    isBase64Encoded: false,
  };
  type Cold = { importMs: number; firstInvokeMs: number; tfjsLoaded: boolean };
  const cold = async (module: string): Promise<Cold> =>
    benchResult<Cold>(
      (
        await run(process.execPath, [join(import.meta.dirname, 'cold-start.mjs'), module, JSON.stringify(event)], {
          env: childEnv,
        })
      ).stdout,
    );
  const predictCold: Cold[] = [];
  const minimalCold: Cold[] = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    predictCold.push(await cold(bundle));
    minimalCold.push(await cold(minimal));
  }
  const median = (values: number[]) => round(summarize(values).median, 1);
  const predictTotal = median(predictCold.map((c) => c.importMs + c.firstInvokeMs));
  const minimalTotal = median(minimalCold.map((c) => c.importMs + c.firstInvokeMs));

  // 4. What capture adds to a request: building and writing its records (to /dev/null, as a pipe would take them).
  const devNull = openSync('/dev/null', 'w');
  const settings = { samplePercent: 100, redaction: { drop: ['sex', 'race'], hash: [] } };
  const captureCost: Record<string, unknown> = {};
  for (const n of [1, 100]) {
    const answer = {
      model: 'adult',
      version: 1,
      variant: 'production' as const,
      predictions: instances(n).map((_, i) => ({
        id: `r.${i}`,
        label: '<=50K',
        probabilities: { '<=50K': 0.9, '>50K': 0.1 },
      })),
    };
    // As the handler has them: the request's text and the response it sends (recorded verbatim when unredacted).
    const bodies = { request: JSON.stringify({ instances: instances(n) }), response: JSON.stringify(answer) };
    const samples: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const t0 = performance.now();
      captureAnswer(
        settings,
        { requestId: `req-${i}`, instances: instances(n), time: new Date(), bodies },
        answer,
        (line) => writeSync(devNull, `${line}\n`),
      );
      if (i >= 200) samples.push(performance.now() - t0);
    }
    const sorted = samples.sort((a, b) => a - b);
    captureCost[`instances_${n}`] = {
      median_ms: round(summarize(samples).median, 4),
      p99_ms: round(sorted[Math.floor(0.99 * sorted.length)] as number, 4),
      target_p99_ms: 0.5,
    };
  }
  closeSync(devNull);

  const results = {
    benchmark: 'serving (issue 12)',
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version },
    tfjs_backend: backend,
    model: {
      data: 'first 8,000 rows of adult.csv',
      input_width: pre.width,
      hidden_units: artifact.training.hyperparameters.hiddenUnits,
    },
    engines,
    warm_predict: warm,
    targets,
    cold_start_ms: {
      runs: COLD_RUNS,
      predict: {
        import: median(predictCold.map((c) => c.importMs)),
        first_request_with_model_read: median(predictCold.map((c) => c.firstInvokeMs)),
        total: predictTotal,
        tfjs_loaded_by_a_1_instance_request: predictCold.some((c) => c.tfjsLoaded),
      },
      baseline_sdk_and_model_read: {
        import: median(minimalCold.map((c) => c.importMs)),
        first_request: median(minimalCold.map((c) => c.firstInvokeMs)),
        total: minimalTotal,
      },
      predict_over_baseline: round(predictTotal / minimalTotal, 2),
      target:
        '≤ 1.5× a minimal handler plus the model read: the baseline is bench/baseline-handler.ts (the SDK clients, the production pointer and the artifact read, nothing of ours)',
    },
    capture: captureCost,
    monthly_cost_usd: monthlyCosts({
      warmMs1: handlerMedian(1),
      warmMs100: handlerMedian(100),
      memoryMb: predictFn.spec.memoryMb,
    }),
  };
  writeFileSync(join(import.meta.dirname, 'results', 'serving.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(JSON.stringify(results, null, 2));
} finally {
  s3.destroy();
  await runtime.stop();
}
process.exit(0);
