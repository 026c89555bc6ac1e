import * as tf from '@tensorflow/tfjs-core';
import type { ModelArtifact } from '../lambdas/core/artifact.js';
import { DenseForward } from '../lambdas/core/dense-forward.js';
import { validateInstances } from '../lambdas/core/instances.js';
import { deserializeNetwork, PREDICT_BATCH_SIZE } from '../lambdas/core/network.js';
import { encodeInstances } from '../lambdas/core/preprocess.js';
import { initBackend } from '../lambdas/core/tf-backend.js';
import { round, summarize } from './stats.js';

/** The serving benchmark's engines, side by side in this process: bare TF.js and the compiled forward pass. */

const iterationsFor = (n: number) => (n >= 1000 ? 100 : 300);

/** Median milliseconds of `fn` over `iterations` calls after 30 warm-up calls. */
function time(fn: () => unknown, iterations: number): { median: number; p90: number } {
  for (let i = 0; i < 30; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  const s = summarize(samples);
  return { median: round(s.median, 4), p90: round(s.p90, 4) };
}

/** TF.js `model.predict` and the compiled pass on the same encoded rows, at each batch size. */
export async function measureEngines(
  artifact: ModelArtifact,
  instances: (n: number) => Record<string, unknown>[],
  sizes: readonly number[],
): Promise<{
  engines: Record<string, unknown>;
  bare: Record<number, number>;
  compiledMs: Record<number, number>;
  backend: string;
}> {
  const pre = artifact.preprocessor;
  const backend = await initBackend();
  const network = await deserializeNetwork(artifact.network);
  const compiled = DenseForward.compile(artifact.network);
  if (!('forward' in compiled)) throw new Error(`the adult network did not compile: ${compiled.unsupported}`);
  const engines: Record<string, unknown> = {};
  const bare: Record<number, number> = {};
  const compiledMs: Record<number, number> = {};
  for (const n of sizes) {
    const x = encodeInstances(pre, validateInstances(pre, { instances: instances(n) }));
    const t = time(
      () =>
        tf.tidy(() =>
          (
            network.predict(tf.tensor2d(x, [n, pre.width]), { batchSize: Math.min(n, PREDICT_BATCH_SIZE) }) as tf.Tensor
          ).dataSync(),
        ),
      iterationsFor(n),
    );
    const c = time(() => compiled.forward.run(x, n), iterationsFor(n));
    bare[n] = t.median;
    compiledMs[n] = c.median;
    engines[`rows_${n}`] = { tfjs_ms: t, compiled_ms: c, compiled_over_tfjs: round(c.median / t.median, 3) };
  }

  return { engines, bare, compiledMs, backend };
}
