/**
 * lstmForgetGateBias (lib/nn/init.ts, owned with the training work; the other initialisers are tested
 * in init.test.ts): rows H..2H (gate f of i,f,g,o) of every bias_ih* become the value and of every
 * bias_hh* zero, in LSTM layers (all layers, both directions) and LSTMCells anywhere in a model;
 * other gates, weights and non-LSTM modules are untouched.
 */
import { describe, expect, it } from 'vitest';
import { GRU, LSTM, LSTMCell, Linear, Sequential, init } from '../../lib/index.js';

describe('init.lstmForgetGateBias', () => {
  it('sets the forget-gate rows of every LSTM bias so b_ih + b_hh = value', () => {
    const H = 3;
    const lstm = new LSTM({ inputSize: 2, hiddenSize: H, numLayers: 2, bidirectional: true });
    const before = lstm.stateDict();
    expect(init.lstmForgetGateBias(lstm)).toBe(8); // 2 layers × 2 directions × (ih, hh)
    const after = lstm.stateDict();
    for (const [name, values] of Object.entries(after)) {
      const old = before[name]!;
      if (!name.startsWith('bias_')) {
        expect(values, name).toEqual(old);
        continue;
      }
      const forget = name.startsWith('bias_ih') ? 1 : 0;
      for (let r = 0; r < 4 * H; r++) expect(values[r], `${name}[${r}]`).toBe(r >= H && r < 2 * H ? forget : old[r]);
    }
  });

  it('reaches LSTMs and LSTM cells inside containers, takes a value, skips other modules', () => {
    const H = 2;
    const gru = new GRU({ inputSize: 1, hiddenSize: H });
    const model = new Sequential(new LSTMCell({ inputSize: 1, hiddenSize: H }), new Linear({ inFeatures: H, outFeatures: 1 }), gru);
    const gruBefore = gru.stateDict();
    expect(init.lstmForgetGateBias(model, 2.5)).toBe(2);
    const sd = model.stateDict();
    expect(Array.from(sd['0.bias_ih']!.subarray(H, 2 * H))).toEqual([2.5, 2.5]);
    expect(Array.from(sd['0.bias_hh']!.subarray(H, 2 * H))).toEqual([0, 0]);
    expect(gru.stateDict()).toEqual(gruBefore);
    expect(init.lstmForgetGateBias(new LSTM({ inputSize: 1, hiddenSize: 2, bias: false }))).toBe(0);
  });

  it('checks its arguments', () => {
    expect(() => init.lstmForgetGateBias({} as never)).toThrow(/module must be a Module/);
    expect(() => init.lstmForgetGateBias(new LSTM({ inputSize: 1, hiddenSize: 1 }), NaN)).toThrow(/value must be a finite number, got NaN/);
  });

  it('every initialiser the issue lists is exported', () => {
    for (const name of ['uniform', 'normal', 'constant', 'xavierUniform', 'xavierNormal', 'kaimingUniform', 'kaimingNormal', 'orthogonal', 'lstmForgetGateBias']) {
      expect(typeof (init as Record<string, unknown>)[name], name).toBe('function');
    }
  });
});
