/**
 * Module and its containers: PyTorch naming and prefixes, stateDict round trip, loadStateDict
 * errors, train/eval propagation, zeroGrad, and the flat parameter arena (style rule 4).
 */
import { describe, expect, it } from 'vitest';
import { Dropout, Embedding, GRU, LSTM, Linear, Module, RNN, Sequential, Tensor, tensor } from '../../lib/index.js';
import { Rng } from '../../lib/data/rng.js';

/** A user-defined model: children assigned to fields, registered as PyTorch's __setattr__ does. */
class Tagger extends Module {
  readonly embed = new Embedding({ numEmbeddings: 5, embeddingDim: 3 });
  readonly encoder = new LSTM({ inputSize: 3, hiddenSize: 2, bidirectional: true });
  readonly head = new Linear({ inFeatures: 4, outFeatures: 2 });

  forward(tokens: number[][]): Tensor {
    const [out] = this.encoder.forward(this.embed.forward(tokens));
    return this.head.forward(out);
  }
}

describe('Module naming', () => {
  it('Sequential prefixes children with their index', () => {
    const seq = new Sequential(new LSTM({ inputSize: 2, hiddenSize: 3 }), new Linear({ inFeatures: 3, outFeatures: 1 }));
    expect(seq.namedParameters().map(([n, p]) => [n, p.shape])).toEqual([
      ['0.weight_ih_l0', [12, 2]], ['0.weight_hh_l0', [12, 3]], ['0.bias_ih_l0', [12]], ['0.bias_hh_l0', [12]],
      ['1.weight', [1, 3]], ['1.bias', [1]],
    ]);
    expect(seq.length).toBe(2);
  });

  it('fields are children named after the field, in assignment order', () => {
    const names = new Tagger().namedParameters().map(([n]) => n);
    expect(names).toEqual([
      'embed.weight',
      'encoder.weight_ih_l0', 'encoder.weight_hh_l0', 'encoder.bias_ih_l0', 'encoder.bias_hh_l0',
      'encoder.weight_ih_l0_reverse', 'encoder.weight_hh_l0_reverse', 'encoder.bias_ih_l0_reverse', 'encoder.bias_hh_l0_reverse',
      'head.weight', 'head.bias',
    ]);
  });

  it('recurrent parameters follow PyTorch order and shapes for stacked bidirectional layers', () => {
    const gru = new GRU({ inputSize: 5, hiddenSize: 4, numLayers: 2, bidirectional: true, bias: false });
    expect(gru.namedParameters().map(([n, p]) => [n, p.shape])).toEqual([
      ['weight_ih_l0', [12, 5]], ['weight_hh_l0', [12, 4]],
      ['weight_ih_l0_reverse', [12, 5]], ['weight_hh_l0_reverse', [12, 4]],
      ['weight_ih_l1', [12, 8]], ['weight_hh_l1', [12, 4]],
      ['weight_ih_l1_reverse', [12, 8]], ['weight_hh_l1_reverse', [12, 4]],
    ]);
    // 2 directions × (12·5 + 12·4) + 2 × (12·8 + 12·4)
    expect(gru.numParameters()).toBe(2 * (60 + 48) + 2 * (96 + 48));
  });

  it('a module shared by two parents is listed once', () => {
    const shared = new Linear({ inFeatures: 2, outFeatures: 2 });
    const seq = new Sequential(shared, shared);
    expect(seq.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias']);
    // The state dict lists it under every path, as PyTorch's state_dict does.
    expect(Object.keys(seq.stateDict())).toEqual(['0.weight', '0.bias', '1.weight', '1.bias']);
  });
});

describe('flat parameter arena', () => {
  it('every parameter of a layer is a view into one Float32Array, in order, back to back', () => {
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 2, numLayers: 2, bidirectional: true });
    const params = lstm.parameters();
    const arena = lstm.arena.data;
    let offset = 0;
    for (const p of params) {
      expect(p.data.buffer).toBe(arena.buffer);
      expect(p.data.byteOffset).toBe(arena.byteOffset + offset * 4);
      offset += p.size;
    }
    expect(offset).toBe(arena.length);
    // Writing through the arena is visible in the parameters (they are views, not copies).
    arena.fill(0.25);
    expect(params.every((p) => p.data.every((v) => v === 0.25))).toBe(true);
  });

  it('useFlatGrads: backward accumulates into one flat gradient buffer; zeroGrad clears it in place', () => {
    const lin = new Linear({ inFeatures: 2, outFeatures: 1 });
    const [grads] = lin.useFlatGrads();
    lin.weight.data.set([1, 2]);
    lin.bias!.data.set([0]);
    lin.forward(tensor([[3, 4]])).sum().backward();
    expect(Array.from(grads!)).toEqual([3, 4, 1]); // dW = x, db = 1
    expect(lin.weight.grad!.data.buffer).toBe(grads!.buffer);
    lin.zeroGrad();
    expect(Array.from(grads!)).toEqual([0, 0, 0]);
    expect(lin.weight.grad).not.toBeNull();
  });
});

