/**
 * Training checkpoints (char-rnn's checkpoint, made resumable): ONE safetensors file, written
 * atomically (temp file, fsync, rename: atomic.ts), holding
 *
 * - the model's weights under their PyTorch names and shapes (`rnn.weight_ih_l0`, `head.bias`), so
 *   `safetensors.torch.load_file` gives tensors a PyTorch module with the same attribute names
 *   loads after dropping the keys that contain a '/':
 *       sd = {k: v for k, v in load_file(path).items() if '/' not in k}; model.load_state_dict(sd)
 * - the optimizer's per-parameter buffers as `optimizer/<paramIndex>/<buffer>` (shaped like the
 *   parameter), and any extra tensors the caller adds as `tensors/<name>` (fit's carried hidden
 *   states). PyTorch names never contain '/', so nothing collides with a weight;
 * - one JSON metadata entry `rnnkit` with the format name and version, step, epoch, the optimizer's
 *   class, param groups and scalar state, the scheduler's state, RNG states, config, vocab (opaque
 *   JSON from the caller), history and `extra` (anything else JSON, e.g. fit's position in the
 *   epoch and its callbacks' state). Non-finite numbers (an early-stopping best of Infinity, a NaN
 *   loss) survive the round trip, which plain JSON would turn into null.
 *
 * Files of another format or version are refused with a message saying what to do. Rotation helpers
 * (`checkpointPath`, `listCheckpoints`, `latestCheckpoint`, `pruneCheckpoints`) name checkpoints
 * `<prefix>-<step, 8 digits>.safetensors`; the temporary files of interrupted writes start with '.'
 * and end in '.tmp', so they are never taken for a checkpoint.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { decodeSafetensors, encodeSafetensors, type NamedArray } from './safetensors.js';
import { writeFileAtomicSync } from './atomic.js';
import type { Module } from '../nn/module.js';
import type { Optimizer, OptimizerStateDict, ParamState } from '../optim/optimizer.js';
import { defaultRng, Rng, type RngState } from '../data/rng.js';
import {
  checkKnownOptions, checkNonNegativeInt, checkOptions, checkPositiveInt, describe, rangeError, typeError,
} from '../util/check.js';

export const CHECKPOINT_FORMAT = 'rnnkit-checkpoint';
export const CHECKPOINT_VERSION = 1;
const METADATA_KEY = 'rnnkit';

/** Anything with PyTorch-style stateDict/loadStateDict of plain JSON (every LR schedule). */
export interface Stateful {
  stateDict(): unknown;
  loadStateDict(state: never): void;
}

export interface CheckpointContents {
  model: Module;
  optimizer?: Optimizer<{ lr: number }> | null;
  scheduler?: Stateful | null;
  /** Generators whose state is saved, by name; default `{ default: defaultRng }`. */
  rngs?: Record<string, Rng>;
  /** Optimizer steps taken so far (default 0). */
  step?: number;
  /** Epochs completed, or the epoch in progress, as the caller defines it (default 0). */
  epoch?: number;
  config?: unknown;
  vocab?: unknown;
  history?: unknown;
  /** Any other JSON the caller wants back. */
  extra?: unknown;
  /** Extra float32 tensors, e.g. a carried hidden state. */
  tensors?: Record<string, NamedArray>;
}

/** What a checkpoint file holds, as read back (nothing applied yet). */
export interface Checkpoint {
  format: string;
  version: number;
  /** ISO date of the write. */
  savedAt: string;
  step: number;
  epoch: number;
  /** Model weights by PyTorch name. */
  weights: Record<string, NamedArray>;
  /** The optimizer's class name and its `stateDict()`, or null. */
  optimizer: { type: string; state: OptimizerStateDict<{ lr: number }> } | null;
  scheduler: unknown;
  rngs: Record<string, RngState>;
  config: unknown;
  vocab: unknown;
  history: unknown;
  extra: unknown;
  tensors: Record<string, NamedArray>;
}

