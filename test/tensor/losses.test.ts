/**
 * crossEntropy/mseLoss/bceWithLogits (lib/tensor/ops/losses.ts): values from the float64 formulas of
 * torch.nn.functional's docs, ignoreIndex, reductions, label smoothing, extreme logits, gradcheck, errors.
 */
import { describe, expect, it } from 'vitest';
import { tensor } from '../../lib/tensor/tensor.js';
import { bceWithLogits, crossEntropy, mseLoss } from '../../lib/tensor/ops/losses.js';
import { expectAllClose } from '../helpers/close.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { describeEachBackend } from '../helpers/backends.js';
import { rand } from './inputs.js';

function logSoftmax64(row: number[]): number[] {
  const m = Math.max(...row);
  const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
  return row.map((v) => v - lse);
}

const logits23 = () => tensor([[1, 2, 3], [1, 1, 1]], undefined, { requiresGrad: true });
const ce0 = -logSoftmax64([1, 2, 3])[2]!; // row 0, target 2
const ce1 = Math.log(3); // row 1, target 0 (uniform)

describeEachBackend('crossEntropy', () => {
  it('reduces by mean, sum or none', () => {
    expectAllClose([crossEntropy(logits23(), [2, 0]).item()], [(ce0 + ce1) / 2]);
    expectAllClose([crossEntropy(logits23(), Int32Array.from([2, 0]), { reduction: 'sum' }).item()], [ce0 + ce1]);
    const none = crossEntropy(logits23(), tensor([2, 0]), { reduction: 'none' });
    expect(none.shape).toEqual([2]);
    expectAllClose(none.data, [ce0, ce1]);
  });

  it('has gradient (softmax − onehot) / count', () => {
    const x = logits23();
    crossEntropy(x, [2, 0]).backward();
    const s0 = logSoftmax64([1, 2, 3]).map(Math.exp);
    expectAllClose(x.grad!.data, [s0[0]! / 2, s0[1]! / 2, (s0[2]! - 1) / 2, (1 / 3 - 1) / 2, 1 / 6, 1 / 6]);
  });

  it('skips ignoreIndex targets in the loss, the count and the gradient', () => {
    const x = logits23();
    const loss = crossEntropy(x, [2, -100]);
    expectAllClose([loss.item()], [ce0]); // mean over the one counted target
    loss.backward();
    expect(Array.from(x.grad!.data.subarray(3))).toEqual([0, 0, 0]);
    expectAllClose([crossEntropy(logits23(), [2, 0], { ignoreIndex: 2 }).item()], [ce1]);
    expectAllClose([crossEntropy(logits23(), [2, -100], { reduction: 'sum' }).item()], [ce0]);
    expectAllClose(crossEntropy(logits23(), [-100, 0], { reduction: 'none' }).data, [0, ce1]);
  });

  it('is NaN with mean reduction when every target is ignored, as torch', () => {
    expect(Number.isNaN(crossEntropy(logits23(), [-100, -100]).item())).toBe(true);
    expect(crossEntropy(logits23(), [-100, -100], { reduction: 'sum' }).item()).toBe(0);
  });

  it('is exact and finite for extreme logits (1000)', () => {
    const x = tensor([[1000, 0], [0, 1000], [1000, 1000]], undefined, { requiresGrad: true });
    const loss = crossEntropy(x, [0, 0, 1], { reduction: 'none' });
    expectAllClose(loss.data, [0, 1000, Math.log(2)]);
    const mean = crossEntropy(x, [0, 0, 1]);
    expectAllClose([mean.item()], [(1000 + Math.log(2)) / 3]);
    mean.backward();
    expectAllClose(x.grad!.data, [0, 0, -1 / 3, 1 / 3, 1 / 6, -1 / 6]);
  });

  it('takes [N, C, d1] logits with [N, d1] targets (classes along dim 1)', () => {
    // logits[n, c, t] = (n + 1)·c − t·c²
    const N = 2, C = 3, T = 2;
    const data = new Float32Array(N * C * T);
    for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let t = 0; t < T; t++) data[n * C * T + c * T + t] = (n + 1) * c - t * c * c;
    const targets = [[0, 2], [1, -100]];
    const none = crossEntropy(tensor(data, [N, C, T]), targets, { reduction: 'none' });
    expect(none.shape).toEqual([N, T]);
    const expected: number[] = [];
    for (let n = 0; n < N; n++) {
      for (let t = 0; t < T; t++) {
        const target = targets[n]![t]!;
        const row = [0, 1, 2].map((c) => (n + 1) * c - t * c * c);
        expected.push(target === -100 ? 0 : -logSoftmax64(row)[target]!);
      }
    }
    expectAllClose(none.data, expected);
    expectAllClose([crossEntropy(tensor(data, [N, C, T]), targets).item()], [expected.reduce((a, b) => a + b) / 3]);
    // a flat Int32Array is read in [N, d1] order
    expectAllClose(crossEntropy(tensor(data, [N, C, T]), Int32Array.from([0, 2, 1, -100]), { reduction: 'none' }).data, expected);
  });

  it('takes unbatched [C] logits with one target', () => {
    const l = crossEntropy(tensor([1, 2, 3]), 2);
    expect(l.shape).toEqual([]);
    expectAllClose([l.item()], [ce0]);
  });

  it('smooths labels: q = (1 − ε)·onehot + ε/C', () => {
    const eps = 0.2;
    const lp0 = logSoftmax64([1, 2, 3]);
    const lp1 = logSoftmax64([1, 1, 1]);
    const smooth = (lp: number[], t: number) => -(1 - eps) * lp[t]! - (eps / 3) * lp.reduce((a, b) => a + b, 0);
    const x = logits23();
    const loss = crossEntropy(x, [2, 0], { labelSmoothing: eps });
    expectAllClose([loss.item()], [(smooth(lp0, 2) + smooth(lp1, 0)) / 2]);
    loss.backward();
    const q0 = [eps / 3, eps / 3, 1 - eps + eps / 3];
    const q1 = [1 - eps + eps / 3, eps / 3, eps / 3];
    expectAllClose(x.grad!.data, [...lp0.map((v, c) => (Math.exp(v) - q0[c]!) / 2), ...lp1.map((v, c) => (Math.exp(v) - q1[c]!) / 2)]);
  });

  it('gradcheck on odd sizes, every reduction, smoothing and [N, C, d1]', () => {
    const a = rand([3, 17], 41, { scale: 3 });
    gradcheck(() => crossEntropy(a, [16, 0, 5]), [a]);
    gradcheck(() => crossEntropy(a, [16, -100, 5], { reduction: 'sum' }), [a]);
    gradcheck(() => crossEntropy(a, [1, 2, 3], { reduction: 'none', labelSmoothing: 0.1 }), [a]);
    const b = rand([1, 3], 42, { scale: 3 });
    gradcheck(() => crossEntropy(b, [2]), [b]);
    const c = rand([17, 1], 43);
    gradcheck(() => crossEntropy(c, new Array(17).fill(0), { reduction: 'sum' }), [c]); // C = 1: loss 0, grad 0
    const d = rand([3, 3, 5], 44, { scale: 3 });
    const t = [[0, 1, 2, 1, 0], [2, 2, -100, 0, 1], [1, 0, 0, 2, 2]];
    gradcheck(() => crossEntropy(d, t), [d]);
    gradcheck(() => crossEntropy(d, t, { reduction: 'none', labelSmoothing: 0.3 }), [d]);
  });

  it('rejects bad targets and options, naming them', () => {
    const x = logits23();
    expect(() => crossEntropy(x, [3, 0])).toThrow(RangeError);
    expect(() => crossEntropy(x, [3, 0])).toThrow(/targets must be class indices in \[0, 2\] or ignoreIndex \(-100\), got 3 at flat index 0/);
    expect(() => crossEntropy(x, [0, -1])).toThrow(/targets must be class indices .* got -1 at flat index 1/);
    expect(() => crossEntropy(x, [0, 1, 2])).toThrow(/targets must have shape \[2\] to match logits \[2, 3\], got \[3\]/);
    expect(() => crossEntropy(x, tensor([0.5, 1]))).toThrow(/targets must hold integer values, got 0.5 at flat index 0/);
    expect(() => crossEntropy(x, [0, 1], { reduction: 'avg' as never })).toThrow(/reduction must be one of "mean", "sum", "none", got "avg"/);
    expect(() => crossEntropy(x, [0, 1], { labelSmoothing: 1.5 })).toThrow(/labelSmoothing must be a number in \[0, 1\], got 1.5/);
    expect(() => crossEntropy(x, [0, 1], { ignoreIndex: 0.5 })).toThrow(/ignoreIndex must be an integer, got 0.5/);
    expect(() => crossEntropy(x, [0, 1], { weight: 1 } as never)).toThrow(/crossEntropy options has an unknown option "weight"/);
    expect(() => crossEntropy([[1]] as never, [0])).toThrow(/logits must be a Tensor/);
    expect(() => crossEntropy(tensor(1), [0])).toThrow(/logits must have at least 1 dimension/);
  });
});

