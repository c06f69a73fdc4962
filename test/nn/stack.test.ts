/**
 * recurrentStack (lib/nn/recurrent/node.ts): a forward-only pass of stacked unidirectional LSTM and
 * GRU layers as one backend call (native: the wavefront of native/kernels/stacked.cc when it has 2 to
 * L threads). Its outputs must equal the layer-by-layer path (one recorded node per layer, itself
 * checked against PyTorch elsewhere) at 1, 2 and 3 threads, with variable lengths and odd sizes; the
 * PyTorch fixture gru_l2 must come out of it under noGrad; and it must stay out of the way whenever
 * backward or dropout needs the layers one by one.
 */
import { afterAll, afterEach, expect, it, vi } from 'vitest';
import { GRU, LSTM, RNN, Rng, getNumThreads, noGrad, setNumThreads, tensor, type Tensor } from '../../lib/index.js';
import { getBackend } from '../../lib/backend/index.js';
import { describeEachBackend } from '../helpers/backends.js';
import { expectAllClose, expectClose } from '../helpers/close.js';
import { f32, loadRecurrentFixture } from '../helpers/fixtures.js';

function check(label: string, actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  expectClose(actual, expected, label);
  expectAllClose(actual, expected, label);
}

function randomInput(shape: number[], seed: number): Tensor {
  const rng = new Rng(seed);
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = rng.uniform(-1, 1);
  return tensor(data, shape);
}

/** Spies on the backend's stack call (when it has one) for the duration of `run`; returns how often it ran. */
function countStackCalls(run: () => void): number {
  const backend = getBackend();
  if (backend.recurrentForwardStack === undefined) {
    run();
    return 0;
  }
  const spy = vi.spyOn(backend, 'recurrentForwardStack');
  try {
    run();
    return spy.mock.calls.length;
  } finally {
    spy.mockRestore();
  }
}

describeEachBackend('stacked layers forward only (recurrentStack)', (backend) => {
  const initialThreads = getNumThreads();
  afterAll(() => setNumThreads(initialThreads));
  afterEach(() => setNumThreads(initialThreads));
  const stacks = backend === 'native' ? 1 : 0; // calls of recurrentForwardStack expected per forward

  // T = 20, B = 40: chunks of 3 steps (7 of them), I = 7 < H = 17 so layer 0's thread takes rows of
  // layer 1's projection; lengths ragged.
  const T = 20, B = 40, I = 7, H = 17;
  const lengths = Array.from({ length: B }, (_, b) => (b === 0 ? 1 : b === 7 ? 13 : b % 5 === 0 ? 19 : T));
  for (const Module of [LSTM, GRU]) {
    for (const numLayers of [2, 3]) {
      for (const threads of [1, 2, 3]) {
        it(`${Module.name} ${numLayers} layers at ${threads} thread(s): the layer-by-layer outputs`, () => {
          setNumThreads(threads);
          const module = new Module({ inputSize: I, hiddenSize: H, numLayers, rng: new Rng(5) });
          const x = randomInput([T, B, I], 1);
          const h0 = randomInput([numLayers, B, H], 2);
          const c0 = randomInput([numLayers, B, H], 3);
          const state = (module instanceof LSTM ? [h0, c0] : h0) as never;
          // recorded: one node per layer (parameters require gradients)
          const [out, hN] = module.forward(x, state, { lengths });
          let stacked: ReturnType<typeof module.forward> | null = null;
          expect(countStackCalls(() => { stacked = noGrad(() => module.forward(x, state, { lengths })); })).toBe(stacks);
          const [outS, hNS] = stacked!;
          check('out', outS.data, out.data);
          if (module instanceof LSTM) {
            const [h, c] = hN as unknown as [Tensor, Tensor];
            const [hS, cS] = hNS as unknown as [Tensor, Tensor];
            check('h_n', hS.data, h.data);
            check('c_n', cS.data, c.data);
          } else {
            check('h_n', (hNS as Tensor).data, (hN as Tensor).data);
          }
          expect(outS.requiresGrad).toBe(false);
        });
      }
    }
  }

  for (const threads of [1, 2]) {
    it(`the PyTorch fixture gru_l2 under noGrad at ${threads} thread(s)`, () => {
      setNumThreads(threads);
      const fx = loadRecurrentFixture('gru_l2');
      const m = fx.module;
      const module = new GRU({ inputSize: m.input_size, hiddenSize: m.hidden_size, numLayers: m.num_layers, bias: m.bias });
      module.loadStateDict(Object.fromEntries(fx.paramNames.map((n) => [n, f32(fx.params[n]!)])));
      const a = fx.tensors;
      let result: [Tensor, Tensor] | null = null;
      expect(countStackCalls(() => {
        result = noGrad(() => module.forward(tensor(f32(a.x!), a.x!.shape), tensor(f32(a.h0!), a.h0!.shape)));
      })).toBe(stacks);
      check('output', result![0].data, fx.outputs.output!.data);
      check('h_n', result![1].data, fx.outputs.h_n!.data);
    });
  }

  it('is not used when backward needs the layers, under dropout in training, bidirectional, or for RNN', () => {
    const x = randomInput([6, 3, 4], 9);
    const lstm = new LSTM({ inputSize: 4, hiddenSize: 5, numLayers: 2 });
    expect(countStackCalls(() => lstm.forward(x))).toBe(0); // parameters require gradients
    const dropped = new LSTM({ inputSize: 4, hiddenSize: 5, numLayers: 2, dropout: 0.5 });
    expect(countStackCalls(() => noGrad(() => dropped.forward(x)))).toBe(0); // training mode
    dropped.eval();
    expect(countStackCalls(() => noGrad(() => dropped.forward(x)))).toBe(stacks);
    const bidirectional = new GRU({ inputSize: 4, hiddenSize: 5, numLayers: 2, bidirectional: true });
    expect(countStackCalls(() => noGrad(() => bidirectional.forward(x)))).toBe(0);
    const oneLayer = new GRU({ inputSize: 4, hiddenSize: 5 });
    expect(countStackCalls(() => noGrad(() => oneLayer.forward(x)))).toBe(0);
    const rnn = new RNN({ inputSize: 4, hiddenSize: 5, numLayers: 2 });
    expect(countStackCalls(() => noGrad(() => rnn.forward(x)))).toBe(0);
  });
});
