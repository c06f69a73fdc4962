/**
 * RNN, LSTM and GRU against PyTorch 1.13 float64 references (../shared/fixtures/torch, README there):
 * for every fixture, the module is built through the public API, loads the fixture's parameters,
 * runs forward (with lengths for the varlen case) and backward of
 *   loss = Σ out·R + Σ hN·Rh (+ Σ cN·Rc),
 * and output, h_n, c_n, the loss and every gradient (x, h0, c0, every parameter) must match to the
 * DESIGN.md tolerance (‖a−b‖/‖b‖ ≤ 1e-4) and the fixtures' elementwise bound (1e-5 + 1e-4·|ref|).
 * The same references also check batchFirst and unbatched inputs (the layouts only move data).
 */
import { expect, it } from 'vitest';
import { GRU, LSTM, RNN, Tensor, tensor, transpose, type Module } from '../../lib/index.js';
import { describeEachBackend } from '../helpers/backends.js';
import { expectAllClose, expectClose } from '../helpers/close.js';
import { f32, loadRecurrentFixture, recurrentFixtureNames, type RecurrentFixture } from '../helpers/fixtures.js';

type AnyRecurrent = RNN | LSTM | GRU;

/** The module a fixture describes, with the fixture's parameters loaded. */
function moduleFor(fx: RecurrentFixture, extra: { batchFirst?: boolean } = {}): AnyRecurrent {
  const m = fx.module;
  const common = {
    inputSize: m.input_size,
    hiddenSize: m.hidden_size,
    numLayers: m.num_layers,
    bidirectional: m.bidirectional,
    bias: m.bias,
    batchFirst: extra.batchFirst ?? m.batch_first,
  };
  const module =
    m.kind === 'lstm' ? new LSTM(common)
    : m.kind === 'gru' ? new GRU(common)
    : new RNN({ ...common, nonlinearity: m.kind === 'rnn_relu' ? 'relu' : 'tanh' });
  module.loadStateDict(Object.fromEntries(fx.paramNames.map((n) => [n, f32(fx.params[n]!)])));
  return module;
}

function leaf(fx: RecurrentFixture, name: string): Tensor {
  const a = fx.tensors[name]!;
  return tensor(f32(a), a.shape, { requiresGrad: true });
}

function constant(fx: RecurrentFixture, name: string): Tensor {
  const a = fx.tensors[name]!;
  return tensor(f32(a), a.shape);
}

/** Runs forward; returns time-major out, hN, cN (LSTM) as the fixture lays them out. */
function run(module: AnyRecurrent, x: Tensor, h0: Tensor, c0: Tensor | null, lengths: number[] | null): {
  out: Tensor; hN: Tensor; cN: Tensor | null;
} {
  const options = lengths ? { lengths } : undefined;
  if (module instanceof LSTM) {
    const [out, [hN, cN]] = module.forward(x, [h0, c0!], options);
    return { out, hN, cN };
  }
  const [out, hN] = module.forward(x, h0, options);
  return { out, hN, cN: null };
}

function lossOf(fx: RecurrentFixture, out: Tensor, hN: Tensor, cN: Tensor | null): Tensor {
  let loss = out.mul(constant(fx, 'R')).sum().add(hN.mul(constant(fx, 'Rh')).sum());
  if (cN) loss = loss.add(cN.mul(constant(fx, 'Rc')).sum());
  return loss;
}

function check(label: string, actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  expectClose(actual, expected, label);
  expectAllClose(actual, expected, label);
}

function checkParamGrads(fx: RecurrentFixture, module: Module): void {
  const named = module.namedParameters();
  expect(named.map(([n]) => n)).toEqual(fx.paramNames);
  for (const [name, p] of named) {
    expect(p.grad, `grad of ${name}`).not.toBeNull();
    expect(p.grad!.shape).toEqual(fx.grads[name]!.shape);
    check(`d loss / d ${name}`, p.grad!.data, fx.grads[name]!.data);
  }
}