describe('mseLoss', () => {
  const input = () => tensor([1, 2, 4], undefined, { requiresGrad: true });
  const target = () => tensor([0, 2, 1], undefined, { requiresGrad: true });

  it('reduces squared errors by mean, sum or none', () => {
    expect(mseLoss(input(), target()).item()).toBeCloseTo(10 / 3, 5);
    expect(mseLoss(input(), target(), { reduction: 'sum' }).item()).toBe(10);
    expect(Array.from(mseLoss(input(), target(), { reduction: 'none' }).data)).toEqual([1, 0, 9]);
  });

  it('has gradients ±2(x − t)/n', () => {
    const x = input();
    const t = target();
    mseLoss(x, t).backward();
    expectAllClose(x.grad!.data, [2 / 3, 0, 2]);
    expectAllClose(t.grad!.data, [-2 / 3, 0, -2]);
  });

  it('gradcheck on odd sizes', () => {
    for (const shape of [[1], [3], [17, 3]]) {
      const x = rand(shape, 51);
      const t = rand(shape, 52);
      gradcheck(() => mseLoss(x, t), [x, t]);
      gradcheck(() => mseLoss(x, t, { reduction: 'none' }), [x, t]);
    }
  });

  it('rejects mismatched shapes and bad options, naming them', () => {
    expect(() => mseLoss(input(), tensor([1, 2]))).toThrow(RangeError);
    expect(() => mseLoss(input(), tensor([1, 2]))).toThrow(/target must have the shape of input \[3\], got \[2\]/);
    expect(() => mseLoss(input(), [1, 2, 3] as never)).toThrow(/target must be a Tensor/);
    expect(() => mseLoss(input(), target(), { reduction: 'max' as never })).toThrow(/reduction must be one of/);
    expect(() => mseLoss(input(), target(), 'sum' as never)).toThrow(/options must be an options object, got "sum"/);
  });
});

