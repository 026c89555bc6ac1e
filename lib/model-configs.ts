import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelConfig } from '../lambdas/core/model-config.js';
import { listModelNames, loadModelConfig } from '../lambdas/shared/model-files.js';

export const MODELS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'models');

/** Validates every file in `models/`; throws ModelConfigError naming the file and each problem. */
export function loadAllModelConfigs(dir = MODELS_DIR): ModelConfig[] {
  return listModelNames(dir).map((name) => loadModelConfig(name, dir).config);
}
