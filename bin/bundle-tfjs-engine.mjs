// Bundles the TF.js engine (lambdas/core/tfjs-engine.ts) into a file of its own next to a function's bundle, for
// functions that load TF.js only when a request needs it (predict). Run by MlFunction's bundling hook as:
//   node bin/bundle-tfjs-engine.mjs <output dir> <banner, base64>
// The banner is the one the main bundle gets (require and __dirname for TF.js's CommonJS parts and .wasm loader).
import { build } from 'esbuild';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [, , outdir, bannerBase64] = process.argv;
if (outdir === undefined || bannerBase64 === undefined)
  throw new Error('usage: bundle-tfjs-engine.mjs <output dir> <banner, base64>');
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
await build({
  entryPoints: [join(root, 'lambdas', 'core', 'tfjs-engine.ts')],
  outfile: join(outdir, 'tfjs-engine.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  minify: true,
  keepNames: true,
  external: ['@tensorflow/tfjs-node'],
  banner: { js: Buffer.from(bannerBase64, 'base64').toString('utf8') },
  logLevel: 'warning',
});
// The engine is an ES module named .js (the specifier the main bundle imports): the folder says so.
writeFileSync(join(outdir, 'package.json'), `${JSON.stringify({ type: 'module' })}\n`);
