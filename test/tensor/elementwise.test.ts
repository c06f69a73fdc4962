/** add/sub/mul/div/neg/exp/log (lib/tensor/ops/elementwise.ts): hand values, broadcasting, gradcheck, errors. */
import { describe, expect, it } from 'vitest';
import { tensor } from '../../lib/tensor/tensor.js';
import { add, div, exp, log, mul, neg, sub } from '../../lib/tensor/ops/elementwise.js';
import { sum } from '../../lib/tensor/ops/reduce.js';
import { expectAllClose } from '../helpers/close.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { rand } from './inputs.js';

const a23 = () => tensor([[1, 2, 3], [4, 5, 6]], undefined, { requiresGrad: true });
const b3 = () => tensor([10, 20, 40], undefined, { requiresGrad: true });

describe('binary ops: values', () => {
  it('computes same-shape results', () => {
    const a = tensor([1, 2, 3]);
    const b = tensor([4, 8, 16]);
    expect(Array.from(add(a, b).data)).toEqual([5, 10, 19]);
    expect(Array.from(sub(a, b).data)).toEqual([-3, -6, -13]);
    expect(Array.from(mul(a, b).data)).toEqual([4, 16, 48]);
    expect(Array.from(div(b, a).data)).toEqual([4, 4, 16 / 3].map(Math.fround));
  });

  it('broadcasts a row, a column and numbers on either side', () => {
    const r = add(a23(), b3());
    expect(r.shape).toEqual([2, 3]);
    expect(Array.from(r.data)).toEqual([11, 22, 43, 14, 25, 46]);
    const col = tensor([[1], [2]]);
    const row = tensor([[10, 20, 30]]);
    const m = mul(col, row);
    expect(m.shape).toEqual([2, 3]);
    expect(Array.from(m.data)).toEqual([10, 20, 30, 20, 40, 60]);
    expect(Array.from(sub(2, tensor([1, 5])).data)).toEqual([1, -3]);
    expect(Array.from(sub(tensor([1, 5]), 2).data)).toEqual([-1, 3]);
    expect(Array.from(div(1, tensor([2, 4])).data)).toEqual([0.5, 0.25]);
    expect(Array.from(mul(tensor([1, 5]), 3).data)).toEqual([3, 15]);
    const s = add(tensor(1), tensor([[1, 2]])); // 0-d + [1, 2]
    expect(s.shape).toEqual([1, 2]);
    expect(Array.from(s.data)).toEqual([2, 3]);
  });

  it('follows IEEE for division by zero', () => {
    const q = div(tensor([1, -1, 0]), tensor([0, 0, 0]));
    expect(q.data[0]).toBe(Infinity);
    expect(q.data[1]).toBe(-Infinity);
    expect(Number.isNaN(q.data[2])).toBe(true);
  });
});

describe('binary ops: gradients by hand', () => {
  it('sums broadcast gradients back to the operand shape', () => {
    const a = a23();
    const b = b3();
    sum(mul(a, b)).backward();
    expect(Array.from(a.grad!.data)).toEqual([10, 20, 40, 10, 20, 40]);
    expect(Array.from(b.grad!.data)).toEqual([5, 7, 9]); // column sums of a
  });

  it('gives sub −1 and div −a/b² for the second operand', () => {
    const a = a23();
    const b = b3();
    sum(sub(a, b)).backward();
    expect(Array.from(b.grad!.data)).toEqual([-2, -2, -2]);
    expect(Array.from(a.grad!.data)).toEqual([1, 1, 1, 1, 1, 1]);
    const x = tensor([2, 3], undefined, { requiresGrad: true });
    const y = tensor([4, 5], undefined, { requiresGrad: true });
    sum(div(x, y)).backward();
    expectAllClose(x.grad!.data, [1 / 4, 1 / 5]);
    expectAllClose(y.grad!.data, [-2 / 16, -3 / 25]);
  });

  it('gives no gradient to operands without requiresGrad, and records nothing when none needs one', () => {
    const a = a23();
    const c = tensor([1, 2, 3]);
    sum(add(a, c)).backward();
    expect(c.grad).toBeNull();
    expect(a.grad).not.toBeNull();
    const r = add(tensor([1]), tensor([2]));
    expect(r.requiresGrad).toBe(false);
    expect(r.gradFn).toBeNull();
  });
});

