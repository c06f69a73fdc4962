/**
 * Padding: padSequences (time-major and batch-first, feature steps, one-step and empty sequences),
 * lengths, masks, transposes, unpadding. Expected tensors are written out by hand.
 */
import { describe, expect, it } from 'vitest';
import {
  lengthMask, padSequences, sequenceLengths, toBatchFirst, toTimeMajor, unpadSequences,
} from '../../lib/data/padding.js';
import { tensor } from '../../lib/tensor/tensor.js';

describe('padSequences', () => {
  it('pads scalar sequences to time-major [T, B] and batch-first [B, T]', () => {
    const seqs = [[1, 2, 3], [4], new Int32Array([5, 6])];
    const x = padSequences(seqs);
    expect(x.shape).toEqual([3, 3]);
    // rows are time steps: t0 = [1, 4, 5], t1 = [2, 0, 6], t2 = [3, 0, 0]
    expect(Array.from(x.data)).toEqual([1, 4, 5, 2, 0, 6, 3, 0, 0]);
    const bf = padSequences(seqs, { batchFirst: true, paddingValue: -1 });
    expect(bf.shape).toEqual([3, 3]);
    expect(Array.from(bf.data)).toEqual([1, 2, 3, 4, -1, -1, 5, 6, -1]);
    expect(Array.from(sequenceLengths(seqs))).toEqual([3, 1, 2]);
  });

  it('pads Tensor [L, F] sequences to [T, B, F], and to a fixed length', () => {
    const a = tensor([[1, 2], [3, 4]]);
    const b = tensor([[5, 6]]);
    const x = padSequences([a, b]);
    expect(x.shape).toEqual([2, 2, 2]);
    expect(Array.from(x.data)).toEqual([1, 2, 5, 6, 3, 4, 0, 0]);
    const fixed = padSequences([a, b], { length: 3, batchFirst: true });
    expect(fixed.shape).toEqual([2, 3, 2]);
    expect(Array.from(fixed.data)).toEqual([1, 2, 3, 4, 0, 0, 5, 6, 0, 0, 0, 0]);
    expect(() => padSequences([a, tensor([1, 2])])).toThrow(/sequences\[1\] must have step shape \[2\] like sequences\[0\], got \[\]/);
    expect(() => padSequences([a], { length: 1 })).toThrow(/length must be at least the longest sequence \(2\), got 1/);
  });

  it('handles one-token and empty sequences', () => {
    expect(Array.from(padSequences([[7]]).data)).toEqual([7]);
    const withEmpty = padSequences([[], [1, 2]]);
    expect(withEmpty.shape).toEqual([2, 2]);
    expect(Array.from(withEmpty.data)).toEqual([0, 1, 0, 2]);
    expect(padSequences([[], []]).shape).toEqual([0, 2]);
  });

  it('rejects bad input', () => {
    expect(() => padSequences([])).toThrow(/sequences must be a non-empty array of sequences/);
    expect(() => padSequences('ab' as never)).toThrow(TypeError);
    expect(() => padSequences([{} as never])).toThrow(/sequences\[0\] must be a number array, a typed array or a Tensor/);
    expect(() => padSequences([[1]], { paddingValue: NaN })).toThrow(/paddingValue must be a finite number/);
    expect(() => padSequences([[1]], { batchfirst: true } as never)).toThrow(/unknown option "batchfirst"/);
  });
});

describe('lengthMask, transposes, unpadSequences', () => {
  it('builds [T, B] and [B, T] masks', () => {
    expect(Array.from(lengthMask([2, 0, 3]).data)).toEqual([1, 0, 1, 1, 0, 1, 0, 0, 1]);
    const bf = lengthMask(new Int32Array([1, 2]), 3, { batchFirst: true });
    expect(bf.shape).toEqual([2, 3]);
    expect(Array.from(bf.data)).toEqual([1, 0, 0, 1, 1, 0]);
    expect(() => lengthMask([4], 3)).toThrow(/T must be at least the longest length \(4\), got 3/);
    expect(() => lengthMask([1, -1])).toThrow(/lengths\[1\] must be a non-negative integer, got -1/);
  });

  it('transposes between layouts and unpads back to the original sequences', () => {
    const seqs = [[1, 2, 3], [4]];
    const x = padSequences(seqs); // [3, 2]
    const bf = toBatchFirst(x);
    expect(bf.shape).toEqual([2, 3]);
    expect(Array.from(bf.data)).toEqual(Array.from(padSequences(seqs, { batchFirst: true }).data));
    expect(Array.from(toTimeMajor(bf).data)).toEqual(Array.from(x.data));
    expect(unpadSequences(x, [3, 1]).map((a) => Array.from(a))).toEqual(seqs);
    expect(unpadSequences(bf, [3, 1], { batchFirst: true }).map((a) => Array.from(a))).toEqual(seqs);
    const feat = padSequences([tensor([[1, 2], [3, 4]]), tensor([[5, 6]])]);
    expect(unpadSequences(feat, [2, 1]).map((a) => Array.from(a))).toEqual([[1, 2, 3, 4], [5, 6]]);
    expect(() => unpadSequences(x, [3])).toThrow(/lengths must be 2 entries/);
    expect(() => unpadSequences(x, [4, 1])).toThrow(/lengths\[0\] must be at most T = 3, got 4/);
    expect(() => toBatchFirst(tensor([1, 2]))).toThrow(/at least 2 dimensions/);
  });
});
