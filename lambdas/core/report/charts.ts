import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/**
 * Charts of the report as Vega-Lite specifications, rendered to SVG on the server (no DOM, no canvas, no network),
 * so the report is one self-contained file that needs nothing at view time.
 */

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const WIDTH = 320;
const HEIGHT = 220;

type Row = Record<string, string | number | null>;

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const base = (title: string) =>
  ({ $schema: SCHEMA, title, width: WIDTH, height: HEIGHT, config: { font: 'system-ui, sans-serif' } }) as const;

export function curveChart(title: string, points: Row[], x: string, y: string, diagonal: boolean): TopLevelSpec {
  const line = {
    mark: { type: 'line' as const, interpolate: 'step-after' as const },
    encoding: {
      x: { field: x, type: 'quantitative' as const, scale: { domain: [0, 1] } },
      y: { field: y, type: 'quantitative' as const, scale: { domain: [0, 1] } },
    },
  };
  return {
    ...base(title),
    data: { values: points },
    layer: diagonal
      ? [
          line,
          {
            data: {
              values: [
                { [x]: 0, [y]: 0 },
                { [x]: 1, [y]: 1 },
              ],
            },
            mark: { type: 'line', strokeDash: [4, 4], color: '#999' },
            encoding: { x: { field: x, type: 'quantitative' }, y: { field: y, type: 'quantitative' } },
          },
        ]
      : [line],
  } as TopLevelSpec;
}

export function reliabilityChart(points: Row[]): TopLevelSpec {
  return {
    ...base('Calibration (reliability)'),
    layer: [
      {
        data: {
          values: [
            { predicted: 0, observed: 0 },
            { predicted: 1, observed: 1 },
          ],
        },
        mark: { type: 'line', strokeDash: [4, 4], color: '#999' },
        encoding: { x: { field: 'predicted', type: 'quantitative' }, y: { field: 'observed', type: 'quantitative' } },
      },
      {
        data: { values: points },
        mark: { type: 'line', point: true },
        encoding: {
          x: {
            field: 'predicted',
            type: 'quantitative',
            title: 'mean predicted probability',
            scale: { domain: [0, 1] },
          },
          y: { field: 'observed', type: 'quantitative', title: 'observed frequency', scale: { domain: [0, 1] } },
        },
      },
    ],
  } as TopLevelSpec;
}

export function heatmapChart(title: string, cells: Row[]): TopLevelSpec {
  return {
    ...base(title),
    data: { values: cells },
    encoding: {
      x: { field: 'predicted', type: 'nominal', title: 'predicted' },
      y: { field: 'actual', type: 'nominal', title: 'actual' },
    },
    layer: [
      { mark: 'rect', encoding: { color: { field: 'count', type: 'quantitative', scale: { scheme: 'blues' } } } },
      { mark: { type: 'text', fontSize: 13 }, encoding: { text: { field: 'count', type: 'quantitative' } } },
    ],
  } as TopLevelSpec;
}

/** Horizontal bars, optionally grouped by `series` (e.g. candidate vs production). */
export function barChart(
  title: string,
  rows: Row[],
  category: string,
  value: string,
  series?: string,
  rule?: number,
): TopLevelSpec {
  const bars = {
    mark: 'bar' as const,
    encoding: {
      y: { field: category, type: 'nominal' as const, sort: '-x' as const, title: null },
      x: { field: value, type: 'quantitative' as const },
      ...(series ? { color: { field: series, type: 'nominal' as const }, yOffset: { field: series } } : {}),
    },
  };
  return {
    ...base(title),
    height: { step: series ? 10 : 16 },
    data: { values: rows },
    layer:
      rule === undefined
        ? [bars]
        : [bars, { mark: { type: 'rule', color: '#c0392b', strokeDash: [4, 3] }, encoding: { x: { datum: rule } } }],
  } as TopLevelSpec;
}

/** Reference and current histograms of one feature on the same bins. */
export function histogramChart(title: string, rows: Row[]): TopLevelSpec {
  return {
    ...base(title),
    data: { values: rows },
    mark: 'bar',
    encoding: {
      x: { field: 'bin', type: 'ordinal', sort: null, title: null, axis: { labelAngle: -40, labelLimit: 90 } },
      y: { field: 'share', type: 'quantitative', axis: { format: '%' } },
      color: { field: 'data', type: 'nominal' },
      xOffset: { field: 'data' },
    },
  } as TopLevelSpec;
}

/** Values over time, one line per series (e.g. estimated and realized accuracy per monitored window). */
export function seriesChart(title: string, rows: Row[], yTitle: string): TopLevelSpec {
  return {
    ...base(title),
    data: { values: rows },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'time', type: 'temporal', title: null },
      y: { field: 'value', type: 'quantitative', title: yTitle, scale: { zero: false } },
      color: { field: 'series', type: 'nominal', title: null },
    },
  } as TopLevelSpec;
}
