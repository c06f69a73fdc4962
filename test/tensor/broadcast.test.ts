/** Broadcasting rules and shape arithmetic (lib/tensor/broadcast.ts): hand-computed index maps and sums. */
import { describe, expect, it } from 'vitest';
import {
  broadcastIndexMap, broadcastShapes, normalizeDim, reduceBroadcastGrad, sameShape, shapeSize, stridesOf, sumToShape,
} from '../../lib/tensor/broadcast.js';

describe('broadcastShapes', () => {
  it('follows numpy rules', () => {
    expect(broadcastShapes([3, 1], [1, 4])).toEqual([3, 4]);
    expect(broadcastShapes([], [2, 3])).toEqual([2, 3]);
    expect(broadcastShapes([2, 3], [])).toEqual([2, 3]);
    expect(broadcastShapes([5, 1, 3], [4, 1])).toEqual([5, 4, 3]);
    expect(broadcastShapes([1], [0])).toEqual([0]);
    expect(broadcastShapes([2, 3], [2, 3])).toEqual([2, 3]);
  });

  it('names both shapes when they are incompatible', () => {
    expect(() => broadcastShapes([2, 3], [3, 2])).toThrow(RangeError);
    expect(() => broadcastShapes([2, 3], [3, 2])).toThrow(/must be broadcastable, got \[2, 3\] and \[3, 2\]/);
    expect(() => broadcastShapes([4], [2, 3], 'a and b')).toThrow(/a and b must be broadcastable, got \[4\] and \[2, 3\] \(dimension -1 is 4 vs 3\)/);
  });
});

describe('broadcastIndexMap', () => {
  it('maps output elements to input elements', () => {
    expect(Array.from(broadcastIndexMap([2, 3], [3]))).toEqual([0, 1, 2, 0, 1, 2]);
    expect(Array.from(broadcastIndexMap([2, 3], [2, 1]))).toEqual([0, 0, 0, 1, 1, 1]);
    expect(Array.from(broadcastIndexMap([2, 3], []))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(broadcastIndexMap([2, 3], [2, 3]))).toEqual([0, 1, 2, 3, 4, 5]);
    // [2, 1, 2] into [2, 3, 2]: element (i, j, k) reads (i, 0, k) = 2i + k.
    expect(Array.from(broadcastIndexMap([2, 3, 2], [2, 1, 2]))).toEqual([0, 1, 0, 1, 0, 1, 2, 3, 2, 3, 2, 3]);
    // [3, 1] into [2, 3, 2]: element (i, j, k) reads j.
    expect(Array.from(broadcastIndexMap([2, 3, 2], [3, 1]))).toEqual([0, 0, 1, 1, 2, 2, 0, 0, 1, 1, 2, 2]);
    expect(broadcastIndexMap([0, 3], [3]).length).toBe(0);
  });
});

describe('gradient reduction', () => {
  const grad = Float32Array.from([1, 2, 3, 4, 5, 6]); // [2, 3]
  it('sums over broadcast dimensions', () => {
    expect(Array.from(sumToShape(grad, [2, 3], [3]))).toEqual([5, 7, 9]);
    expect(Array.from(sumToShape(grad, [2, 3], [1, 3]))).toEqual([5, 7, 9]);
    expect(Array.from(sumToShape(grad, [2, 3], [2, 1]))).toEqual([6, 15]);
    expect(Array.from(sumToShape(grad, [2, 3], []))).toEqual([21]);
  });
  it('returns the gradient itself when no dimension was broadcast', () => {
    expect(sumToShape(grad, [2, 3], [2, 3])).toBe(grad);
    expect(reduceBroadcastGrad(grad, null, 6)).toBe(grad);
  });
});

describe('shape helpers', () => {
  it('computes strides, sizes and equality', () => {
    expect(stridesOf([2, 3, 4])).toEqual([12, 4, 1]);
    expect(stridesOf([])).toEqual([]);
    expect(shapeSize([2, 3, 4])).toBe(24);
    expect(shapeSize([])).toBe(1);
    expect(sameShape([2, 3], [2, 3])).toBe(true);
    expect(sameShape([2, 3], [3, 2])).toBe(false);
    expect(sameShape([1], [])).toBe(false);
  });
});

describe('normalizeDim', () => {
  it('wraps negative dims', () => {
    expect(normalizeDim(-1, 3)).toBe(2);
    expect(normalizeDim(-3, 3)).toBe(0);
    expect(normalizeDim(2, 3)).toBe(2);
    expect(normalizeDim(0, 1)).toBe(0);
  });
  it('rejects dims out of range, naming the argument', () => {
    expect(() => normalizeDim(3, 3)).toThrow(RangeError);
    expect(() => normalizeDim(3, 3)).toThrow(/dim must be an integer in \[-3, 2\], got 3/);
    expect(() => normalizeDim(-4, 3, 'dim0')).toThrow(/dim0 must be an integer in \[-3, 2\], got -4/);
    expect(() => normalizeDim(1.5, 3)).toThrow(RangeError);
    expect(() => normalizeDim(0, 0)).toThrow(/dim must be a dimension of the tensor, which is 0-d/);
    expect(() => normalizeDim('1' as unknown as number, 3)).toThrow(TypeError);
  });
});
