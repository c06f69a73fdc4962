/**
 * Truncated BPTT: detachState keeps values and cuts the graph; inside fit the carried state flows
 * from batch to batch detached, starts empty each epoch and each validation pass, and survives a
 * checkpoint (carryToTensors / carryFromTensors).
 */
import { describe, expect, it } from 'vitest';
import { carryFromTensors, carryToTensors, detachCarry, detachState } from '../../lib/train/tbptt.js';
import { fit } from '../../lib/train/fit.js';
import type { StepContext } from '../../lib/train/trainer.js';
import { LSTM } from '../../lib/nn/recurrent/lstm.js';
import { SGD } from '../../lib/optim/sgd.js';
import { Tensor, tensor } from '../../lib/tensor/tensor.js';
import { manualSeed } from '../../lib/data/rng.js';

describe('detachState', () => {
  it('shares the values and cuts the graph, for a Tensor and for [h, c]', () => {
    const w = tensor([1, 2], [2], { requiresGrad: true });
    const h = w.mul(3);
    const c = w.add(1);
    expect(h.gradFn).not.toBeNull();
    const dh = detachState(h);
    expect(dh.gradFn).toBeNull();
    expect(dh.requiresGrad).toBe(false);
    expect(dh.data).toBe(h.data); // no copy
    const [dh2, dc] = detachState([h, c]);
    expect([dh2!.gradFn, dc!.gradFn, dc!.requiresGrad]).toEqual([null, null, false]);
    expect(Array.from(dc!.data)).toEqual([2, 3]);
    expect(() => detachState(3 as never)).toThrow(/state must be a Tensor or an array of Tensors, got 3/);
    const carry = { a: h, b: [c], none: null };
    detachCarry(carry);
    expect([carry.a.gradFn, carry.b[0]!.gradFn, carry.none]).toEqual([null, null, null]);
    expect(() => detachCarry({ x: 'text' } as never)).toThrow(/ctx\.carry\.x must be a Tensor, an array of Tensors, or null, got "text"/);
  });

  it('carry tensors round-trip through checkpoint tensors', () => {
    const carry = { state: [tensor([1, 2], [1, 1, 2]), tensor([3, 4], [1, 1, 2])], h: tensor([5], [1]) };
    const back = carryFromTensors(Object.fromEntries(Object.entries(carryToTensors(carry)).map(([k, v]) => [k, v])));
    expect((back.state as Tensor[]).map((t) => [t.shape, Array.from(t.data)])).toEqual([[[1, 1, 2], [1, 2]], [[1, 1, 2], [3, 4]]]);
    expect(Array.from((back.h as Tensor).data)).toEqual([5]);
    expect(() => carryToTensors({ 'a/b': tensor([1]) })).toThrow(/may not contain '\//);
  });
});

describe('carry inside fit', () => {
  it('flows detached across batches, and starts empty each epoch and each validation pass', async () => {
    manualSeed(3);
    const lstm = new LSTM({ inputSize: 1, hiddenSize: 2 });
    const x = tensor(Float32Array.from({ length: 3 * 2 }, (_, i) => Math.sin(i)), [3, 2, 1]); // [T, B, I]
    const seen: { training: boolean; epoch: number; batch: number; hadState: boolean; detached: boolean; continues: boolean }[] = [];
    let lastH: Float32Array | null = null;
    const step = (m: LSTM, _b: number, ctx: StepContext): Tensor => {
      const state = ctx.carry.state as [Tensor, Tensor] | undefined;
      seen.push({
        training: ctx.training, epoch: ctx.epoch, batch: ctx.batchIndex, hadState: state !== undefined,
        detached: state === undefined || (state[0].gradFn === null && !state[0].requiresGrad && state[1].gradFn === null),
        continues: state !== undefined && lastH !== null && state[0].data.every((v, i) => v === lastH![i]),
      });
      const [out, next] = m.forward(x, state);
      ctx.carry.state = next;
      lastH = Float32Array.from(next[0].data);
      return out.sum();
    };
    await fit(lstm, { data: [0, 1, 2], validationData: [0, 1], epochs: 2, optimizer: new SGD(lstm.parameters(), { lr: 0.01 }), loss: step, progress: false });
    expect(seen.map((s) => `${s.training ? 'train' : 'val'} ${s.epoch}.${s.batch} ${s.hadState ? 'carried' : 'fresh'}`)).toEqual([
      'train 0.0 fresh', 'train 0.1 carried', 'train 0.2 carried', 'val 0.0 fresh', 'val 0.1 carried',
      'train 1.0 fresh', 'train 1.1 carried', 'train 1.2 carried', 'val 1.0 fresh', 'val 1.1 carried',
    ]);
    expect(seen.every((s) => s.detached)).toBe(true);
    expect(seen.filter((s) => s.hadState).every((s) => s.continues)).toBe(true);
  });
});
