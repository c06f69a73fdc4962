/** dropout (lib/tensor/ops/dropout.ts): identity cases, scaling, seeded masks, keep rate, backward by mask, errors. */
import { describe, expect, it } from 'vitest';
import { tensor } from '../../lib/tensor/tensor.js';
import { dropout } from '../../lib/tensor/ops/dropout.js';
import { sum } from '../../lib/tensor/ops/reduce.js';
import { Rng } from '../../lib/data/rng.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { rand } from './inputs.js';

describe('dropout', () => {
  it('returns x itself for p = 0 or when not training', () => {
    const x = rand([3, 17], 1);
    expect(dropout(x, 0)).toBe(x);
    expect(dropout(x, 0.5, false)).toBe(x);
    expect(dropout(x, 1, false)).toBe(x);
  });

  it('zeroes everything for p = 1, values and gradients', () => {
    const x = tensor([1, Infinity, -3], undefined, { requiresGrad: true });
    const y = dropout(x, 1, true, new Rng(1));
    expect(Array.from(y.data)).toEqual([0, 0, 0]);
    sum(y).backward();
    expect(Array.from(x.grad!.data)).toEqual([0, 0, 0]);
  });

  it('keeps elements scaled by 1/(1 − p) and drops the rest', () => {
    const x = tensor(Float32Array.from({ length: 64 }, (_, i) => i + 1));
    const y = dropout(x, 0.75, true, new Rng(3));
    for (let i = 0; i < 64; i++) {
      const v = y.data[i]!;
      expect(v === 0 || v === 4 * (i + 1)).toBe(true);
    }
  });

  it('draws the same mask from the same seed and another from another seed', () => {
    const x = rand([17, 3], 2);
    const a = dropout(x, 0.5, true, new Rng(7)).data;
    const b = dropout(x, 0.5, true, new Rng(7)).data;
    const c = dropout(x, 0.5, true, new Rng(8)).data;
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  it('keeps about 1 − p of the elements (within 5 standard deviations)', () => {
    const n = 20000;
    const y = dropout(tensor(new Float32Array(n).fill(1)), 0.3, true, new Rng(11));
    const kept = y.data.reduce((s, v) => s + (v !== 0 ? 1 : 0), 0);
    const sd = Math.sqrt(n * 0.3 * 0.7);
    expect(Math.abs(kept - 0.7 * n)).toBeLessThan(5 * sd);
  });

  it('backpropagates through the same mask', () => {
    const x = tensor(new Float32Array(17).fill(1), [17], { requiresGrad: true });
    const y = dropout(x, 0.5, true, new Rng(5));
    sum(y).backward();
    expect(Array.from(x.grad!.data)).toEqual(Array.from(y.data)); // x = 1: the output is the scaled mask
    const z = rand([3, 17], 6);
    gradcheck(() => dropout(z, 0.4, true, new Rng(9)), [z]);
    const w = rand([1], 7);
    gradcheck(() => dropout(w, 0.1, true, new Rng(1)), [w]);
  });

  it('uses the library RNG by default', () => {
    const y = dropout(tensor(new Float32Array(100).fill(1)), 0.5);
    expect(y.data.every((v) => v === 0 || v === 2)).toBe(true);
  });

  it('rejects bad arguments, naming them', () => {
    const x = tensor([1, 2]);
    expect(() => dropout(x, 1.5)).toThrow(RangeError);
    expect(() => dropout(x, 1.5)).toThrow(/p must be a number in \[0, 1\], got 1.5/);
    expect(() => dropout(x, -0.1)).toThrow(/p must be a number in \[0, 1\], got -0.1/);
    expect(() => dropout(x, NaN)).toThrow(/p must be a number in \[0, 1\], got NaN/);
    expect(() => dropout(x, '0.5' as never)).toThrow(TypeError);
    expect(() => dropout(x, 0.5, 'yes' as never)).toThrow(/training must be a boolean, got "yes"/);
    expect(() => dropout(x, 0.5, true, Math as never)).toThrow(/rng must be an Rng/);
    expect(() => dropout([1] as never, 0.5)).toThrow(/x must be a Tensor/);
  });
});
