/** softmax/logSoftmax (lib/tensor/ops/softmax.ts): float64 formulas, other dims, extreme logits, gradcheck, errors. */
import { expect, it } from 'vitest';
import { tensor } from '../../lib/tensor/tensor.js';
import { logSoftmax, softmax } from '../../lib/tensor/ops/softmax.js';
import { mul } from '../../lib/tensor/ops/elementwise.js';
import { sum } from '../../lib/tensor/ops/reduce.js';
import { expectAllClose } from '../helpers/close.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { describeEachBackend } from '../helpers/backends.js';
import { rand } from './inputs.js';

function softmax64(row: number[]): number[] {
  const m = Math.max(...row);
  const e = row.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

describeEachBackend('softmax', () => {
  it('matches the float64 formula along the last dim', () => {
    const x = tensor([[1, 2, 3], [-1, 0, 5]]);
    expectAllClose(softmax(x).data, [...softmax64([1, 2, 3]), ...softmax64([-1, 0, 5])]);
    expectAllClose(logSoftmax(x).data, [...softmax64([1, 2, 3]), ...softmax64([-1, 0, 5])].map(Math.log));
  });

  it('works along dim 0 and a middle dim', () => {
    const x = tensor([[1, 2], [3, 5], [0, -1]]); // [3, 2]
    const s = softmax(x, 0);
    expect(s.shape).toEqual([3, 2]);
    const c0 = softmax64([1, 3, 0]);
    const c1 = softmax64([2, 5, -1]);
    expectAllClose(s.data, [c0[0]!, c1[0]!, c0[1]!, c1[1]!, c0[2]!, c1[2]!]);
    expectAllClose(logSoftmax(x, -2).data, [c0[0]!, c1[0]!, c0[1]!, c1[1]!, c0[2]!, c1[2]!].map(Math.log));
    // [2, 3, 2] along dim 1: x[a, b, c] = a + b·c
    const y = tensor(Float32Array.from({ length: 12 }, (_, f) => Math.floor(f / 6) + (Math.floor(f / 2) % 3) * (f % 2)), [2, 3, 2]);
    const expected = new Array<number>(12);
    for (let a = 0; a < 2; a++) {
      for (let c = 0; c < 2; c++) {
        const col = softmax64([0, 1, 2].map((b) => a + b * c));
        for (let b = 0; b < 3; b++) expected[a * 6 + b * 2 + c] = col[b]!;
      }
    }
    expectAllClose(softmax(y, 1).data, expected);
  });

  it('stays finite for extreme logits', () => {
    const x = tensor([[1000, 0, -1000], [1000, 1000, 1000]]);
    expectAllClose(softmax(x).data, [1, 0, 0, 1 / 3, 1 / 3, 1 / 3]);
    expectAllClose(logSoftmax(x).data, [0, -1000, -2000, -Math.log(3), -Math.log(3), -Math.log(3)]);
  });

  it('has the gradients by hand', () => {
    // d softmax_i / d x_j = s_i (δij − s_j); with upstream g = e_0: dx = s_0 (e_0 − s)
    const x = tensor([0.5, -1, 2], undefined, { requiresGrad: true });
    const s = softmax64([0.5, -1, 2]);
    sum(mul(softmax(x), tensor([1, 0, 0]))).backward();
    expectAllClose(x.grad!.data, s.map((v, j) => s[0]! * ((j === 0 ? 1 : 0) - v)));
    // d Σ logSoftmax / dx = 1 − C·s
    x.grad = null;
    sum(logSoftmax(x)).backward();
    expectAllClose(x.grad!.data, s.map((v) => 1 - 3 * v));
  });

  const cases: [number[], number][] = [[[1], -1], [[3], 0], [[17], -1], [[3, 17], -1], [[3, 17], 0], [[3, 1, 17], 1], [[3, 1, 17], 0], [[17, 3, 1], -2]];
  for (const [shape, dim] of cases) {
    it(`gradcheck [${shape}] dim ${dim}`, () => {
      const x = rand(shape, shape.length * 5 + dim + 9, { scale: 2 });
      gradcheck(() => softmax(x, dim), [x]);
      gradcheck(() => logSoftmax(x, dim), [x]);
    });
  }

  it('handles 0-d and empty tensors', () => {
    expect(softmax(tensor(3)).item()).toBe(1);
    expect(logSoftmax(tensor(3)).item()).toBe(0);
    expect(softmax(tensor(new Float32Array(0), [0, 3])).shape).toEqual([0, 3]);
  });

  it('rejects bad dims and inputs, naming them', () => {
    const x = tensor([[1, 2]]);
    expect(() => softmax(x, 2)).toThrow(RangeError);
    expect(() => softmax(x, 2)).toThrow(/dim must be an integer in \[-2, 1\], got 2/);
    expect(() => logSoftmax(x, -3)).toThrow(/dim must be an integer in \[-2, 1\], got -3/);
    expect(() => softmax(tensor(1), 1)).toThrow(/dim must be an integer in \[-1, 0\], got 1/);
    expect(() => softmax([1, 2] as never)).toThrow(/x must be a Tensor/);
  });
});
