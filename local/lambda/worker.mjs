// One local "container" of a Lambda function: a worker thread with the function's own environment that imports the
// bundled handler once (the cold start) and then serves invocations one at a time, like a Lambda sandbox.
// Plain JavaScript so the worker needs no TypeScript loader.
import { parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';

const { entry, handlerName } = workerData;
/** Marks the end of an invocation's output on stdout (the host's INVOCATION_END). */
const INVOCATION_END = '\u001emlops-invocation-end ';

// The runtime's clock: Date.now() reads it, so a test that advances the clock moves the function's time too. The
// offset is set from the host's clock at each invocation (and at the cold start, for code that runs on import).
const wallNow = Date.now.bind(Date);
let clockOffsetMs = workerData.clockNow - wallNow();
Date.now = () => wallNow() + clockOffsetMs;

const mod = await import(pathToFileURL(entry).href);
const handler = mod[handlerName];
if (typeof handler !== 'function') {
  throw new Error(`${entry} does not export a function named ${handlerName}`);
}

parentPort.on('message', async ({ id, event, context, traceHeader, clockNow }) => {
  clockOffsetMs = clockNow - wallNow();
  // Lambda sets the invocation's trace header in the environment, where the X-Ray SDK reads it.
  if (traceHeader === undefined) delete process.env._X_AMZN_TRACE_ID;
  else process.env._X_AMZN_TRACE_ID = traceHeader;
  const deadline = wallNow() + context.timeoutMs;
  const lambdaContext = {
    ...context,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - wallNow()),
  };
  let outcome;
  try {
    const result = await handler(event, lambdaContext);
    outcome = { id, ok: true, result: result === undefined ? null : result };
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    outcome = { id, ok: false, error: { name: err.name, message: err.message, stack: err.stack ?? '' } };
  }
  // The invocation's last line on stdout: the host answers only once every line before it has reached the log group
  // (as Lambda's runtime hands the lines over before the invocation ends; messages and stdout are not ordered).
  process.stdout.write(`${INVOCATION_END}${id}\n`);
  parentPort.postMessage(outcome);
});
parentPort.postMessage({ ready: true });
