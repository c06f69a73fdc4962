/** embedding/gather (lib/tensor/ops/gather.ts): hand values, scatter-add backward, paddingIdx, gradcheck, errors. */
import { describe, expect, it } from 'vitest';
import { tensor } from '../../lib/tensor/tensor.js';
import { embedding, gather } from '../../lib/tensor/ops/gather.js';
import { mul } from '../../lib/tensor/ops/elementwise.js';
import { sum } from '../../lib/tensor/ops/reduce.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { rand } from './inputs.js';

// weight[v, d] = 10·v + d, V = 4, D = 2
const table = () => tensor([[0, 1], [10, 11], [20, 21], [30, 31]], undefined, { requiresGrad: true });

describe('embedding', () => {
  it('picks rows for any index shape and index type', () => {
    const w = table();
    const e = embedding(w, [[3, 0, 1], [1, 1, 2]]);
    expect(e.shape).toEqual([2, 3, 2]);
    expect(Array.from(e.data)).toEqual([30, 31, 0, 1, 10, 11, 10, 11, 10, 11, 20, 21]);
    expect(Array.from(embedding(w, Int32Array.from([2, 0])).data)).toEqual([20, 21, 0, 1]);
    expect(embedding(w, Int32Array.from([2, 0, 1, 3]), null, [2, 2]).shape).toEqual([2, 2, 2]);
    expect(Array.from(embedding(w, tensor([[1], [3]])).data)).toEqual([10, 11, 30, 31]);
    expect(embedding(w, tensor(2)).shape).toEqual([2]);
  });

  it('scatter-adds the gradient, repeated indices accumulating', () => {
    const w = table();
    const g = tensor([[1, 2], [3, 4], [5, 6]]);
    sum(mul(embedding(w, [1, 1, 3]), g)).backward();
    expect(Array.from(w.grad!.data)).toEqual([0, 0, 4, 6, 0, 0, 5, 6]);
  });

  it('gives the padding row no gradient (negative paddingIdx counts from the end)', () => {
    const w = table();
    const g = tensor([[1, 2], [3, 4], [5, 6]]);
    sum(mul(embedding(w, [1, 3, 0], 3), g)).backward();
    expect(Array.from(w.grad!.data)).toEqual([5, 6, 1, 2, 0, 0, 0, 0]);
    const w2 = table();
    sum(mul(embedding(w2, [1, 3, 0], -1), g)).backward();
    expect(Array.from(w2.grad!.data)).toEqual([5, 6, 1, 2, 0, 0, 0, 0]);
    // the padding row is still read in forward (its values are whatever the table holds)
    expect(Array.from(embedding(w2, [3], 3).data)).toEqual([30, 31]);
  });

  it('copies Int32Array indices, so reusing the buffer before backward is safe', () => {
    const w = table();
    const buffer = Int32Array.from([2, 2]);
    const e = embedding(w, buffer);
    buffer.fill(0); // a loader refilling its batch buffer
    sum(e).backward();
    expect(Array.from(w.grad!.data)).toEqual([0, 0, 0, 0, 2, 2, 0, 0]);
  });

  for (const [V, D] of [[1, 1], [3, 17], [17, 3]] as const) {
    it(`gradcheck V=${V} D=${D}`, () => {
      const w = rand([V, D], V + D);
      const idx = Array.from({ length: 5 }, (_, i) => (i * 7) % V);
      gradcheck(() => embedding(w, idx), [w]);
      gradcheck(() => embedding(w, [idx, idx.slice().reverse()]), [w]);
      // paddingIdx drops that row's gradient on purpose (finite differences would see it), so
      // check the other rows with a padding row that is never looked up.
      if (V > 1) gradcheck(() => embedding(w, idx.map((v) => (v === V - 1 ? 0 : v)), V - 1), [w]);
    });
  }

  it('rejects bad indices and paddingIdx, naming them', () => {
    const w = table();
    expect(() => embedding(w, [0, 4])).toThrow(RangeError);
    expect(() => embedding(w, [0, 4])).toThrow(/indices must be in \[0, 3\] \(weight has 4 rows\), got 4 at flat index 1/);
    expect(() => embedding(w, Int32Array.from([-1]))).toThrow(/indices must be in \[0, 3\].*got -1/);
    expect(() => embedding(w, tensor([0.5]))).toThrow(/indices must hold integer values, got 0.5 at flat index 0/);
    expect(() => embedding(w, [1.5])).toThrow(/indices must hold integer values/);
    expect(() => embedding(w, ['a'] as never)).toThrow(TypeError);
    expect(() => embedding(w, 'abc' as never)).toThrow(/indices must be a Tensor of integer values, an Int32Array or an array of integers/);
    expect(() => embedding(w, [[1, 2], [3]])).toThrow(/indices must be a rectangular nested array of integers/);
    expect(() => embedding(w, [1, 2, 3], undefined, [2, 2])).toThrow(/indices must have 4 elements to fit shape \[2, 2\], got 3/);
    expect(() => embedding(w, [1], 4)).toThrow(/paddingIdx must be an integer in \[-4, 3\], got 4/);
    expect(() => embedding(w, [1], '0' as never)).toThrow(/paddingIdx must be an integer/);
    expect(() => embedding(tensor([1, 2]), [0])).toThrow(/weight must have shape \[numEmbeddings, embeddingDim\], got \[2\]/);
    expect(() => embedding([[1]] as never, [0])).toThrow(/weight must be a Tensor/);
  });
});

