import * as z from 'zod';
import { captureSchema } from './capture-config.js';
import { incidentsSchema } from './incidents/incident-config.js';
import { monitoringSchema } from './monitoring-config.js';
import { retrainingSchema } from './retraining/retraining-config.js';
import { releaseSchema } from './release-config.js';
import { ModelConfigError } from './errors.js';
import { MODEL_NAME_PATTERN } from './model-name.js';
import { dataSelectionSchema, dataValidationSchema, driftSchema, splitSchema } from './data-config.js';
import { FAIRNESS_BOUNDS_BY_TASK, gateSchema, sensitiveAttributeSchema } from './gate-config.js';
import { hyperparametersSchema, tuningSchema } from './training-config.js';
import { TARGET_TRANSFORMS } from './target-transform.js';
import { TUNABLE } from './tuning.js';

/**
 * Sensitive attributes are kept for fairness analysis and left out of the model's inputs. A numeric one is grouped by
 * its `bins` (edges), or by quartiles when it has none.
 */
const sensitiveSection = z.array(sensitiveAttributeSchema).default([]);
/** Which served requests are captured (with their answers and prediction ids) and what is removed from them. */
const captureSection = captureSchema.prefault({});

const modelName = z
  .string()
  .regex(MODEL_NAME_PATTERN, 'use 1-63 lower-case letters, digits and dashes, starting with a letter or digit');

export const modelConfigSchema = z
  .object({
    name: modelName,
    description: z.string().optional(),
    task: z.enum(['binary', 'multiclass', 'regression']),
    label: z.string().min(1),
    /** For binary tasks: the label value predicted as 1. Defaults to the rarer class in the training split. */
    positiveClass: z.string().optional(),
    /** Regression: how the target is modelled (see lambdas/core/target-transform.ts); `auto` picks log1p for a skewed one. */
    targetTransform: z.enum(['auto', ...TARGET_TRANSFORMS]).default('auto'),
    /** Feature columns, or "all" for every column that is not the label, excluded or sensitive. */
    features: z.union([z.literal('all'), z.array(z.string().min(1)).min(1)]).default('all'),
    exclude: z.array(z.string().min(1)).default([]),
    sensitive: sensitiveSection,
    /** Column types to use instead of inferring them from the data. */
    columnTypes: z.record(z.string(), z.enum(['numeric', 'categorical'])).default({}),
    missingValues: z.array(z.string()).default(['', '?', 'NA', 'N/A', 'null', 'NULL', 'NaN']),
    /** Categories seen fewer times than this in the training split go to the unknown bucket. */
    minCategoryCount: z.number().int().min(1).default(1),
    maxCategories: z.number().int().min(1).max(10000).default(100),
    /** Share of rows that may be dropped as bad (non-numeric value in a numeric column, missing label). */
    maxBadRowShare: z.number().min(0).max(1).default(0.01),
    data: dataSelectionSchema.default({ source: 'object' }),
    /** A version that passes its gate waits for `mlops approve` before it can be served. */
    requireApproval: z.boolean().default(false),
    split: splitSchema.prefault({}),
    /** Hyper-parameters fixed by the model file; the others are chosen from the data and tuned. */
    hyperparameters: hyperparametersSchema.default({}),
    /** The search over the hyper-parameters the file leaves open: budget and values. */
    tuning: tuningSchema.prefault({}),
    gate: gateSchema.prefault({}),
    /** Checks of each new data set against the model's schema (made from its first accepted data set). */
    dataValidation: dataValidationSchema.prefault({}),
    drift: driftSchema.prefault({}),
    /** Groups of a sensitive attribute smaller than this are reported as "insufficient data". */
    minGroupSize: z.number().int().min(1).default(30),
    /** Extra columns (besides the sensitive attributes) whose values get per-slice metrics. */
    slices: z.array(z.string().min(1)).default([]),
    /** The model's alarms in production: error rate, p99 latency, no traffic, failed runs. */
    monitoring: monitoringSchema.prefault({}),
    /** Continuous training: what starts a retraining besides an upload, and the limits (retraining-config.ts). */
    retraining: retrainingSchema.prefault({}),
    capture: captureSection,
    /** How a version that passed its gate reaches production: at once, or a canary or shadow release. */
    release: releaseSchema.prefault({}),
    /** How its incidents are responded to: tier 1's time, tier 2's time to acknowledge, notes for people. */
    incidents: incidentsSchema.prefault({}),
  })
  .strict()
  .superRefine((config, ctx) => {
    const overlaps = (list: readonly string[], what: string): void => {
      if (list.includes(config.label)) {
        ctx.addIssue({ code: 'custom', message: `the label "${config.label}" cannot also be in ${what}` });
      }
    };
    overlaps(config.exclude, 'exclude');
    overlaps(sensitiveColumns(config), 'sensitive');
    if (Array.isArray(config.features)) overlaps(config.features, 'features');
    for (const bound of Object.keys(config.gate.fairness)) {
      const allowed: readonly string[] = FAIRNESS_BOUNDS_BY_TASK[config.task];
      if (!allowed.includes(bound))
        ctx.addIssue({
          code: 'custom',
          path: ['gate', 'fairness', bound],
          message: `${bound} does not apply to a ${config.task} model; its fairness bounds are ${allowed.join(', ')}`,
        });
    }
    if (config.task !== 'regression' && config.targetTransform !== 'auto') {
      ctx.addIssue({
        code: 'custom',
        path: ['targetTransform'],
        message: `targetTransform only applies to regression models, and this one is ${config.task}`,
      });
    }
    if (config.task !== 'binary' && config.positiveClass !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['positiveClass'], message: 'positiveClass only applies to binary tasks' });
    }
    for (const name of TUNABLE) {
      if (config.hyperparameters[name] !== undefined && config.tuning.space[name] !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['tuning', 'space', name],
          message: `hyperparameters.${name} fixes the value; remove one of the two`,
        });
      }
    }
  });

