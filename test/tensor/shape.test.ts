/** reshape/transpose/permute/concat/stack/slice (lib/tensor/ops/shape.ts): hand values, gradcheck, errors. */
import { describe, expect, it } from 'vitest';
import { tensor } from '../../lib/tensor/tensor.js';
import { concat, permute, reshape, slice, stack, transpose } from '../../lib/tensor/ops/shape.js';
import { mul } from '../../lib/tensor/ops/elementwise.js';
import { sum } from '../../lib/tensor/ops/reduce.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { rand } from './inputs.js';

const iota = (shape: number[], requiresGrad = false) =>
  tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i), shape, { requiresGrad });

describe('reshape', () => {
  it('keeps the values, infers one -1 and shares the data', () => {
    const x = iota([2, 3]);
    const r = reshape(x, [3, -1]);
    expect(r.shape).toEqual([3, 2]);
    expect(r.data).toBe(x.data);
    expect(reshape(x, [-1]).shape).toEqual([6]);
    expect(reshape(tensor([5]), []).shape).toEqual([]);
    expect(reshape(tensor(new Float32Array(0), [0, 3]), [3, 0]).shape).toEqual([3, 0]);
  });

  it('passes the gradient through unchanged', () => {
    const x = iota([2, 3], true);
    sum(mul(reshape(x, [6]), tensor([1, 2, 3, 4, 5, 6]))).backward();
    expect(Array.from(x.grad!.data)).toEqual([1, 2, 3, 4, 5, 6]);
    const y = rand([3, 17], 1);
    gradcheck(() => reshape(y, [17, 1, 3]), [y]);
  });

  it('rejects shapes that do not fit, naming shape', () => {
    const x = iota([2, 3]);
    expect(() => reshape(x, [4, 2])).toThrow(RangeError);
    expect(() => reshape(x, [4, 2])).toThrow(/shape must have 6 elements to hold x \[2, 3\], got \[4, 2\]/);
    expect(() => reshape(x, [-1, -1])).toThrow(/shape must hold non-negative integers and at most one -1/);
    expect(() => reshape(x, [4, -1])).toThrow(/shape \[4, -1\] is invalid for a tensor of 6 elements/);
    expect(() => reshape(x, [2.5, 2])).toThrow(RangeError);
    expect(() => reshape(x, '6' as never)).toThrow(/shape must be an array of integers/);
  });
});

describe('transpose and permute', () => {
  it('transposes a matrix', () => {
    const t = transpose(iota([2, 3]), 0, 1);
    expect(t.shape).toEqual([3, 2]);
    expect(Array.from(t.data)).toEqual([0, 3, 1, 4, 2, 5]);
    expect(Array.from(transpose(iota([2, 3]), -1, -2).data)).toEqual([0, 3, 1, 4, 2, 5]);
  });

  it('permutes 3-D: out[i, j, k] = x[j, k, i] for dims [2, 0, 1]', () => {
    const x = iota([2, 3, 4]); // x[a, b, c] = 12a + 4b + c
    const p = permute(x, [2, 0, 1]);
    expect(p.shape).toEqual([4, 2, 3]);
    const expected: number[] = [];
    for (let c = 0; c < 4; c++) for (let a = 0; a < 2; a++) for (let b = 0; b < 3; b++) expected.push(12 * a + 4 * b + c);
    expect(Array.from(p.data)).toEqual(expected);
    expect(Array.from(permute(x, [0, 1, 2]).data)).toEqual(Array.from(x.data));
  });

  it('gradcheck', () => {
    const x = rand([3, 1, 17], 2);
    gradcheck(() => permute(x, [2, 0, 1]), [x]);
    gradcheck(() => permute(x, [1, 2, 0]), [x]);
    gradcheck(() => transpose(x, 0, 2), [x]);
    const m = rand([17, 3], 3);
    gradcheck(() => transpose(m, 1, 0), [m]);
  });

  it('rejects bad dims, naming the argument', () => {
    const x = iota([2, 3]);
    expect(() => permute(x, [0, 0])).toThrow(RangeError);
    expect(() => permute(x, [0, 0])).toThrow(/dims must be a permutation of the 2 dimensions of x \[2, 3\], got \[0,0\]/);
    expect(() => permute(x, [0])).toThrow(/dims must be a permutation/);
    expect(() => permute(x, [0, 2])).toThrow(/dims\[1\] must be an integer in \[-2, 1\], got 2/);
    expect(() => transpose(x, 0, 2)).toThrow(/dim1 must be an integer in \[-2, 1\], got 2/);
    expect(() => transpose(x, -3, 0)).toThrow(/dim0 must be/);
  });
});

