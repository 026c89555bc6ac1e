import * as tf from '@tensorflow/tfjs-core';
// Named imports (not bare ones): the packages declare no side effects, so bundlers drop bare imports, and with them
// the registration of the backends.
import { version_cpu } from '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths, version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

const WASM_FILE = 'tfjs-backend-wasm.wasm';
// Kept in a variable so bundlers leave the import alone: tfjs-node is an optional native add-on that must never be
// bundled into a Lambda asset (it is larger than a zip Lambda allows).
const TFJS_NODE = '@tensorflow/tfjs-node';

let chosen: Promise<BackendName> | undefined;

/**
 * Picks the fastest backend available, once per process: tfjs-node when installed, else WebAssembly, else plain JS.
 * `TFJS_BACKEND` forces one (useful to compare backends in benchmarks).
 */
export function initBackend(): Promise<BackendName> {
  chosen ??= choose();
  return chosen;
}

async function choose(): Promise<BackendName> {
  const forced = process.env.TFJS_BACKEND as BackendName | undefined;
  if (forced === undefined || forced === 'tensorflow') {
    try {
      await import(/* @vite-ignore */ TFJS_NODE);
      if (await tf.setBackend('tensorflow')) return 'tensorflow';
    } catch {
      // not installed: fall through to wasm
    }
  }
  if (forced === undefined || forced === 'wasm') {
    const wasmDir = findWasmDir();
    if (wasmDir !== undefined) {
      setWasmPaths(wasmDir.endsWith('/') ? wasmDir : `${wasmDir}/`);
      try {
        if (await tf.setBackend('wasm')) return 'wasm';
      } catch {
        // wasm could not start (e.g. no WebAssembly): fall through to cpu
      }
    }
  }
  await tf.setBackend('cpu');
  return 'cpu';
}

/** The .wasm files sit next to the bundle in a Lambda asset, and in the package when running from source. */
function findWasmDir(): string | undefined {
  const candidates: string[] = [];
  if (process.env.TFJS_WASM_DIR !== undefined) candidates.push(process.env.TFJS_WASM_DIR);
  candidates.push(dirname(fileURLToPath(import.meta.url)));
  try {
    const require = createRequire(import.meta.url);
    candidates.push(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')));
  } catch {
    // not resolvable from here (bundled): the asset directory is the answer
  }
  return candidates.find((dir) => existsSync(join(dir, WASM_FILE)));
}

/** Versions of tfjs core and the backends, recorded with each model for reproduction. */
export function tfjsVersion(): string {
  return `core ${tf.version_core}, cpu ${version_cpu}, wasm ${version_wasm}`;
}
