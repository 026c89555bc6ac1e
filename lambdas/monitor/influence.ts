import type { S3Client } from '@aws-sdk/client-s3';
import { Predictor } from '../core/artifact.js';
import { captureRedaction, type ModelConfig } from '../core/model-config.js';
import { influenceDrift, influenceUnmeasurable, type InfluenceDrift } from '../core/monitoring/influence-drift.js';
import type { MonitoringReference } from '../core/monitoring/monitoring-reference.js';
import { labelledPredictions } from '../core/monitoring/variant-window.js';
import type { CapturedPrediction } from '../core/monitoring/window-records.js';
import { fetchArtifact } from '../shared/adapters/artifacts.js';
import type { VersionRecord } from '../shared/contracts/registry-records.js';

/** What the monitor needs of a model file: its monitoring, the gate's dominance thresholds, what capture removes. */
export type MonitoredModel = Pick<ModelConfig, 'monitoring' | 'gate' | 'capture' | 'sensitive'>;

/**
 * Influence drift of one variant's window: the served version re-scores the window's labelled predictions with each
 * feature shuffled in turn. The artifact is fetched only when the window can have a verdict (enough labels, the
 * version's influence at validation stored, every input captured as sent), so most windows never load a model.
 */
export async function windowInfluence(
  s3: S3Client,
  version: VersionRecord,
  reference: MonitoringReference,
  window: { rows: readonly CapturedPrediction[]; truths: ReadonlyMap<string, unknown> },
  config: MonitoredModel,
): Promise<InfluenceDrift> {
  const labelled = labelledPredictions(reference.classes, window.rows, window.truths).map(({ row, truth }) => ({
    id: row.predictionId,
    instance: row.instance,
    truth,
  }));
  const { drop, hash } = captureRedaction(config);
  const thresholds = {
    maxFeatureShare: config.gate.maxFeatureShare,
    maxFeatureShareGrowth: config.gate.maxFeatureShareGrowth,
    minLabels: config.monitoring.minInfluenceLabels,
  };
  const training = reference.influence;
  const reason = influenceUnmeasurable(labelled, training, thresholds, [...drop, ...hash]);
  if (reason !== undefined || training === undefined)
    return { measured: false, reason: reason ?? 'no influence at validation' };
  const predictor = await Predictor.load(await fetchArtifact(s3, version.artifact), { lazyTfjs: true });
  try {
    return influenceDrift(predictor, labelled, training, thresholds);
  } finally {
    predictor.dispose();
  }
}
