import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { apiStackProps, type ApiSettings } from '../lib/api-settings.js';
import { buildApp, DEFAULT_STACK_NAME } from '../lib/app.js';
import { codeVersion } from '../lib/code-version.js';

const PROJECT_ROOT = resolve(import.meta.dirname, '..');
/** Everything the synthesized template and bundles are made from, besides the model files. */
const SOURCE_DIRS = ['lib', 'lambdas', 'state-machines'];
const SOURCE_FILES = ['package.json', 'package-lock.json', 'tsconfig.json', 'cdk.json'];
/** Bumped when what is cached changes shape. */
const CACHE_FORMAT = 1;
/** Synthesized apps kept; older ones are deleted once a day has passed since they were last used. */
const KEEP = 4;
const STALE_MS = 24 * 3600_000;

export interface SynthesizedApp {
  /** The cloud assembly: the template and the bundled function assets. */
  readonly outdir: string;
  readonly stackName: string;
  readonly templateFile: string;
  /** True when an identical earlier synthesis was reused. */
  readonly reused: boolean;
}

export interface SynthOptions {
  /** The folder of model files to ship. @default the repository's `models/` */
  readonly modelsDir?: string;
  /** The API as an environment declares it (authorization, CORS, throttling). @default IAM, no CORS */
  readonly api?: ApiSettings;
  /** @default node_modules/.cache/serverless-mlops/synth */
  readonly cacheDir?: string;
}

/**
 * Synthesizes the CDK app (template and bundled functions) as `cdk synth` does, reusing an earlier synthesis when
 * none of its inputs changed: the source of lib/, lambdas/ and state-machines/, the dependency lock, cdk.json, the
 * model files and the commit (which the template records as the code version). A restart of `npm start`, and every
 * local runtime of one `npm test`, skip the bundling when nothing changed; any edit makes a fresh synthesis.
 */
export function synthesizeApp(options: SynthOptions = {}): SynthesizedApp {
  const cacheDir = options.cacheDir ?? join(PROJECT_ROOT, 'node_modules', '.cache', 'serverless-mlops', 'synth');
  const modelsDir = options.modelsDir ?? join(PROJECT_ROOT, 'models');
  const outdir = join(cacheDir, fingerprint(modelsDir, options.api));
  const templateFile = `${DEFAULT_STACK_NAME}.template.json`;
  if (existsSync(join(outdir, templateFile))) {
    const now = new Date();
    utimesSync(outdir, now, now);
    return { outdir, stackName: DEFAULT_STACK_NAME, templateFile, reused: true };
  }
  mkdirSync(cacheDir, { recursive: true });
  // Synthesized beside its final place and renamed into it: a concurrent start never sees half an assembly.
  const staging = `${outdir}.${process.pid}.${Date.now()}.tmp`;
  const stackProps = {
    ...(options.modelsDir ? { modelsDir: options.modelsDir } : {}),
    ...(options.api ? apiStackProps(options.api) : {}),
  };
  const { app, stack } = buildApp({ outdir: staging, stackName: DEFAULT_STACK_NAME, stackProps });
  try {
    app.synth();
    renameSync(staging, outdir);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    // Another process finished the same synthesis first: theirs is identical.
    if (!existsSync(join(outdir, stack.templateFile))) throw error;
  }
  prune(cacheDir, outdir);
  return { outdir, stackName: stack.stackName, templateFile: stack.templateFile, reused: false };
}

/** A digest of every input of the synthesis. */
export function fingerprint(modelsDir: string, api?: ApiSettings): string {
  const hash = createHash('sha256');
  hash.update(
    `format ${CACHE_FORMAT}\nstack ${DEFAULT_STACK_NAME}\ncode ${codeVersion(PROJECT_ROOT)}\napi ${JSON.stringify(api ?? {})}\n`,
  );
  const add = (label: string, file: string) => hash.update(`${label}\n`).update(readFileSync(file)).update('\n');
  for (const name of SOURCE_FILES) if (existsSync(join(PROJECT_ROOT, name))) add(name, join(PROJECT_ROOT, name));
  for (const dir of SOURCE_DIRS)
    for (const file of filesUnder(join(PROJECT_ROOT, dir))) add(relative(PROJECT_ROOT, file), file);
  for (const file of filesUnder(modelsDir)) add(`models/${relative(modelsDir, file)}`, file);
  return hash.digest('hex').slice(0, 32);
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** Deletes syntheses beyond the newest few that have not been used for a day (never the one just made). */
function prune(cacheDir: string, keep: string): void {
  const entries = readdirSync(cacheDir)
    .map((name) => join(cacheDir, name))
    .filter((path) => path !== keep && !path.endsWith('.tmp'))
    .map((path) => ({ path, used: statSync(path).mtimeMs }))
    .sort((a, b) => b.used - a.used);
  for (const entry of entries.slice(KEEP - 1)) {
    if (Date.now() - entry.used > STALE_MS) rmSync(entry.path, { recursive: true, force: true });
  }
}
