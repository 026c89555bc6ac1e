// Measures one cold start in a fresh process: importing a handler module, then its first invocation.
// Run as: node cold-start.mjs <module path> <event JSON>; prints a BENCH-RESULT line {"importMs", "firstInvokeMs", "tfjsLoaded"}.
import { pathToFileURL } from 'node:url';

const [, , modulePath, eventJson] = process.argv;
// The invocation's trace header, as Lambda sets it for a traced function.
process.env._X_AMZN_TRACE_ID = `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${'0'.repeat(24)};Parent=${'0'.repeat(16)};Sampled=1`;
const t0 = performance.now();
const mod = await import(pathToFileURL(modulePath).href);
const t1 = performance.now();
await mod.handler(JSON.parse(eventJson), { getRemainingTimeInMillis: () => 30000 });
const t2 = performance.now();
// Whether TF.js was evaluated at all (its engine registers itself on the global object when first used).
const tfjsLoaded = globalThis._tfengine !== undefined;
// Marked: the handler writes its own lines (capture records) to stdout too.
process.stdout.write(`\nBENCH-RESULT ${JSON.stringify({ importMs: t1 - t0, firstInvokeMs: t2 - t1, tfjsLoaded })}\n`);