/** The JSON entry of the metadata. */
interface CheckpointMeta {
  format: string;
  version: number;
  savedAt: string;
  step: number;
  epoch: number;
  optimizer: { type: string; paramGroups: unknown[]; scalars: Record<string, Record<string, number>> } | null;
  scheduler: unknown;
  rngs: Record<string, RngState>;
  config: unknown;
  vocab: unknown;
  history: unknown;
  extra: unknown;
}

// ---- JSON with non-finite numbers ----------------------------------------------------------------

const NON_FINITE = '$nonFinite';

/** JSON.stringify, with NaN and ±Infinity kept as { "$nonFinite": "NaN" | "Infinity" | "-Infinity" }. */
export function encodeJson(value: unknown): string {
  return JSON.stringify(value ?? null, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? { [NON_FINITE]: String(v) } : v));
}

/** The inverse of `encodeJson`. */
export function decodeJson(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const keys = Object.keys(v);
      if (keys.length === 1 && keys[0] === NON_FINITE) return Number((v as Record<string, string>)[NON_FINITE]);
    }
    return v;
  });
}

// ---- save ----------------------------------------------------------------------------------------

const CONTENT_KEYS = ['model', 'optimizer', 'scheduler', 'rngs', 'step', 'epoch', 'config', 'vocab', 'history', 'extra', 'tensors'];

/** The safetensors tensors and metadata of a checkpoint, in memory (what `saveCheckpoint` writes). */
export function encodeCheckpoint(contents: CheckpointContents): Uint8Array[] {
  const c = checkOptions('contents', contents);
  checkKnownOptions('contents', c, CONTENT_KEYS);
  const model = c.model;
  if (model === null || typeof model !== 'object' || typeof model.stateDict !== 'function') throw typeError('contents.model', 'a Module', model);
  const tensors: Record<string, NamedArray> = {};

  // Weights: stateDict names (every name of a shared parameter, as PyTorch), shapes from namedParameters.
  const shapes = new Map(model.namedParameters().map(([name, p]) => [name, p.shape.slice()]));
  for (const [name, data] of Object.entries(model.stateDict())) {
    if (name.includes('/')) throw new RangeError(`contents.model has a parameter named ${JSON.stringify(name)}; checkpoint weight names may not contain '/'`);
    tensors[name] = { data, shape: shapes.get(name) ?? [data.length] };
  }

  // Optimizer: buffers as tensors, everything else as JSON.
  let optimizerMeta: CheckpointMeta['optimizer'] = null;
  if (c.optimizer !== undefined && c.optimizer !== null) {
    const optimizer = c.optimizer;
    if (typeof optimizer !== 'object' || typeof optimizer.stateDict !== 'function') throw typeError('contents.optimizer', 'an Optimizer', optimizer);
    const dict = optimizer.stateDict();
    const paramShapes: number[][] = [];
    optimizer.paramGroups.forEach((group, g) => group.params.forEach((p, j) => (paramShapes[dict.paramGroups[g]!.params[j]!] = p.shape)));
    const scalars: Record<string, Record<string, number>> = {};
    for (const [index, state] of Object.entries(dict.state)) {
      for (const [key, value] of Object.entries(state)) {
        if (typeof value === 'number') (scalars[index] ??= {})[key] = value;
        else tensors[`optimizer/${index}/${key}`] = { data: value, shape: paramShapes[Number(index)] ?? [value.length] };
      }
      scalars[index] ??= {}; // a state with buffers only still needs its entry
    }
    optimizerMeta = { type: optimizer.constructor.name, paramGroups: dict.paramGroups, scalars };
  }

  let scheduler: unknown = null;
  if (c.scheduler !== undefined && c.scheduler !== null) {
    if (typeof c.scheduler !== 'object' || typeof c.scheduler.stateDict !== 'function') {
      throw typeError('contents.scheduler', 'a schedule with stateDict()', c.scheduler);
    }
    scheduler = c.scheduler.stateDict();
  }

  const rngs: Record<string, RngState> = {};
  for (const [name, rng] of Object.entries(c.rngs ?? { default: defaultRng })) {
    if (!(rng instanceof Rng)) throw typeError(`contents.rngs.${name}`, 'an Rng', rng);
    rngs[name] = rng.getState();
  }

  for (const [name, t] of Object.entries(c.tensors ?? {})) {
    if (t === null || typeof t !== 'object' || !(t.data instanceof Float32Array) || !Array.isArray(t.shape)) {
      throw typeError(`contents.tensors.${name}`, 'a { data: Float32Array, shape: number[] }', t);
    }
    tensors[`tensors/${name}`] = t;
  }

  const meta: CheckpointMeta = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    savedAt: new Date().toISOString(),
    step: checkNonNegativeInt('contents.step', c.step ?? 0),
    epoch: checkNonNegativeInt('contents.epoch', c.epoch ?? 0),
    optimizer: optimizerMeta,
    scheduler,
    rngs,
    config: c.config ?? null,
    vocab: c.vocab ?? null,
    history: c.history ?? null,
    extra: c.extra ?? null,
  };
  // 'format: pt' is what safetensors.torch writes; tools that check it accept the file.
  return encodeSafetensors(tensors, { format: 'pt', [METADATA_KEY]: encodeJson(meta) });
}

