/**
 * RNNCell, LSTMCell, GRUCell. A cell is one layer step, so stepping a cell over the single-layer
 * PyTorch fixtures (weights weight_ih_l0 → weight_ih, …) must reproduce the layer's reference output,
 * final states and every gradient, through BPTT across T cell calls. Then gradcheck on odd sizes,
 * unbatched inputs, and the zero default state.
 */
import { expect, it } from 'vitest';
import { GRUCell, LSTMCell, RNNCell, Tensor, tensor, type Module } from '../../lib/index.js';
import { Rng } from '../../lib/data/rng.js';
import { describeEachBackend } from '../helpers/backends.js';
import { expectAllClose, expectClose } from '../helpers/close.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { randomData } from '../helpers/shapes.js';
import { f32, loadRecurrentFixture, recurrentFixtureNames, type RecurrentFixture } from '../helpers/fixtures.js';

type AnyCell = RNNCell | LSTMCell | GRUCell;

function cellFor(fx: RecurrentFixture): AnyCell {
  const m = fx.module;
  const options = { inputSize: m.input_size, hiddenSize: m.hidden_size, bias: m.bias };
  const cell =
    m.kind === 'lstm' ? new LSTMCell(options)
    : m.kind === 'gru' ? new GRUCell(options)
    : new RNNCell({ ...options, nonlinearity: m.kind === 'rnn_relu' ? 'relu' : 'tanh' });
  cell.loadStateDict(Object.fromEntries(['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh'].map((n) => [n, f32(fx.params[`${n}_l0`]!)])));
  return cell;
}

function check(label: string, actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  expectClose(actual, expected, label);
  expectAllClose(actual, expected, label);
}

/** One step of any cell on a uniform state representation. */
function step(cell: AnyCell, x: Tensor, h: Tensor, c: Tensor | null): [Tensor, Tensor | null] {
  if (cell instanceof LSTMCell) return cell.forward(x, [h, c!]);
  return [cell.forward(x, h), null];
}

const singleLayer = recurrentFixtureNames().filter((n) => {
  const fx = loadRecurrentFixture(n);
  return fx.module.num_layers === 1 && !fx.module.bidirectional && fx.lengths === null;
});

describeEachBackend('cells stepped over PyTorch layer fixtures', () => {
  it('covers every single-layer kind', () => {
    expect(singleLayer.map((n) => loadRecurrentFixture(n).module.kind).sort()).toEqual(['gru', 'lstm', 'rnn_relu', 'rnn_tanh']);
  });

  for (const name of singleLayer) {
    it(`${name}: T cell steps = the layer (outputs, states, all gradients)`, () => {
      const fx = loadRecurrentFixture(name);
      const { T, B, I, H } = fx.sizes;
      const cell = cellFor(fx);
      const isLstm = cell instanceof LSTMCell;
      const x = tensor(f32(fx.tensors.x!), [T, B, I], { requiresGrad: true });
      const h0 = tensor(f32(fx.tensors.h0!), [B, H], { requiresGrad: true });
      const c0 = isLstm ? tensor(f32(fx.tensors.c0!), [B, H], { requiresGrad: true }) : null;
      const R = tensor(f32(fx.tensors.R!), [T, B, H]);

      let h = h0;
      let c = c0;
      let loss: Tensor | null = null;
      const outs: number[] = [];
      for (let t = 0; t < T; t++) {
        [h, c] = step(cell, x.slice(0, t, t + 1).reshape([B, I]), h, c);
        outs.push(...h.data);
        const term = h.mul(R.slice(0, t, t + 1).reshape([B, H])).sum();
        loss = loss === null ? term : loss.add(term);
      }
      check('output', outs, fx.outputs.output!.data);
      check('h_n', h.data, fx.outputs.h_n!.data);
      loss = loss!.add(h.mul(tensor(f32(fx.tensors.Rh!), [B, H])).sum());
      if (isLstm) {
        check('c_n', c!.data, fx.outputs.c_n!.data);
        loss = loss.add(c!.mul(tensor(f32(fx.tensors.Rc!), [B, H])).sum());
      }
      loss.backward();
      check('d loss / d x', x.grad!.data, fx.grads.x!.data);
      check('d loss / d h0', h0.grad!.data, fx.grads.h0!.data);
      if (isLstm) check('d loss / d c0', c0!.grad!.data, fx.grads.c0!.data);
      for (const [n, p] of cell.namedParameters()) check(`d loss / d ${n}`, p.grad!.data, fx.grads[`${n}_l0`]!.data);
    });
  }
});

