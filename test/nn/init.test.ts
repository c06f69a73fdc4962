/**
 * Initialisation: the layers' PyTorch defaults (ranges), the init functions' formulas (bounds and
 * moments on large tensors), orthogonality, and determinism through the seeded RNG.
 */
import { describe, expect, it } from 'vitest';
import { Embedding, GRU, GRUCell, LSTM, Linear, RNN, init, tensor, zeros } from '../../lib/index.js';
import { Rng } from '../../lib/data/rng.js';
import type { Tensor } from '../../lib/tensor/tensor.js';

function stats(t: Tensor): { min: number; max: number; mean: number; std: number } {
  let min = Infinity;
  let max = -Infinity;
  let s = 0;
  let s2 = 0;
  for (const v of t.data) {
    min = Math.min(min, v);
    max = Math.max(max, v);
    s += v;
    s2 += v * v;
  }
  const mean = s / t.size;
  return { min, max, mean, std: Math.sqrt(s2 / t.size - mean * mean) };
}

/**
 * Every value within [lo, hi]; on tensors large enough (≥ 400 values, where a miss has probability
 * below 1e-17) the extremes also come within 10% of the ends, so the range is not a narrower one.
 */
function expectUniformIn(t: Tensor, lo: number, hi: number, label: string): void {
  const { min, max } = stats(t);
  expect(min, `${label} min`).toBeGreaterThanOrEqual(lo);
  expect(max, `${label} max`).toBeLessThanOrEqual(hi);
  if (t.size >= 400) {
    expect(min, `${label} min`).toBeLessThan(lo + 0.1 * (hi - lo));
    expect(max, `${label} max`).toBeGreaterThan(hi - 0.1 * (hi - lo));
  }
}

function expectUniformWithin(t: Tensor, bound: number, label: string): void {
  expectUniformIn(t, -bound, bound, label);
}

describe('layer defaults (PyTorch reset_parameters)', () => {
  it('RNN/LSTM/GRU and cells: every parameter U(±1/√H)', () => {
    const H = 16;
    for (const m of [
      new LSTM({ inputSize: 7, hiddenSize: H, numLayers: 2, bidirectional: true }),
      new GRU({ inputSize: 7, hiddenSize: H }),
      new RNN({ inputSize: 7, hiddenSize: H, nonlinearity: 'relu' }),
      new GRUCell({ inputSize: 7, hiddenSize: H }),
    ]) {
      for (const [name, p] of m.namedParameters()) expectUniformWithin(p, 1 / Math.sqrt(H), `${m.constructor.name}.${name}`);
    }
  });

  it('Linear: weight and bias U(±1/√in)', () => {
    const lin = new Linear({ inFeatures: 25, outFeatures: 200 });
    expectUniformWithin(lin.weight, 1 / 5, 'weight');
    expectUniformWithin(lin.bias!, 1 / 5, 'bias');
  });

  it('Embedding: N(0, 1), the padding row zero', () => {
    const emb = new Embedding({ numEmbeddings: 400, embeddingDim: 25, paddingIdx: -1 });
    expect(emb.paddingIdx).toBe(399);
    const row = emb.weight.data.subarray(399 * 25, 400 * 25);
    expect(row.every((v) => v === 0)).toBe(true);
    const { mean, std } = stats(tensor(emb.weight.data.subarray(0, 399 * 25)));
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(std - 1)).toBeLessThan(0.05);
  });

  it('the same rng seed gives the same weights; the default rng follows manualSeed', () => {
    const a = new LSTM({ inputSize: 3, hiddenSize: 4, rng: new Rng(11) });
    const b = new LSTM({ inputSize: 3, hiddenSize: 4, rng: new Rng(11) });
    const c = new LSTM({ inputSize: 3, hiddenSize: 4, rng: new Rng(12) });
    expect(a.stateDict()).toEqual(b.stateDict());
    expect(a.stateDict()).not.toEqual(c.stateDict());
  });
});

