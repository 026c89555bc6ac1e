import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { LambdaFunctionError, type LocalFunctionSpec } from './spec.js';

/**
 * A container of a local function: a worker thread that loads the bundle with the function's environment, under
 * Lambda's limits — its stack and, from the function's memory, its heap.
 */

const WORKER_FILE = new URL('./worker.mjs', import.meta.url);
/** Stack of a local container, as on Lambda (see startWorker). */
export const LAMBDA_STACK_MB = 1;
/** The V8 heap's share of the function's memory; the rest is for code, WebAssembly memory and buffers. */
const HEAP_SHARE = 0.9;

/** A new container of the function: its module loads at once (a cold start); `clockNow` is the runtime's time. */
export function startWorker(spec: LocalFunctionSpec, clockNow: number): Worker {
  const [file, handlerName] = splitHandler(spec.assetDir, spec.handler);
  return new Worker(WORKER_FILE, {
    env: spec.environment,
    workerData: { entry: join(spec.assetDir, file), handlerName, clockNow },
    stdout: true,
    stderr: true,
    execArgv: [],
    // Lambda runs the handler on Node's main thread (~984 KB of stack); a worker's default is 4 MB, which would hide
    // stack overflows such as a spread of 125k+ values into Math.min. 1 MB is as strict as Lambda or slightly stricter.
    // Lambda kills a function that outgrows its memory; locally the heap is capped, so a function that would run out
    // of memory in Lambda fails here too (memory outside the V8 heap, WebAssembly's and buffers', is not capped).
    resourceLimits: { stackSizeMb: LAMBDA_STACK_MB, maxOldGenerationSizeMb: Math.floor(spec.memoryMb * HEAP_SHARE) },
  });
}

/**
 * A container's failure as Lambda reports it: running out of memory ends the container as Lambda's kill does; an
 * error at init (module scope) fails the cold start, as Runtime.ImportModuleError / init errors do in Lambda.
 */
export function workerFailure(error: Error & { code?: string }, spec: LocalFunctionSpec): LambdaFunctionError {
  return error.code === 'ERR_WORKER_OUT_OF_MEMORY'
    ? new LambdaFunctionError(
        'Runtime.ExitError',
        `RequestId: local Error: Runtime exited with error: out of memory (${spec.functionName} has ${spec.memoryMb} MB)`,
      )
    : new LambdaFunctionError('Runtime.InitError', `${spec.functionName}: ${error.message}`);
}

/** `index.handler` → the module file Lambda's Node.js runtime would load (.mjs, .js or .cjs) and the export. */
function splitHandler(assetDir: string, handler: string): [string, string] {
  const dot = handler.lastIndexOf('.');
  const base = handler.slice(0, dot);
  const file = ['.mjs', '.js', '.cjs'].map((ext) => `${base}${ext}`).find((f) => existsSync(join(assetDir, f)));
  if (file === undefined) throw new Error(`no ${base}.mjs, .js or .cjs in ${assetDir} for handler ${handler}`);
  return [file, handler.slice(dot + 1)];
}