/** Writes a checkpoint to `path` atomically: a kill at any moment leaves the old file or the new one. */
export function saveCheckpoint(path: string, contents: CheckpointContents): void {
  if (typeof path !== 'string' || path === '') throw typeError('path', 'a non-empty string', path);
  writeFileAtomicSync(path, encodeCheckpoint(contents));
}

// ---- read and restore ----------------------------------------------------------------------------

/** Parses checkpoint bytes; `source` names them in errors. */
export function decodeCheckpoint(bytes: Uint8Array, source = 'checkpoint data'): Checkpoint {
  const { tensors, metadata } = decodeSafetensors(bytes, source);
  const text = metadata[METADATA_KEY];
  if (typeof text !== 'string') {
    throw new RangeError(
      `${source} is a safetensors file without rnnkit checkpoint metadata (a plain weights file?); ` +
        'load its weights with loadSafetensors(path) and model.loadStateDict(), or write checkpoints with saveCheckpoint()',
    );
  }
  let meta: CheckpointMeta;
  try {
    meta = decodeJson(text) as CheckpointMeta;
  } catch {
    throw new RangeError(`${source} has corrupt rnnkit checkpoint metadata (not JSON); the file is damaged, use an earlier checkpoint`);
  }
  if (meta?.format !== CHECKPOINT_FORMAT) {
    throw new RangeError(`${source} has format ${describe(meta?.format)}, expected ${JSON.stringify(CHECKPOINT_FORMAT)}; it was not written by saveCheckpoint()`);
  }
  if (meta.version !== CHECKPOINT_VERSION) {
    const what = typeof meta.version === 'number' && meta.version > CHECKPOINT_VERSION
      ? 'it was written by a newer rnnkit: upgrade rnnkit to resume from it'
      : 'it was written by an older rnnkit: load it with that version and re-save, or load only its weights with loadSafetensors()';
    throw new RangeError(`${source} is ${CHECKPOINT_FORMAT} version ${describe(meta.version)}, and this rnnkit reads version ${CHECKPOINT_VERSION}; ${what}`);
  }
  const weights: Record<string, NamedArray> = {};
  const extraTensors: Record<string, NamedArray> = {};
  const buffers: Record<string, Record<string, Float32Array>> = {};
  for (const [name, t] of Object.entries(tensors)) {
    if (name.startsWith('optimizer/')) {
      const [, index, key] = name.split('/');
      (buffers[index!] ??= {})[key!] = t.data;
    } else if (name.startsWith('tensors/')) {
      extraTensors[name.slice('tensors/'.length)] = t;
    } else {
      weights[name] = t;
    }
  }
  let optimizer: Checkpoint['optimizer'] = null;
  if (meta.optimizer !== null && meta.optimizer !== undefined) {
    const state: Record<number, ParamState> = {};
    for (const index of new Set([...Object.keys(meta.optimizer.scalars ?? {}), ...Object.keys(buffers)])) {
      state[Number(index)] = { ...(meta.optimizer.scalars?.[index] ?? {}), ...(buffers[index] ?? {}) };
    }
    optimizer = { type: meta.optimizer.type, state: { state, paramGroups: meta.optimizer.paramGroups as OptimizerStateDict<{ lr: number }>['paramGroups'] } };
  }
  return {
    format: meta.format,
    version: meta.version,
    savedAt: meta.savedAt,
    step: meta.step,
    epoch: meta.epoch,
    weights,
    optimizer,
    scheduler: meta.scheduler ?? null,
    rngs: meta.rngs ?? {},
    config: meta.config ?? null,
    vocab: meta.vocab ?? null,
    history: meta.history ?? null,
    extra: meta.extra ?? null,
    tensors: extraTensors,
  };
}

