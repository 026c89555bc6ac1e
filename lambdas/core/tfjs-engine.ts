import { deserializeNetwork, predictRaw, type SerializedNetwork } from './network.js';
import { initBackend, type BackendName } from './tf-backend.js';

/** A network run by TF.js (the fastest backend available). Imported on demand: loading TF.js costs most of a cold start. */
export interface TfjsEngine {
  readonly backend: BackendName;
  run(x: Float32Array, rows: number, width: number): Float32Array;
  dispose(): void;
}

export async function loadTfjsEngine(network: SerializedNetwork): Promise<TfjsEngine> {
  const backend = await initBackend();
  const model = await deserializeNetwork(network);
  return {
    backend,
    run: (x, rows, width) => predictRaw(model, x, rows, width),
    dispose: () => model.dispose(),
  };
}
