/**
 * SequenceClassifier: shapes and names; padded steps change nothing (a padded row's logits equal the
 * same row run alone, unpadded, and ignore what the padding holds) for every pooling, one- and
 * two-directional; raw feature input; gradcheck on tiny sizes; bad input.
 */
import { describe, expect, it } from 'vitest';
import { SequenceClassifier, Tensor, tensor } from '../../../lib/index.js';
import { Rng } from '../../../lib/data/rng.js';
import { gradcheck } from '../../helpers/gradcheck.js';
import { expectClose } from '../../helpers/close.js';
import { randomData } from '../../helpers/shapes.js';

describe('SequenceClassifier', () => {
  it('token input: logits [B, C], PyTorch-style names', () => {
    const model = new SequenceClassifier({ vocabSize: 10, embeddingDim: 3, hiddenSize: 4, numClasses: 5, bidirectional: true, rng: new Rng(1) });
    const logits = model.forward(tensor([[1, 2], [3, 0], [4, 0]]), { lengths: [3, 1] });
    expect(logits.shape).toEqual([2, 5]);
    expect(model.namedParameters().map(([n]) => n)).toEqual([
      'embedding.weight',
      'encoder.weight_ih_l0', 'encoder.weight_hh_l0', 'encoder.bias_ih_l0', 'encoder.bias_hh_l0',
      'encoder.weight_ih_l0_reverse', 'encoder.weight_hh_l0_reverse', 'encoder.bias_ih_l0_reverse', 'encoder.bias_hh_l0_reverse',
      'classifier.weight', 'classifier.bias',
    ]);
    expect(model.classifier.weight.shape).toEqual([5, 8]);
  });

  for (const pooling of ['last', 'mean', 'max'] as const) {
    for (const bidirectional of [false, true]) {
      it(`pooling '${pooling}'${bidirectional ? ' bidirectional' : ''} ignores padded steps`, () => {
        const model = new SequenceClassifier({
          vocabSize: 9, embeddingDim: 3, hiddenSize: 4, numClasses: 3, numLayers: 2, cell: 'gru', bidirectional, pooling, rng: new Rng(2),
        });
        // Row 1 has 2 valid steps of 4; fill its padding with two different junk tokens.
        const rows = (junk: number): Tensor => tensor([[1, 5], [2, 6], [3, junk], [4, junk]]);
        const a = model.forward(rows(7), { lengths: [4, 2] });
        const b = model.forward(rows(8), { lengths: [4, 2] });
        expect([...a.data]).toEqual([...b.data]);
        const alone = model.forward(tensor([[5], [6]]));
        expectClose(a.data.slice(3, 6), alone.data, 'row 1 padded vs alone');
      });
    }
  }

  it('raw features [T, B, I] instead of token ids', () => {
    const model = new SequenceClassifier({ inputSize: 6, hiddenSize: 4, numClasses: 2, pooling: 'mean', cell: 'rnn', rng: new Rng(3) });
    expect(model.embedding).toBeNull();
    const x = new Tensor(randomData(new Rng(4), 5 * 3 * 6), [5, 3, 6]);
    expect(model.forward(x, { lengths: [5, 2, 1] }).shape).toEqual([3, 2]);
    expect(model.namedParameters()[0]![0]).toBe('encoder.weight_ih_l0');
  });

  for (const pooling of ['last', 'mean', 'max'] as const) {
    it(`gradcheck, pooling '${pooling}', bidirectional, lengths`, () => {
      const model = new SequenceClassifier({
        inputSize: 2, hiddenSize: 3, numClasses: 3, bidirectional: true, pooling, rng: new Rng(5),
      });
      const x = new Tensor(randomData(new Rng(6), 4 * 3 * 2), [4, 3, 2], { requiresGrad: true });
      // 'max' has kinks where two steps tie; a smaller step keeps the differences on one side of them.
      const eps = pooling === 'max' ? 2e-3 : undefined;
      gradcheck(() => model.forward(x, { lengths: [4, 2, 3] }), [x, ...model.parameters()], { eps });
    });
  }

  it('gradcheck with token input (embedding rows)', () => {
    const model = new SequenceClassifier({ vocabSize: 4, embeddingDim: 2, hiddenSize: 3, numClasses: 2, paddingIdx: 0, rng: new Rng(7) });
    gradcheck(() => model.forward(tensor([[1, 2], [3, 0]]), { lengths: [2, 1] }), model.parameters());
    // The padding row gets no gradient.
    expect([...model.embedding!.weight.grad!.data.slice(0, 2)]).toEqual([0, 0]);
  });

  it('rejects bad options and inputs', () => {
    expect(() => new SequenceClassifier({ hiddenSize: 3, numClasses: 2 })).toThrow(/vocabSize and embeddingDim .* or inputSize .* got neither/);
    expect(() => new SequenceClassifier({ inputSize: 3, vocabSize: 4, embeddingDim: 2, hiddenSize: 3, numClasses: 2 })).toThrow(/got both/);
    expect(() => new SequenceClassifier({ inputSize: 3, hiddenSize: 3, numClasses: 2, pooling: 'sum' as never })).toThrow(/pooling must be one of/);
    const model = new SequenceClassifier({ inputSize: 3, hiddenSize: 3, numClasses: 2 });
    expect(() => model.forward(new Tensor(new Float32Array(8), [2, 2, 2]))).toThrow(/x must have shape \[\*, \*, 3\], got \[2, 2, 2\]/);
    expect(() => model.forward(new Tensor(new Float32Array(12), [2, 2, 3]), { lengths: [1] })).toThrow(/lengths must have 2 entries/);
  });
});