describeEachBackend('recurrent layers vs PyTorch fixtures', () => {
  for (const name of recurrentFixtureNames()) {
    it(`${name}: output, states, loss and every gradient`, () => {
      const fx = loadRecurrentFixture(name);
      const module = moduleFor(fx);
      const isLstm = fx.module.kind === 'lstm';
      const x = leaf(fx, 'x');
      const h0 = leaf(fx, 'h0');
      const c0 = isLstm ? leaf(fx, 'c0') : null;

      const { out, hN, cN } = run(module, x, h0, c0, fx.lengths);
      expect(out.shape).toEqual(fx.outputs.output!.shape);
      expect(hN.shape).toEqual(fx.outputs.h_n!.shape);
      check('output', out.data, fx.outputs.output!.data);
      check('h_n', hN.data, fx.outputs.h_n!.data);
      if (isLstm) check('c_n', cN!.data, fx.outputs.c_n!.data);

      const loss = lossOf(fx, out, hN, cN);
      expect(Math.abs(loss.item() - fx.loss)).toBeLessThanOrEqual(1e-4 * Math.abs(fx.loss) + 1e-4);
      loss.backward();
      check('d loss / d x', x.grad!.data, fx.grads.x!.data);
      check('d loss / d h0', h0.grad!.data, fx.grads.h0!.data);
      if (isLstm) check('d loss / d c0', c0!.grad!.data, fx.grads.c0!.data);
      checkParamGrads(fx, module);
    });

    it(`${name}: batchFirst input [B, T, I] gives the transposed output and the same gradients`, () => {
      const fx = loadRecurrentFixture(name);
      const module = moduleFor(fx, { batchFirst: true });
      const isLstm = fx.module.kind === 'lstm';
      const xTimeMajor = constant(fx, 'x');
      const x = tensor(transpose(xTimeMajor, 0, 1).data, [fx.sizes.B, fx.sizes.T, fx.sizes.I], { requiresGrad: true });
      const h0 = leaf(fx, 'h0');
      const c0 = isLstm ? leaf(fx, 'c0') : null;
      const { out, hN, cN } = run(module, x, h0, c0, fx.lengths);
      expect(out.shape).toEqual([fx.sizes.B, fx.sizes.T, fx.outputs.output!.shape[2]]);
      const outTimeMajor = transpose(out, 0, 1);
      check('output (batchFirst, transposed back)', outTimeMajor.data, fx.outputs.output!.data);
      check('h_n (batchFirst)', hN.data, fx.outputs.h_n!.data);
      lossOf(fx, outTimeMajor, hN, cN).backward();
      check('d loss / d x (batchFirst, transposed back)', transpose(x.grad!, 0, 1).data, fx.grads.x!.data);
      check('d loss / d h0 (batchFirst)', h0.grad!.data, fx.grads.h0!.data);
      checkParamGrads(fx, module);
    });
  }

  it('an unbatched [T, I] input equals batch row b of the batched run', () => {
    const fx = loadRecurrentFixture('lstm_l2_bidir');
    const { T, B, I, H, num_layers: L, num_directions: D } = fx.sizes;
    const module = moduleFor(fx) as LSTM;
    const b = 1;
    const rowOf = (name: string, rows: number, width: number): Float32Array => {
      const src = f32(fx.tensors[name]!);
      const dst = new Float32Array(rows * width);
      for (let r = 0; r < rows; r++) dst.set(src.subarray((r * B + b) * width, (r * B + b + 1) * width), r * width);
      return dst;
    };
    const x = tensor(rowOf('x', T, I), [T, I]);
    const h0 = tensor(rowOf('h0', L * D, H), [L * D, H]);
    const c0 = tensor(rowOf('c0', L * D, H), [L * D, H]);
    const [out, [hN, cN]] = module.forward(x, [h0, c0]);
    expect(out.shape).toEqual([T, D * H]);
    expect(hN.shape).toEqual([L * D, H]);
    const pick = (data: Float64Array, rows: number, width: number): number[] => {
      const r: number[] = [];
      for (let t = 0; t < rows; t++) for (let j = 0; j < width; j++) r.push(data[(t * B + b) * width + j]!);
      return r;
    };
    check('unbatched output', out.data, pick(fx.outputs.output!.data, T, D * H));
    check('unbatched h_n', hN.data, pick(fx.outputs.h_n!.data, L * D, H));
    check('unbatched c_n', cN.data, pick(fx.outputs.c_n!.data, L * D, H));
  });
});
