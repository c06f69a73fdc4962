/**
 * lib/nn/recurrent/node.ts, the one autograd node per layer and direction.
 * Workspace handling: a forward that nothing will differentiate (noGrad, or no input requiring a
 * gradient) passes no workspace where the backend allows it (native: forward only, chunked) and
 * otherwise (js) writes into a shared scratch workspace instead of allocating one per call; a
 * recorded node keeps its own. These tests check the outputs of scratch-workspace calls against the PyTorch
 * fixtures, across calls of growing and shrinking size, and that a scratch call between a forward
 * and its backward leaves that backward's gradients intact.
 * recurrentLayers: both directions of a bidirectional layer as one node (one batch call each way,
 * concurrent with more than one kernel thread): outputs and every gradient, including x's (the sum
 * of both directions'), against the fixture at 1 and 2 threads, with and without the tape.
 */
import { afterAll, expect, it } from 'vitest';
import { GRU, LSTM, Tensor, getNumThreads, noGrad, setNumThreads, tensor } from '../../lib/index.js';
import { recurrentLayers } from '../../lib/nn/recurrent/node.js';
import { describeEachBackend } from '../helpers/backends.js';
import { expectAllClose, expectClose } from '../helpers/close.js';
import { f32, loadRecurrentFixture, type RecurrentFixture } from '../helpers/fixtures.js';

function check(label: string, actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  expectClose(actual, expected, label);
  expectAllClose(actual, expected, label);
}

function lstmFor(fx: RecurrentFixture): LSTM {
  const m = fx.module;
  const module = new LSTM({
    inputSize: m.input_size, hiddenSize: m.hidden_size, numLayers: m.num_layers,
    bidirectional: m.bidirectional, bias: m.bias,
  });
  module.loadStateDict(Object.fromEntries(fx.paramNames.map((n) => [n, f32(fx.params[n]!)])));
  return module;
}

function gruFor(fx: RecurrentFixture): GRU {
  const m = fx.module;
  const module = new GRU({
    inputSize: m.input_size, hiddenSize: m.hidden_size, numLayers: m.num_layers,
    bidirectional: m.bidirectional, bias: m.bias,
  });
  module.loadStateDict(Object.fromEntries(fx.paramNames.map((n) => [n, f32(fx.params[n]!)])));
  return module;
}

function input(fx: RecurrentFixture, name: string, requiresGrad = false): Tensor {
  const a = fx.tensors[name]!;
  return tensor(f32(a), a.shape, { requiresGrad });
}

describeEachBackend('recurrent node: scratch workspace of forward-only calls', () => {
  it('noGrad forwards of different sizes, in any order, match the PyTorch outputs', () => {
    const small = loadRecurrentFixture('gru_l1');
    const large = loadRecurrentFixture('lstm_l2_bidir');
    const gru = gruFor(small);
    const lstm = lstmFor(large);
    const runGru = (): void => {
      const [out, hN] = noGrad(() => gru.forward(input(small, 'x'), input(small, 'h0')));
      check('gru output', out.data, small.outputs.output!.data);
      check('gru h_n', hN.data, small.outputs.h_n!.data);
    };
    const runLstm = (): void => {
      const [out, [hN, cN]] = noGrad(() => lstm.forward(input(large, 'x'), [input(large, 'h0'), input(large, 'c0')]));
      check('lstm output', out.data, large.outputs.output!.data);
      check('lstm h_n', hN.data, large.outputs.h_n!.data);
      check('lstm c_n', cN.data, large.outputs.c_n!.data);
    };
    runGru(); // the scratch grows
    runLstm(); // and grows again
    runGru(); // a smaller call in the larger scratch
    runLstm();
  });

  it('inputs that need no gradient (outside noGrad) take the scratch path with the same results', () => {
    const fx = loadRecurrentFixture('lstm_l1_varlen');
    const module = lstmFor(fx);
    for (const p of module.parameters()) p.requiresGrad = false;
    const [out, [hN]] = module.forward(input(fx, 'x'), [input(fx, 'h0'), input(fx, 'c0')], { lengths: fx.lengths! });
    expect(out.requiresGrad).toBe(false);
    check('output', out.data, fx.outputs.output!.data);
    check('h_n', hN.data, fx.outputs.h_n!.data);
  });

  it('a forward-only call between a forward and its backward leaves the gradients intact', () => {
    const fx = loadRecurrentFixture('lstm_l1');
    const other = loadRecurrentFixture('lstm_l2_bidir');
    const module = lstmFor(fx);
    const x = input(fx, 'x', true);
    const h0 = input(fx, 'h0', true);
    const c0 = input(fx, 'c0', true);
    const [out, [hN, cN]] = module.forward(x, [h0, c0]);
    // Same shapes as the recorded node, then larger: either would overwrite a shared workspace.
    noGrad(() => module.forward(input(fx, 'x'), [input(fx, 'c0'), input(fx, 'h0')]));
    const otherModule = lstmFor(other);
    noGrad(() => otherModule.forward(input(other, 'x'), [input(other, 'h0'), input(other, 'c0')]));
    const loss = out.mul(input(fx, 'R')).sum().add(hN.mul(input(fx, 'Rh')).sum()).add(cN.mul(input(fx, 'Rc')).sum());
    loss.backward();
    check('d loss / d x', x.grad!.data, fx.grads.x!.data);
    check('d loss / d h0', h0.grad!.data, fx.grads.h0!.data);
    check('d loss / d c0', c0.grad!.data, fx.grads.c0!.data);
    for (const [name, p] of module.namedParameters()) check(`d loss / d ${name}`, p.grad!.data, fx.grads[name]!.data);
  });
});