describe('gather', () => {
  it('matches torch.gather\'s documented example', () => {
    const t = tensor([[1, 2], [3, 4]]);
    const g1 = gather(t, 1, [[0, 0], [1, 0]]);
    expect(g1.shape).toEqual([2, 2]);
    expect(Array.from(g1.data)).toEqual([1, 1, 4, 3]);
    const g0 = gather(t, 0, [[1, 0]]); // out[0, j] = t[index[0, j], j]
    expect(g0.shape).toEqual([1, 2]);
    expect(Array.from(g0.data)).toEqual([3, 2]);
    const g3 = gather(t, -1, tensor([[1], [0]])); // index narrower than x along dim
    expect(Array.from(g3.data)).toEqual([2, 3]);
  });

  it('scatter-adds the gradient', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]], undefined, { requiresGrad: true });
    sum(mul(gather(x, 1, [[2, 2, 0], [1, 1, 1]]), tensor([[1, 2, 3], [4, 5, 6]]))).backward();
    expect(Array.from(x.grad!.data)).toEqual([3, 0, 3, 0, 15, 0]);
  });

  it('gradcheck on odd sizes', () => {
    const x = rand([3, 17], 31);
    const idx = Array.from({ length: 3 }, (_, i) => Array.from({ length: 5 }, (_, j) => (i * 5 + j * 3) % 17));
    gradcheck(() => gather(x, 1, idx), [x]);
    const y = rand([3, 1, 17], 32);
    const idx0 = [[[2, 0, 1, 1, 0, 2, 2, 2, 0, 1, 0, 0, 1, 2, 2, 1, 0]]];
    gradcheck(() => gather(y, 0, idx0), [y]);
  });

  it('rejects bad index, naming it', () => {
    const t = tensor([[1, 2], [3, 4]]);
    expect(() => gather(t, 1, [[0, 2]])).toThrow(RangeError);
    expect(() => gather(t, 1, [[0, 2]])).toThrow(/index must be in \[0, 1\] \(x has 2 along dim 1\), got 2 at flat index 1/);
    expect(() => gather(t, 1, [0, 1])).toThrow(/index must have 2 dimensions no larger than x \[2, 2\] except along dim 1, got shape \[2\]/);
    expect(() => gather(t, 1, [[0], [0], [0]])).toThrow(/index must have 2 dimensions no larger/);
    expect(() => gather(t, 2, [[0]])).toThrow(/dim must be an integer in \[-2, 1\], got 2/);
    expect(() => gather(t, 0, tensor([[0.5]]))).toThrow(/index must hold integer values/);
  });
});