/** Reads a checkpoint file without applying it (inspection, or weights only). */
export function readCheckpoint(path: string): Checkpoint {
  if (typeof path !== 'string' || path === '') throw typeError('path', 'a non-empty string', path);
  if (!existsSync(path)) throw new RangeError(`checkpoint ${path} does not exist`);
  return decodeCheckpoint(readFileSync(path), path);
}

export interface RestoreTargets {
  model: Module;
  optimizer?: Optimizer<{ lr: number }> | null;
  scheduler?: Stateful | null;
  /** Generators to restore, by the names they were saved under; default `{ default: defaultRng }`. */
  rngs?: Record<string, Rng>;
}

/**
 * Applies a checkpoint (a path or what `readCheckpoint` returned) to fresh objects built like the
 * saved ones: weights into `model`, state into `optimizer` and `scheduler`, RNG states. Everything is
 * checked against the targets before anything is changed where the targets allow it (the model load
 * is all-or-nothing). Returns the checkpoint, for its step, epoch, config, vocab, history and extra.
 */
export function loadCheckpoint(source: string | Checkpoint, targets: RestoreTargets): Checkpoint {
  const checkpoint = typeof source === 'string' ? readCheckpoint(source) : source;
  if (checkpoint === null || typeof checkpoint !== 'object' || typeof checkpoint.weights !== 'object') {
    throw typeError('source', 'a checkpoint path or a Checkpoint', source);
  }
  const where = typeof source === 'string' ? source : 'the checkpoint';
  const t = checkOptions('targets', targets);
  checkKnownOptions('targets', t, ['model', 'optimizer', 'scheduler', 'rngs']);
  if (t.model === null || typeof t.model !== 'object' || typeof t.model.loadStateDict !== 'function') throw typeError('targets.model', 'a Module', t.model);

  const rngs = Object.entries(t.rngs ?? { default: defaultRng });
  for (const [name, rng] of rngs) {
    if (!(rng instanceof Rng)) throw typeError(`targets.rngs.${name}`, 'an Rng', rng);
    if (checkpoint.rngs[name] === undefined) {
      throw new RangeError(`${where} has no state for the generator ${JSON.stringify(name)}; it saved ${describe(Object.keys(checkpoint.rngs))}`);
    }
  }
  if (t.optimizer !== undefined && t.optimizer !== null) {
    if (checkpoint.optimizer === null) throw new RangeError(`${where} has no optimizer state; pass optimizer: null to load without it`);
    if (checkpoint.optimizer.type !== t.optimizer.constructor.name) {
      throw new RangeError(`${where} holds state of a ${checkpoint.optimizer.type} optimizer, got a ${t.optimizer.constructor.name}; build the same optimizer to resume`);
    }
  }
  if (t.scheduler !== undefined && t.scheduler !== null && (checkpoint.scheduler === null || checkpoint.scheduler === undefined)) {
    throw new RangeError(`${where} has no scheduler state; pass scheduler: null to load without it`);
  }

  t.model.loadStateDict(Object.fromEntries(Object.entries(checkpoint.weights).map(([k, v]) => [k, v.data])));
  if (t.optimizer !== undefined && t.optimizer !== null) t.optimizer.loadStateDict(checkpoint.optimizer!.state);
  if (t.scheduler !== undefined && t.scheduler !== null) t.scheduler.loadStateDict(checkpoint.scheduler as never);
  for (const [name, rng] of rngs) rng.setState(checkpoint.rngs[name]!);
  return checkpoint;
}

