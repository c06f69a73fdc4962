/**
 * lib/nn/recurrent/workspace_pool.ts and its use by the recurrent node: forward workspaces and
 * backward scratch are reused between training steps with stale contents, so a step's gradients
 * must not depend on what an earlier step left there (bit-identical to the same step on fresh
 * buffers); a second backward through a node works while its workspace was not reused, and throws
 * once a later call has taken it. Sizes are chosen above the pool's 2^14-float minimum.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { GRU, LSTM, RNN, emptyWorkspacePool, tensor, type Module, type Tensor } from '../../lib/index.js';
import { emptyPool, giveBack, takeBack, takeBuffer } from '../../lib/nn/recurrent/workspace_pool.js';
import { describeEachBackend } from '../helpers/backends.js';

describe('workspace pool', () => {
  beforeEach(() => emptyPool());

  it('hands a given-back buffer to the next request that fits, and a small one never', () => {
    const a = takeBuffer(40_000);
    a.fill(7);
    giveBack(a);
    const b = takeBuffer(30_000); // fits: 40 000 ≤ 2 · 30 000
    expect(b.buffer).toBe(a.buffer);
    expect(b.length).toBe(30_000);
    giveBack(b);
    const c = takeBuffer(10_000); // would waste more than half: fresh
    expect(c.buffer).not.toBe(a.buffer);
    const small = takeBuffer(100);
    giveBack(small);
    expect(takeBuffer(100).buffer).not.toBe(small.buffer);
  });

  it('emptyWorkspacePool (the public name) drops the free buffers: the next request is fresh', () => {
    const a = takeBuffer(40_000);
    giveBack(a);
    emptyWorkspacePool();
    expect(takeBuffer(40_000).buffer).not.toBe(a.buffer);
  });

  it('takeBack succeeds only while no one took the buffer since giveBack', () => {
    const a = takeBuffer(50_000);
    const token = giveBack(a);
    expect(takeBack(a, token)).toBe(true);
    expect(takeBack(a, token)).toBe(false); // taken once already
    const again = giveBack(a);
    const other = takeBuffer(50_000);
    expect(other.buffer).toBe(a.buffer);
    expect(takeBack(a, again)).toBe(false);
  });

  it('ignores buffers it did not allocate', () => {
    const foreign = new Float32Array(50_000);
    expect(giveBack(foreign)).toBe(-1);
    expect(takeBuffer(50_000).buffer).not.toBe(foreign.buffer);
  });
});

const T = 20, B = 8, I = 7, H = 40; // LSTM workspace 7·T·B·H = 44 800 floats, pooled

function fill(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.sin(seed * 1000 + i * 0.37) * 0.8;
  return a;
}

function models(): [string, () => Module & { forward(x: Tensor): [Tensor, unknown] }][] {
  const options = { inputSize: I, hiddenSize: H, numLayers: 2 };
  return [
    ['lstm', () => new LSTM(options)],
    ['gru', () => new GRU(options)],
    ['rnn', () => new RNN(options)],
    ['bidirectional lstm', () => new LSTM({ ...options, bidirectional: true })],
  ];
}

/** One training step on `x` (loss Σ out ⊙ r); returns copies of every parameter's gradient. */
function step(model: Module & { forward(x: Tensor): [Tensor, unknown] }, seed: number): Float32Array[] {
  model.zeroGrad();
  const x = tensor(fill(T * B * I, seed), [T, B, I], { requiresGrad: true });
  const out = model.forward(x)[0];
  out.mul(tensor(fill(out.size, seed + 1), out.shape)).sum().backward();
  return [...model.parameters().map((p) => Float32Array.from(p.grad!.data)), Float32Array.from(x.grad!.data)];
}

describeEachBackend('recurrent node: pooled workspaces', () => {
  beforeEach(() => emptyPool());

  for (const [name, make] of models()) {
    it(`${name}: a step's gradients do not depend on the buffers an earlier step left behind`, () => {
      const model = make();
      const first = step(model, 1); // fresh buffers (the pool may hold others' of other sizes)
      step(model, 2); // different inputs: every pooled buffer now holds other values
      step(model, 3);
      const again = step(model, 1);
      again.forEach((g, i) => expect(g, `${name} gradient ${i}`).toEqual(first[i]));
    });
  }

  it('a second backward through the same graph adds the same gradients again', () => {
    const model = new LSTM({ inputSize: I, hiddenSize: H });
    const x = tensor(fill(T * B * I, 4), [T, B, I]);
    const loss = model.forward(x)[0].sum();
    loss.backward();
    const once = Float32Array.from(model.parameters()[1]!.grad!.data);
    loss.backward();
    const twice = model.parameters()[1]!.grad!.data;
    for (let i = 0; i < once.length; i++) expect(twice[i]).toBeCloseTo(2 * once[i]!, 5);
  });

  it('a second backward after a later forward reused the workspace throws', () => {
    const model = new LSTM({ inputSize: I, hiddenSize: H });
    const x = tensor(fill(T * B * I, 5), [T, B, I]);
    const loss = model.forward(x)[0].sum();
    loss.backward();
    model.forward(x)[0].sum(); // recorded: takes the workspace the first graph gave back
    expect(() => loss.backward()).toThrow(/second time: its saved workspace was reused/);
  });
});
