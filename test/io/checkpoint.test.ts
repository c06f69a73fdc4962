/**
 * Checkpoints: the safetensors layout (PyTorch weight names and shapes, optimizer buffers, one JSON
 * metadata entry), a round trip into fresh objects (weights, Adam state, schedule, RNG), non-finite
 * numbers in the metadata, refusal of other formats and versions with advice, numbered files and
 * keepLast rotation, and atomicity: a writer SIGKILLed midway leaves the previous checkpoint loadable
 * and its temporary file is never taken for a checkpoint.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CHECKPOINT_FORMAT, CHECKPOINT_VERSION, checkpointPath, decodeJson, encodeJson, latestCheckpoint, listCheckpoints,
  loadCheckpoint, pruneCheckpoints, readCheckpoint, saveCheckpoint,
} from '../../lib/io/checkpoint.js';
import { decodeSafetensors, encodeSafetensors, loadSafetensors, saveSafetensors } from '../../lib/io/safetensors.js';
import { LSTM } from '../../lib/nn/recurrent/lstm.js';
import { Linear } from '../../lib/nn/linear.js';
import { Module } from '../../lib/nn/module.js';
import { Adam } from '../../lib/optim/adam.js';
import { SGD } from '../../lib/optim/sgd.js';
import { StepLR, ReduceLROnPlateau } from '../../lib/optim/schedule.js';
import { Tensor } from '../../lib/tensor/tensor.js';
import { defaultRng, manualSeed, Rng } from '../../lib/data/rng.js';
import { compiledLib } from '../train/compiled.js';

class Tagger extends Module {
  readonly rnn = new LSTM({ inputSize: 3, hiddenSize: 4 });
  readonly head = new Linear({ inFeatures: 4, outFeatures: 2 });
  forward(x: Tensor): Tensor {
    return this.head.forward(this.rnn.forward(x)[0]);
  }
}

const tempDir = (): string => mkdtempSync(join(tmpdir(), 'rnnkit-ckpt-'));

/** Two Adam steps on a fixed batch so the optimizer has state. */
function trained(seed: number): { model: Tagger; optimizer: Adam; scheduler: StepLR } {
  manualSeed(seed);
  const model = new Tagger();
  const optimizer = new Adam(model.parameters(), { lr: 0.01 });
  const scheduler = new StepLR(optimizer, { stepSize: 1, gamma: 0.5 });
  const x = new Tensor(Float32Array.from({ length: 5 * 2 * 3 }, (_, i) => Math.sin(i)), [5, 2, 3]);
  for (let s = 0; s < 2; s++) {
    optimizer.zeroGrad();
    model.forward(x).mul(model.forward(x)).mean().backward();
    optimizer.step();
    scheduler.step();
  }
  return { model, optimizer, scheduler };
}

describe('checkpoint file layout', () => {
  it('stores PyTorch-named weights, optimizer buffers by index and one JSON metadata entry', () => {
    const { model, optimizer, scheduler } = trained(1);
    const bytes = Buffer.concat(encodeCheckpointOf(model, optimizer, scheduler));
    const { tensors, metadata } = decodeSafetensors(bytes);
    expect(metadata.format).toBe('pt');
    const weightNames = Object.keys(tensors).filter((k) => !k.includes('/')).sort();
    expect(weightNames).toEqual(['head.bias', 'head.weight', 'rnn.bias_hh_l0', 'rnn.bias_ih_l0', 'rnn.weight_hh_l0', 'rnn.weight_ih_l0']);
    expect(tensors['rnn.weight_ih_l0']!.shape).toEqual([16, 3]);
    expect(tensors['head.weight']!.data).toEqual(model.head.weight.data);
    // Adam keeps expAvg and expAvgSq per parameter, shaped like it; parameter 0 is rnn.weight_ih_l0.
    expect(tensors['optimizer/0/expAvg']!.shape).toEqual([16, 3]);
    expect(Object.keys(tensors).filter((k) => k.startsWith('optimizer/')).length).toBe(2 * 6);
    const meta = decodeJson(metadata.rnnkit!) as Record<string, unknown>;
    expect(meta.format).toBe(CHECKPOINT_FORMAT);
    expect(meta.version).toBe(CHECKPOINT_VERSION);
    expect(meta.step).toBe(2);
    expect((meta.optimizer as { type: string }).type).toBe('Adam');
    expect((meta.optimizer as { scalars: Record<string, { step: number }> }).scalars['3']!.step).toBe(2);
    expect(meta.scheduler).toEqual({ lastEpoch: 2, baseLrs: [0.01] });
  });
});

function encodeCheckpointOf(model: Module, optimizer: Adam, scheduler: StepLR): Uint8Array[] {
  const dir = tempDir();
  const path = join(dir, 'c.safetensors');
  saveCheckpoint(path, { model, optimizer, scheduler, step: 2, epoch: 1 });
  return [readFileSync(path)];
}

