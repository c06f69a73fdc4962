/**
 * Callbacks inside fit: EarlyStopping on a scripted validation curve (patience, minDelta, max mode,
 * restoring the best weights), LRSchedule per epoch, per step and on plateau, ModelCheckpoint's
 * keepLast rotation and numbering, and user hooks in order.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fit } from '../../lib/train/fit.js';
import { EarlyStopping, LRSchedule, ModelCheckpoint } from '../../lib/train/callbacks.js';
import { listCheckpoints, readCheckpoint } from '../../lib/io/checkpoint.js';
import { Module } from '../../lib/nn/module.js';
import { Linear } from '../../lib/nn/linear.js';
import { SGD } from '../../lib/optim/sgd.js';
import { ReduceLROnPlateau, StepLR } from '../../lib/optim/schedule.js';
import { Tensor, tensor } from '../../lib/tensor/tensor.js';
import { mseLoss } from '../../lib/tensor/ops/losses.js';
import { manualSeed } from '../../lib/data/rng.js';

class Line extends Module {
  readonly lin = new Linear({ inFeatures: 1, outFeatures: 1 });
  forward(x: Tensor): Tensor {
    return this.lin.forward(x);
  }
}

const batches = [0, 1, 2].map((i) => ({ x: tensor([[i]]), y: tensor([[2 * i + 1]]) }));
const trainLoss = (m: Line, b: { x: Tensor; y: Tensor }): Tensor => mseLoss(m.forward(b.x), b.y);

/** A validation step whose loss after epoch e is curve[e], whatever the model does. */
function scripted(curve: number[]) {
  return (_m: Line, _b: unknown, ctx: { epoch: number }): Tensor => tensor([curve[ctx.epoch]!]);
}

function setup() {
  manualSeed(2);
  const model = new Line();
  return { model, optimizer: new SGD(model.parameters(), { lr: 0.01 }) };
}

describe('EarlyStopping', () => {
  it('stops after patience epochs without improvement and restores the best weights', async () => {
    const { model, optimizer } = setup();
    const snapshots: Record<string, Float32Array>[] = [];
    const history = await fit(model, {
      data: batches, validationData: batches.slice(0, 1), validationLoss: scripted([1, 0.5, 0.6, 0.7, 0.8, 0.1, 0.1]), epochs: 7, optimizer, loss: trainLoss,
      callbacks: [{ onEpochEnd: () => void snapshots.push(model.stateDict()) }, new EarlyStopping({ patience: 2, restoreBestWeights: true })],
      progress: false,
    });
    // best 0.5 after epoch 2 (index 1); epochs 3, 4, 5 do not improve: the third exceeds patience 2
    expect(history.epochs.map((e) => e.valLoss)).toEqual([1, 0.5, 0.6, 0.7, 0.8].map((v) => Math.fround(v)));
    expect(history.stopReason).toBe('earlyStopping');
    expect(history.stopMessage).toBe(`early stopping: valLoss has not improved for 3 epochs (best ${Math.fround(0.5)} after epoch 2); restored the weights of that epoch`);
    expect(model.stateDict()).toEqual(snapshots[1]);
    expect(snapshots[4]).not.toEqual(snapshots[1]);
  });

  it('minDelta, max mode for accuracy-like names, and a clear error for an unknown monitor', async () => {
    const run = async (es: EarlyStopping, curve: number[]) => {
      const { model, optimizer } = setup();
      return fit(model, { data: batches, validationData: batches.slice(0, 1), validationLoss: scripted(curve), epochs: curve.length, optimizer, loss: trainLoss, callbacks: [es], progress: false });
    };
    // improvements under 0.1 do not count with minDelta 0.1: stops after epoch 3 (patience 1)
    expect((await run(new EarlyStopping({ patience: 1, minDelta: 0.1 }), [1, 0.95, 0.92, 0.85, 0.8])).epochs).toHaveLength(3);
    // a name with accuracy or f1 is maximised by default
    const stops: string[] = [];
    const trainer = { stopTraining: (reason: string, message: string) => void stops.push(`${reason}: ${message}`), model: setup().model } as never;
    const es = new EarlyStopping({ monitor: 'valAccuracy', patience: 0 });
    for (const [epoch, valAccuracy] of [[0, 0.5], [1, 0.6]]) es.onEpochEnd(trainer, { epoch: epoch!, valAccuracy: valAccuracy! });
    expect(stops).toEqual([]);
    es.onEpochEnd(trainer, { epoch: 2, valAccuracy: 0.55 });
    expect(stops).toEqual(['earlyStopping: early stopping: valAccuracy has not improved for 1 epochs (best 0.6 after epoch 2)']);
    expect(es.stateDict()).toEqual({ monitor: 'valAccuracy', mode: 'max', best: 0.6, bestEpoch: 1, wait: 1 });
    await expect(run(new EarlyStopping({ monitor: 'valAccuracy' }), [1])).rejects.toThrow(/EarlyStopping monitor must be a value of the epoch log \(epoch, loss, valLoss, lr, steps\), got "valAccuracy"/);
  });
});

