/**
 * The tape (lib/tensor/autograd.ts) driven through the ops: accumulation over shared
 * subexpressions, noGrad, detach, retainGrad, the non-scalar root rule and a 5000-op chain.
 */
import { describe, expect, it } from 'vitest';
import { tensor } from '../../lib/tensor/tensor.js';
import { backward, noGrad, setGradEnabled } from '../../lib/tensor/autograd.js';
import { add, exp, mul } from '../../lib/tensor/ops/elementwise.js';
import { tanh } from '../../lib/tensor/ops/activations.js';
import { sum } from '../../lib/tensor/ops/reduce.js';
import { expectAllClose } from '../helpers/close.js';

const leaf = (values: number[]) => tensor(values, undefined, { requiresGrad: true });

describe('autograd', () => {
  it('accumulates over a tensor used twice in one op: d(x·x) = 2x', () => {
    const x = leaf([1, -2, 3]);
    sum(mul(x, x)).backward();
    expect(Array.from(x.grad!.data)).toEqual([2, -4, 6]);
  });

  it('accumulates over shared subexpressions: z = y + y with y = x², and a diamond', () => {
    const x = leaf([1, 2]);
    const y = mul(x, x);
    sum(add(y, y)).backward(); // dz/dx = 4x
    expect(Array.from(x.grad!.data)).toEqual([4, 8]);

    const v = leaf([0.5, -1]);
    const e = exp(v);
    sum(add(mul(e, 2), mul(e, 3))).backward(); // 5·eᵛ
    expectAllClose(v.grad!.data, [5 * Math.exp(0.5), 5 * Math.exp(-1)]);
  });

  it('accumulates into .grad across backward calls until it is cleared', () => {
    const x = leaf([1, 2]);
    sum(mul(x, 3)).backward();
    sum(mul(x, 3)).backward();
    expect(Array.from(x.grad!.data)).toEqual([6, 6]);
  });

  it('records nothing inside noGrad, and restores recording after', () => {
    const x = leaf([1, 2]);
    const y = noGrad(() => mul(x, x));
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(() => noGrad(() => { throw new Error('inner'); })).toThrow('inner');
    expect(mul(x, x).requiresGrad).toBe(true);
    const previous = setGradEnabled(false);
    expect(add(x, 1).gradFn).toBeNull();
    setGradEnabled(previous);
  });

  it('cuts the graph at detach (truncated BPTT)', () => {
    const x = leaf([2, 3]);
    const h = mul(x, x);
    const y = mul(h.detach(), x); // d/dx = h (constant), not 3x²
    sum(y).backward();
    expect(Array.from(x.grad!.data)).toEqual([4, 9]);
    expect(h.detach().data).toBe(h.data);
    expect(h.detach().requiresGrad).toBe(false);
  });

  it('needs an explicit gradient for a non-scalar root', () => {
    const x = leaf([1, 2, 3]);
    const y = mul(x, 2);
    expect(() => y.backward()).toThrow(RangeError);
    expect(() => y.backward()).toThrow(/backward\(\) without a gradient needs a one-element tensor, got shape \[3\]/);
    expect(() => y.backward(new Float32Array(2))).toThrow(/gradient must have 3 elements/);
    y.backward(tensor([1, 0, -1]));
    expect(Array.from(x.grad!.data)).toEqual([2, 0, -2]);
    expect(() => backward(tensor([1]))).toThrow(/needs a tensor that requires grad/);
  });

  it('keeps an intermediate gradient only when retainGrad() was called', () => {
    const x = leaf([1, 2]);
    const y = mul(x, 3).retainGrad();
    const z = mul(y, y);
    sum(z).backward(); // dz/dy = 2y = 6x
    expect(Array.from(y.grad!.data)).toEqual([6, 12]);
    expect(z.grad).toBeNull();
    expect(Array.from(x.grad!.data)).toEqual([18, 36]);
  });

  it('walks a chain of 5000 ops without overflowing the stack', () => {
    const x = leaf([0.1, -0.2]);
    let y = x;
    for (let i = 0; i < 5000; i++) y = i % 2 === 0 ? add(y, 0.001) : mul(y, 1);
    sum(y).backward();
    expect(Array.from(x.grad!.data)).toEqual([1, 1]);

    let h = x; // a deep nonlinear chain: d tanh^n(x) / dx by the chain rule in float64
    for (let i = 0; i < 5000; i++) h = tanh(h);
    sum(h).backward();
    const expected = [0.1, -0.2].map((v0) => {
      let v = Math.fround(v0);
      let d = 1;
      for (let i = 0; i < 5000; i++) {
        v = Math.tanh(v);
        d *= 1 - v * v;
      }
      return 1 + d; // plus the 1 accumulated by the first chain
    });
    expectAllClose(x.grad!.data, expected, 'tanh chain', 1e-5, 1e-3);
  });
});
