import * as z from 'zod';
import type { SerializedNetwork } from './network.js';

/**
 * The forward pass of a network of Dense layers (relu, sigmoid, softmax or linear), compiled from the artifact's
 * topology and weights into plain loops over typed arrays: no TF.js, no tensors, no backend. For the small batches of
 * online serving it is many times faster than TF.js (which pays a fixed cost per call); for large batches TF.js's
 * WebAssembly kernels win. Anything else in the topology is not compiled (the caller uses TF.js).
 *
 * Sums run in double precision and each layer's outputs are stored as float32, as TF.js stores them; results match
 * TF.js to float32 rounding (test/unit/dense-forward.test.ts). Inputs that are zero are skipped: tabular rows are
 * mostly zeros after one-hot encoding (and hidden rows after ReLU), so a row costs its non-zero inputs × units.
 */
export type Activation = 'relu' | 'sigmoid' | 'softmax' | 'linear';

interface DenseLayer {
  readonly inputs: number;
  readonly units: number;
  /** The kernel as stored, [inputs][units], in double precision (read in the inner loop, converted once here). */
  readonly kernel: Float64Array;
  readonly bias: Float64Array;
  readonly activation: Activation;
}

const ACTIVATIONS = ['relu', 'sigmoid', 'softmax', 'linear'] as const;

const topologySchema = z.object({
  class_name: z.literal('Sequential'),
  config: z.object({
    layers: z
      .array(
        z.object({
          class_name: z.string(),
          config: z
            .object({
              units: z.number().int().positive().optional(),
              activation: z.string().optional(),
              use_bias: z.boolean().optional(),
              name: z.string(),
            })
            .loose(),
        }),
      )
      .min(1),
  }),
});

const weightSpecSchema = z.array(
  z.object({ name: z.string(), shape: z.array(z.number().int().nonnegative()), dtype: z.string().optional() }),
);

export class DenseForward {
  private constructor(
    private readonly layers: readonly DenseLayer[],
    readonly inputWidth: number,
    readonly outputWidth: number,
  ) {}

  /** The compiled network, or undefined (with the reason) when it has a layer this does not compile. */
  static compile(network: SerializedNetwork): { forward: DenseForward } | { unsupported: string } {
    const topology = topologySchema.safeParse(network.modelTopology);
    if (!topology.success) return { unsupported: 'the topology is not a Sequential model' };
    const specs = weightSpecSchema.parse(network.weightSpecs);
    const bytes = Buffer.from(network.weightsBase64, 'base64');
    const floats = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    const byName = new Map<string, Float32Array>();
    let offset = 0;
    for (const spec of specs) {
      if ((spec.dtype ?? 'float32') !== 'float32')
        return { unsupported: `weight ${spec.name} is ${spec.dtype}, not float32` };
      const size = spec.shape.reduce((a, b) => a * b, 1);
      byName.set(spec.name, floats.subarray(offset, offset + size));
      offset += size;
    }
    if (offset !== floats.length)
      return { unsupported: `the weight specs describe ${offset} values, the data holds ${floats.length}` };
    const layers: DenseLayer[] = [];
    for (const layer of topology.data.config.layers) {
      const compiled = compileLayer(layer, byName, layers.at(-1)?.units);
      if ('unsupported' in compiled) return compiled;
      layers.push(compiled.layer);
    }
    const first = layers[0] as DenseLayer;
    return { forward: new DenseForward(layers, first.inputs, (layers.at(-1) as DenseLayer).units) };
  }

  /** The outputs of `rows` rows of `inputWidth` values, row-major. */
  run(x: Float32Array, rows: number): Float32Array {
    if (x.length !== rows * this.inputWidth)
      throw new RangeError(`expected ${rows} × ${this.inputWidth} inputs, got ${x.length}`);
    let input = x;
    for (const layer of this.layers) input = applyLayer(layer, input, rows);
    return input;
  }
}

function compileLayer(
  layer: {
    class_name: string;
    config: {
      units?: number | undefined;
      activation?: string | undefined;
      use_bias?: boolean | undefined;
      name: string;
    };
  },
  weights: ReadonlyMap<string, Float32Array>,
  previousUnits: number | undefined,
): { layer: DenseLayer } | { unsupported: string } {
  if (layer.class_name !== 'Dense') return { unsupported: `layer ${layer.config.name} is ${layer.class_name}` };
  const activation = (layer.config.activation ?? 'linear') as Activation;
  if (!ACTIVATIONS.includes(activation))
    return { unsupported: `layer ${layer.config.name} has activation ${activation}` };
  const kernel = weights.get(`${layer.config.name}/kernel`);
  const units = layer.config.units ?? 0;
  if (kernel === undefined || units === 0 || kernel.length % units !== 0)
    return { unsupported: `layer ${layer.config.name} has no kernel of ${units} units` };
  const inputs = kernel.length / units;
  if (previousUnits !== undefined && previousUnits !== inputs)
    return { unsupported: `layer ${layer.config.name} takes ${inputs} inputs after a layer of ${previousUnits}` };
  const bias = layer.config.use_bias === false ? new Float32Array(units) : weights.get(`${layer.config.name}/bias`);
  if (bias?.length !== units) return { unsupported: `layer ${layer.config.name} has no bias of ${units} values` };
  return { layer: { inputs, units, kernel: Float64Array.from(kernel), bias: Float64Array.from(bias), activation } };
}

function applyLayer(layer: DenseLayer, x: Float32Array, rows: number): Float32Array {
  const { inputs, units, kernel, bias } = layer;
  const out = new Float32Array(rows * units);
  const sums = new Float64Array(units);
  for (let r = 0; r < rows; r++) {
    sums.set(bias);
    const base = r * inputs;
    for (let i = 0; i < inputs; i++) {
      const xi = x[base + i] as number;
      if (xi === 0) continue;
      const w = i * units;
      for (let j = 0; j < units; j++) sums[j] = (sums[j] as number) + xi * (kernel[w + j] as number);
    }
    // Stored as float32, as TF.js stores a layer's outputs.
    out.set(sums, r * units);
  }
  activate(layer.activation, out, rows, units);
  return out;
}

function activate(activation: Activation, out: Float32Array, rows: number, units: number): void {
  switch (activation) {
    case 'relu':
      for (let k = 0; k < out.length; k++) if ((out[k] as number) < 0) out[k] = 0;
      return;
    case 'sigmoid':
      for (let k = 0; k < out.length; k++) out[k] = 1 / (1 + Math.exp(-(out[k] as number)));
      return;
    case 'softmax':
      for (let r = 0; r < rows; r++) softmaxRow(out, r * units, units);
      return;
    case 'linear':
      return;
  }
}

function softmaxRow(out: Float32Array, start: number, units: number): void {
  let max = -Infinity;
  for (let j = 0; j < units; j++) max = Math.max(max, out[start + j] as number);
  let total = 0;
  for (let j = 0; j < units; j++) {
    const e = Math.exp((out[start + j] as number) - max);
    out[start + j] = e;
    total += e;
  }
  for (let j = 0; j < units; j++) out[start + j] = (out[start + j] as number) / total;
}