export type ModelConfig = z.infer<typeof modelConfigSchema>;

/** What capture removes from a request: the listed fields, else the model's sensitive attributes. */
export function captureRedaction(config: Pick<ModelConfig, 'capture' | 'sensitive'>): {
  drop: string[];
  hash: string[];
} {
  return { drop: config.capture.drop ?? sensitiveColumns(config), hash: config.capture.hash };
}

/** A sensitive attribute as the pipeline uses it. */
export interface SensitiveAttribute {
  readonly column: string;
  readonly bins?: readonly number[];
}

/** The sensitive attributes with their bins, whichever form the file used. */
export function sensitiveAttributes(config: Pick<ModelConfig, 'sensitive'>): SensitiveAttribute[] {
  return config.sensitive.map((entry) => (typeof entry === 'string' ? { column: entry } : entry));
}

/** The names of the sensitive columns. */
export function sensitiveColumns(config: Pick<ModelConfig, 'sensitive'>): string[] {
  return sensitiveAttributes(config).map((a) => a.column);
}
export type TaskKind = ModelConfig['task'];

/**
 * Validates a parsed model file. `source` names the file in the error so the owner knows which one to fix.
 * @throws ModelConfigError listing every problem with its JSON path.
 */
export function parseModelConfig(raw: unknown, source: string): ModelConfig {
  return parseOrExplain(modelConfigSchema, raw, source);
}

function parseOrExplain<T>(schema: z.ZodType<T>, raw: unknown, source: string): T {
  const result = schema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues
      .map((issue) => `  - ${issue.path.length > 0 ? issue.path.join('.') : '(file)'}: ${issue.message}`)
      .join('\n');
    throw new ModelConfigError(`Invalid model file ${source}:\n${problems}`);
  }
  return result.data;
}

/**
 * The sections of a model file that serving uses: what capture keeps and removes. Predict reads them on a cold
 * container's first request, so it validates only these (with the same schemas); the whole file was validated when
 * the stack was synthesized, and the pipeline validates it again on every run.
 */
const captureSectionsSchema = z.object({ sensitive: sensitiveSection, capture: captureSection });

export type CaptureSections = z.infer<typeof captureSectionsSchema>;

/** The capture sections of a model file's JSON text. @throws ModelConfigError naming each problem. */
export function parseCaptureSections(text: string, source: string): CaptureSections {
  return parseOrExplain(captureSectionsSchema, modelFileJson(text, source), source);
}

function modelFileJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ModelConfigError(`Invalid model file ${source}: not valid JSON (${(error as Error).message})`);
  }
}

/** Parses JSON text of a model file, checking that the file's name matches the model's name. */
export function parseModelConfigText(text: string, source: string, expectedName?: string): ModelConfig {
  const config = parseModelConfig(modelFileJson(text, source), source);
  if (expectedName !== undefined && config.name !== expectedName) {
    throw new ModelConfigError(
      `Invalid model file ${source}: "name" is "${config.name}" but the file is named for "${expectedName}"; rename one of them`,
    );
  }
  return config;
}
