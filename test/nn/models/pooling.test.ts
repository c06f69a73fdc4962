/**
 * poolSteps over the valid steps only, against values worked out by hand on a small [T, B, F]
 * tensor, and the gradient each mode sends back (to the chosen steps only; 1/len for mean; nothing to
 * padded steps).
 */
import { describe, expect, it } from 'vitest';
import { poolSteps, Tensor, tensor } from '../../../lib/index.js';

// out [T = 3, B = 2, F = 2]; row 0 has 3 valid steps, row 1 has 2 (its step 2 is padding: 100s).
//            t=0: b0      b1        t=1: b0      b1        t=2: b0      b1 (pad)
const OUT = [[[1, -4], [2, 7]], [[5, -1], [-3, 0]], [[0, -2], [100, 100]]];
const LENGTHS = [3, 2];

function input(): Tensor {
  return tensor(OUT, undefined, { requiresGrad: true });
}

function gradOf(x: Tensor, pooled: Tensor): number[] {
  pooled.sum().backward();
  return [...x.grad!.data];
}

describe('poolSteps', () => {
  it("'last' takes each row's last valid step", () => {
    const x = input();
    const pooled = poolSteps(x, { mode: 'last', lengths: LENGTHS });
    expect(pooled.shape).toEqual([2, 2]);
    expect([...pooled.data]).toEqual([0, -2, -3, 0]);
    expect(gradOf(x, pooled)).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0]);
  });

  it("'last' of a bidirectional output: forward half at lengths−1, reverse half at step 0", () => {
    const x = input(); // F = 2 = D·H with H = 1: feature 0 forward, feature 1 reverse
    const pooled = poolSteps(x, { mode: 'last', lengths: LENGTHS, numDirections: 2 });
    expect([...pooled.data]).toEqual([0, -4, -3, 7]);
    expect(gradOf(x, pooled)).toEqual([0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 0, 0]);
  });

  it("'mean' averages the valid steps (padding ignored)", () => {
    const x = input();
    const pooled = poolSteps(x, { mode: 'mean', lengths: LENGTHS });
    expect([...pooled.data]).toEqual([(1 + 5 + 0) / 3, (-4 - 1 - 2) / 3, (2 - 3) / 2, (7 + 0) / 2].map(Math.fround));
    const third = Math.fround(1 / 3);
    expect(gradOf(x, pooled)).toEqual([third, third, 0.5, 0.5, third, third, 0.5, 0.5, third, third, 0, 0]);
  });

  it("'max' takes the maximum over the valid steps (padding ignored), gradient to that step", () => {
    const x = input();
    const pooled = poolSteps(x, { mode: 'max', lengths: LENGTHS });
    expect([...pooled.data]).toEqual([5, -1, 2, 7]);
    expect(gradOf(x, pooled)).toEqual([0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
  });

  it('without lengths every step counts', () => {
    expect([...poolSteps(tensor(OUT), { mode: 'max' }).data]).toEqual([5, -1, 100, 100]);
    expect([...poolSteps(tensor(OUT)).data]).toEqual([0, -2, 100, 100]);
  });

  it('rejects bad input', () => {
    expect(() => poolSteps(tensor([1, 2]))).toThrow(/out must be a 3-D tensor \[T, B, F\]/);
    expect(() => poolSteps(tensor(OUT), { mode: 'min' as never })).toThrow(/mode must be one of "last", "mean", "max", got "min"/);
    expect(() => poolSteps(tensor(OUT), { lengths: [4, 1] })).toThrow(/lengths\[0\] must be an integer in \[1, 3\]/);
  });
});