describe('saveCheckpoint / loadCheckpoint', () => {
  it('restores weights, optimizer state, schedule and RNG states into fresh objects', () => {
    const { model, optimizer, scheduler } = trained(1);
    const dataRng = new Rng(99);
    dataRng.random();
    defaultRng.seed(5);
    defaultRng.random();
    const path = join(tempDir(), 'state.safetensors');
    saveCheckpoint(path, {
      model, optimizer, scheduler, rngs: { default: defaultRng, data: dataRng }, step: 2, epoch: 1,
      config: { hidden: 4, note: 'é' }, vocab: { tokens: ['<pad>', 'a'] }, history: { loss: [1, NaN, Infinity] }, extra: { any: [1, 2] },
      tensors: { h: { data: new Float32Array([1, 2, 3, 4]), shape: [1, 2, 2] } },
    });
    const expectedDefault = defaultRng.random();
    const expectedData = dataRng.random();

    const fresh = trained(7); // different weights and state
    const freshDataRng = new Rng(0);
    defaultRng.seed(123);
    const ck = loadCheckpoint(path, { model: fresh.model, optimizer: fresh.optimizer, scheduler: fresh.scheduler, rngs: { default: defaultRng, data: freshDataRng } });
    expect(fresh.model.stateDict()).toEqual(model.stateDict());
    expect(fresh.optimizer.stateDict()).toEqual(optimizer.stateDict());
    expect(fresh.scheduler.stateDict()).toEqual(scheduler.stateDict());
    expect(fresh.optimizer.paramGroups[0]!.lr).toBe(optimizer.paramGroups[0]!.lr);
    expect(defaultRng.random()).toBe(expectedDefault);
    expect(freshDataRng.random()).toBe(expectedData);
    expect(ck.step).toBe(2);
    expect(ck.epoch).toBe(1);
    expect(ck.config).toEqual({ hidden: 4, note: 'é' });
    expect(ck.vocab).toEqual({ tokens: ['<pad>', 'a'] });
    expect(ck.history).toEqual({ loss: [1, NaN, Infinity] });
    expect(ck.extra).toEqual({ any: [1, 2] });
    expect(ck.tensors.h).toEqual({ data: new Float32Array([1, 2, 3, 4]), shape: [1, 2, 2] });
  });

  it('keeps non-finite numbers (ReduceLROnPlateau best = Infinity) through the JSON metadata', () => {
    expect(decodeJson(encodeJson({ a: NaN, b: [-Infinity, 1.5], c: Infinity }))).toEqual({ a: NaN, b: [-Infinity, 1.5], c: Infinity });
    const model = new Linear({ inFeatures: 2, outFeatures: 1 });
    const optimizer = new SGD(model.parameters(), { lr: 0.1 });
    const plateau = new ReduceLROnPlateau(optimizer);
    const path = join(tempDir(), 'p.safetensors');
    saveCheckpoint(path, { model, optimizer, scheduler: plateau });
    const other = new ReduceLROnPlateau(new SGD(model.parameters(), { lr: 0.1 }));
    other.best = 3;
    loadCheckpoint(path, { model, scheduler: other });
    expect(other.best).toBe(Infinity);
  });

  it('weights load as a plain safetensors state dict once the keys with "/" are dropped', () => {
    const { model, optimizer, scheduler } = trained(2);
    const path = join(tempDir(), 'w.safetensors');
    saveCheckpoint(path, { model, optimizer, scheduler });
    const { tensors } = loadSafetensors(path);
    const weights = Object.fromEntries(Object.entries(tensors).filter(([k]) => !k.includes('/')).map(([k, v]) => [k, v.data]));
    const copy = trained(3).model;
    copy.loadStateDict(weights);
    expect(copy.stateDict()).toEqual(model.stateDict());
  });

  it('refuses other formats, versions and mismatched targets with what to do', () => {
    const dir = tempDir();
    const plain = join(dir, 'plain.safetensors');
    saveSafetensors(plain, { w: new Float32Array([1]) });
    expect(() => readCheckpoint(plain)).toThrow(/without rnnkit checkpoint metadata.*loadSafetensors\(path\) and model\.loadStateDict/);
    const newer = join(dir, 'newer.safetensors');
    writeFileSync(newer, Buffer.concat(encodeSafetensors({ w: new Float32Array([1]) }, { rnnkit: encodeJson({ format: CHECKPOINT_FORMAT, version: 99 }) })));
    expect(() => readCheckpoint(newer)).toThrow(/version 99, and this rnnkit reads version 1; .*upgrade rnnkit/);
    const older = join(dir, 'older.safetensors');
    writeFileSync(older, Buffer.concat(encodeSafetensors({ w: new Float32Array([1]) }, { rnnkit: encodeJson({ format: CHECKPOINT_FORMAT, version: 0 }) })));
    expect(() => readCheckpoint(older)).toThrow(/version 0, .*older rnnkit/);
    const alien = join(dir, 'alien.safetensors');
    writeFileSync(alien, Buffer.concat(encodeSafetensors({ w: new Float32Array([1]) }, { rnnkit: encodeJson({ format: 'other', version: 1 }) })));
    expect(() => readCheckpoint(alien)).toThrow(/format "other", expected "rnnkit-checkpoint"/);
    expect(() => readCheckpoint(join(dir, 'missing.safetensors'))).toThrow(/does not exist/);

    const { model, optimizer, scheduler } = trained(1);
    const good = join(dir, 'good.safetensors');
    saveCheckpoint(good, { model, optimizer, scheduler });
    const fresh = trained(2);
    expect(() => loadCheckpoint(good, { model: fresh.model, optimizer: new SGD(fresh.model.parameters(), { lr: 1 }) })).toThrow(/state of a Adam optimizer, got a SGD/);
    expect(() => loadCheckpoint(good, { model: fresh.model, rngs: { data: new Rng(1) } })).toThrow(/no state for the generator "data"/);
    expect(() => loadCheckpoint(good, { model: new Linear({ inFeatures: 1, outFeatures: 1 }) })).toThrow(RangeError);
  });
});