describe('concat and stack', () => {
  it('concatenates along dims 0, 1 and -1', () => {
    const a = tensor([[1, 2], [3, 4]]);
    const b = tensor([[5, 6]]);
    const c0 = concat([a, b], 0);
    expect(c0.shape).toEqual([3, 2]);
    expect(Array.from(c0.data)).toEqual([1, 2, 3, 4, 5, 6]);
    const c1 = concat([a, tensor([[7], [8]]), a], -1);
    expect(c1.shape).toEqual([2, 5]);
    expect(Array.from(c1.data)).toEqual([1, 2, 7, 1, 2, 3, 4, 8, 3, 4]);
    expect(Array.from(concat([tensor([1]), tensor(new Float32Array(0), [0]), tensor([2, 3])]).data)).toEqual([1, 2, 3]);
  });

  it('stacks along a new dim', () => {
    const a = tensor([1, 2, 3]);
    const b = tensor([4, 5, 6]);
    const s0 = stack([a, b]);
    expect(s0.shape).toEqual([2, 3]);
    expect(Array.from(s0.data)).toEqual([1, 2, 3, 4, 5, 6]);
    const s1 = stack([a, b], 1);
    expect(s1.shape).toEqual([3, 2]);
    expect(Array.from(s1.data)).toEqual([1, 4, 2, 5, 3, 6]);
    expect(stack([a, b], -1).shape).toEqual([3, 2]);
  });

  it('splits the gradient back', () => {
    const a = tensor([[1, 2], [3, 4]], undefined, { requiresGrad: true });
    const b = tensor([[5], [6]], undefined, { requiresGrad: true });
    sum(mul(concat([a, b], 1), tensor([[1, 2, 3], [4, 5, 6]]))).backward();
    expect(Array.from(a.grad!.data)).toEqual([1, 2, 4, 5]);
    expect(Array.from(b.grad!.data)).toEqual([3, 6]);
  });

  it('gradcheck on odd sizes', () => {
    const a = rand([3, 1], 4);
    const b = rand([3, 17], 5);
    const c = rand([3, 3], 6);
    gradcheck(() => concat([a, b, c], 1), [a, b, c]);
    const d = rand([1, 3], 7);
    const e = rand([17, 3], 8);
    gradcheck(() => concat([d, e], 0), [d, e]);
    const f = rand([3, 17], 9);
    const g = rand([3, 17], 10);
    gradcheck(() => stack([f, g], 1), [f, g]);
    gradcheck(() => stack([f, g, f], -1), [f, g]);
  });

  it('rejects mismatched inputs, naming the tensor', () => {
    const a = tensor([[1, 2], [3, 4]]);
    expect(() => concat([a, tensor([1, 2])], 0)).toThrow(RangeError);
    expect(() => concat([a, tensor([[1, 2, 3]])], 0)).toThrow(/tensors\[1\] must have shape \[\*, 2\] to concat along dim 0, got \[1, 3\]/);
    expect(() => concat([], 0)).toThrow(/tensors must be a non-empty array of Tensors/);
    expect(() => concat([a, [1] as never])).toThrow(/tensors\[1\] must be a Tensor/);
    expect(() => concat([a], 2)).toThrow(/dim must be an integer in \[-2, 1\], got 2/);
    expect(() => stack([a, tensor([1, 2])])).toThrow(/tensors\[1\] must have shape \[2, 2\] like tensors\[0\] to stack, got \[2\]/);
    expect(() => stack([a], 3)).toThrow(/dim must be an integer in \[-3, 2\], got 3/);
  });
});

describe('slice', () => {
  it('takes [start, end) along a dim, with negative indices', () => {
    const x = iota([3, 4]);
    const s = slice(x, 1, 1, 3);
    expect(s.shape).toEqual([3, 2]);
    expect(Array.from(s.data)).toEqual([1, 2, 5, 6, 9, 10]);
    expect(Array.from(slice(x, 0, -1, 3).data)).toEqual([8, 9, 10, 11]);
    expect(Array.from(slice(x, -1, -2).data)).toEqual([2, 3, 6, 7, 10, 11]); // end omitted
    expect(slice(x, 0, 2, 2).shape).toEqual([0, 4]);
  });

  it('scatters the gradient into the sliced positions', () => {
    const x = iota([2, 3], true);
    sum(slice(x, 1, 1, 3)).backward();
    expect(Array.from(x.grad!.data)).toEqual([0, 1, 1, 0, 1, 1]);
    const y = rand([3, 17, 1], 11);
    gradcheck(() => slice(y, 1, 3, -1), [y]);
    gradcheck(() => slice(y, 0, 1, 2), [y]);
    gradcheck(() => slice(y, 2, 0, 1), [y]);
  });

  it('rejects bounds out of range, naming them', () => {
    const x = iota([3, 4]);
    expect(() => slice(x, 0, 5, 6)).toThrow(RangeError);
    expect(() => slice(x, 0, 5, 6)).toThrow(/start must be an integer in \[-3, 3\], got 5/);
    expect(() => slice(x, 1, 0, 9)).toThrow(/end must be an integer in \[-4, 4\], got 9/);
    expect(() => slice(x, 1, 3, 1)).toThrow(/end must be >= start \(3 after wrapping\), got 1/);
    expect(() => slice(x, 2, 0, 1)).toThrow(/dim must be an integer in \[-2, 1\], got 2/);
    expect(() => slice(x, 0, 0.5, 1)).toThrow(/start must be an integer/);
    expect(() => slice(x, 0, '0' as never, 1)).toThrow(TypeError);
  });
});
