/**
 * Reductions: sum and mean over all dimensions or a list of them, with or without keeping the
 * reduced dimensions as size 1 (PyTorch's keepdim). Each forward is followed by its backward.
 *
 * A reduction over dims D of x (shape S) is the adjoint of broadcasting: the kept-dims result
 * (S with D set to 1) broadcasts back to S. So one index map from broadcast.ts serves both ways:
 * forward scatters x[i] into out[map[i]], backward reads g[map[i]] into dx[i].
 * Sums accumulate in float64 (a Float64Array for per-dim sums), then round once to float32.
 */
import { record1 } from '../autograd.js';
import type { Tensor } from '../tensor.js';
import { broadcastIndexMap, normalizeDim } from '../broadcast.js';
import { checkTensor } from './args.js';
import { typeError } from '../../util/check.js';

/** What a reduction does to a shape. */
interface ReducePlan {
  /** The result's shape (reduced dims dropped, or kept as 1). */
  shape: number[];
  /** x's shape with reduced dims set to 1. */
  keptShape: number[];
  /** Elements summed into each result element. */
  count: number;
  /** Whether every dimension is reduced (a single-accumulator fast path). */
  all: boolean;
}

function planReduce(x: Tensor, dim: number | number[] | undefined, keepDim: boolean): ReducePlan {
  if (typeof keepDim !== 'boolean') throw typeError('keepDim', 'a boolean', keepDim);
  const ndim = x.shape.length;
  let dims: number[];
  if (dim === undefined || (Array.isArray(dim) && dim.length === 0)) {
    dims = x.shape.map((_, i) => i); // PyTorch: no dim (or dim=[]) reduces everything
  } else if (typeof dim === 'number') {
    dims = [normalizeDim(dim, ndim, 'dim')];
  } else if (Array.isArray(dim)) {
    dims = dim.map((d, i) => normalizeDim(d, ndim, `dim[${i}]`));
    const seen = new Set<number>();
    for (const d of dims) {
      if (seen.has(d)) throw new RangeError(`dim must list each dimension once, got [${dim.join(', ')}]`);
      seen.add(d);
    }
  } else {
    throw typeError('dim', 'an integer, an array of integers or undefined', dim);
  }
  const reduced = new Set(dims);
  const keptShape = x.shape.map((d, i) => (reduced.has(i) ? 1 : d));
  const shape = keepDim ? keptShape.slice() : x.shape.filter((_, i) => !reduced.has(i));
  let count = 1;
  for (const d of dims) count *= x.shape[d]!;
  return { shape, keptShape, count, all: reduced.size === ndim };
}

/** Σ x over the plan's dims, times `scale` (1 for sum, 1/count for mean). */
function reduceForward(x: Tensor, p: ReducePlan, scale: number): Float32Array {
  const src = x.data;
  if (p.all) {
    // Four float64 accumulators: one chain waited on each add's latency (twice as slow).
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    let i = 0;
    for (; i + 3 < src.length; i += 4) {
      s0 += src[i]!;
      s1 += src[i + 1]!;
      s2 += src[i + 2]!;
      s3 += src[i + 3]!;
    }
    for (; i < src.length; i++) s0 += src[i]!;
    return new Float32Array([((s0 + s1) + (s2 + s3)) * scale]);
  }
  const outSize = p.keptShape.reduce((n, d) => n * d, 1);
  const acc = new Float64Array(outSize);
  const map = broadcastIndexMap(x.shape, p.keptShape);
  for (let i = 0; i < src.length; i++) acc[map[i]!]! += src[i]!;
  const out = new Float32Array(outSize);
  for (let j = 0; j < outSize; j++) out[j] = acc[j]! * scale;
  return out;
}

/** dx[i] = g[index of the result x[i] went into] · scale: g broadcast back over the reduced dims. */
function reduceBackward(x: Tensor, p: ReducePlan, scale: number, g: Float32Array): (Float32Array | null)[] {
  const dx = new Float32Array(x.size);
  if (p.all) {
    dx.fill(g[0]! * scale);
    return [dx];
  }
  const map = broadcastIndexMap(x.shape, p.keptShape);
  for (let i = 0; i < dx.length; i++) dx[i] = g[map[i]!]! * scale;
  return [dx];
}

/** Sum over `dim` (a dimension, a list of them, or all when omitted → shape []). */
export function sum(x: Tensor, dim?: number | number[], keepDim = false): Tensor {
  checkTensor('x', x);
  const p = planReduce(x, dim, keepDim);
  return record1('sum', reduceForward(x, p, 1), p.shape, [x], (g) => reduceBackward(x, p, 1, g));
}

/** Mean over `dim` (a dimension, a list of them, or all when omitted → shape []); empty → NaN. */
export function mean(x: Tensor, dim?: number | number[], keepDim = false): Tensor {
  checkTensor('x', x);
  const p = planReduce(x, dim, keepDim);
  const scale = 1 / p.count; // Infinity for an empty reduction: 0 · Infinity = NaN, as torch.mean
  return record1('mean', reduceForward(x, p, scale), p.shape, [x], (g) => reduceBackward(x, p, scale, g));
}