// ---- numbered checkpoints and rotation -----------------------------------------------------------

const DEFAULT_PREFIX = 'checkpoint';

function checkPrefix(prefix: unknown): string {
  if (typeof prefix !== 'string' || !/^[A-Za-z0-9_-]+$/.test(prefix)) throw rangeError('prefix', 'a non-empty string of letters, digits, _ and -', prefix);
  return prefix;
}

/** `<dir>/<prefix>-<step, zero-padded to 8>.safetensors`. */
export function checkpointPath(dir: string, step: number, prefix = DEFAULT_PREFIX): string {
  if (typeof dir !== 'string' || dir === '') throw typeError('dir', 'a non-empty string', dir);
  checkNonNegativeInt('step', step);
  return join(dir, `${checkPrefix(prefix)}-${String(step).padStart(8, '0')}.safetensors`);
}

/** The numbered checkpoints in `dir`, oldest (lowest step) first. Temporary files are never listed. */
export function listCheckpoints(dir: string, prefix = DEFAULT_PREFIX): { path: string; step: number }[] {
  if (typeof dir !== 'string' || dir === '') throw typeError('dir', 'a non-empty string', dir);
  const pattern = new RegExp(`^${checkPrefix(prefix)}-(\\d+)\\.safetensors$`);
  if (!existsSync(dir)) return [];
  const found: { path: string; step: number }[] = [];
  for (const name of readdirSync(dir)) {
    const match = pattern.exec(name);
    if (match !== null) found.push({ path: join(dir, name), step: Number(match[1]) });
  }
  return found.sort((a, b) => a.step - b.step);
}

/** The path of the highest-numbered checkpoint in `dir`, or null. */
export function latestCheckpoint(dir: string, prefix = DEFAULT_PREFIX): string | null {
  return listCheckpoints(dir, prefix).at(-1)?.path ?? null;
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Keeps the `keepLast` highest-numbered checkpoints in `dir` and deletes the rest; also deletes the
 * temporary files that writes of these checkpoints left when their process was killed (those whose
 * writer pid is no longer running). Returns the deleted paths.
 */
export function pruneCheckpoints(dir: string, keepLast: number, prefix = DEFAULT_PREFIX): string[] {
  checkPositiveInt('keepLast', keepLast);
  const all = listCheckpoints(dir, prefix);
  const removed = all.slice(0, Math.max(0, all.length - keepLast)).map((c) => c.path);
  // atomic.ts names temporaries `.<target name>.<pid>.<time>.tmp`.
  const stale = new RegExp(`^\\.${checkPrefix(prefix)}-\\d+\\.safetensors\\.(\\d+)\\.[0-9a-z]+\\.tmp$`);
  if (existsSync(dir)) {
    for (const name of readdirSync(dir)) {
      const match = stale.exec(name);
      if (match !== null && Number(match[1]) !== process.pid && !processIsAlive(Number(match[1]))) removed.push(join(dir, name));
    }
  }
  for (const path of removed) rmSync(path, { force: true });
  return removed;
}
