import type { Frame, Labels, TypedColumn } from './dataset.js';

/** Row operations on a frame that keep every column, label and origin aligned. */

function pick<T>(values: readonly T[], rows: readonly number[]): T[] {
  return rows.map((r) => values[r] as T);
}

function pickColumn<C extends TypedColumn>(column: C, rows: readonly number[]): C {
  return { ...column, values: pick(column.values as readonly unknown[], rows) } as C;
}

function pickLabels(labels: Labels, rows: readonly number[]): Labels {
  return labels.kind === 'classes'
    ? { kind: 'classes', values: pick(labels.values, rows) }
    : { kind: 'numbers', values: pick(labels.values, rows) };
}

/** The given rows of a frame, in the order given. */
export function frameRows(frame: Frame, rows: readonly number[]): Frame {
  return {
    features: frame.features.map((c) => pickColumn(c, rows)),
    sensitive: frame.sensitive.map((c) => pickColumn(c, rows)),
    labels: pickLabels(frame.labels, rows),
    origins: pick(frame.origins, rows),
  };
}

/** The rows of `a` followed by those of `b`: two splits of the same data (same columns in the same order). */
export function joinFrames(a: Frame, b: Frame): Frame {
  const join = <C extends TypedColumn>(x: C, y: C | undefined): C => {
    if (y === undefined || y.name !== x.name) throw new Error(`the frames do not have the same columns (${x.name})`);
    return { ...x, values: [...x.values, ...y.values] } as C;
  };
  const labels: Labels =
    a.labels.kind === 'classes' && b.labels.kind === 'classes'
      ? { kind: 'classes', values: [...a.labels.values, ...b.labels.values] }
      : a.labels.kind === 'numbers' && b.labels.kind === 'numbers'
        ? { kind: 'numbers', values: [...a.labels.values, ...b.labels.values] }
        : ((): never => {
            throw new Error('the frames do not have the same kind of labels');
          })();
  return {
    features: a.features.map((c, i) => join(c, b.features[i])),
    sensitive: a.sensitive.map((c, i) => join(c, b.sensitive[i])),
    labels,
    origins: [...a.origins, ...b.origins],
  };
}

/** A key of each row's content (features, sensitive attributes, label): identical rows have identical keys. */
export function rowContentKeys(frame: Frame): string[] {
  const columns: readonly (readonly unknown[])[] = [
    ...frame.features.map((c) => c.values),
    ...frame.sensitive.map((c) => c.values),
    frame.labels.values,
  ];
  return frame.origins.map((_, r) =>
    columns
      .map((values) => {
        const v = values[r];
        return v === null || (typeof v === 'number' && Number.isNaN(v)) ? '\u0000' : String(v);
      })
      .join('\u001f'),
  );
}
