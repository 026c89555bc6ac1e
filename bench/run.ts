/**
 * Foundation benchmark (issue 2): pipeline wall time on adult.csv through the local runtime; warm predict handler
 * time for 1 and 100 instances against a bare model.predict on the same rows; predict bundle size; cold init of the
 * predict handler against a minimal handler. Writes bench/results/foundation.json.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { validateInstances } from '../lambdas/core/instances.js';
import { deserializeNetwork, PREDICT_BATCH_SIZE } from '../lambdas/core/network.js';
import { initBackend } from '../lambdas/core/tf-backend.js';
import { encodeInstances } from '../lambdas/core/preprocess.js';
import { fetchArtifact } from '../lambdas/shared/adapters/artifacts.js';
import { localDynamoClient, localS3Client } from '../local/storage/emulators.js';
import { startLocalRuntime } from '../local/runtime.js';
import { Registry } from '../lambdas/shared/adapters/registry.js';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { benchResult, round, summarize } from './stats.js';

const ROOT = join(import.meta.dirname, '..');
const WARM_ITERATIONS = 300;
const COLD_RUNS = 7;

const adult = readFileSync(join(ROOT, 'examples', 'data', 'adult.csv'));
const runtime = await startLocalRuntime({
  stateDir: mkdtempSync(join(tmpdir(), 'mlops-bench-')),
  ports: { api: 0, s3: 0, dynamodb: 0, stepFunctions: 0, cloudwatch: 0, lambda: 0 },
  inMemoryDynamo: true,
});
const { endpoints } = runtime;
const s3 = localS3Client(endpoints.s3Endpoint, endpoints.region);

try {
  // 1. Pipeline wall time: from the upload returning to the execution's end. The second upload has a production
  // model to beat, so its Validate step also re-scores production and compares training data (issue 3's checks).
  const runPipeline = async (key: string, body: Buffer) => {
    const before = runtime.executions().length;
    const uploadStart = performance.now();
    await s3.send(new PutObjectCommand({ Bucket: endpoints.outputs.DataBucketName, Key: key, Body: body }));
    while (runtime.executions().length === before) await new Promise((r) => setTimeout(r, 5));
    const execution = runtime.executions()[before];
    if (execution === undefined) throw new Error('the upload started no execution');
    await execution.done;
    const seconds = (performance.now() - uploadStart) / 1000;
    if (execution.status !== 'SUCCEEDED')
      throw new Error(`pipeline ${execution.status}: ${JSON.stringify(execution.error)}`);
    const steps: Record<string, number> = {};
    for (const event of execution.events) {
      if (event.type !== 'StateExited' || event.state === undefined || event.state.endsWith('?')) continue;
      const entered = execution.events.find((e) => e.type === 'StateEntered' && e.state === event.state);
      if (entered) steps[event.state] = round((event.timestamp - entered.timestamp) / 1000);
    }
    return { wall_seconds: round(seconds, 2), step_seconds: steps };
  };
  const first = await runPipeline('incoming/adult/adult.csv', adult);
  const secondData = Buffer.from(adult.toString('utf8').split('\n').slice(0, 30001).join('\n'));
  const second = await runPipeline('incoming/adult/adult-30k.csv', secondData);
  const validationShare = (p: typeof first) =>
    round(((p.step_seconds.Validate ?? 0) + (p.step_seconds.Report ?? 0)) / (p.step_seconds.Tune ?? 1), 3);

  // 2. Warm predict: the bundled handler in a process of its own (one copy of tfjs there), against a bare
  // model.predict on the same encoded rows in this process.
  const predictFn = [...runtime.functions.values()].find((fn) => fn.spec.logicalId.startsWith('InferencePredict'));
  if (predictFn === undefined) throw new Error('no predict function in the template');
  const bundle = join(predictFn.spec.assetDir, 'index.mjs');
  const request = JSON.parse(readFileSync(join(ROOT, 'examples', 'requests', 'adult.json'), 'utf8')) as {
    instances: Record<string, unknown>[];
  };
  const instances = (n: number) => Array.from({ length: n }, (_, i) => request.instances[i % request.instances.length]);
  const sizes = [1, 100];
  // Asynchronous on purpose: the emulators the child talks to run in this process's event loop.
  const run = promisify(execFile);
  const handlerSamples = benchResult<Record<string, number[]>>(
    (
      await run(
        process.execPath,
        [
          join(import.meta.dirname, 'warm-predict.mjs'),
          bundle,
          String(WARM_ITERATIONS),
          JSON.stringify(request.instances),
          sizes.join(','),
        ],
        {
          env: { ...predictFn.spec.environment, PATH: process.env.PATH ?? '' },
          maxBuffer: 64 * 1024 * 1024,
        },
      )
    ).stdout,
  );

  const registry = new Registry(
    DynamoDBDocumentClient.from(localDynamoClient(endpoints.dynamodbEndpoint, endpoints.region)),
    endpoints.outputs.RegistryTableName as string,
  );
  const production = await registry.aliases.get('adult');
  if (production === undefined) throw new Error('no production version after the pipeline');
  const artifact = await fetchArtifact(s3, production.artifact);
  await initBackend();
  const network = await deserializeNetwork(artifact.network);
  const pre = artifact.preprocessor;
  const warm: Record<string, unknown> = {};
  for (const n of sizes) {
    const x = encodeInstances(pre, validateInstances(pre, { instances: instances(n) }));
    const bareMs: number[] = [];
    for (let i = 0; i < WARM_ITERATIONS + 50; i++) {
      const t0 = performance.now();
      tf.tidy(() =>
        (
          network.predict(tf.tensor2d(x, [n, pre.width]), { batchSize: Math.min(n, PREDICT_BATCH_SIZE) }) as tf.Tensor
        ).dataSync(),
      );
      if (i >= 50) bareMs.push(performance.now() - t0);
    }
    const h = summarize(handlerSamples[String(n)] ?? []);
    const b = summarize(bareMs);
    warm[`instances_${n}`] = {
      handler_ms: { median: round(h.median), p90: round(h.p90) },
      bare_model_predict_ms: { median: round(b.median), p90: round(b.p90) },
      ratio_of_medians: round(h.median / b.median, 2),
      target_ratio: 1.5,
    };
  }

  // 3. Bundle size.
  const assetFiles = readdirSync(predictFn.spec.assetDir).map((f) => ({
    file: f,
    bytes: statSync(join(predictFn.spec.assetDir, f)).size,
  }));
  const bundleBytes = assetFiles.find((f) => f.file === 'index.mjs')?.bytes ?? 0;

  // 4. Cold init in fresh processes: the predict handler (import + first request, which loads the model) vs. a
  // minimal handler.
  const minimal = join(mkdtempSync(join(tmpdir(), 'mlops-minimal-')), 'index.mjs');
  writeFileSync(minimal, 'export const handler = async () => ({ statusCode: 200, body: "{}" });\n');
  const event = (n: number) => ({
    version: '2.0',
    routeKey: 'POST /v1/models/{model}/predict',
    rawPath: '/v1/models/adult/predict',
    headers: { 'content-type': 'application/json' },
    pathParameters: { model: 'adult' },
    body: JSON.stringify({ instances: instances(n) }),
    isBase64Encoded: false,
  });
  const cold = async (module: string, ev: unknown) =>
    benchResult<{ importMs: number; firstInvokeMs: number }>(
      (
        await run(process.execPath, [join(import.meta.dirname, 'cold-start.mjs'), module, JSON.stringify(ev)], {
          env: { ...predictFn.spec.environment, PATH: process.env.PATH ?? '' },
        })
      ).stdout,
    );
  const predictCold: { importMs: number; firstInvokeMs: number }[] = [];
  const minimalCold: { importMs: number; firstInvokeMs: number }[] = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    predictCold.push(await cold(bundle, event(1)));
    minimalCold.push(await cold(minimal, {}));
  }

  const results = {
    benchmark: 'foundation (issue 2)',
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version },
    backend: tf.getBackend(),
    pipeline: { data: 'examples/data/adult.csv (32,561 rows), no production model yet', ...first },
    pipeline_with_production: { data: 'first 30,000 rows of adult.csv, compared with production v1', ...second },
    validation_and_report_over_training_time: {
      first: validationShare(first),
      with_production: validationShare(second),
    },
    warm_predict: { iterations: WARM_ITERATIONS, ...warm },
    predict_bundle: {
      index_mjs_bytes: bundleBytes,
      index_mjs_mb: round(bundleBytes / 1e6, 2),
      target_mb: 3,
      wasm_bytes: Object.fromEntries(assetFiles.filter((f) => f.file.endsWith('.wasm')).map((f) => [f.file, f.bytes])),
    },
    cold_init_ms: {
      runs: COLD_RUNS,
      predict_import: round(summarize(predictCold.map((c) => c.importMs)).median, 1),
      predict_first_request_with_model_load: round(summarize(predictCold.map((c) => c.firstInvokeMs)).median, 1),
      minimal_import: round(summarize(minimalCold.map((c) => c.importMs)).median, 1),
      minimal_first_request: round(summarize(minimalCold.map((c) => c.firstInvokeMs)).median, 1),
    },
  };
  writeFileSync(join(import.meta.dirname, 'results', 'foundation.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(JSON.stringify(results, null, 2));
} finally {
  s3.destroy();
  await runtime.stop();
}
process.exit(0);