describeEachBackend('recurrent node: both directions as one batch', (backend) => {
  const initialThreads = getNumThreads();
  afterAll(() => setNumThreads(initialThreads));

  for (const threads of [1, 2]) {
    it(`a bidirectional 2-layer LSTM at ${threads} thread(s): outputs and every gradient match PyTorch`, () => {
      setNumThreads(threads);
      const fx = loadRecurrentFixture('lstm_l2_bidir');
      const module = lstmFor(fx);
      const x = input(fx, 'x', true);
      const h0 = input(fx, 'h0', true);
      const c0 = input(fx, 'c0', true);
      const [out, [hN, cN]] = module.forward(x, [h0, c0]);
      check('output', out.data, fx.outputs.output!.data);
      check('h_n', hN.data, fx.outputs.h_n!.data);
      check('c_n', cN.data, fx.outputs.c_n!.data);
      out.mul(input(fx, 'R')).sum().add(hN.mul(input(fx, 'Rh')).sum()).add(cN.mul(input(fx, 'Rc')).sum()).backward();
      check('d loss / d x (both directions)', x.grad!.data, fx.grads.x!.data);
      check('d loss / d h0', h0.grad!.data, fx.grads.h0!.data);
      check('d loss / d c0', c0.grad!.data, fx.grads.c0!.data);
      for (const [name, p] of module.namedParameters()) check(`d loss / d ${name}`, p.grad!.data, fx.grads[name]!.data);
    });

    it(`the same under noGrad at ${threads} thread(s) (each direction in its own scratch region)`, () => {
      setNumThreads(threads);
      const fx = loadRecurrentFixture('lstm_l2_bidir');
      const module = lstmFor(fx);
      const [out, [hN]] = noGrad(() => module.forward(input(fx, 'x'), [input(fx, 'h0'), input(fx, 'c0')]));
      check('output', out.data, fx.outputs.output!.data);
      check('h_n', hN.data, fx.outputs.h_n!.data);
    });
  }

  it('records one node for both directions when the backend batches them, one per direction otherwise', () => {
    const fx = loadRecurrentFixture('lstm_l1');
    const module = lstmFor(fx);
    const p = Object.fromEntries(module.namedParameters());
    const w = { wIh: p.weight_ih_l0!, wHh: p.weight_hh_l0!, bIh: p.bias_ih_l0!, bHh: p.bias_hh_l0! };
    const x = input(fx, 'x', true);
    const h0 = input(fx, 'h0');
    const c0 = input(fx, 'c0');
    const [forward, reverse] = recurrentLayers('lstm', [
      { x, h0, c0, ...w, lengths: null, reverse: false },
      { x, h0, c0, ...w, lengths: null, reverse: true },
    ]);
    const sameNode = forward!.out.gradFn === reverse!.out.gradFn;
    expect(sameNode).toBe(backend === 'native');
  });

  for (const threads of [1, 2]) {
    it(`weights shared by both calls of one node get the sum of both gradients (${threads} thread(s))`, () => {
      // Weight gradients are added into .grad in place only when no other call of the node shares
      // them; shared ones (here: the same weights for both directions) go back through autograd.
      setNumThreads(threads);
      const fx = loadRecurrentFixture('lstm_l1');
      const gradsOf = (together: boolean): Float32Array[] => {
        const module = lstmFor(fx);
        const p = Object.fromEntries(module.namedParameters());
        const w = { wIh: p.weight_ih_l0!, wHh: p.weight_hh_l0!, bIh: p.bias_ih_l0!, bHh: p.bias_hh_l0! };
        const args = (reverse: boolean) => ({ x: input(fx, 'x'), h0: input(fx, 'h0'), c0: input(fx, 'c0'), ...w, lengths: null, reverse });
        const outs = together ? recurrentLayers('lstm', [args(false), args(true)])
          : [recurrentLayers('lstm', [args(false)])[0]!, recurrentLayers('lstm', [args(true)])[0]!];
        outs[0]!.out.sum().add(outs[1]!.out.mul(outs[1]!.out).sum()).backward();
        return Object.values(w).map((t) => Float32Array.from(t.grad!.data));
      };
      const separate = gradsOf(false);
      gradsOf(true).forEach((g, i) => check(`shared weight ${i}`, g, separate[i]!));
    });
  }

  it('adds weight gradients into existing .grad, flat gradient arenas included', () => {
    const fx = loadRecurrentFixture('gru_l1');
    const module = gruFor(fx);
    const flat = module.useFlatGrads();
    const run = (): void => module.forward(input(fx, 'x'), input(fx, 'h0'))[0].sum().backward();
    run();
    const once = flat.map((g) => Float32Array.from(g));
    expect(once.some((g) => g.some((v) => v !== 0))).toBe(true);
    run(); // no zeroGrad: accumulates
    flat.forEach((g, i) => check(`flat grads ${i} doubled`, g, once[i]!.map((v) => 2 * v)));
    for (const p of module.parameters()) expect(flat.some((g) => g.buffer === p.grad!.data.buffer)).toBe(true);
  });
});