describe('LRSchedule', () => {
  it('steps per epoch (scheduler option), per step, and on plateau with the monitored value', async () => {
    let s = setup();
    const perEpoch = await fit(s.model, { data: batches, epochs: 3, optimizer: s.optimizer, loss: trainLoss, scheduler: new StepLR(s.optimizer, { stepSize: 1, gamma: 0.5 }), progress: false });
    expect(perEpoch.epochs.map((e) => e.lr)).toEqual([0.01, 0.005, 0.0025]); // the lr each epoch ran with
    s = setup();
    const perStep = await fit(s.model, { data: batches, epochs: 1, optimizer: s.optimizer, loss: trainLoss, scheduler: new StepLR(s.optimizer, { stepSize: 1, gamma: 0.5 }), schedulerInterval: 'step', progress: false });
    expect(perStep.steps.map((x) => x.lr)).toEqual([0.01, 0.005, 0.0025]); // the lr each step ran with
    expect(s.optimizer.paramGroups[0]!.lr).toBe(0.00125);
    s = setup();
    const plateau = new ReduceLROnPlateau(s.optimizer, { patience: 0, factor: 0.1 });
    const reduced = await fit(s.model, {
      data: batches, validationData: batches.slice(0, 1), validationLoss: scripted([1, 2, 0.5, 0.6]), epochs: 4, optimizer: s.optimizer, loss: trainLoss,
      callbacks: [new LRSchedule(plateau)], progress: false,
    });
    // epoch 2 is worse → ×0.1 for epoch 3; epoch 3 improves; epoch 4 worse → reduced again after it
    expect(reduced.epochs.map((e) => e.lr)).toEqual([0.01, 0.01, 0.01 * 0.1, 0.01 * 0.1]);
    expect(s.optimizer.paramGroups[0]!.lr).toBeCloseTo(1e-4, 15);
    expect(() => new LRSchedule(plateau, { interval: 'step' })).toThrow(/interval must be 'epoch' for ReduceLROnPlateau/);
  });
});

describe('ModelCheckpoint', () => {
  it('saves every N steps and keeps the last N files', async () => {
    const { model, optimizer } = setup();
    const dir = mkdtempSync(join(tmpdir(), 'rnnkit-cb-'));
    const history = await fit(model, { data: [...batches, ...batches], epochs: 2, optimizer, loss: trainLoss, checkpoint: { dir, everySteps: 2, everyEpochs: 0, keepLast: 2 }, progress: false });
    expect(history.step).toBe(12);
    expect(listCheckpoints(dir).map((c) => c.step)).toEqual([10, 12]);
    const last = readCheckpoint(listCheckpoints(dir)[1]!.path);
    expect(last.step).toBe(12);
    expect(last.weights['lin.weight']!.data).toEqual(model.lin.weight.data);
  });

  it('saves at epoch ends under its prefix, and once more when fit stops early', async () => {
    const { model, optimizer } = setup();
    const dir = mkdtempSync(join(tmpdir(), 'rnnkit-cb-'));
    const checkpoint = new ModelCheckpoint({ dir, prefix: 'run', keepLast: 5 });
    await fit(model, { data: batches, epochs: 3, optimizer, loss: trainLoss, maxSteps: 7, callbacks: [checkpoint], progress: false });
    expect(listCheckpoints(dir, 'run').map((c) => c.step)).toEqual([3, 6, 7]);
    expect(checkpoint.lastPath).toBe(listCheckpoints(dir, 'run')[2]!.path);
    expect(() => new ModelCheckpoint({ dir, keepLast: 0 })).toThrow(/keepLast must be a positive integer, got 0/);
    expect(() => new ModelCheckpoint({} as never)).toThrow(/dir must be a directory path/);
  });
});

describe('user hooks', () => {
  it('are called in order with the logs, and may stop training', async () => {
    const { model, optimizer } = setup();
    const calls: string[] = [];
    const history = await fit(model, {
      data: batches, epochs: 5, optimizer, loss: trainLoss, progress: false,
      callbacks: [{
        onTrainBegin: () => void calls.push('begin'),
        onEpochBegin: (t) => void calls.push(`epoch ${t.epoch}`),
        onStepEnd: (_t, log) => void calls.push(`step ${log.step}`),
        onEpochEnd: (t, log) => {
          calls.push(`end ${log.epoch}`);
          if (log.epoch === 1) t.stopTraining();
        },
        onTrainEnd: (_t, h) => void calls.push(`done ${h.stopReason}`),
      }],
    });
    expect(calls).toEqual(['begin', 'epoch 0', 'step 1', 'step 2', 'step 3', 'end 0', 'epoch 1', 'step 4', 'step 5', 'step 6', 'end 1', 'done callback']);
    expect(history.stopMessage).toBe('stopped by a callback after step 6');
  });
});
