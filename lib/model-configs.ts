import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sensitiveAttributes, type ModelConfig } from '../lambdas/core/model-config.js';
import { listModelNames, loadModelConfig } from '../lambdas/shared/contracts/model-files.js';

export const MODELS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'models');

/** Validates every file in `models/`; throws ModelConfigError naming the file and each problem. */
export function loadAllModelConfigs(dir = MODELS_DIR): ModelConfig[] {
  return listModelNames(dir).map((name) => loadModelConfig(name, dir).config);
}

/**
 * What synth warns about in valid model files: a sensitive attribute declared numeric without bins is grouped by its
 * quartiles at run time, which may not be the groups that matter.
 */
export function modelFileWarnings(configs: readonly ModelConfig[]): string[] {
  return configs.flatMap((config) =>
    sensitiveAttributes(config)
      .filter((a) => a.bins === undefined && config.columnTypes[a.column] === 'numeric')
      .map(
        (a) =>
          `models/${config.name}.json: sensitive attribute "${a.column}" is numeric and has no bins; it will be grouped by its quartiles. ` +
          `Declare the groups that matter: "sensitive": [{"column": "${a.column}", "bins": [25, 60]}]`,
      ),
  );
}
