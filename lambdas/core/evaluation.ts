import type { Predictor } from './artifact.js';
import type { Frame } from './dataset.js';
import { binaryMetrics, multiclassMetrics, regressionMetrics, type Metrics } from './metrics.js';
import { encodeFrame, encodeLabels } from './preprocess.js';
import { dropUnknownLabels } from './training.js';

export interface Evaluation {
  readonly metrics: Metrics;
  readonly rows: number;
  /** Test rows whose class was never seen in training (they cannot be scored). */
  readonly rowsWithUnknownLabel: number;
}

/** Scores a held-out split with the same predictor code that serving uses. */
export function evaluate(predictor: Predictor, frame: Frame): Evaluation {
  const pre = predictor.artifact.preprocessor;
  const data = dropUnknownLabels({ x: encodeFrame(pre, frame), y: encodeLabels(pre, frame.labels), rows: frame.origins.length });
  const scores = predictor.scoreEncoded(data.x, data.rows);
  const label = pre.label;
  let metrics: Metrics;
  if (label.task === 'regression') {
    const truth = Float32Array.from(data.y, (v) => v * label.std + label.mean);
    metrics = regressionMetrics(truth, scores);
  } else if (label.task === 'binary') {
    metrics = binaryMetrics(data.y, scores);
  } else {
    metrics = multiclassMetrics(data.y, scores, label.classes.length);
  }
  return { metrics, rows: data.rows, rowsWithUnknownLabel: data.dropped };
}