describe('numbered checkpoints', () => {
  it('names, lists, finds the latest and keeps the last N', () => {
    const dir = tempDir();
    expect(checkpointPath(dir, 42)).toBe(join(dir, 'checkpoint-00000042.safetensors'));
    expect(() => checkpointPath(dir, 1, 'a/b')).toThrow(/prefix must be/);
    expect(latestCheckpoint(dir)).toBeNull();
    const model = new Linear({ inFeatures: 1, outFeatures: 1 });
    for (const step of [3, 1, 20, 7]) saveCheckpoint(checkpointPath(dir, step), { model, step });
    writeFileSync(join(dir, 'checkpoint-x.safetensors'), 'not numbered');
    writeFileSync(join(dir, 'notes.txt'), '');
    expect(listCheckpoints(dir).map((c) => c.step)).toEqual([1, 3, 7, 20]);
    expect(latestCheckpoint(dir)).toBe(checkpointPath(dir, 20));
    const removed = pruneCheckpoints(dir, 2);
    expect(removed.sort()).toEqual([checkpointPath(dir, 1), checkpointPath(dir, 3)].sort());
    expect(listCheckpoints(dir).map((c) => c.step)).toEqual([7, 20]);
    expect(readCheckpoint(checkpointPath(dir, 20)).step).toBe(20);
    expect(() => pruneCheckpoints(dir, 0)).toThrow(/keepLast must be a positive integer, got 0/);
  });
});

/** The child: saves step 1, says so, then overwrites the same checkpoint with step 2, 3, … forever. */
const WRITER = `
import { saveCheckpoint } from './lib/io/checkpoint.js';
import { Linear } from './lib/nn/linear.js';
const [path] = process.argv.slice(2);
const model = new Linear({ inFeatures: 2048, outFeatures: 4096 }); // 8M floats: a 32 MB write
for (let step = 1; ; step++) {
  model.weight.data.fill(step);
  model.bias.data.fill(step);
  saveCheckpoint(path, { model, step });
  if (step === 1) process.stdout.write('saved 1\\n');
}
`;

describe('atomicity', () => {
  it('a writer killed midway leaves the previous checkpoint loadable; its temp file is never a checkpoint', async () => {
    const lib = compiledLib();
    writeFileSync(join(lib, 'writer.mjs'), WRITER);
    let sawTemp = false;
    for (let attempt = 0; attempt < 5 && !sawTemp; attempt++) {
      const dir = tempDir();
      const path = checkpointPath(dir, 1);
      const child = spawn(process.execPath, [join(lib, 'writer.mjs'), path], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => d.toString().includes('saved 1') && resolve());
        child.on('exit', (code) => reject(new Error(`writer exited early with ${code}`)));
      });
      await new Promise((r) => setTimeout(r, 150 + 100 * attempt));
      const exited = new Promise((r) => child.on('exit', r));
      child.kill('SIGKILL');
      await exited;

      const temps = readdirSync(dir).filter((n) => n.endsWith('.tmp'));
      sawTemp ||= temps.length > 0;
      // Whatever the moment of the kill, the checkpoint is whole and self-consistent.
      const ck = readCheckpoint(path);
      expect(ck.step).toBeGreaterThanOrEqual(1);
      const weight = ck.weights.weight!.data;
      expect(weight.length).toBe(2048 * 4096);
      expect(weight[0]).toBe(ck.step);
      expect(weight[weight.length - 1]).toBe(ck.step);
      expect(ck.weights.bias!.data.every((v) => v === ck.step)).toBe(true);
      // The half-written temporary file is neither listed nor the latest, and pruning removes it.
      expect(listCheckpoints(dir).map((c) => c.path)).toEqual([path]);
      expect(latestCheckpoint(dir)).toBe(path);
      pruneCheckpoints(dir, 1);
      expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
      expect(existsSync(path)).toBe(true);
    }
    // At least one kill landed while a write was in progress (a temp file was left behind).
    expect(sawTemp).toBe(true);
  }, 120_000);
});
