/** tanh/sigmoid/relu (lib/tensor/ops/activations.ts): float64 formulas, saturation, relu'(0), gradcheck, errors. */
import { expect, it } from 'vitest';
import { tensor } from '../../lib/tensor/tensor.js';
import { relu, sigmoid, tanh } from '../../lib/tensor/ops/activations.js';
import { sum } from '../../lib/tensor/ops/reduce.js';
import { expectAllClose } from '../helpers/close.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { describeEachBackend } from '../helpers/backends.js';
import { rand } from './inputs.js';

const xs = [-3, -1, -0.25, 0, 0.5, 2, 4];

describeEachBackend('activations', () => {
  it('tanh and sigmoid match their float64 formulas', () => {
    expectAllClose(tanh(tensor(xs)).data, xs.map(Math.tanh));
    expectAllClose(sigmoid(tensor(xs)).data, xs.map((v) => 1 / (1 + Math.exp(-v))));
  });

  it('saturate without NaN at extreme inputs', () => {
    const big = [-1000, -100, 100, 1000];
    expect(Array.from(tanh(tensor(big)).data)).toEqual([-1, -1, 1, 1]);
    const s = sigmoid(tensor(big)).data;
    expectAllClose(s, [0, 0, 1, 1]);
    expect(Array.from(s).every(Number.isFinite)).toBe(true);
  });

  it('relu clamps at zero and keeps NaN', () => {
    expect(Array.from(relu(tensor([-2, -0.5, 0, 0.5, 3])).data)).toEqual([0, 0, 0, 0.5, 3]);
    expect(Number.isNaN(relu(tensor([NaN])).data[0])).toBe(true);
  });

  it('has the derivatives by hand (1 − y², y(1 − y), relu′(0) = 0)', () => {
    const x = tensor(xs, undefined, { requiresGrad: true });
    sum(tanh(x)).backward();
    expectAllClose(x.grad!.data, xs.map((v) => 1 - Math.tanh(v) ** 2));
    x.grad = null;
    sum(sigmoid(x)).backward();
    expectAllClose(x.grad!.data, xs.map((v) => { const s = 1 / (1 + Math.exp(-v)); return s * (1 - s); }));
    x.grad = null;
    sum(relu(x)).backward();
    expect(Array.from(x.grad!.data)).toEqual([0, 0, 0, 0, 1, 1, 1]);
  });

  for (const n of [1, 3, 17]) {
    it(`gradcheck on [${n}] and [${n}, 3]`, () => {
      const x = rand([n], 100 + n, { scale: 2 });
      const m = rand([n, 3], 200 + n, { scale: 2, minAbs: 0.05 }); // relu: stay off the kink
      gradcheck(() => tanh(x), [x]);
      gradcheck(() => sigmoid(x), [x]);
      gradcheck(() => relu(m), [m]);
      gradcheck(() => tanh(m), [m]);
    });
  }

  it('keeps the shape, including 0-d and empty tensors', () => {
    expect(tanh(tensor(0.5)).shape).toEqual([]);
    expect(sigmoid(tensor(new Float32Array(0), [0, 3])).shape).toEqual([0, 3]);
  });

  it('rejects a non-tensor, naming x', () => {
    expect(() => tanh([1, 2] as never)).toThrow(TypeError);
    expect(() => tanh([1, 2] as never)).toThrow(/x must be a Tensor, got \[1,2\]/);
    expect(() => sigmoid(null as never)).toThrow(/x must be a Tensor, got null/);
    expect(() => relu(3 as never)).toThrow(/x must be a Tensor, got 3/);
  });
});
