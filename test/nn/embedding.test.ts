/** Embedding: lookup by hand, padding row, gradcheck w.r.t. the table, options. */
import { describe, expect, it } from 'vitest';
import { Embedding, tensor } from '../../lib/index.js';
import { Rng } from '../../lib/data/rng.js';
import { describeEachBackend } from '../helpers/backends.js';
import { gradcheck } from '../helpers/gradcheck.js';

describeEachBackend('Embedding', () => {
  it('rows of the table by index; shape [...S, D]', () => {
    const emb = new Embedding({ numEmbeddings: 3, embeddingDim: 2 });
    emb.loadStateDict({ weight: [0, 1, 10, 11, 20, 21] });
    const y = emb.forward([[2, 0], [1, 1]]);
    expect(y.shape).toEqual([2, 2, 2]);
    expect(y.toArray()).toEqual([[[20, 21], [0, 1]], [[10, 11], [10, 11]]]);
    expect(Array.from(emb.forward(new Int32Array([1, 2, 0, 0]), [2, 2]).data)).toEqual([10, 11, 20, 21, 0, 1, 0, 1]);
  });

  it('the padding row receives no gradient; others accumulate per occurrence', () => {
    const emb = new Embedding({ numEmbeddings: 3, embeddingDim: 2, paddingIdx: 0 });
    expect(Array.from(emb.weight.data.subarray(0, 2))).toEqual([0, 0]);
    emb.forward([0, 2, 2, 0]).sum().backward();
    expect(Array.from(emb.weight.grad!.data)).toEqual([0, 0, 0, 0, 2, 2]);
  });

  for (const [V, D, n] of [[1, 1, 1], [3, 3, 5], [5, 1, 3]] as const) {
    it(`gradcheck V=${V} D=${D} indices=${n}`, () => {
      const rng = new Rng(V * 10 + D);
      const emb = new Embedding({ numEmbeddings: V, embeddingDim: D, rng });
      const indices = Array.from({ length: n }, () => rng.int(V));
      gradcheck(() => emb.forward(indices), emb.parameters());
    });
  }
});

describe('Embedding arguments', () => {
  it('checks options and indices', () => {
    expect(() => new Embedding({ numEmbeddings: 3, embeddingDim: 0 })).toThrow(/embeddingDim must be a positive integer, got 0/);
    expect(() => new Embedding({ numEmbeddings: 3, embeddingDim: 2, paddingIdx: 3 })).toThrow(/paddingIdx must be an integer in \[-3, 2\], got 3/);
    expect(() => new Embedding({ numEmbeddings: 3, embeddingDim: 2, padding: 0 } as never)).toThrow(/unknown option "padding"/);
    const emb = new Embedding({ numEmbeddings: 3, embeddingDim: 2 });
    expect(() => emb.forward([3])).toThrow(/indices must be in \[0, 2\]/);
    expect(() => emb.forward(tensor([0.5]))).toThrow(/indices must hold integer values/);
  });
});
