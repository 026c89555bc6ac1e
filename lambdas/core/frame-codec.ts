import { gunzipSync, gzipSync } from 'node:zlib';
import type { Frame, TypedColumn } from './dataset.js';

/** JSON cannot hold NaN: numeric columns store missing values as null on the wire. */
type WireColumn =
  | { name: string; type: 'numeric'; values: (number | null)[] }
  | { name: string; type: 'categorical'; values: (string | null)[] };

interface WireFrame {
  features: WireColumn[];
  sensitive: Frame['sensitive'];
  labels: Frame['labels'];
  origins: string[];
}

function toWire(column: TypedColumn): WireColumn {
  return column.type === 'numeric'
    ? { name: column.name, type: 'numeric', values: column.values.map((v) => (Number.isNaN(v) ? null : v)) }
    : column;
}

function fromWire(column: WireColumn): TypedColumn {
  return column.type === 'numeric'
    ? { name: column.name, type: 'numeric', values: column.values.map((v) => (v === null ? Number.NaN : v)) }
    : column;
}

/** Gzipped JSON of a split, stored between pipeline steps. */
export function encodeFrameFile(frame: Frame): Buffer {
  const wire: WireFrame = {
    features: frame.features.map(toWire),
    sensitive: frame.sensitive,
    labels: frame.labels,
    origins: frame.origins,
  };
  return gzipSync(JSON.stringify(wire));
}

export function decodeFrameFile(bytes: Uint8Array): Frame {
  const wire = JSON.parse(gunzipSync(bytes).toString('utf8')) as WireFrame;
  return { ...wire, features: wire.features.map(fromWire) };
}
