import { beforeAll, describe, expect, it } from 'vitest';
import { captureLines } from '../../lambdas/core/capture-record.js';
import type { Frame } from '../../lambdas/core/dataset.js';
import { bootstrapDriftNull, type DriftNull } from '../../lambdas/core/drift/drift-null.js';
import { profileFrame, type DatasetProfile } from '../../lambdas/core/drift/profile.js';
import { metricsOf } from '../../lambdas/core/evaluation.js';
import { frameRows } from '../../lambdas/core/frame-rows.js';
import { monitoringReference, type MonitoringReference } from '../../lambdas/core/monitoring/monitoring-reference.js';
import { monitorVariant, type WindowOptions } from '../../lambdas/core/monitoring/variant-window.js';
import {
  capturedPredictions,
  groundTruths,
  type CapturedPrediction,
} from '../../lambdas/core/monitoring/window-records.js';
import { adult } from '../helpers/adult.js';

const CLASSES = ['<=50K', '>50K'];
const OPTIONS: WindowOptions = { minRows: 100, minLabels: 50, falseAlarmRate: 0.01 };
const T0 = new Date('2026-12-07T10:00:00Z');

/** A stand-in model whose probability of >50K rises with education and age: what matters here is the plumbing. */
function probability(frame: Frame, r: number): number {
  const value = (name: string) => {
    const c = frame.features.find((f) => f.name === name);
    return c?.type === 'numeric' ? (c.values[r] as number) : Number.NaN;
  };
  const z = 0.45 * (value('education-num') - 10) + 0.04 * (value('age') - 38) - 1.2;
  return 1 / (1 + Math.exp(-z));
}

function instanceOf(frame: Frame, r: number): Record<string, unknown> {
  const instance: Record<string, unknown> = {};
  for (const c of frame.features) instance[c.name] = c.type === 'numeric' ? c.values[r] : c.values[r];
  return instance;
}

/** Capture lines of a frame's rows, as predict writes them: one request per 50 rows, a second apart. */
function captured(frame: Frame, start: Date, requestPrefix: string): string[] {
  const lines: string[] = [];
  for (let first = 0; first < frame.origins.length; first += 50) {
    const rows = Array.from({ length: Math.min(50, frame.origins.length - first) }, (_, i) => first + i);
    lines.push(
      ...captureLines({
        model: 'adult',
        version: 3,
        variant: 'production',
        requestId: `${requestPrefix}-${first}`,
        time: new Date(start.getTime() + first * 1000),
        instances: rows.map((r) => instanceOf(frame, r)),
        predictions: rows.map((r) => {
          const p = probability(frame, r);
          return { label: p >= 0.5 ? '>50K' : '<=50K', probabilities: { '<=50K': 1 - p, '>50K': p } };
        }),
      }),
    );
  }
  return lines;
}

function feedbackLines(frame: Frame, requestPrefix: string, every = 1): string {
  const labels = frame.labels.kind === 'classes' ? frame.labels.values : [];
  return labels
    .flatMap((label, r) =>
      r % every !== 0
        ? []
        : [
            JSON.stringify({
              mlopsRecord: 'feedback',
              model: 'adult',
              predictionId: `${requestPrefix}-${r - (r % 50)}.${r % 50}`,
              groundTruthData: {
                data: JSON.stringify(label),
                encoding: 'JSON',
                observedContentType: 'application/json',
              },
              receivedAt: '2026-12-07T12:00:00.000Z',
            }),
          ],
    )
    .join('\n');
}

let references: { profile: DatasetProfile; driftNull: DriftNull; monitoring: MonitoringReference };
let live: Frame;

beforeAll(async () => {
  const { prepared } = await adult();
  const { train, validation, test } = prepared.splits;
  const profile = profileFrame(train);
  const scored = (frame: Frame) => {
    const rows = frame.origins.map((_, r) => r);
    const labels = frame.labels.kind === 'classes' ? frame.labels.values : [];
    return {
      rows,
      truth: Float32Array.from(rows, (r) => CLASSES.indexOf(labels[r] as string)),
      scores: Float32Array.from(rows.flatMap((r) => [1 - probability(frame, r), probability(frame, r)])),
      classes: CLASSES,
    };
  };
  const calibrationRows = scored(validation);
  references = {
    profile,
    driftNull: bootstrapDriftNull(profile, 1),
    monitoring: monitoringReference('binary', calibrationRows, calibrationRows, validation.origins, 'validation', 1),
  };
  live = frameRows(test, test.origins.map((_, r) => r).slice(0, 1000));
}, 60_000);

