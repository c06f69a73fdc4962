/**
 * fit: exact resume (a run stopped, saved and resumed into fresh objects gives the uninterrupted
 * run's losses bit for bit), the non-finite guard (stop and skip, messages naming step and
 * parameter), Ctrl-C in a child process (exit 0, loadable checkpoint), data sources, and the
 * progress lines it prints when the stream is not a terminal.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fit, NonFiniteError } from '../../lib/train/fit.js';
import type { History, StepContext } from '../../lib/train/trainer.js';
import { EarlyStopping } from '../../lib/train/callbacks.js';
import { checkpointPath, latestCheckpoint, listCheckpoints, readCheckpoint } from '../../lib/io/checkpoint.js';
import { Module } from '../../lib/nn/module.js';
import { LSTM } from '../../lib/nn/recurrent/lstm.js';
import { Linear } from '../../lib/nn/linear.js';
import { Adam } from '../../lib/optim/adam.js';
import { SGD } from '../../lib/optim/sgd.js';
import { StepLR } from '../../lib/optim/schedule.js';
import { Tensor, tensor } from '../../lib/tensor/tensor.js';
import { record1 } from '../../lib/tensor/autograd.js';
import { crossEntropy, mseLoss } from '../../lib/tensor/ops/losses.js';
import { defaultRng, manualSeed, Rng } from '../../lib/data/rng.js';
import { compiledLib } from './compiled.js';

const tempDir = (): string => mkdtempSync(join(tmpdir(), 'rnnkit-fit-'));
const quiet = { progress: false } as const;

// ---- exact resume ----------------------------------------------------------------------------------

const T = 4;
const B = 3;
const C = 4;
const BATCHES = 6;

class Tagger extends Module {
  readonly lstm = new LSTM({ inputSize: 3, hiddenSize: 5, numLayers: 2, dropout: 0.3 }); // dropout draws from defaultRng
  readonly head = new Linear({ inFeatures: 5, outFeatures: C });
  forward(x: Tensor, state?: [Tensor, Tensor]): [Tensor, [Tensor, Tensor]] {
    const [out, next] = this.lstm.forward(x, state);
    return [this.head.forward(out), next];
  }
}

interface Batch { x: Tensor; y: Int32Array }

/**
 * Everything a run needs, built fresh from `seed`. The data shuffles its batch order up front with
 * its own generator (eager) and adds noise from defaultRng as each batch is pulled (lazy, between
 * dropout draws), so resuming must reproduce both kinds of randomness.
 */
function setup(seed: number) {
  manualSeed(seed);
  const model = new Tagger();
  const optimizer = new Adam(model.parameters(), { lr: 0.02 });
  const scheduler = new StepLR(optimizer, { stepSize: 4, gamma: 0.7 });
  const dataRng = new Rng(seed + 1000);
  const pool = Array.from({ length: BATCHES }, (_, k) => ({
    x: Float32Array.from({ length: T * B * 3 }, (_, i) => Math.sin(0.7 * i + k)),
    y: Int32Array.from({ length: T * B }, (_, i) => (i * 7 + k) % C),
  }));
  const data = function* ({ epoch: _epoch }: { epoch: number }): Generator<Batch> {
    const order = dataRng.shuffle([...pool.keys()]);
    for (const k of order) {
      const x = Float32Array.from(pool[k]!.x, (v) => v + 0.1 * defaultRng.normal());
      yield { x: tensor(x, [T, B, 3]), y: pool[k]!.y };
    }
  };
  const validationData = pool.slice(0, 2).map((b) => ({ x: tensor(b.x, [T, B, 3]), y: b.y }));
  const loss = (m: Tagger, batch: Batch, ctx: StepContext) => {
    const [logits, state] = m.forward(batch.x, ctx.carry.state as [Tensor, Tensor] | undefined);
    ctx.carry.state = state; // truncated BPTT: fit detaches it after the step
    const flat = logits.reshape([T * B, C]);
    return { loss: crossEntropy(flat, batch.y), output: flat, target: batch.y, count: T * B };
  };
  return { model, optimizer, scheduler, dataRng, data, validationData, loss };
}