describe('bceWithLogits', () => {
  const sig = (v: number) => 1 / (1 + Math.exp(-v));
  const bce64 = (x: number, y: number, pw = 1) => -(pw * y * Math.log(sig(x)) + (1 - y) * Math.log(1 - sig(x)));
  const xs = [-2, -0.5, 0, 1.5];
  const ys = [0, 1, 0.3, 1];

  it('matches −[y·log σ(x) + (1 − y)·log(1 − σ(x))]', () => {
    const none = bceWithLogits(tensor(xs), tensor(ys), { reduction: 'none' });
    expectAllClose(none.data, xs.map((x, i) => bce64(x, ys[i]!)));
    const mean = xs.reduce((s, x, i) => s + bce64(x, ys[i]!), 0) / 4;
    expectAllClose([bceWithLogits(tensor(xs), tensor(ys)).item()], [mean]);
    expectAllClose([bceWithLogits(tensor(xs), tensor(ys), { reduction: 'sum' }).item()], [mean * 4]);
  });

  it('stays finite for extreme logits', () => {
    const l = bceWithLogits(tensor([100, -100, 1000, -1000]), tensor([0, 1, 1, 0]), { reduction: 'none' });
    expectAllClose(l.data, [100, 100, 0, 0]);
    const x = tensor([1000, -1000], undefined, { requiresGrad: true });
    bceWithLogits(x, tensor([0, 0]), { reduction: 'sum' }).backward();
    expectAllClose(x.grad!.data, [1, 0]);
  });

  it('weights positives with posWeight (number or broadcast tensor)', () => {
    const x = [[0.5, -1], [2, 0]];
    const y = [[1, 0], [1, 1]];
    const pw = [3, 0.5];
    const expected = [bce64(0.5, 1, 3), bce64(-1, 0, 0.5), bce64(2, 1, 3), bce64(0, 1, 0.5)];
    expectAllClose(bceWithLogits(tensor(x), tensor(y), { reduction: 'none', posWeight: tensor(pw) }).data, expected);
    expectAllClose(bceWithLogits(tensor(x), tensor(y), { reduction: 'none', posWeight: 3 }).data, [bce64(0.5, 1, 3), bce64(-1, 0, 3), bce64(2, 1, 3), bce64(0, 1, 3)]);
  });

  it('has gradient σ(x) − y / n without posWeight', () => {
    const x = tensor(xs, undefined, { requiresGrad: true });
    bceWithLogits(x, tensor(ys)).backward();
    expectAllClose(x.grad!.data, xs.map((v, i) => (sig(v) - ys[i]!) / 4));
  });

  it('gradcheck on odd sizes, for logits and targets, with posWeight', () => {
    for (const shape of [[1], [3], [3, 17]]) {
      const x = rand(shape, 61, { scale: 3 });
      const y = rand(shape, 62, { scale: 0.5, offset: 0.5 }); // in [0, 1]
      gradcheck(() => bceWithLogits(x, y), [x, y]);
      gradcheck(() => bceWithLogits(x, y, { reduction: 'none', posWeight: 2.5 }), [x, y]);
    }
    const x = rand([3, 17], 63, { scale: 3 });
    const y = rand([3, 17], 64, { scale: 0.5, offset: 0.5 });
    const pw = rand([17], 65, { scale: 0.5, offset: 1.5, requiresGrad: false });
    gradcheck(() => bceWithLogits(x, y, { reduction: 'sum', posWeight: pw }), [x, y]);
  });

  it('rejects mismatched shapes and bad options, naming them', () => {
    expect(() => bceWithLogits(tensor([1, 2]), tensor([1]))).toThrow(RangeError);
    expect(() => bceWithLogits(tensor([1, 2]), tensor([1]))).toThrow(/targets must have the shape of logits \[2\], got \[1\]/);
    expect(() => bceWithLogits(tensor([[1, 2]]), tensor([[1, 0]]), { posWeight: tensor([1, 2, 3]) })).toThrow(/posWeight and logits must be broadcastable/);
    expect(() => bceWithLogits(tensor([1, 2]), tensor([1, 0]), { posWeight: tensor([[1], [2]]) })).toThrow(/posWeight must broadcast to the logits' shape \[2\], got \[2, 1\]/);
    expect(() => bceWithLogits(tensor([1, 2]), tensor([1, 0]), { posWeight: 'x' as never })).toThrow(/posWeight must be a Tensor/);
    expect(() => bceWithLogits(tensor([1, 2]), tensor([1, 0]), { reduce: true } as never)).toThrow(/bceWithLogits options has an unknown option "reduce"/);
    expect(() => bceWithLogits(null as never, tensor([1]))).toThrow(/logits must be a Tensor/);
  });
});