describe('binary ops: gradcheck', () => {
  const cases: [string, number[], number[]][] = [
    ['same [1]', [1], [1]],
    ['same [3]', [3], [3]],
    ['same [17]', [17], [17]],
    ['row [3,17]+[17]', [3, 17], [17]],
    ['outer [3,1]x[1,17]', [3, 1], [1, 17]],
    ['scalar [17]x[]', [17], []],
    ['lead [1,3]x[17,1,1]', [1, 3], [17, 1, 1]],
  ];
  for (const [name, sa, sb] of cases) {
    it(name, () => {
      const a = rand(sa, 1, { minAbs: 0.5 });
      const b = rand(sb, 2, { minAbs: 0.5 });
      gradcheck(() => add(a, b), [a, b]);
      gradcheck(() => sub(a, b), [a, b]);
      gradcheck(() => mul(a, b), [a, b]);
      gradcheck(() => div(a, b), [a, b]);
    });
  }
  it('with a number operand', () => {
    const a = rand([17], 3);
    gradcheck(() => mul(a, 3), [a]);
    gradcheck(() => sub(2, a), [a]);
    gradcheck(() => div(a, 0.5), [a]);
  });
});

describe('unary ops', () => {
  it('computes neg, exp, log', () => {
    expect(Array.from(neg(tensor([1, -2, 0])).data)).toEqual([-1, 2, -0]);
    expectAllClose(exp(tensor([0, 1, -2])).data, [1, Math.E, Math.exp(-2)]);
    expectAllClose(log(tensor([1, Math.E, 10])).data, [0, 1, Math.log(10)]);
    const edge = log(tensor([0, -1]));
    expect(edge.data[0]).toBe(-Infinity);
    expect(Number.isNaN(edge.data[1])).toBe(true);
  });

  it('has the derivatives by hand: −1, eˣ, 1/x', () => {
    const x = tensor([0.5, 2], undefined, { requiresGrad: true });
    sum(exp(x)).backward();
    expectAllClose(x.grad!.data, [Math.exp(0.5), Math.exp(2)]);
    x.grad = null;
    sum(log(x)).backward();
    expectAllClose(x.grad!.data, [2, 0.5]);
    x.grad = null;
    sum(neg(x)).backward();
    expect(Array.from(x.grad!.data)).toEqual([-1, -1]);
  });

  for (const n of [1, 3, 17]) {
    it(`gradcheck on [${n}]`, () => {
      const x = rand([n], 10 + n);
      const pos = rand([n], 20 + n, { scale: 0.5, offset: 1 }); // in [0.5, 1.5]
      gradcheck(() => neg(x), [x]);
      gradcheck(() => exp(x), [x]);
      gradcheck(() => log(pos), [pos]);
    });
  }
});

describe('elementwise errors', () => {
  it('names the bad operand', () => {
    expect(() => add(tensor([1]), 'x' as never)).toThrow(TypeError);
    expect(() => add(tensor([1]), 'x' as never)).toThrow(/b must be a Tensor, got "x"/);
    expect(() => mul(null as never, tensor([1]))).toThrow(/a must be a Tensor, got null/);
    expect(() => add(1 as never, 2 as never)).toThrow(/a must be a Tensor \(add needs at least one Tensor operand\)/);
    expect(() => exp(new Float32Array(2) as never)).toThrow(/x must be a Tensor, got Float32Array\(2\)/);
    expect(() => neg(undefined as never)).toThrow(TypeError);
    expect(() => log({} as never)).toThrow(/x must be a Tensor/);
  });

  it('names both shapes when they do not broadcast', () => {
    const a = tensor(new Float32Array(6), [2, 3]);
    const b = tensor(new Float32Array(6), [3, 2]);
    expect(() => add(a, b)).toThrow(RangeError);
    expect(() => add(a, b)).toThrow(/add: the shapes of a and b must be broadcastable, got \[2, 3\] and \[3, 2\]/);
    expect(() => div(a, tensor([1, 2]))).toThrow(/div: .*\[2, 3\] and \[2\]/);
  });
});
