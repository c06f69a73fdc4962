/**
 * LanguageModel: shapes and PyTorch names, weight tying (one tensor, one buffer, and a gradient that
 * is the sum of the embedding's and the projection's, checked against an untied twin), state carried
 * across calls equals one call over the whole sequence, gradcheck on tiny sizes, bad input.
 */
import { describe, expect, it } from 'vitest';
import { LanguageModel, Tensor, crossEntropy, reshape } from '../../../lib/index.js';
import { Rng } from '../../../lib/data/rng.js';
import { gradcheck } from '../../helpers/gradcheck.js';
import { expectClose } from '../../helpers/close.js';

function tokens(rng: Rng, T: number, B: number, V: number): Tensor {
  return new Tensor(Float32Array.from({ length: T * B }, () => rng.int(V)), [T, B]);
}

describe('LanguageModel', () => {
  for (const cell of ['lstm', 'gru', 'rnn'] as const) {
    it(`${cell}: logits [T, B, V] and state [L, B, H]`, () => {
      const model = new LanguageModel({ vocabSize: 11, embeddingDim: 4, hiddenSize: 5, numLayers: 2, cell, rng: new Rng(1) });
      const [logits, state] = model.forward(tokens(new Rng(2), 7, 3, 11));
      expect(logits.shape).toEqual([7, 3, 11]);
      const states = Array.isArray(state) ? state : [state];
      expect(states.length).toBe(cell === 'lstm' ? 2 : 1);
      for (const s of states) expect(s.shape).toEqual([2, 3, 5]);
    });
  }

  it('uses the parameter names of PyTorch word_language_model', () => {
    const model = new LanguageModel({ vocabSize: 6, embeddingDim: 3, hiddenSize: 4, rng: new Rng(1) });
    expect(model.namedParameters().map(([n, p]) => `${n}:${p.shape.join('x')}`)).toEqual([
      'encoder.weight:6x3', 'rnn.weight_ih_l0:16x3', 'rnn.weight_hh_l0:16x4', 'rnn.bias_ih_l0:16', 'rnn.bias_hh_l0:16',
      'decoder.weight:6x4', 'decoder.bias:6',
    ]);
    // The example's init: U(−0.1, 0.1) weights, zero decoder bias.
    expect(Math.max(...model.encoder.weight.data.map(Math.abs))).toBeLessThanOrEqual(0.1);
    expect(Math.max(...model.decoder.weight.data.map(Math.abs))).toBeLessThanOrEqual(0.1);
    expect([...model.decoder.bias!.data]).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('tieWeights shares one tensor: listed once, saved under both names, gradient of both uses summed', () => {
    const V = 7; const H = 4; const T = 5; const B = 2;
    const tied = new LanguageModel({ vocabSize: V, embeddingDim: H, hiddenSize: H, tieWeights: true, cell: 'gru', rng: new Rng(3) });
    expect(tied.decoder.weight).toBe(tied.encoder.weight);
    const names = tied.namedParameters().map(([n]) => n);
    expect(names).toContain('encoder.weight');
    expect(names).not.toContain('decoder.weight');
    expect(names).toContain('decoder.bias');
    const dict = tied.stateDict();
    expect([...dict['decoder.weight']!]).toEqual([...dict['encoder.weight']!]);
    // A write through one name is seen through the other (one buffer).
    tied.encoder.weight.data[0] = 0.5;
    expect(tied.decoder.weight.data[0]).toBe(0.5);

    // The untied twin with identical values: tied grad = embedding grad + projection grad.
    const untied = new LanguageModel({ vocabSize: V, embeddingDim: H, hiddenSize: H, cell: 'gru', rng: new Rng(4) });
    const values = tied.stateDict();
    untied.loadStateDict(values);
    const x = tokens(new Rng(5), T, B, V);
    const y = Array.from({ length: T * B }, (_, i) => (i * 3) % V);
    for (const m of [tied, untied]) {
      const [logits] = m.forward(x);
      crossEntropy(reshape(logits, [T * B, V]), y).backward();
    }
    const expected = untied.encoder.weight.grad!.data.map((g, i) => g + untied.decoder.weight.grad!.data[i]!);
    expectClose(tied.encoder.weight.grad!.data, expected, 'tied weight grad');
    expect(tied.parameters().filter((p) => p === tied.encoder.weight).length).toBe(1);
  });

  it('tieWeights needs embeddingDim == hiddenSize', () => {
    expect(() => new LanguageModel({ vocabSize: 5, embeddingDim: 3, hiddenSize: 4, tieWeights: true }))
      .toThrow(/embeddingDim must be equal to hiddenSize \(4\) when tieWeights is true, got 3/);
  });

  it('carrying the state across calls equals one call over the whole sequence', () => {
    const model = new LanguageModel({ vocabSize: 9, embeddingDim: 3, hiddenSize: 6, numLayers: 2, rng: new Rng(6) });
    const x = tokens(new Rng(7), 8, 2, 9);
    const [whole] = model.forward(x);
    const [first, state] = model.forward(new Tensor(x.data.slice(0, 5 * 2), [5, 2]));
    const [second] = model.forward(new Tensor(x.data.slice(5 * 2), [3, 2]), state);
    expectClose(first.data, whole.data.slice(0, 5 * 2 * 9), 'first part');
    expectClose(second.data, whole.data.slice(5 * 2 * 9), 'second part');
  });

  for (const cell of ['lstm', 'gru', 'rnn'] as const) {
    it(`${cell}: gradcheck over every parameter (2 layers, tied)`, () => {
      const model = new LanguageModel({ vocabSize: 5, embeddingDim: 3, hiddenSize: 3, numLayers: 2, cell, tieWeights: true, rng: new Rng(8) });
      const x = tokens(new Rng(9), 3, 2, 5);
      gradcheck(() => model.forward(x)[0], model.parameters());
    });
  }

  it('dropout only in training mode', () => {
    const model = new LanguageModel({ vocabSize: 5, embeddingDim: 4, hiddenSize: 4, dropout: 0.5, rng: new Rng(10) });
    const x = tokens(new Rng(11), 4, 2, 5);
    model.eval();
    const [a] = model.forward(x);
    const [b] = model.forward(x);
    expect([...a.data]).toEqual([...b.data]);
    model.train();
    const [c] = model.forward(x);
    expect([...c.data]).not.toEqual([...a.data]);
  });

  it('rejects bad options and tokens with messages naming them', () => {
    expect(() => new LanguageModel({ vocabSize: 0, embeddingDim: 3, hiddenSize: 3 })).toThrow(/vocabSize must be a positive integer, got 0/);
    expect(() => new LanguageModel({ vocabSize: 3, embeddingDim: 3, hiddenSize: 3, cell: 'tree' as never })).toThrow(/cell must be one of "lstm", "gru", "rnn", got "tree"/);
    expect(() => new LanguageModel({ vocabSize: 3, embeddingDim: 3, hiddenSize: 3, hiddenSzie: 3 } as never)).toThrow(/unknown option "hiddenSzie"/);
    const model = new LanguageModel({ vocabSize: 3, embeddingDim: 2, hiddenSize: 2 });
    expect(() => model.forward([[0, 3]])).toThrow(/tokens must hold token ids in \[0, 2\], got 3 at flat index 1/);
    expect(() => model.forward(new Tensor(new Float32Array(3), [3]))).toThrow(/tokens must have shape \[T, B\]/);
    expect(() => model.forward(new Int32Array(3) as never)).toThrow(TypeError);
  });
});