describe('the records of a monitoring window', () => {
  it('reads each captured prediction once, in the window and of the model, and says where a line could not be read', () => {
    const lines = captured(frameRows(live, [0, 1, 2]), T0, 'a');
    const other = lines[0]?.replace('"model":"adult"', '"model":"other"') ?? '';
    const late = captured(frameRows(live, [3]), new Date(T0.getTime() + 3_600_000), 'b');
    const text = [...lines, other, ...late, '{"mlopsRecord":"capture"}', ...lines].join('\n');
    const { predictions, unreadable } = capturedPredictions([{ where: 's3://data/capture/x.gz', text }], 'adult', {
      start: T0,
      end: new Date(T0.getTime() + 3_600_000),
    });
    expect(predictions.map((p) => p.predictionId)).toEqual(['a-0.0', 'a-0.1', 'a-0.2']);
    expect(predictions[0]).toMatchObject({ version: 3, variant: 'production', time: T0 });
    expect(unreadable).toEqual([{ where: 's3://data/capture/x.gz:4', reason: expect.stringMatching(/model/) }]);
  });

  it('keeps the first truth received for a prediction id', () => {
    const line = (label: string, at: string) =>
      JSON.stringify({
        mlopsRecord: 'feedback',
        model: 'adult',
        predictionId: 'r.0',
        groundTruthData: { data: JSON.stringify(label) },
        receivedAt: at,
      });
    const { truths, unreadable } = groundTruths(
      [
        {
          where: 'f',
          text: [line('>50K', '2026-12-07T12:00:01Z'), line('<=50K', '2026-12-07T12:00:00Z'), 'x'].join('\n'),
        },
      ],
      'adult',
    );
    expect(truths.get('r.0')).toBe('<=50K');
    expect(unreadable).toHaveLength(1);
  });
});

describe('one variant monitored over a window', () => {
  const window = { start: T0, end: new Date(T0.getTime() + 3_600_000) };
  const predictionsOf = (frame: Frame, prefix: string): CapturedPrediction[] =>
    capturedPredictions([{ where: 'w', text: captured(frame, T0, prefix).join('\n') }], 'adult', window).predictions;

  it('on unshifted traffic: no drift, the realized metrics of the labelled rows, an accuracy estimate near them', () => {
    const rows = predictionsOf(live, 'u');
    const { truths } = groundTruths([{ where: 'f', text: feedbackLines(live, 'u', 2) }], 'adult');
    const result = monitorVariant(references, rows, truths, OPTIONS);
    expect(result).toMatchObject({ variant: 'production', version: 3, rows: 1000, labelledRows: 500, status: 'ok' });
    expect(result.inputDrift.verdict).toBe('ok');
    expect(result.predictionDrift.verdict).toBe('ok');
    // The realized metrics are the evaluation's own, on exactly the labelled rows (every second one).
    const labelled = live.origins.map((_, r) => r).filter((r) => r % 2 === 0);
    const labels = live.labels.kind === 'classes' ? live.labels.values : [];
    const expected = metricsOf({
      rows: labelled.map((_, i) => i),
      truth: Float32Array.from(labelled, (r) => CLASSES.indexOf(labels[r] as string)),
      scores: Float32Array.from(labelled.flatMap((r) => [1 - probability(live, r), probability(live, r)])),
      classes: CLASSES,
    });
    if (!result.realized.sufficient || !result.estimated.estimable) throw new Error('expected both');
    expect(result.realized.metrics.accuracy).toBeCloseTo(expected.accuracy as number, 12);
    expect(result.realized.metrics.roc_auc).toBeCloseTo(expected.roc_auc as number, 12);
    expect(Math.abs((result.estimated.metrics.accuracy as number) - (expected.accuracy as number))).toBeLessThan(0.03);
  });

  it('names a shifted input, counts values outside the training range and categories it never saw', () => {
    const shifted: Frame = {
      ...live,
      features: live.features.map((c) =>
        c.name === 'age' && c.type === 'numeric'
          ? { ...c, values: c.values.map((v, r) => (r % 2 === 0 ? v + 10 : v)) }
          : c.name === 'workclass' && c.type === 'categorical'
            ? { ...c, values: c.values.map((v, r) => (r < 7 ? 'Space-agency' : v)) }
            : c,
      ),
    };
    const result = monitorVariant(references, predictionsOf(shifted, 's'), new Map(), OPTIONS);
    expect(result.status).toBe('drift');
    if (result.inputDrift.verdict === 'insufficient_data') throw new Error('expected a verdict');
    expect(result.inputDrift.driftedFeatures).toContain('age');
    expect(result.newCategories).toEqual({ workclass: 7 });
    expect(result.outOfRange.age).toBeGreaterThan(0);
    expect(result.realized).toEqual({
      sufficient: false,
      labelledRows: 0,
      reason: '0 labelled predictions in the window; realized performance needs 50',
    });
  });

  it('gives no drift verdict below the minimum rows, and calls a window under the floor degraded', () => {
    const few = monitorVariant(references, predictionsOf(frameRows(live, [0, 1, 2, 3]), 'f'), new Map(), OPTIONS);
    expect(few.status).toBe('insufficient_data');
    const floored = monitorVariant(references, predictionsOf(live, 'd'), new Map(), {
      ...OPTIONS,
      floors: { metric: 'accuracy', estimated: 0.99 },
    });
    expect(floored.status).toBe('degraded');
  });
});
