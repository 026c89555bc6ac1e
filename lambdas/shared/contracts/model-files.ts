import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelConfigError } from '../../core/errors.js';
import {
  parseCaptureSections,
  parseModelConfigText,
  type CaptureSections,
  type ModelConfig,
} from '../../core/model-config.js';
import { MODEL_NAME_PATTERN } from '../../core/model-name.js';
import { sha256Hex } from '../../core/digest.js';

/**
 * Model files ship inside each function's asset (in `models/` next to the bundle); from source they are read from
 * the repository's `models/`. MODELS_DIR overrides both.
 */
function modelsDir(): string {
  if (process.env.MODELS_DIR !== undefined) return process.env.MODELS_DIR;
  // Found once: the folder beside the bundle (or the repository's) does not move while the process runs.
  bundledDir ??= findBundledDir();
  return bundledDir;
}

let bundledDir: string | undefined;

function findBundledDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  // Beside the bundle; from source, the repository's (this file is lambdas/shared/contracts/model-files.ts).
  const candidates = [join(here, 'models'), join(here, '..', '..', '..', 'models')];
  return candidates.find((dir) => existsSync(dir)) ?? (candidates[0] as string);
}

export function listModelNames(dir = modelsDir()): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.slice(0, -'.json'.length))
    .sort();
}

const deployedByDir = new Map<string, ReadonlySet<string>>();

/** Whether a model file is deployed for `name` (listed once per container: the deployed files never change). */
export function isDeployedModel(name: string, dir = modelsDir()): boolean {
  let names = deployedByDir.get(dir);
  if (names === undefined) {
    names = new Set(listModelNames(dir));
    deployedByDir.set(dir, names);
  }
  return names.has(name);
}

export interface LoadedModelConfig {
  readonly config: ModelConfig;
  /** sha256 of the file's bytes, recorded in lineage so a run names the exact configuration it used. */
  readonly sha256: string;
  readonly text: string;
}

/** @throws ModelConfigError when no file exists for the model, or the file is invalid. */
export function loadModelConfig(name: string, dir = modelsDir()): LoadedModelConfig {
  return readParsed(name, dir, 'config', (text) => ({
    config: parseModelConfigText(text, `models/${name}.json`, name),
    sha256: sha256Hex(text),
    text,
  }));
}

/** Only what serving uses of a model file (see parseCaptureSections). @throws ModelConfigError as loadModelConfig does. */
export function loadCaptureSections(name: string, dir = modelsDir()): CaptureSections {
  return readParsed(name, dir, 'capture', (text) => parseCaptureSections(text, `models/${name}.json`));
}

function readParsed<T>(name: string, dir: string, kind: string, parse: (text: string) => T): T {
  const file = join(dir, `${name}.json`);
  if (!MODEL_NAME_PATTERN.test(name) || !existsSync(file)) {
    const known = listModelNames(dir);
    throw new ModelConfigError(
      `no model file models/${name}.json is deployed (known models: ${known.join(', ') || 'none'}); ` +
        'add the file and deploy again, or upload under incoming/<known model>/',
    );
  }
  // Parsed once per container: the deployed files never change under a running function (the key's modification
  // time and size keep a file edited under `npm start`'s models folder from being served stale).
  const { mtimeMs, size } = statSync(file);
  const key = `${kind}\n${file}\n${mtimeMs}\n${size}`;
  if (parsedFiles.has(key)) return parsedFiles.get(key) as T;
  const parsed = parse(readFileSync(file, 'utf8'));
  parsedFiles.set(key, parsed);
  return parsed;
}

const parsedFiles = new Map<string, unknown>();
