/**
 * Broadcasting rules and the shape arithmetic the ops share: numpy's broadcasting of two shapes,
 * index maps from a broadcast result back to an input, the reduction of a gradient to an input's
 * shape, row-major strides and dimension normalisation. Pure functions on shapes and index arrays;
 * no tensors and no autograd here.
 *
 * Broadcasting (numpy, https://numpy.org/doc/stable/user/basics.broadcasting.html): shapes are
 * aligned at their last dimension; two sizes are compatible when equal or when one of them is 1;
 * missing leading dimensions count as 1.
 */
import { shapeString } from '../util/check.js';

/** Product of the sizes (1 for the empty shape). */
export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Row-major strides in elements: strides[i] = product of shape[i+1:]. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = stride;
    stride *= shape[i]!;
  }
  return strides;
}

/** The broadcast shape of `a` and `b`; a RangeError naming both shapes when they are incompatible. */
export function broadcastShapes(a: readonly number[], b: readonly number[], what = 'shapes'): number[] {
  const ndim = Math.max(a.length, b.length);
  const out = new Array<number>(ndim);
  for (let i = 0; i < ndim; i++) {
    const da = a[a.length - ndim + i] ?? 1;
    const db = b[b.length - ndim + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new RangeError(
        `${what} must be broadcastable, got ${shapeString(a)} and ${shapeString(b)} ` +
          `(dimension ${i - ndim} is ${da} vs ${db})`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * For every element of a tensor of shape `outShape` (row-major), the flat index of the element of
 * `inShape` it reads when `inShape` is broadcast to `outShape`. `inShape` must broadcast to
 * `outShape` (checked by the caller with `broadcastShapes`).
 *   map: [numel(outShape)] Int32
 */
export function broadcastIndexMap(outShape: readonly number[], inShape: readonly number[]): Int32Array {
  const ndim = outShape.length;
  const n = shapeSize(outShape);
  const map = new Int32Array(n);
  if (n === 0 || shapeSize(inShape) === 1) return map; // all zeros
  // Input stride per output dimension, 0 where the input is broadcast (size 1 or missing).
  const inStrides = stridesOf(inShape);
  const strides = new Array<number>(ndim).fill(0);
  for (let i = 0; i < inShape.length; i++) {
    const o = ndim - inShape.length + i;
    strides[o] = inShape[i] === 1 ? 0 : inStrides[i]!;
  }
  // Odometer over all but the last output dimension; the last one is a strided run.
  const last = ndim - 1;
  const runLength = outShape[last]!;
  const runStride = strides[last]!;
  const counter = new Array<number>(ndim).fill(0);
  let base = 0;
  for (let o = 0; o < n; o += runLength) {
    for (let k = 0, j = base; k < runLength; k++, j += runStride) map[o + k] = j;
    // Advance the odometer over dimensions last-1 … 0.
    for (let d = last - 1; d >= 0; d--) {
      counter[d]!++;
      base += strides[d]!;
      if (counter[d]! < outShape[d]!) break;
      base -= strides[d]! * counter[d]!;
      counter[d] = 0;
    }
  }
  return map;
}

/**
 * Sums a gradient of a broadcast result back to the input it was broadcast from: the adjoint of
 * reading through `map` (from `broadcastIndexMap`). With `map` null the shapes were equal and the
 * gradient is returned as is (callers must not write to it).
 *   grad: [numel(outShape)]  →  [inSize]
 */
export function reduceBroadcastGrad(grad: Float32Array, map: Int32Array | null, inSize: number): Float32Array {
  if (map === null) return grad;
  const out = new Float32Array(inSize);
  if (inSize === 1) {
    let s = 0; // one accumulator in float64: a whole tensor summed into a scalar
    for (let i = 0; i < grad.length; i++) s += grad[i]!;
    out[0] = s;
    return out;
  }
  for (let i = 0; i < grad.length; i++) out[map[i]!]! += grad[i]!;
  return out;
}

/** Same as `reduceBroadcastGrad` for a gradient given by shapes: sums `grad` of `outShape` to `inShape`. */
export function sumToShape(grad: Float32Array, outShape: readonly number[], inShape: readonly number[]): Float32Array {
  if (sameShape(outShape, inShape)) return grad;
  return reduceBroadcastGrad(grad, broadcastIndexMap(outShape, inShape), shapeSize(inShape));
}

/**
 * A dimension index in [-ndim, ndim) made non-negative, as PyTorch does (-1 is the last dimension).
 * RangeError naming `name` when it is not an integer in range.
 */
export function normalizeDim(dim: number, ndim: number, name = 'dim'): number {
  if (typeof dim !== 'number' || !Number.isInteger(dim) || dim < -ndim || dim >= ndim) {
    const expected = ndim === 0 ? 'a dimension of the tensor, which is 0-d (it has none)' : `an integer in [${-ndim}, ${ndim - 1}]`;
    const got = typeof dim === 'number' ? String(dim) : typeof dim;
    if (typeof dim !== 'number') throw new TypeError(`${name} must be ${expected}, got ${got}`);
    throw new RangeError(`${name} must be ${expected}, got ${got}`);
  }
  return dim < 0 ? dim + ndim : dim;
}