describe('stateDict / loadStateDict', () => {
  it('round trip: copies out, loads back into the same buffers', () => {
    const a = new RNN({ inputSize: 2, hiddenSize: 3, numLayers: 2, rng: new Rng(1) });
    const b = new RNN({ inputSize: 2, hiddenSize: 3, numLayers: 2, rng: new Rng(2) });
    const state = a.stateDict();
    expect(Object.keys(state)).toEqual(a.namedParameters().map(([n]) => n));
    const viewBefore = b.parameters()[0]!.data;
    const result = b.loadStateDict(state);
    expect(result).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(b.parameters()[0]!.data).toBe(viewBefore);
    for (const [name, p] of b.namedParameters()) expect(Array.from(p.data)).toEqual(Array.from(state[name]!));
    // The dict holds copies: changing the module later does not change it.
    a.parameters()[0]!.data[0] = 42;
    expect(state.weight_ih_l0![0]).not.toBe(42);
  });

  it('accepts number[] and Tensor values', () => {
    const lin = new Linear({ inFeatures: 2, outFeatures: 2 });
    lin.loadStateDict({ weight: [1, 2, 3, 4], bias: tensor([5, 6]) });
    expect(Array.from(lin.weight.data)).toEqual([1, 2, 3, 4]);
    expect(Array.from(lin.bias!.data)).toEqual([5, 6]);
  });

  it('errors name the key, the expected and the given; nothing is written on failure', () => {
    const lin = new Linear({ inFeatures: 2, outFeatures: 2 });
    const before = Array.from(lin.weight.data);
    expect(() => lin.loadStateDict({ weight: [1, 2, 3, 4] })).toThrow(RangeError);
    expect(() => lin.loadStateDict({ weight: [1, 2, 3, 4] })).toThrow(/missing key "bias"/);
    expect(() => lin.loadStateDict({ weight: [1, 2, 3, 4], bias: [1, 2], extra: [1] })).toThrow(/unexpected key "extra"/);
    expect(() => lin.loadStateDict({ weight: [1, 2, 3], bias: [1, 2] })).toThrow(/stateDict\["weight"\] must have 4 values \(shape \[2, 2\]\), got 3/);
    expect(() => lin.loadStateDict({ weight: tensor([1, 2, 3, 4], [4, 1]), bias: [1, 2] })).toThrow(
      /stateDict\["weight"\] must have shape \[2, 2\], got \[4, 1\]/,
    );
    expect(() => lin.loadStateDict({ weight: 'nope' as unknown as number[], bias: [1, 2] })).toThrow(TypeError);
    expect(() => lin.loadStateDict({ weight: new Float32Array(4), bias: new Float32Array(3) })).toThrow(/"bias"/);
    expect(Array.from(lin.weight.data)).toEqual(before);
  });

  it('strict: false reports missing and unexpected keys instead of throwing', () => {
    const lin = new Linear({ inFeatures: 1, outFeatures: 1 });
    const result = lin.loadStateDict({ weight: [7], other: [1] }, { strict: false });
    expect(result).toEqual({ missingKeys: ['bias'], unexpectedKeys: ['other'] });
    expect(lin.weight.data[0]).toBe(7);
    expect(() => lin.loadStateDict({ weight: [7, 8] }, { strict: false })).toThrow(/weight/);
    expect(() => lin.loadStateDict({ weight: [7] }, { strcit: false } as object)).toThrow(/unknown option "strcit"/);
  });
});

describe('train / eval and zeroGrad', () => {
  it('train(false) and eval() reach every descendant; train() turns it back on', () => {
    const model = new Tagger();
    const seq = new Sequential(model, new Dropout({ p: 0.1 }));
    expect(seq.namedModules().every(([, m]) => m.training)).toBe(true);
    seq.eval();
    expect(seq.namedModules().map(([n, m]) => [n, m.training])).toEqual([
      ['', false], ['0', false], ['0.embed', false], ['0.encoder', false], ['0.head', false], ['1', false],
    ]);
    seq.train();
    expect(model.encoder.training).toBe(true);
    expect(() => seq.train('yes' as unknown as boolean)).toThrow(/mode must be a boolean/);
  });

  it('zeroGrad sets every gradient to null (PyTorch set_to_none)', () => {
    const model = new Tagger();
    model.forward([[1, 2], [3, 4], [0, 1]]).sum().backward();
    expect(model.parameters().every((p) => p.grad !== null)).toBe(true);
    model.zeroGrad();
    expect(model.parameters().every((p) => p.grad === null)).toBe(true);
  });
});
