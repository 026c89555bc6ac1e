import { ARTIFACT_FORMAT, artifactEnvelopeSchema, artifactSchema } from './artifact-schema.js';
import type { TrainingRows } from './cross-validation.js';
import { DenseForward } from './dense-forward.js';
import { checkStored, parseStoredJson } from './stored-json.js';
import { canonicalJson, sha256Hex } from './digest.js';
import { IntegrityError } from './errors.js';
import type { Hyperparameters } from './hyperparameters.js';
import type { TaskKind } from './model-config.js';
import type { SerializedNetwork } from './network.js';
import { encodeInstances, type InputValue, type Preprocessor } from './preprocess.js';
import { decodeTarget } from './target-transform.js';
import type { TfjsEngine } from './tfjs-engine.js';

export { ARTIFACT_FORMAT };

/**
 * A trained model in one JSON document: preprocessing and network together, so serving cannot use encoders that
 * differ from the ones the network was trained with. Nothing run-specific (ids, times) goes in, so retraining from
 * the same lineage gives the same bytes.
 */
export interface ModelArtifact {
  readonly format: typeof ARTIFACT_FORMAT;
  readonly model: string;
  readonly task: TaskKind;
  readonly labelColumn: string;
  readonly preprocessor: Preprocessor;
  readonly network: SerializedNetwork;
  readonly training: {
    readonly hyperparameters: Hyperparameters;
    readonly epochsRun: number;
    readonly bestEpoch: number;
    readonly backend: string;
    readonly tfjsVersion: string;
    /** The rows it learned from, when not the holdout training split (a fold, or a refit on train + validation). */
    readonly rows?: TrainingRows;
  };
}

/** The artifact's bytes: canonical JSON, so the same model always has the same sha256 (reproduce compares them). */
export function serializeArtifact(artifact: ModelArtifact): Buffer {
  return Buffer.from(canonicalJson(artifact));
}

/** Parses artifact bytes after checking them against the sha256 recorded in the registry. */
export function parseArtifact(bytes: Uint8Array, expectedSha256: string, where: string): ModelArtifact {
  const actual = sha256Hex(bytes);
  if (actual !== expectedSha256) {
    throw new IntegrityError(
      `model artifact ${where} has sha256 ${actual}, but the registry recorded ${expectedSha256}`,
    );
  }
  const raw = parseStoredJson(artifactEnvelopeSchema, Buffer.from(bytes).toString('utf8'), where, 'a model artifact');
  if (raw.format !== ARTIFACT_FORMAT)
    throw new IntegrityError(`model artifact ${where} has format ${String(raw.format)}, expected ${ARTIFACT_FORMAT}`);
  return checkStored(artifactSchema, raw, where, 'a model artifact');
}

export type Prediction =
  { readonly label: string; readonly probabilities: Record<string, number> } | { readonly value: number };

/**
 * Batches up to this many rows run on the compiled forward pass; larger ones on TF.js when it is loaded (its fixed
 * cost per call pays off there). Chosen from bench/results/serving.json.
 */
export const COMPILED_MAX_ROWS = 64;

export interface PredictorOptions {
  /**
   * Serving: load TF.js only when a batch needs it (a network the compiled pass cannot run, or a batch larger than
   * COMPILED_MAX_ROWS), so a cold container that answers small requests never imports it. @default false: load it now
   */
  readonly lazyTfjs?: boolean;
}

/**
 * A loaded model: the network plus the decoding of its outputs. Shared by validation and serving. The network runs on
 * the compiled forward pass (Dense networks, small batches) or on TF.js (anything else, large batches).
 */
export class Predictor {
  private tfjsLoading?: Promise<TfjsEngine>;

  private constructor(
    readonly artifact: ModelArtifact,
    private readonly compiled: DenseForward | undefined,
    private tfjs: TfjsEngine | undefined,
  ) {}

  static async load(artifact: ModelArtifact, options: PredictorOptions = {}): Promise<Predictor> {
    const compiled = DenseForward.compile(artifact.network);
    const forward = 'forward' in compiled ? compiled.forward : undefined;
    const predictor = new Predictor(artifact, forward, undefined);
    if (forward === undefined || options.lazyTfjs !== true) await predictor.loadTfjs();
    return predictor;
  }

  /** Which engine scores a batch of `rows` now. */
  engineFor(rows: number): 'compiled' | 'tfjs' {
    if (this.compiled === undefined) return 'tfjs';
    return rows > COMPILED_MAX_ROWS && this.tfjs !== undefined ? 'tfjs' : 'compiled';
  }

  /** Loads TF.js first if a batch of `rows` should run on it (once per predictor; later calls find it loaded). */
  async prepare(rows: number): Promise<void> {
    if (this.tfjs === undefined && (this.compiled === undefined || rows > COMPILED_MAX_ROWS)) await this.loadTfjs();
  }

  private async loadTfjs(): Promise<TfjsEngine> {
    this.tfjsLoading ??= import('./tfjs-engine.js').then(({ loadTfjsEngine }) => loadTfjsEngine(this.artifact.network));
    this.tfjs = await this.tfjsLoading;
    return this.tfjs;
  }

  get classes(): readonly string[] {
    const label = this.artifact.preprocessor.label;
    return label.task === 'regression' ? [] : label.classes;
  }

  /**
   * Class probabilities row-major (one column per class; binary gives [P(negative), P(positive)]), or predicted
   * values for regression, for rows already encoded with the artifact's preprocessor.
   */
  scoreEncoded(x: Float32Array, rows: number): Float32Array {
    const pre = this.artifact.preprocessor;
    const raw =
      this.engineFor(rows) === 'compiled'
        ? (this.compiled as DenseForward).run(x, rows)
        : (this.tfjs as TfjsEngine).run(x, rows, pre.width);
    const label = pre.label;
    if (label.task === 'binary') {
      const out = new Float32Array(rows * 2);
      for (let r = 0; r < rows; r++) {
        out[r * 2] = 1 - (raw[r] as number);
        out[r * 2 + 1] = raw[r] as number;
      }
      return out;
    }
    if (label.task === 'regression') return raw.map((v) => decodeTarget(label, v));
    return raw;
  }

  /** Frees the network's tensors; the predictor must not be used afterwards. */
  dispose(): void {
    if (this.tfjs !== undefined) this.tfjs.dispose();
    // A load still under way is freed when it ends.
    else void this.tfjsLoading?.then((engine) => engine.dispose());
  }

  predictInstances(instances: readonly Readonly<Record<string, InputValue>>[]): Prediction[] {
    const pre = this.artifact.preprocessor;
    const scores = this.scoreEncoded(encodeInstances(pre, instances), instances.length);
    if (pre.label.task === 'regression') return Array.from(scores, (value) => ({ value }));
    const classes = pre.label.classes;
    return instances.map((_, r) => {
      const probabilities: Record<string, number> = {};
      let best = 0;
      classes.forEach((name, c) => {
        const p = scores[r * classes.length + c] as number;
        probabilities[name] = p;
        if (p > (scores[r * classes.length + best] as number)) best = c;
      });
      return { label: classes[best] as string, probabilities };
    });
  }
}
