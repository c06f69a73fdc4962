/** matmul/linear (lib/tensor/ops/matmul.ts): hand values, a float64 loop reference for batches, gradcheck, errors. */
import { expect, it } from 'vitest';
import { Tensor, tensor } from '../../lib/tensor/tensor.js';
import { linear, matmul } from '../../lib/tensor/ops/matmul.js';
import { sum } from '../../lib/tensor/ops/reduce.js';
import { expectAllClose } from '../helpers/close.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { describeEachBackend } from '../helpers/backends.js';
import { rand } from './inputs.js';

/** Float64 reference: a [..., M, K] @ b [..., K, N] with broadcast batch dims given explicitly. */
function referenceBatched(a: Tensor, b: Tensor, M: number, K: number, N: number, aBatchOf: (t: number) => number, bBatchOf: (t: number) => number, batch: number): number[] {
  const out: number[] = [];
  for (let t = 0; t < batch; t++) {
    const ao = aBatchOf(t) * M * K;
    const bo = bBatchOf(t) * K * N;
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += a.data[ao + m * K + k]! * b.data[bo + k * N + n]!;
        out.push(s);
      }
    }
  }
  return out;
}

describeEachBackend('matmul', () => {
  it('multiplies 2-D matrices', () => {
    const a = tensor([[1, 2, 3], [4, 5, 6]]);
    const b = tensor([[7, 8], [9, 10], [11, 12]]);
    const c = matmul(a, b);
    expect(c.shape).toEqual([2, 2]);
    expect(Array.from(c.data)).toEqual([58, 64, 139, 154]);
  });

  it('handles 1-D operands like torch.matmul', () => {
    const v = tensor([1, 2, 3]);
    const m = tensor([[1, 0], [0, 1], [1, 1]]);
    const dot = matmul(v, tensor([4, 5, 6]));
    expect(dot.shape).toEqual([]);
    expect(dot.item()).toBe(32);
    const vm = matmul(v, m);
    expect(vm.shape).toEqual([2]);
    expect(Array.from(vm.data)).toEqual([4, 5]);
    const mv = matmul(tensor([[1, 2, 3], [0, 1, 0]]), v);
    expect(mv.shape).toEqual([2]);
    expect(Array.from(mv.data)).toEqual([14, 2]);
    const bv = matmul(tensor(Float32Array.from([1, 2, 3, 0, 1, 0, 1, 1, 1, 2, 0, 0]), [2, 2, 3]), v);
    expect(bv.shape).toEqual([2, 2]);
    expect(Array.from(bv.data)).toEqual([14, 2, 6, 2]);
  });

  it('folds batch dims into rows when b is 2-D', () => {
    const a = rand([2, 3, 17], 1);
    const b = rand([17, 3], 2);
    const c = matmul(a, b);
    expect(c.shape).toEqual([2, 3, 3]);
    expectAllClose(c.data, referenceBatched(a, b, 3, 17, 3, (t) => t, () => 0, 2));
  });

  it('broadcasts batch dims: [2, 1, 3, 4] @ [3, 4, 5] → [2, 3, 3, 5]', () => {
    const a = rand([2, 1, 3, 4], 3);
    const b = rand([3, 4, 5], 4);
    const c = matmul(a, b);
    expect(c.shape).toEqual([2, 3, 3, 5]);
    // result batch t = (i, j): a batch i, b batch j
    expectAllClose(c.data, referenceBatched(a, b, 3, 4, 5, (t) => Math.floor(t / 3), (t) => t % 3, 6));
  });

  it('a 2-D a against a batched b: [3, 4] @ [2, 4, 5]', () => {
    const a = rand([3, 4], 5);
    const b = rand([2, 4, 5], 6);
    const c = matmul(a, b);
    expect(c.shape).toEqual([2, 3, 5]);
    expectAllClose(c.data, referenceBatched(a, b, 3, 4, 5, () => 0, (t) => t, 2));
  });

  it('has the gradients by hand: dA = G Bᵀ, dB = Aᵀ G', () => {
    const a = tensor([[1, 2], [3, 4]], undefined, { requiresGrad: true });
    const b = tensor([[5, 6], [7, 8]], undefined, { requiresGrad: true });
    sum(matmul(a, b)).backward(); // G = ones
    expect(Array.from(a.grad!.data)).toEqual([11, 15, 11, 15]); // row sums of b
    expect(Array.from(b.grad!.data)).toEqual([4, 4, 6, 6]); // column sums of a
  });

  it('gives zeros for K = 0 and empty results for M = 0', () => {
    const c = matmul(tensor(new Float32Array(0), [2, 0]), tensor(new Float32Array(0), [0, 3]));
    expect(c.shape).toEqual([2, 3]);
    expect(Array.from(c.data)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(matmul(tensor(new Float32Array(0), [0, 3]), rand([3, 2], 1)).shape).toEqual([0, 2]);
  });

  const gradCases: [number[], number[]][] = [
    [[1, 1], [1, 1]],
    [[3, 17], [17, 1]],
    [[17, 3], [3, 3]],
    [[2, 3, 17], [17, 3]],
    [[2, 1, 3, 3], [3, 3, 1]],
    [[3, 1], [2, 1, 17]],
    [[3], [3, 17]],
    [[17, 3], [3]],
    [[17], [17]],
  ];
  for (const [sa, sb] of gradCases) {
    it(`gradcheck [${sa}] @ [${sb}]`, () => {
      const a = rand(sa, sa.length + 11);
      const b = rand(sb, sb.length + 13);
      gradcheck(() => matmul(a, b), [a, b]);
    });
  }

  it('computes only the gradients that are needed', () => {
    const a = rand([3, 3], 1);
    const b = rand([3, 3], 2, { requiresGrad: false });
    sum(matmul(a, b)).backward();
    expect(b.grad).toBeNull();
    expect(a.grad!.shape).toEqual([3, 3]);
  });

  it('rejects bad shapes, naming the argument and both shapes', () => {
    expect(() => matmul(rand([2, 3], 1), rand([4, 5], 2))).toThrow(RangeError);
    expect(() => matmul(rand([2, 3], 1), rand([4, 5], 2))).toThrow(/b must have 3 rows \(the last dimension of a \[2, 3\]\) in its second-to-last dimension, got shape \[4, 5\]/);
    expect(() => matmul(rand([3], 1), rand([4], 2))).toThrow(/b must have 3 rows .* got shape \[4\]/);
    expect(() => matmul(tensor(1), rand([1, 2], 2))).toThrow(/a must have at least 1 dimension, got shape \[\]/);
    expect(() => matmul(rand([2, 2, 3], 1), rand([3, 3, 2], 2))).toThrow(/batch dimensions of a and b must be broadcastable, got \[2\] and \[3\]/);
    expect(() => matmul(rand([2, 2], 1), [[1]] as never)).toThrow(/b must be a Tensor/);
  });
});

describeEachBackend('linear', () => {
  it('computes x Wᵀ + b with PyTorch\'s [out, in] weight', () => {
    const x = tensor([[1, 2, 3], [0, 1, 0]]);
    const w = tensor([[1, 0, 0], [1, 1, 1]]); // [2, 3]
    const b = tensor([10, 20]);
    const y = linear(x, w, b);
    expect(y.shape).toEqual([2, 2]);
    expect(Array.from(y.data)).toEqual([11, 26, 10, 21]);
    expect(Array.from(linear(x, w).data)).toEqual([1, 6, 0, 1]);
    expect(Array.from(linear(x, w, null).data)).toEqual([1, 6, 0, 1]);
    const v = linear(tensor([1, 2, 3]), w, b);
    expect(v.shape).toEqual([2]);
    expect(Array.from(v.data)).toEqual([11, 26]);
  });

  it('keeps leading dims: [2, 3, 17] → [2, 3, 3]', () => {
    const x = rand([2, 3, 17], 1);
    const w = rand([3, 17], 2);
    const b = rand([3], 3);
    const y = linear(x, w, b);
    expect(y.shape).toEqual([2, 3, 3]);
    const ref: number[] = [];
    for (let r = 0; r < 6; r++) {
      for (let o = 0; o < 3; o++) {
        let s = b.data[o]!;
        for (let i = 0; i < 17; i++) s += x.data[r * 17 + i]! * w.data[o * 17 + i]!;
        ref.push(s);
      }
    }
    expectAllClose(y.data, ref);
  });

  it('has the gradients by hand: dX = G W, dW = Gᵀ X, db = column sums of G', () => {
    const x = tensor([[1, 2], [3, 4]], undefined, { requiresGrad: true });
    const w = tensor([[1, 0], [2, 1], [0, 3]], undefined, { requiresGrad: true }); // [3, 2]
    const b = tensor([0, 0, 0], undefined, { requiresGrad: true });
    linear(x, w, b).backward(tensor([[1, 0, 1], [0, 2, 0]]));
    expect(Array.from(x.grad!.data)).toEqual([1, 3, 4, 2]);
    expect(Array.from(w.grad!.data)).toEqual([1, 2, 6, 8, 1, 2]);
    expect(Array.from(b.grad!.data)).toEqual([1, 2, 1]);
  });

  const cases: [number[], number][] = [[[1, 1], 1], [[3, 17], 3], [[17, 3], 1], [[2, 3, 3], 17], [[3], 3]];
  for (const [xShape, out] of cases) {
    it(`gradcheck x [${xShape}] → ${out}`, () => {
      const inF = xShape[xShape.length - 1]!;
      const x = rand(xShape, 21);
      const w = rand([out, inF], 22);
      const b = rand([out], 23);
      gradcheck(() => linear(x, w, b), [x, w, b]);
      gradcheck(() => linear(x, w), [x, w]);
    });
  }

  it('rejects bad shapes, naming the argument', () => {
    const w = rand([2, 3], 1);
    expect(() => linear(rand([4, 5], 2), w)).toThrow(RangeError);
    expect(() => linear(rand([4, 5], 2), w)).toThrow(/x must have 3 features in its last dimension \(weight is \[2, 3\]\), got shape \[4, 5\]/);
    expect(() => linear(rand([4, 3], 2), rand([3], 1))).toThrow(/weight must have shape \[out, in\], got \[3\]/);
    expect(() => linear(rand([4, 3], 2), w, rand([3], 3))).toThrow(/bias must have shape \[2\], got \[3\]/);
    expect(() => linear(rand([4, 3], 2), w, [1, 2] as never)).toThrow(/bias must be a Tensor/);
    expect(() => linear(tensor(1), w)).toThrow(/x must have at least 1 dimension/);
  });
});
