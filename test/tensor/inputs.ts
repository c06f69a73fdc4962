/**
 * Seeded test inputs for the tensor-op tests (not a test file itself): random tensors, optionally
 * kept away from zero (kinks of relu, poles of log and div) so central differences stay valid.
 */
import { Tensor, tensor } from '../../lib/tensor/tensor.js';
import { Rng } from '../../lib/data/rng.js';

export interface RandOptions {
  /** Values are drawn from U(-scale, scale) (default 1). */
  scale?: number;
  /** Values with |v| below this move out to ±minAbs (default 0). */
  minAbs?: number;
  /** Added after drawing (default 0), e.g. to make inputs positive. */
  offset?: number;
  requiresGrad?: boolean;
}

export function rand(shape: number[], seed: number, options: RandOptions = {}): Tensor {
  const rng = new Rng(seed);
  const scale = options.scale ?? 1;
  const minAbs = options.minAbs ?? 0;
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let v = rng.uniform(-scale, scale);
    if (Math.abs(v) < minAbs) v = v < 0 ? -minAbs : minAbs;
    data[i] = v + (options.offset ?? 0);
  }
  return tensor(data, shape, { requiresGrad: options.requiresGrad ?? true });
}

/** Row-major flat values of a nested array, as float64. */
export function flat(values: unknown): number[] {
  return (Array.isArray(values) ? values.flat(Infinity) : [values]) as number[];
}
