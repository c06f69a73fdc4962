/** Sequential: children named by index, forward chains them (hand-computed), argument checks. */
import { describe, expect, it } from 'vitest';
import { Dropout, Linear, Module, Sequential, Tensor, tensor } from '../../lib/index.js';

class Double extends Module {
  forward(x: Tensor): Tensor {
    return x.mul(2);
  }
}

describe('Sequential', () => {
  it('feeds each child the previous output: ((x·W1ᵀ + b1)·2)·W2ᵀ + b2', () => {
    const first = new Linear({ inFeatures: 2, outFeatures: 2 });
    first.loadStateDict({ weight: [1, 0, 1, 1], bias: [0, 1] });
    const second = new Linear({ inFeatures: 2, outFeatures: 1, bias: false });
    second.loadStateDict({ weight: [1, -1] });
    const seq = new Sequential(first, new Double(), new Dropout({ p: 0.5 }), second).eval();
    // x = [3, 4]: first → [3, 8], double → [6, 16], dropout (eval) → same, second → 6 − 16 = −10.
    const y = seq.forward(tensor([[3, 4]])) as Tensor;
    expect(y.toArray()).toEqual([[-10]]);
    expect(seq.namedChildren().map(([n]) => n)).toEqual(['0', '1', '2', '3']);
    expect(seq.at(-1)).toBe(second);
    expect(seq.length).toBe(4);
  });

  it('gradients flow through every child', () => {
    const a = new Linear({ inFeatures: 1, outFeatures: 1 });
    const b = new Linear({ inFeatures: 1, outFeatures: 1 });
    a.loadStateDict({ weight: [2], bias: [1] });
    b.loadStateDict({ weight: [3], bias: [0] });
    (new Sequential(a, b).forward(tensor([[5]])) as Tensor).sum().backward();
    // y = 3·(2·5 + 1): dy/dWa = 3·5, dy/dba = 3, dy/dWb = 11, dy/dbb = 1.
    expect([a.weight.grad!.data[0], a.bias!.grad!.data[0], b.weight.grad!.data[0], b.bias!.grad!.data[0]]).toEqual([15, 3, 11, 1]);
  });

  it('only takes modules', () => {
    expect(() => new Sequential(new Double(), {} as Module)).toThrow(/modules\[1\] must be a Module, got object/);
  });
});
