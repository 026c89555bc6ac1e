// Times warm invocations of a bundled predict handler in a process of its own (so its copy of tfjs is the only one).
// Run as: node warm-predict.mjs <bundle path> <iterations> <instances JSON array> <sizes comma-separated>
// with the function's environment; prints {"<size>": [ms, ...]}.
import { basename, dirname } from 'node:path';
import { pathToFileURL } from 'node:url';

const [, , bundle, iterationsText, instancesJson, sizesText] = process.argv;
const { handler } = await import(pathToFileURL(bundle).href);
const iterations = Number(iterationsText);
const base = JSON.parse(instancesJson);
const context = { getRemainingTimeInMillis: () => 29000 };
const event = (n) => ({
  version: '2.0',
  routeKey: 'POST /v1/models/{model}/predict',
  rawPath: '/v1/models/adult/predict',
  headers: { 'content-type': 'application/json' },
  pathParameters: { model: 'adult' },
  body: JSON.stringify({ instances: Array.from({ length: n }, (_, i) => base[i % base.length]) }),
  isBase64Encoded: false,
});
// As Lambda does for a traced function: each invocation comes with its trace header (else the X-Ray SDK reports a
// missing context on every call, which Lambda never does), sampled by X-Ray's default rule: the first request each
// second and 5 % of the others (every 20th here, to keep runs comparable).
let sampledSecond = -1;
let calls = 0;
const traced = () => {
  const hex = (n) => Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join('');
  const second = Math.floor(Date.now() / 1000);
  const sampled = second !== sampledSecond || calls++ % 20 === 0;
  sampledSecond = second;
  process.env._X_AMZN_TRACE_ID = `Root=1-${second.toString(16)}-${hex(24)};Parent=${hex(16)};Sampled=${sampled ? 1 : 0}`;
};
traced();
const first = await handler(event(1), context);
if (first.statusCode !== 200) throw new Error(`predict answered ${first.statusCode}: ${first.body}`);
const results = {};
// BENCH_CPU_PROFILE=<dir>: a CPU profile of the timed calls of one size (where a warm request's time goes), the
// 1-instance ones unless BENCH_PROFILE_SIZE names another size.
const profileDir = process.env.BENCH_CPU_PROFILE;
for (const n of sizesText.split(',').map(Number)) {
  const ev = event(n);
  // A fresh event object per call: middy's body parsing replaces event.body, as it would in Lambda.
  for (let i = 0; i < 50; i++) {
    traced();
    await handler({ ...ev }, context);
  }
  const samples = [];
  const profiling =
    profileDir !== undefined && n === Number(process.env.BENCH_PROFILE_SIZE ?? 1) ? await startProfile() : undefined;
  for (let i = 0; i < iterations; i++) {
    const call = { ...ev };
    traced();
    const t0 = performance.now();
    const response = await handler(call, context);
    samples.push(performance.now() - t0);
    if (response.statusCode !== 200) throw new Error(`predict answered ${response.statusCode}: ${response.body}`);
  }
  // Named after the bundle's folder: the handler's and the floor's profiles side by side.
  if (profiling !== undefined) await profiling.stop(`${profileDir}/warm-${n}-${basename(dirname(bundle))}.cpuprofile`);
  results[n] = samples;
}

async function startProfile() {
  const { Session } = await import('node:inspector/promises');
  const { writeFileSync } = await import('node:fs');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 50 });
  await session.post('Profiler.start');
  return { stop: async (file) => writeFileSync(file, JSON.stringify((await session.post('Profiler.stop')).profile)) };
}
// Marked: the handler writes its own lines (capture records) to stdout too.
process.stdout.write(`\nBENCH-RESULT ${JSON.stringify(results)}\n`);
