/**
 * Shape ops: reshape, transpose, permute, concat, stack, slice, each followed by its backward.
 * Tensors are contiguous row-major buffers, so every op but reshape copies; reshape returns a tensor
 * sharing the input's Float32Array (a view, as torch.reshape of a contiguous tensor), which is safe
 * because ops never write into their inputs.
 */
import { record1 } from '../autograd.js';
import type { Tensor } from '../tensor.js';
import { normalizeDim, shapeSize, stridesOf } from '../broadcast.js';
import { checkTensor } from './args.js';
import { describe, shapeString, typeError } from '../../util/check.js';

// ---- reshape -------------------------------------------------------------------------------

/** The same values with a new shape; one entry may be −1 (inferred). Shares the data. */
export function reshape(x: Tensor, shape: number[]): Tensor {
  checkTensor('x', x);
  if (!Array.isArray(shape)) throw typeError('shape', 'an array of integers', shape);
  let inferAt = -1;
  let known = 1;
  shape.forEach((d, i) => {
    if (d === -1 && inferAt < 0) inferAt = i;
    else if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new RangeError(`shape must hold non-negative integers and at most one -1, got ${describe(shape)}`);
    } else known *= d;
  });
  const resolved = shape.slice();
  if (inferAt >= 0) {
    if (known === 0 || x.size % known !== 0) {
      throw new RangeError(`shape ${shapeString(shape)} is invalid for a tensor of ${x.size} elements (shape must fit them)`);
    }
    resolved[inferAt] = x.size / known;
  } else if (known !== x.size) {
    throw new RangeError(`shape must have ${x.size} elements to hold x ${shapeString(x.shape)}, got ${shapeString(shape)}`);
  }
  return record1('reshape', x.data, resolved, [x], (g) => [g]);
}

// ---- permute / transpose -------------------------------------------------------------------

/**
 * Copies `src` (of `shape`) into the layout of its permutation: out dimension j is src dimension
 * dims[j]. Internal helper shared with softmax and losses (moving a dimension last).
 */
export function permuteData(src: Float32Array, shape: readonly number[], dims: readonly number[]): Float32Array {
  const ndim = shape.length;
  const out = new Float32Array(src.length);
  if (src.length === 0) return out;
  if (ndim === 0 || dims.every((d, j) => d === j)) {
    out.set(src);
    return out;
  }
  const srcStrides = stridesOf(shape);
  const outShape = dims.map((d) => shape[d]!);
  const strides = dims.map((d) => srcStrides[d]!); // source stride per output dimension
  const last = ndim - 1;
  const run = outShape[last]!;
  const runStride = strides[last]!;
  const counter = new Array<number>(ndim).fill(0);
  let base = 0;
  for (let o = 0; o < out.length; o += run) {
    for (let k = 0, j = base; k < run; k++, j += runStride) out[o + k] = src[j]!;
    for (let d = last - 1; d >= 0; d--) {
      counter[d]!++;
      base += strides[d]!;
      if (counter[d]! < outShape[d]!) break;
      base -= strides[d]! * counter[d]!;
      counter[d] = 0;
    }
  }
  return out;
}

/** The permutation that undoes `dims`. */
export function inversePermutation(dims: readonly number[]): number[] {
  const inverse = new Array<number>(dims.length);
  dims.forEach((d, j) => (inverse[d] = j));
  return inverse;
}

/** Reorders the dimensions: result dimension j is x's dimension dims[j] (negative dims allowed). */
export function permute(x: Tensor, dims: number[]): Tensor {
  checkTensor('x', x);
  if (!Array.isArray(dims)) throw typeError('dims', 'an array of dimensions', dims);
  const ndim = x.shape.length;
  const normalized = dims.map((d, i) => normalizeDim(d, ndim, `dims[${i}]`));
  if (normalized.length !== ndim || new Set(normalized).size !== ndim) {
    throw new RangeError(`dims must be a permutation of the ${ndim} dimensions of x ${shapeString(x.shape)}, got ${describe(dims)}`);
  }
  const shape = normalized.map((d) => x.shape[d]!);
  const out = permuteData(x.data, x.shape, normalized);
  const inverse = inversePermutation(normalized);
  return record1('permute', out, shape, [x], (g) => [permuteData(g, shape, inverse)]);
}

/** Swaps two dimensions. */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  checkTensor('x', x);
  const ndim = x.shape.length;
  const d0 = normalizeDim(dim0, ndim, 'dim0');
  const d1 = normalizeDim(dim1, ndim, 'dim1');
  const dims = x.shape.map((_, i) => i);
  dims[d0] = d1;
  dims[d1] = d0;
  return permute(x, dims);
}

// ---- concat / stack ------------------------------------------------------------------------

