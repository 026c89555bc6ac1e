import { ARTIFACT_FORMAT, type ModelArtifact } from './artifact.js';
import type { Frame } from './dataset.js';
import type { ModelConfig } from './model-config.js';
import { serializeNetwork, trainNetwork, type TrainingResult } from './network.js';
import { encodeFrame, encodeLabels, type Preprocessor } from './preprocess.js';
import { initBackend, tfjsVersion } from './tf-backend.js';

export interface TrainedModel {
  readonly artifact: ModelArtifact;
  readonly history: TrainingResult['history'];
}

/** Trains the network on the encoded training split, early-stopping on the validation split. */
export async function trainModel(
  config: ModelConfig,
  pre: Preprocessor,
  train: Frame,
  validation: Frame,
): Promise<TrainedModel> {
  const backend = await initBackend();
  const classes = pre.label.task === 'regression' ? 1 : pre.label.classes.length;
  const data = (frame: Frame) => ({ x: encodeFrame(pre, frame), y: encodeLabels(pre, frame.labels), rows: frame.origins.length });
  const valid = dropUnknownLabels(data(validation));
  const result = await trainNetwork(data(train), valid, pre.width, config.task, classes, config.hyperparameters);
  const network = await serializeNetwork(result.model);
  result.model.dispose();
  return {
    artifact: {
      format: ARTIFACT_FORMAT,
      model: config.name,
      task: config.task,
      labelColumn: config.label,
      preprocessor: pre,
      network,
      training: {
        hyperparameters: config.hyperparameters,
        epochsRun: result.epochsRun,
        bestEpoch: result.bestEpoch,
        backend,
        tfjsVersion: tfjsVersion(),
      },
    },
    history: result.history,
  };
}

/** Rows whose class never occurs in the training split cannot be scored; encodeLabels marks them -1. */
export function dropUnknownLabels(data: { x: Float32Array; y: Float32Array; rows: number }): {
  x: Float32Array;
  y: Float32Array;
  rows: number;
  dropped: number;
} {
  const keep: number[] = [];
  for (let r = 0; r < data.rows; r++) if ((data.y[r] as number) >= 0) keep.push(r);
  if (keep.length === data.rows) return { ...data, dropped: 0 };
  const width = data.x.length / Math.max(data.rows, 1);
  const x = new Float32Array(keep.length * width);
  const y = new Float32Array(keep.length);
  keep.forEach((r, i) => {
    x.set(data.x.subarray(r * width, (r + 1) * width), i * width);
    y[i] = data.y[r] as number;
  });
  return { x, y, rows: keep.length, dropped: data.rows - keep.length };
}