describe('init functions', () => {
  it('uniform, normal, constant, zeros', () => {
    const t = zeros([100, 100]);
    expectUniformIn(init.uniform(t, -2, 3, new Rng(1)), -2, 3, 'uniform');
    const n = stats(init.normal(t, 1, 2, new Rng(2)));
    expect(Math.abs(n.mean - 1)).toBeLessThan(0.05);
    expect(Math.abs(n.std - 2)).toBeLessThan(0.05);
    expect(init.constant(t, 0.5).data.every((v) => v === 0.5)).toBe(true);
    expect(init.zeros(t).data.every((v) => v === 0)).toBe(true);
    expect(() => init.uniform(t, 1, 0)).toThrow(/b must be a number >= a/);
    expect(() => init.normal(t, 0, -1)).toThrow(/std must be a non-negative number, got -1/);
  });

  it('xavier: U(±gain·√(6/(in+out))) and N(0, gain²·2/(in+out))', () => {
    const w = zeros([300, 100]);
    expectUniformWithin(init.xavierUniform(w, 2, new Rng(3)), 2 * Math.sqrt(6 / 400), 'xavierUniform');
    expect(Math.abs(stats(init.xavierNormal(w, 1, new Rng(4))).std - Math.sqrt(2 / 400))).toBeLessThan(0.002);
  });

  it('kaiming: U(±gain·√(3/fan)) with gain √(2/(1+a²)); a = √5 gives 1/√in', () => {
    const w = zeros([200, 64]);
    expectUniformWithin(init.kaimingUniform(w, { a: Math.sqrt(5) }, new Rng(5)), 1 / 8, 'kaiming a=√5');
    expectUniformWithin(init.kaimingUniform(w, { nonlinearity: 'relu' }, new Rng(6)), Math.sqrt(2) * Math.sqrt(3 / 64), 'relu fan_in');
    expectUniformWithin(init.kaimingUniform(w, { mode: 'fan_out', nonlinearity: 'relu' }, new Rng(6)), Math.sqrt(2) * Math.sqrt(3 / 200), 'fan_out');
    expect(Math.abs(stats(init.kaimingNormal(w, { nonlinearity: 'relu' }, new Rng(7))).std - Math.sqrt(2 / 64))).toBeLessThan(0.005);
    expect(init.calculateGain('tanh')).toBeCloseTo(5 / 3, 12);
    expect(() => init.kaimingUniform(zeros([3]))).toThrow(/at least 2 dimensions/);
    expect(() => init.kaimingUniform(w, { mode: 'fanin' as never })).toThrow(/mode must be one of "fan_in", "fan_out", got "fanin"/);
  });

  /** max |(AᵀA or AAᵀ) − I| for a [rows, cols] matrix. */
  function orthogonalityError(a: Tensor, gain: number): number {
    const [rows, cols] = a.shape as [number, number];
    const tall = rows >= cols;
    const n = tall ? cols : rows;
    let worst = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let dot = 0;
        const k = tall ? rows : cols;
        for (let r = 0; r < k; r++) {
          dot += tall ? a.data[r * cols + i]! * a.data[r * cols + j]! : a.data[i * cols + r]! * a.data[j * cols + r]!;
        }
        worst = Math.max(worst, Math.abs(dot / (gain * gain) - (i === j ? 1 : 0)));
      }
    }
    return worst;
  }

  it('orthogonal: WᵀW = I for a recurrent weight [4H, H], WWᵀ = I for a wide one, square too', () => {
    for (const [shape, gain] of [[[4 * 17, 17], 1], [[5, 12], 1], [[33, 33], 1.5], [[1, 1], 1]] as const) {
      const w = init.orthogonal(zeros([...shape]), gain, new Rng(8));
      expect(orthogonalityError(w, gain), `shape [${shape}]`).toBeLessThan(1e-5);
    }
  });

  it('orthogonal is random (seeded): different seeds, different matrices', () => {
    const a = init.orthogonal(zeros([4, 4]), 1, new Rng(1));
    const b = init.orthogonal(zeros([4, 4]), 1, new Rng(2));
    expect(Array.from(a.data)).not.toEqual(Array.from(b.data));
  });
});