async function train(seed: number, extra: { maxSteps?: number; dir?: string; resume?: string }): Promise<{ history: History; weights: Record<string, Float32Array> }> {
  const s = setup(seed);
  const history = await fit(s.model, {
    data: s.data, validationData: s.validationData, epochs: 3, optimizer: s.optimizer, loss: s.loss,
    metrics: ['accuracy'], gradClipNorm: 1, scheduler: s.scheduler, schedulerInterval: 'step',
    callbacks: [new EarlyStopping({ patience: 10 })], rngs: { data: s.dataRng },
    ...(extra.dir === undefined ? {} : { checkpoint: { dir: extra.dir, everyEpochs: 1, keepLast: 10 } }),
    ...(extra.maxSteps === undefined ? {} : { maxSteps: extra.maxSteps }),
    ...(extra.resume === undefined ? {} : { resume: extra.resume }),
    ...quiet,
  });
  return { history, weights: s.model.stateDict() };
}

describe('fit: exact resume', () => {
  it.each([
    ['mid-epoch (step 8 of 18)', 8],
    ['at the last batch of an epoch, before its end (step 12)', 12],
  ])('stopping %s, saving, and resuming into fresh objects gives bit-identical losses', async (_label, stopAt) => {
    const straight = await train(1, {});
    expect(straight.history.steps).toHaveLength(3 * BATCHES);
    expect(straight.history.stopReason).toBe('completed');

    const dir = tempDir();
    const first = await train(1, { dir, maxSteps: stopAt });
    expect(first.history.stopReason).toBe('maxSteps');
    expect(first.history.step).toBe(stopAt);
    expect(latestCheckpoint(dir)).toBe(checkpointPath(dir, stopAt));
    // Fresh objects from another seed: everything must come from the checkpoint.
    const resumed = await train(2, { dir: tempDir(), resume: checkpointPath(dir, stopAt) });
    expect(resumed.history.stopReason).toBe('completed');
    expect(resumed.history.steps.map((s) => s.loss)).toEqual(straight.history.steps.map((s) => s.loss));
    expect(resumed.history.steps).toEqual(straight.history.steps);
    expect(resumed.history.epochs).toEqual(straight.history.epochs);
    expect(resumed.weights).toEqual(straight.weights);
  }, 60_000);

  it('resuming from an epoch-end checkpoint continues exactly too', async () => {
    const straight = await train(1, {});
    const dir = tempDir();
    await train(1, { dir, maxSteps: 8 }); // writes the epoch-end checkpoint at step 6 on the way
    const resumed = await train(3, { resume: checkpointPath(dir, BATCHES) });
    expect(resumed.history.steps).toEqual(straight.history.steps);
    expect(resumed.history.epochs).toEqual(straight.history.epochs);
    expect(resumed.weights).toEqual(straight.weights);
  }, 60_000);

  it('resume: true continues from the latest checkpoint of checkpoint.dir, or starts fresh when there is none', async () => {
    const straight = await train(1, {});
    const dir = tempDir();
    const s = setup(1);
    const options = {
      data: s.data, validationData: s.validationData, epochs: 3, optimizer: s.optimizer, loss: s.loss, metrics: ['accuracy' as const], gradClipNorm: 1,
      scheduler: s.scheduler, schedulerInterval: 'step' as const, callbacks: [new EarlyStopping({ patience: 10 })], rngs: { data: s.dataRng },
      checkpoint: { dir, everyEpochs: 1 }, resume: true, ...quiet,
    };
    const first = await fit(s.model, { ...options, maxSteps: 9 }); // nothing to resume: a fresh start
    expect(first.steps).toEqual(straight.history.steps.slice(0, 9));
    const t = setup(5);
    const rest = await fit(t.model, { ...options, data: t.data, optimizer: t.optimizer, loss: t.loss, scheduler: t.scheduler, rngs: { data: t.dataRng }, callbacks: [new EarlyStopping({ patience: 10 })] });
    expect(rest.steps).toEqual(straight.history.steps);
    expect(listCheckpoints(dir).map((c) => c.step)).toEqual([9, 12, 18]);
  }, 60_000);

  it('says what is wrong when the resumed run differs', async () => {
    const dir = tempDir();
    await train(1, { dir, maxSteps: 2 });
    const s = setup(1);
    await expect(fit(s.model, { data: s.data, epochs: 1, optimizer: new SGD(s.model.parameters(), { lr: 0.1 }), loss: s.loss, resume: checkpointPath(dir, 2), ...quiet }))
      .rejects.toThrow(/state of a Adam optimizer, got a SGD/);
    await expect(fit(s.model, { data: s.data, epochs: 1, optimizer: s.optimizer, loss: s.loss, resume: checkpointPath(dir, 2), rngs: { other: new Rng(1) }, ...quiet }))
      .rejects.toThrow(/no state for the generator "other"/);
  });
});

