/** sum/mean (lib/tensor/ops/reduce.ts): hand values over every dim choice, keepDim, gradcheck, errors. */
import { describe, expect, it } from 'vitest';
import { tensor } from '../../lib/tensor/tensor.js';
import { mean, sum } from '../../lib/tensor/ops/reduce.js';
import { mul } from '../../lib/tensor/ops/elementwise.js';
import { expectAllClose } from '../helpers/close.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { rand } from './inputs.js';

// x[i, j, k] = 100·i + 10·j + k, shape [2, 3, 2]
const cube = () => tensor(Float32Array.from({ length: 12 }, (_, f) => 100 * Math.floor(f / 6) + 10 * (Math.floor(f / 2) % 3) + (f % 2)), [2, 3, 2], { requiresGrad: true });

describe('sum', () => {
  it('reduces everything to shape [] by default', () => {
    const s = sum(cube());
    expect(s.shape).toEqual([]);
    expect(s.item()).toBe(6 * 100 + 4 * 30 + 6); // Σi·100·6 + Σj·10·4 + Σk·6
  });

  it('reduces one dimension (negative ok), with and without keepDim', () => {
    const s0 = sum(cube(), 0);
    expect(s0.shape).toEqual([3, 2]);
    expect(Array.from(s0.data)).toEqual([100, 102, 120, 122, 140, 142]);
    const s2 = sum(cube(), -1);
    expect(s2.shape).toEqual([2, 3]);
    expect(Array.from(s2.data)).toEqual([1, 21, 41, 201, 221, 241]);
    const k = sum(cube(), 1, true);
    expect(k.shape).toEqual([2, 1, 2]);
    expect(Array.from(k.data)).toEqual([30, 33, 330, 333]);
  });

  it('reduces a list of dimensions', () => {
    const s = sum(cube(), [0, 2]);
    expect(s.shape).toEqual([3]);
    expect(Array.from(s.data)).toEqual([202, 242, 282]);
    const k = sum(cube(), [2, 0], true);
    expect(k.shape).toEqual([1, 3, 1]);
    expect(Array.from(k.data)).toEqual([202, 242, 282]);
    expect(sum(cube(), []).shape).toEqual([]); // PyTorch: dim=[] reduces everything
  });

  it('broadcasts the gradient back', () => {
    const x = cube();
    const w = tensor([[1, 2]]); // weights per k
    sum(mul(sum(x, 1), w)).backward(); // d/dx[i, j, k] = w[k]
    expect(Array.from(x.grad!.data)).toEqual([1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2]);
  });

  it('sums an empty tensor to 0', () => {
    expect(sum(tensor(new Float32Array(0), [0, 3])).item()).toBe(0);
    expect(Array.from(sum(tensor(new Float32Array(0), [0, 3]), 0).data)).toEqual([0, 0, 0]);
  });
});

describe('mean', () => {
  it('averages over the chosen dims', () => {
    expect(mean(cube()).item()).toBeCloseTo(726 / 12, 4);
    expect(Array.from(mean(cube(), 1).data)).toEqual([10, 11, 110, 111]);
    expect(Array.from(mean(cube(), [0, 1], true).data)).toEqual([60, 61]);
    expect(mean(cube(), [0, 1], true).shape).toEqual([1, 1, 2]);
  });

  it('has gradient 1/count', () => {
    const x = cube();
    mean(x, [0, 2]).backward(tensor([1, 2, 3]));
    expectAllClose(x.grad!.data, [1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3].map((v) => v / 4));
  });

  it('is NaN over an empty dimension, as torch.mean', () => {
    expect(Number.isNaN(mean(tensor(new Float32Array(0), [0])).item())).toBe(true);
  });
});

describe('reduce gradcheck', () => {
  const cases: [number[], number | number[] | undefined, boolean][] = [
    [[1], undefined, false],
    [[3], 0, false],
    [[17], -1, true],
    [[3, 17], 1, false],
    [[3, 17], 0, true],
    [[1, 3, 17], [0, 2], false],
    [[3, 1, 17], [1], true],
    [[3, 17], undefined, false],
  ];
  for (const [shape, dim, keepDim] of cases) {
    it(`[${shape}] dim ${JSON.stringify(dim)} keepDim ${keepDim}`, () => {
      const x = rand(shape, shape.length * 7 + (keepDim ? 1 : 0));
      gradcheck(() => sum(x, dim, keepDim), [x]);
      gradcheck(() => mean(x, dim, keepDim), [x]);
    });
  }
});

describe('reduce errors', () => {
  const x = tensor([[1, 2], [3, 4]]);
  it('names the bad argument', () => {
    expect(() => sum(x, 2)).toThrow(RangeError);
    expect(() => sum(x, 2)).toThrow(/dim must be an integer in \[-2, 1\], got 2/);
    expect(() => mean(x, [0, 5])).toThrow(/dim\[1\] must be an integer in \[-2, 1\], got 5/);
    expect(() => sum(x, [1, -1])).toThrow(/dim must list each dimension once, got \[1, -1\]/);
    expect(() => sum(x, '0' as never)).toThrow(TypeError);
    expect(() => sum(x, '0' as never)).toThrow(/dim must be an integer, an array of integers or undefined/);
    expect(() => mean(x, 0, 1 as never)).toThrow(/keepDim must be a boolean, got 1/);
    expect(() => sum([1, 2] as never)).toThrow(/x must be a Tensor/);
  });
});
