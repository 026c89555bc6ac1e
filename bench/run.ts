/**
 * Foundation benchmark (issue 2): pipeline wall time on adult.csv through the local runtime; warm predict handler
 * time for 1 and 100 instances against a bare model.predict on the same rows; predict bundle size; cold init of the
 * predict handler against a minimal handler. Writes bench/results/foundation.json.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { validateInstances } from '../lambdas/core/instances.js';
import { deserializeNetwork, PREDICT_BATCH_SIZE } from '../lambdas/core/network.js';
import { initBackend } from '../lambdas/core/tf-backend.js';
import { encodeInstances } from '../lambdas/core/preprocess.js';
import { fetchArtifact } from '../lambdas/shared/artifacts.js';
import { localS3Client } from '../local/emulators.js';
import { startLocalRuntime } from '../local/runtime.js';
import { round, summarize } from './stats.js';

const ROOT = join(import.meta.dirname, '..');
const WARM_ITERATIONS = 300;
const COLD_RUNS = 7;

const adult = readFileSync(join(ROOT, 'examples', 'data', 'adult.csv'));
const runtime = await startLocalRuntime({ stateDir: mkdtempSync(join(tmpdir(), 'mlops-bench-')), ports: { api: 0, s3: 0, dynamodb: 0 }, inMemoryDynamo: true });
const { endpoints } = runtime;
const s3 = localS3Client(endpoints.s3Endpoint, endpoints.region);

try {
  // 1. Pipeline wall time: from the upload returning to the execution's end.
  const before = runtime.executions().length;
  const uploadStart = performance.now();
  await s3.send(new PutObjectCommand({ Bucket: endpoints.outputs.DataBucketName, Key: 'incoming/adult/adult.csv', Body: adult }));
  while (runtime.executions().length === before) await new Promise((r) => setTimeout(r, 5));
  const execution = runtime.executions()[before];
  if (execution === undefined) throw new Error('the upload started no execution');
  await execution.done;
  const pipelineSeconds = (performance.now() - uploadStart) / 1000;
  if (execution.status !== 'SUCCEEDED') throw new Error(`pipeline ${execution.status}: ${JSON.stringify(execution.error)}`);
  const steps: Record<string, number> = {};
  for (const event of execution.events) {
    if (event.type !== 'StateExited' || event.state === undefined) continue;
    const entered = execution.events.find((e) => e.type === 'StateEntered' && e.state === event.state);
    if (entered) steps[event.state] = round((event.timestamp - entered.timestamp) / 1000);
  }

  // 2. Warm predict: the bundled handler in this process, against a bare model.predict on the same rows.
  const predictFn = [...runtime.functions.values()].find((fn) => fn.spec.logicalId.startsWith('InferencePredict'));
  if (predictFn === undefined) throw new Error('no predict function in the template');
  Object.assign(process.env, predictFn.spec.environment);
  const bundle = join(predictFn.spec.assetDir, 'index.mjs');
  const { handler } = (await import(pathToFileURL(bundle).href)) as { handler: (event: unknown, context: unknown) => Promise<{ statusCode: number; body: string }> };
  const request = JSON.parse(readFileSync(join(ROOT, 'examples', 'requests', 'adult.json'), 'utf8')) as { instances: Record<string, unknown>[] };
  const instances = (n: number) => Array.from({ length: n }, (_, i) => request.instances[i % request.instances.length]);
  const event = (n: number) => ({
    version: '2.0',
    routeKey: 'POST /v1/models/{model}/predict',
    rawPath: '/v1/models/adult/predict',
    headers: { 'content-type': 'application/json' },
    pathParameters: { model: 'adult' },
    body: JSON.stringify({ instances: instances(n) }),
    isBase64Encoded: false,
  });
  const context = { getRemainingTimeInMillis: () => 29000 };
  const first = await handler(event(1), context);
  if (first.statusCode !== 200) throw new Error(`predict answered ${first.statusCode}: ${first.body}`);

  const artifactKey = JSON.parse(first.body) as { version: number };
  const { Registry } = await import('../lambdas/shared/registry.js');
  const { DynamoDBDocumentClient } = await import('@aws-sdk/lib-dynamodb');
  const { localDynamoClient } = await import('../local/emulators.js');
  const registry = new Registry(DynamoDBDocumentClient.from(localDynamoClient(endpoints.dynamodbEndpoint, endpoints.region)), endpoints.outputs.RegistryTableName as string);
  const production = await registry.getAlias('adult');
  if (production?.version !== artifactKey.version) throw new Error('production moved during the benchmark');
  const artifact = await fetchArtifact(s3, production.artifact);
  await initBackend();
  const network = await deserializeNetwork(artifact.network);

  const warm: Record<string, unknown> = {};
  for (const n of [1, 100]) {
    const ev = event(n);
    const pre = artifact.preprocessor;
    const x = encodeInstances(pre, validateInstances(pre, { instances: instances(n) }));
    const handlerMs: number[] = [];
    const bareMs: number[] = [];
    for (let i = 0; i < WARM_ITERATIONS + 50; i++) {
      const t0 = performance.now();
      await handler(ev, context);
      const t1 = performance.now();
      tf.tidy(() => (network.predict(tf.tensor2d(x, [n, pre.width]), { batchSize: Math.min(n, PREDICT_BATCH_SIZE) }) as tf.Tensor).dataSync());
      const t2 = performance.now();
      if (i >= 50) {
        handlerMs.push(t1 - t0);
        bareMs.push(t2 - t1);
      }
    }
    const h = summarize(handlerMs);
    const b = summarize(bareMs);
    warm[`instances_${n}`] = {
      handler_ms: { median: round(h.median), p90: round(h.p90) },
      bare_model_predict_ms: { median: round(b.median), p90: round(b.p90) },
      ratio_of_medians: round(h.median / b.median, 2),
      target_ratio: 1.5,
    };
  }

  // 3. Bundle size.
  const assetFiles = readdirSync(predictFn.spec.assetDir).map((f) => ({ file: f, bytes: statSync(join(predictFn.spec.assetDir, f)).size }));
  const bundleBytes = assetFiles.find((f) => f.file === 'index.mjs')?.bytes ?? 0;

  // 4. Cold init in fresh processes: the predict handler (import + first request, which loads the model) vs. a
  // minimal handler.
  const minimal = join(mkdtempSync(join(tmpdir(), 'mlops-minimal-')), 'index.mjs');
  writeFileSync(minimal, 'export const handler = async () => ({ statusCode: 200, body: "{}" });\n');
  const cold = (module: string, ev: unknown) =>
    JSON.parse(execFileSync(process.execPath, [join(import.meta.dirname, 'cold-start.mjs'), module, JSON.stringify(ev)], { env: { ...predictFn.spec.environment, PATH: process.env.PATH ?? '' } }).toString()) as {
      importMs: number;
      firstInvokeMs: number;
    };
  const predictCold = Array.from({ length: COLD_RUNS }, () => cold(bundle, event(1)));
  const minimalCold = Array.from({ length: COLD_RUNS }, () => cold(minimal, {}));

  const results = {
    benchmark: 'foundation (issue 2)',
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version },
    backend: tf.getBackend(),
    pipeline: { data: 'examples/data/adult.csv (32,561 rows)', wall_seconds: round(pipelineSeconds, 2), step_seconds: steps },
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