// ---- non-finite guard ------------------------------------------------------------------------------

class Line extends Module {
  readonly lin = new Linear({ inFeatures: 2, outFeatures: 1 });
  forward(x: Tensor): Tensor {
    return this.lin.forward(x);
  }
}

/** The tensor unchanged, but its gradient comes back NaN: a stand-in for a blow-up inside a model. */
function poisonGradient(t: Tensor): Tensor {
  return record1('poison', t.data, t.shape, [t], (g) => [new Float32Array(g.length).fill(NaN)]);
}

interface LineBatch { x: Tensor; y: Tensor; poison?: boolean; nanLoss?: boolean }
const lineBatches = (poisoned: number[], nanLoss: number[] = []): LineBatch[] => Array.from({ length: 5 }, (_, i) => ({
  x: tensor([[i, 1], [1, -i]]), y: tensor([[1], [2]]), poison: poisoned.includes(i + 1), nanLoss: nanLoss.includes(i + 1),
}));
const lineLoss = (m: Line, b: LineBatch): Tensor => {
  let loss = mseLoss(m.forward(b.x), b.y);
  if (b.poison) loss = loss.add(poisonGradient(m.lin.weight).sum().mul(0));
  if (b.nanLoss) loss = loss.mul(NaN);
  return loss;
};