/**
 * Joins tensors along an existing dimension. All must have the same shape except along `dim`.
 * Seen as [outer, size_k · inner] blocks, the result interleaves one block of each input per outer
 * index; backward cuts the gradient the same way.
 */
export function concat(tensors: Tensor[], dim = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) throw typeError('tensors', 'a non-empty array of Tensors', tensors);
  tensors.forEach((t, k) => checkTensor(`tensors[${k}]`, t));
  const first = tensors[0]!;
  const ndim = first.shape.length;
  const d = normalizeDim(dim, ndim, 'dim');
  tensors.forEach((t, k) => {
    const ok = t.shape.length === ndim && t.shape.every((s, i) => i === d || s === first.shape[i]);
    if (!ok) {
      const expected = first.shape.map((s, i) => (i === d ? '*' : String(s))).join(', ');
      throw new RangeError(`tensors[${k}] must have shape [${expected}] to concat along dim ${d}, got ${shapeString(t.shape)}`);
    }
  });
  const outer = shapeSize(first.shape.slice(0, d));
  const inner = shapeSize(first.shape.slice(d + 1));
  const blocks = tensors.map((t) => t.shape[d]! * inner); // per input, floats per outer index
  const total = blocks.reduce((s, b) => s + b, 0);
  const shape = first.shape.slice();
  shape[d] = tensors.reduce((s, t) => s + t.shape[d]!, 0);
  const out = new Float32Array(outer * total);
  for (let o = 0; o < outer; o++) {
    let at = o * total;
    tensors.forEach((t, k) => {
      const block = blocks[k]!;
      out.set(t.data.subarray(o * block, (o + 1) * block), at);
      at += block;
    });
  }
  return record1('concat', out, shape, tensors, (g) =>
    tensors.map((t, k) => {
      if (!t.requiresGrad) return null;
      const block = blocks[k]!;
      const offset = blocks.slice(0, k).reduce((s, b) => s + b, 0);
      const dt = new Float32Array(t.size);
      for (let o = 0; o < outer; o++) dt.set(g.subarray(o * total + offset, o * total + offset + block), o * block);
      return dt;
    }),
  );
}

/** Joins same-shaped tensors along a new dimension `dim` (in [-(ndim+1), ndim]). */
export function stack(tensors: Tensor[], dim = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) throw typeError('tensors', 'a non-empty array of Tensors', tensors);
  tensors.forEach((t, k) => checkTensor(`tensors[${k}]`, t));
  const shape = tensors[0]!.shape;
  tensors.forEach((t, k) => {
    if (t.shape.length !== shape.length || t.shape.some((s, i) => s !== shape[i])) {
      throw new RangeError(`tensors[${k}] must have shape ${shapeString(shape)} like tensors[0] to stack, got ${shapeString(t.shape)}`);
    }
  });
  const d = normalizeDim(dim, shape.length + 1, 'dim');
  const unsqueezed = [...shape.slice(0, d), 1, ...shape.slice(d)];
  return concat(tensors.map((t) => reshape(t, unsqueezed)), d);
}

// ---- slice ---------------------------------------------------------------------------------

/** A Python-style index in [-size, size] made non-negative; RangeError naming `name` outside. */
function normalizeBound(name: string, value: number, size: number): number {
  if (typeof value !== 'number') throw typeError(name, 'an integer', value);
  if (!Number.isInteger(value) || value < -size || value > size) {
    throw new RangeError(`${name} must be an integer in [${-size}, ${size}], got ${value}`);
  }
  return value < 0 ? value + size : value;
}

/** x[..., start:end, ...] along `dim` (end exclusive, negative indices count from the end). */
export function slice(x: Tensor, dim: number, start: number, end?: number): Tensor {
  checkTensor('x', x);
  const d = normalizeDim(dim, x.shape.length, 'dim');
  const size = x.shape[d]!;
  const from = normalizeBound('start', start, size);
  const to = end === undefined ? size : normalizeBound('end', end, size);
  if (to < from) throw new RangeError(`end must be >= start (${from} after wrapping), got ${to}`);
  const outer = shapeSize(x.shape.slice(0, d));
  const inner = shapeSize(x.shape.slice(d + 1));
  const srcBlock = size * inner;
  const block = (to - from) * inner;
  const out = new Float32Array(outer * block);
  for (let o = 0; o < outer; o++) {
    const at = o * srcBlock + from * inner;
    out.set(x.data.subarray(at, at + block), o * block);
  }
  const shape = x.shape.slice();
  shape[d] = to - from;
  return record1('slice', out, shape, [x], (g) => {
    const dx = new Float32Array(x.size);
    for (let o = 0; o < outer; o++) dx.set(g.subarray(o * block, (o + 1) * block), o * srcBlock + from * inner);
    return [dx];
  });
}
