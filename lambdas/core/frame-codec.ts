import { gunzipSync, gzipSync } from 'node:zlib';
import * as z from 'zod';
import type { Frame, TypedColumn } from './dataset.js';
import { IntegrityError } from './errors.js';
import { parseStoredJson } from './stored-json.js';

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

/**
 * Column values are checked with one loop each, not an element schema apiece: a split holds up to millions of them.
 * (Typed as the wire's value arrays: the schema's inferred type is only the envelope's.)
 */
const valuesOf = <T>(isValue: (v: unknown) => boolean, what: string) =>
  z.custom<T[]>((values) => Array.isArray(values) && values.every(isValue), { error: `must be an array of ${what}` });
const numbersOrNull = valuesOf<number | null>((v) => v === null || typeof v === 'number', 'numbers or null');
const stringsOrNull = valuesOf<string | null>((v) => v === null || typeof v === 'string', 'strings or null');
const categorical = z.object({ name: z.string(), type: z.literal('categorical'), values: stringsOrNull });

const wireFrameSchema = z
  .object({
    features: z.array(
      z.discriminatedUnion('type', [
        z.object({ name: z.string(), type: z.literal('numeric'), values: numbersOrNull }),
        categorical,
      ]),
    ),
    sensitive: z.array(categorical),
    labels: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('classes'), values: valuesOf<string>((v) => typeof v === 'string', 'strings') }),
      z.object({ kind: z.literal('numbers'), values: valuesOf<number>((v) => typeof v === 'number', 'numbers') }),
    ]),
    origins: valuesOf<string>((v) => typeof v === 'string', 'strings'),
  })
  .refine((f) => [...f.features, ...f.sensitive, f.labels].every((c) => c.values.length === f.origins.length), {
    error: 'columns, labels and origins must have one value per row',
  });

/** Reads a split back, checked against the wire's shape (`where` names it in the error). */
export function decodeFrameFile(bytes: Uint8Array, where = 'a split file'): Frame {
  let text: string;
  try {
    text = gunzipSync(bytes).toString('utf8');
  } catch (error) {
    throw new IntegrityError(`${where} is not gzipped: ${(error as Error).message}`, { cause: error });
  }
  const wire: WireFrame = parseStoredJson(wireFrameSchema, text, where, 'a split');
  return { ...wire, features: wire.features.map(fromWire) };
}
