/**
 * Finite differences against autograd (test/helpers/gradcheck.ts) for every recurrent layer kind on
 * odd sizes (I, H in {1, 3}, T in 1..4, B in {1, 3}), including two bidirectional layers, lengths,
 * no bias and batchFirst, w.r.t. x, h0 (c0) and every parameter. This proves each node's backward
 * (one BPTT kernel call) and the layer plumbing around it: slices of h0, concat of directions,
 * stacking of final states.
 */
import { it } from 'vitest';
import { GRU, LSTM, RNN, Tensor, tensor } from '../../lib/index.js';
import { Rng } from '../../lib/data/rng.js';
import { describeEachBackend } from '../helpers/backends.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { randomData } from '../helpers/shapes.js';

type Kind = 'rnn_tanh' | 'rnn_relu' | 'lstm' | 'gru';

interface Case {
  I: number; H: number; T: number; B: number;
  numLayers?: number; bidirectional?: boolean; bias?: boolean; batchFirst?: boolean;
  lengths?: number[];
}

const CASES: Case[] = [
  { I: 1, H: 1, T: 1, B: 1 },
  { I: 3, H: 3, T: 4, B: 3, lengths: [4, 1, 3] },
  { I: 3, H: 1, T: 3, B: 3, numLayers: 2, bidirectional: true, bias: false, lengths: [3, 2, 1] },
  { I: 1, H: 3, T: 2, B: 1, numLayers: 2, bidirectional: true },
  { I: 3, H: 3, T: 3, B: 3, numLayers: 2, batchFirst: true, lengths: [2, 3, 1] },
];

function make(kind: Kind, c: Case, seed: number): RNN | LSTM | GRU {
  const options = {
    inputSize: c.I, hiddenSize: c.H, numLayers: c.numLayers ?? 1, bidirectional: c.bidirectional ?? false,
    bias: c.bias ?? true, batchFirst: c.batchFirst ?? false, rng: new Rng(seed),
  };
  if (kind === 'lstm') return new LSTM(options);
  if (kind === 'gru') return new GRU(options);
  return new RNN({ ...options, nonlinearity: kind === 'rnn_relu' ? 'relu' : 'tanh' });
}

describeEachBackend('recurrent layers: gradcheck', () => {
  for (const kind of ['rnn_tanh', 'rnn_relu', 'lstm', 'gru'] as const) {
    CASES.forEach((c, n) => {
      const label = `${kind} I=${c.I} H=${c.H} T=${c.T} B=${c.B} L=${c.numLayers ?? 1}` +
        `${c.bidirectional ? ' bidirectional' : ''}${c.bias === false ? ' no-bias' : ''}` +
        `${c.batchFirst ? ' batchFirst' : ''}${c.lengths ? ` lengths=[${c.lengths}]` : ''}`;
      it(label, () => {
        const seed = 100 * n + kind.length;
        const rng = new Rng(seed);
        const module = make(kind, c, seed + 1);
        const L = (c.numLayers ?? 1) * (c.bidirectional ? 2 : 1);
        const xShape = c.batchFirst ? [c.B, c.T, c.I] : [c.T, c.B, c.I];
        const x = tensor(randomData(rng, c.T * c.B * c.I), xShape, { requiresGrad: true });
        const h0 = tensor(randomData(rng, L * c.B * c.H, 0.5), [L, c.B, c.H], { requiresGrad: true });
        const c0 = tensor(randomData(rng, L * c.B * c.H, 0.5), [L, c.B, c.H], { requiresGrad: true });
        const options = c.lengths ? { lengths: c.lengths } : undefined;
        const isLstm = module instanceof LSTM;
        const fn = (): Tensor[] => {
          if (module instanceof LSTM) {
            const [out, [hN, cN]] = module.forward(x, [h0, c0], options);
            return [out, hN, cN];
          }
          const [out, hN] = module.forward(x, h0, options);
          return [out, hN];
        };
        gradcheck(fn, [x, h0, ...(isLstm ? [c0] : []), ...module.parameters()]);
      });
    });
  }
});