function gradcheckCell(make: () => AnyCell, I: number, H: number, B: number, seed: number): void {
  const rng = new Rng(seed);
  const cell = make();
  const x = tensor(randomData(rng, B * I), [B, I], { requiresGrad: true });
  const h = tensor(randomData(rng, B * H, 0.5), [B, H], { requiresGrad: true });
  const c = tensor(randomData(rng, B * H, 0.5), [B, H], { requiresGrad: true });
  const isLstm = cell instanceof LSTMCell;
  const wrt = [x, h, ...(isLstm ? [c] : []), ...cell.parameters()];
  gradcheck(() => {
    const [h1, c1] = step(cell, x, h, c);
    return c1 ? [h1, c1] : h1;
  }, wrt);
}

describeEachBackend('cells: gradcheck on odd sizes', () => {
  const cases: [string, (I: number, H: number, bias: boolean) => AnyCell][] = [
    ['RNNCell tanh', (I, H, bias) => new RNNCell({ inputSize: I, hiddenSize: H, bias, rng: new Rng(1) })],
    ['RNNCell relu', (I, H, bias) => new RNNCell({ inputSize: I, hiddenSize: H, bias, nonlinearity: 'relu', rng: new Rng(2) })],
    ['LSTMCell', (I, H, bias) => new LSTMCell({ inputSize: I, hiddenSize: H, bias, rng: new Rng(3) })],
    ['GRUCell', (I, H, bias) => new GRUCell({ inputSize: I, hiddenSize: H, bias, rng: new Rng(4) })],
  ];
  for (const [label, make] of cases) {
    for (const [I, H, B, bias] of [[1, 1, 1, true], [3, 1, 3, true], [1, 3, 3, false], [3, 3, 1, true]] as const) {
      it(`${label} I=${I} H=${H} B=${B} bias=${bias}`, () => gradcheckCell(() => make(I, H, bias), I, H, B, 10 * I + H + B));
    }
  }
});

describeEachBackend('cells: shapes and defaults', () => {
  it('unbatched [I] input gives [H] (LSTM: [H] twice), equal to the batched B = 1 step', () => {
    const cell = new LSTMCell({ inputSize: 3, hiddenSize: 2, rng: new Rng(7) });
    const x = [0.5, -1, 2];
    const [h, c] = cell.forward(tensor(x), [tensor([0.1, 0.2]), tensor([-0.3, 0.4])]);
    expect(h.shape).toEqual([2]);
    expect(c.shape).toEqual([2]);
    const [hb, cb] = cell.forward(tensor([x]), [tensor([[0.1, 0.2]]), tensor([[-0.3, 0.4]])]);
    expect(Array.from(h.data)).toEqual(Array.from(hb.data));
    expect(Array.from(c.data)).toEqual(Array.from(cb.data));
  });

  it('an omitted state is zeros', () => {
    const cell = new GRUCell({ inputSize: 2, hiddenSize: 3, rng: new Rng(8) });
    const x = tensor([[1, -2], [0.5, 0.25]]);
    const zero = tensor(new Float32Array(6), [2, 3]);
    expect(Array.from(cell.forward(x).data)).toEqual(Array.from(cell.forward(x, zero).data));
  });

  it('parameter names and shapes follow PyTorch cells', () => {
    const shapes = (m: Module): [string, number[]][] => m.namedParameters().map(([n, p]) => [n, p.shape]);
    expect(shapes(new GRUCell({ inputSize: 5, hiddenSize: 2 }))).toEqual([
      ['weight_ih', [6, 5]], ['weight_hh', [6, 2]], ['bias_ih', [6]], ['bias_hh', [6]],
    ]);
    expect(shapes(new LSTMCell({ inputSize: 5, hiddenSize: 2, bias: false }))).toEqual([['weight_ih', [8, 5]], ['weight_hh', [8, 2]]]);
    expect(shapes(new RNNCell({ inputSize: 1, hiddenSize: 4 }))[0]).toEqual(['weight_ih', [4, 1]]);
  });
});
