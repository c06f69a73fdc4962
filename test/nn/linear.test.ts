/** Linear: hand-computed forward, gradcheck, options and input checks. */
import { describe, expect, it } from 'vitest';
import { Linear, tensor } from '../../lib/index.js';
import { Rng } from '../../lib/data/rng.js';
import { describeEachBackend } from '../helpers/backends.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { randomData } from '../helpers/shapes.js';

describeEachBackend('Linear', () => {
  it('y = x Wᵀ + b over the last dimension (hand-computed)', () => {
    const lin = new Linear({ inFeatures: 2, outFeatures: 3 });
    lin.loadStateDict({ weight: [1, 2, 3, 4, 5, 6], bias: [0.5, -1, 2] });
    const y = lin.forward(tensor([[[1, 1]], [[2, -1]]])); // [2, 1, 2]
    expect(y.shape).toEqual([2, 1, 3]);
    expect(y.toArray()).toEqual([[[3.5, 6, 13]], [[0.5, 1, 6]]]);
  });

  it('without bias', () => {
    const lin = new Linear({ inFeatures: 2, outFeatures: 1, bias: false });
    expect(lin.bias).toBeNull();
    expect(lin.namedParameters().map(([n]) => n)).toEqual(['weight']);
    lin.loadStateDict({ weight: [2, 3] });
    expect(Array.from(lin.forward(tensor([[1, 1], [0, 1]])).data)).toEqual([5, 3]);
  });

  for (const [inF, outF, rows, bias] of [[1, 1, 1, true], [3, 1, 3, true], [1, 3, 3, false], [3, 3, 1, true]] as const) {
    it(`gradcheck in=${inF} out=${outF} rows=${rows} bias=${bias}`, () => {
      const lin = new Linear({ inFeatures: inF, outFeatures: outF, bias, rng: new Rng(inF + outF) });
      const x = tensor(randomData(new Rng(rows), rows * inF), [rows, inF], { requiresGrad: true });
      gradcheck(() => lin.forward(x), [x, ...lin.parameters()]);
    });
  }
});

describe('Linear arguments', () => {
  it('checks options and x', () => {
    expect(() => new Linear({ inFeatures: 0, outFeatures: 1 })).toThrow(/inFeatures must be a positive integer, got 0/);
    expect(() => new Linear({ inFeatures: 1, outFeatures: 1, bais: true } as never)).toThrow(/unknown option "bais"/);
    const lin = new Linear({ inFeatures: 2, outFeatures: 1 });
    expect(() => lin.forward(tensor([1, 2, 3]))).toThrow(/x must be a tensor whose last dimension is inFeatures = 2, got Tensor of shape \[3\]/);
    expect(() => lin.forward([1, 2] as never)).toThrow(TypeError);
  });
});