describe('fit: non-finite guard', () => {
  it("'stop' (default) throws NonFiniteError naming the step and the parameter, before the update", async () => {
    manualSeed(1);
    const model = new Line();
    let weightsBefore: Float32Array | null = null;
    const error = await fit(model, {
      data: lineBatches([3]), epochs: 1, optimizer: new SGD(model.parameters(), { lr: 0.1 }), loss: lineLoss, ...quiet,
      callbacks: [{ onStepEnd: (trainer) => { if (trainer.step === 2) weightsBefore = Float32Array.from(model.lin.weight.data); } }],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonFiniteError);
    const e = error as NonFiniteError;
    expect(e.message).toBe(
      'fit: the gradient of parameter "lin.weight" is not finite at step 3 (epoch 1, batch 3): NaN at index 0 (2 of 2 values non-finite); ' +
        "lower the learning rate, clip gradients (gradClipNorm), check the data, or pass nonFinite: 'skip' to skip such steps",
    );
    expect([e.step, e.epoch, e.parameter]).toEqual([3, 0, 'lin.weight']);
    expect(model.lin.weight.data).toEqual(weightsBefore);
  });

  it("a non-finite loss is caught before backward, named with its step", async () => {
    manualSeed(1);
    const model = new Line();
    await expect(fit(model, { data: lineBatches([], [2]), epochs: 1, optimizer: new SGD(model.parameters(), { lr: 0.1 }), loss: lineLoss, ...quiet }))
      .rejects.toThrow(/^fit: the loss is NaN at step 2 \(epoch 1, batch 2\); lower the learning rate/);
  });

  it("'skip' leaves the weights and the epoch loss untouched by the bad step and says so", async () => {
    manualSeed(1);
    const model = new Line();
    const snapshots: Float32Array[] = [];
    const stream = { text: '', write(t: string) { stream.text += t; return true; } };
    const history = await fit(model, {
      data: lineBatches([3]), epochs: 1, optimizer: new SGD(model.parameters(), { lr: 0.1 }), loss: lineLoss, nonFinite: 'skip',
      progress: { stream, mode: 'lines', everySteps: 100 },
      callbacks: [{ onStepEnd: () => void snapshots.push(Float32Array.from(model.lin.weight.data)) }],
    });
    expect(history.skippedSteps).toBe(1);
    expect(history.step).toBe(5);
    expect(snapshots[2]).toEqual(snapshots[1]); // step 3 changed nothing
    expect(snapshots[3]).not.toEqual(snapshots[2]);
    const losses = history.steps.map((s) => s.loss);
    expect(history.epochs[0]!.loss).toBe((losses[0]! + losses[1]! + losses[3]! + losses[4]!) / 4);
    expect(stream.text).toContain('fit: the gradient of parameter "lin.weight" is not finite at step 3 (epoch 1, batch 3): NaN at index 0 (2 of 2 values non-finite); step skipped');
  });

  it("'skip' still stops when the model has diverged (maxConsecutiveSkips)", async () => {
    manualSeed(1);
    const model = new Line();
    await expect(fit(model, { data: lineBatches([1, 2, 3, 4, 5]), epochs: 1, optimizer: new SGD(model.parameters(), { lr: 0.1 }), loss: lineLoss, nonFinite: 'skip', maxConsecutiveSkips: 2, ...quiet }))
      .rejects.toThrow(/at step 3 .*; 3 steps in a row were skipped \(maxConsecutiveSkips 2\); the model has diverged/);
  });
});

// ---- data sources, history, progress, options ------------------------------------------------------

describe('fit: data, history and progress', () => {
  const setupLine = () => {
    manualSeed(4);
    const model = new Line();
    return { model, optimizer: new SGD(model.parameters(), { lr: 0.05 }) };
  };

  it('takes arrays, functions per epoch and async iterables; refuses a spent generator', async () => {
    const batches = lineBatches([]).slice(0, 3);
    const a = setupLine();
    const fromArray = await fit(a.model, { data: batches, epochs: 2, optimizer: a.optimizer, loss: lineLoss, ...quiet });
    const b = setupLine();
    const seen: number[] = [];
    const fromFunction = await fit(b.model, { data: ({ epoch }) => (seen.push(epoch), batches), epochs: 2, optimizer: b.optimizer, loss: lineLoss, ...quiet });
    const c = setupLine();
    const fromAsync = await fit(c.model, {
      data: { async *[Symbol.asyncIterator]() { for (const x of batches) yield x; } }, epochs: 2, optimizer: c.optimizer, loss: lineLoss, ...quiet,
    });
    expect(seen).toEqual([0, 1]);
    expect(fromFunction.steps).toEqual(fromArray.steps);
    expect(fromAsync.steps).toEqual(fromArray.steps);
    expect(fromArray.epochs.map((e) => [e.epoch, e.steps])).toEqual([[0, 3], [1, 6]]);
    const d = setupLine();
    const once = (function* () { yield* batches; })();
    await expect(fit(d.model, { data: once, epochs: 2, optimizer: d.optimizer, loss: lineLoss, ...quiet }))
      .rejects.toThrow(/data gave no batches in epoch 2; a one-pass iterator \(a generator object\) cannot serve several epochs/);
  });

  it('checks its options with messages naming them', async () => {
    const { model, optimizer } = setupLine();
    const base = { data: lineBatches([]), epochs: 1, optimizer, loss: lineLoss, ...quiet };
    await expect(fit(model, { ...base, epochs: 0 })).rejects.toThrow(/epochs must be a positive integer, got 0/);
    await expect(fit(model, { ...base, data: 5 as never })).rejects.toThrow(/data must be an array or iterable of batches/);
    await expect(fit(model, { ...base, lossFn: 1 } as never)).rejects.toThrow(/fit options has an unknown option "lossFn"/);
    await expect(fit(model, { ...base, nonFinite: 'ignore' as never })).rejects.toThrow(/nonFinite must be one of "stop", "skip", got "ignore"/);
    await expect(fit(model, { ...base, loss: () => 3 as never })).rejects.toThrow(/loss result must be a scalar loss Tensor/);
  });

  it('prints plain progress lines and epoch summaries when the stream is not a terminal', async () => {
    const { model, optimizer } = setupLine();
    const stream = { text: '', isTTY: false, write(t: string) { stream.text += t; return true; } };
    await fit(model, {
      data: lineBatches([]).slice(0, 4), validationData: lineBatches([]).slice(0, 1), epochs: 2, optimizer, loss: lineLoss,
      progress: { stream, everySteps: 2 },
    });
    const lines = stream.text.trimEnd().split('\n');
    expect(stream.text).not.toContain('\r');
    expect(lines).toHaveLength(6);
    expect(lines[0]).toMatch(/^epoch 1\/2  step 2\/4  [\d.]+ steps\/s  ETA \d+:\d\d  loss \d\.\d{4}  lr 5\.00e-2$/);
    expect(lines[2]).toMatch(/^epoch 1\/2  loss \d\.\d{4}  valLoss \d\.\d{4}  lr 0\.0500  steps 4  \([\d.]+ s\)$/);
    expect(lines[5]).toMatch(/^epoch 2\/2  loss .* steps 8  \(/);
  });
});

// ---- Ctrl-C ----------------------------------------------------------------------------------------

/** The child: a long fit with checkpoints; prints READY once training runs, then its history as JSON. */
const CHILD = `
import { fit } from './lib/train/fit.js';
import { Module } from './lib/nn/module.js';
import { LSTM } from './lib/nn/recurrent/lstm.js';
import { Linear } from './lib/nn/linear.js';
import { Adam } from './lib/optim/adam.js';
import { tensor } from './lib/tensor/tensor.js';
import { mseLoss } from './lib/tensor/ops/losses.js';
const dir = process.argv[2];
class Net extends Module {
  lstm = new LSTM({ inputSize: 2, hiddenSize: 8 });
  head = new Linear({ inFeatures: 8, outFeatures: 1 });
  forward(x) { return this.head.forward(this.lstm.forward(x)[1][0].reshape([4, 8])); }
}
const model = new Net();
const x = tensor(Float32Array.from({ length: 20 * 4 * 2 }, (_, i) => Math.cos(i)), [20, 4, 2]);
const y = tensor([[1], [0], [1], [0]]);
let ready = false;
const history = await fit(model, {
  data: Array.from({ length: 50 }, () => ({ x, y })), epochs: 100000, optimizer: new Adam(model.parameters()),
  loss: (m, b) => mseLoss(m.forward(b.x), b.y), checkpoint: { dir, everyEpochs: 0 }, progress: 'lines',
  callbacks: [{ onStepEnd(t) { if (!ready && t.step >= 3) { ready = true; process.stdout.write('READY\\n'); } } }],
});
process.stdout.write(JSON.stringify({ stopReason: history.stopReason, step: history.step, listeners: process.listenerCount('SIGINT') }) + '\\n');
`;

describe('fit: Ctrl-C', () => {
  it('SIGINT finishes the step, saves a loadable checkpoint, removes its handler and exits 0', async () => {
    const lib = compiledLib();
    writeFileSync(join(lib, 'fit_child.mjs'), CHILD);
    const dir = tempDir();
    const child = spawn(process.execPath, [join(lib, 'fit_child.mjs'), dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes('READY')) resolve();
      });
      child.on('exit', () => reject(new Error(`child ended early: ${stderr}`)));
    });
    child.kill('SIGINT');
    expect(await exit).toBe(0);
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as { stopReason: string; step: number; listeners: number };
    expect(result.stopReason).toBe('interrupted');
    expect(result.listeners).toBe(0);
    expect(stderr).toContain('interrupted: finishing this step and saving a checkpoint');
    expect(stderr).toMatch(/checkpoint saved: .*checkpoint-\d{8}\.safetensors/);
    const saved = listCheckpoints(dir);
    expect(saved.map((c) => c.step)).toEqual([result.step]);
    const ck = readCheckpoint(saved[0]!.path);
    expect(ck.step).toBe(result.step);
    expect(Object.keys(ck.weights).sort()).toEqual(['head.bias', 'head.weight', 'lstm.bias_hh_l0', 'lstm.bias_ih_l0', 'lstm.weight_hh_l0', 'lstm.weight_ih_l0']);
    expect((ck.history as History).stopReason).toBe('interrupted');
  }, 120_000);
});
