/**
 * Padding of variable-length sequences into one batch tensor, with the `lengths` the recurrent layers
 * take and a 0/1 mask for losses. PyTorch's `torch.nn.utils.rnn.pad_sequence` / `unpad_sequence`.
 *
 * Letters: B sequences in the batch, L_b the length of sequence b, T = max L_b (the padded length),
 * F... the feature dimensions of one step (none for token ids).
 *
 * Layout: time-major [T, B, F...] by default, as the recurrent layers take it; `batchFirst` gives
 * [B, T, F...]. A sequence is a number array or typed array (one scalar per step: token ids, a
 * univariate series) or a Tensor [L, F...]. Token ids are stored as float32 values, which is what
 * Embedding, gather and crossEntropy accept (exact for ids below 2^24).
 */
import { Tensor, numel } from '../tensor/tensor.js';
import { transpose } from '../tensor/ops/shape.js';
import {
  checkBoolean, checkFiniteNumber, checkKnownOptions, checkNonNegativeInt, checkOptions, describe, rangeError, shapeString, typeError,
} from '../util/check.js';

/** One sequence: scalar steps, or a Tensor [L, F...]. */
export type Sequence = ArrayLike<number> | Tensor;

export interface PadOptions {
  /** [B, T, F...] instead of [T, B, F...] (default false). */
  batchFirst?: boolean;
  /** Value of padded positions (default 0, the id of `<pad>`). */
  paddingValue?: number;
  /** Pad to exactly this T instead of the longest length (must be >= every length). */
  length?: number;
}

/** Steps and feature shape of one sequence, and its values flat ([L·F]). */
export interface SequenceView {
  steps: number;
  featureShape: number[];
  values: ArrayLike<number>;
}

/** A sequence's steps, step shape and flat values (no copy); a TypeError naming `name` otherwise. */
export function sequenceView(name: string, seq: unknown): SequenceView {
  if (seq instanceof Tensor) {
    if (seq.ndim < 1) throw rangeError(name, 'a Tensor with a time dimension [L, F...]', seq);
    return { steps: seq.shape[0]!, featureShape: seq.shape.slice(1), values: seq.data };
  }
  if (Array.isArray(seq) || (ArrayBuffer.isView(seq) && !(seq instanceof DataView))) {
    const values = seq as ArrayLike<number>;
    return { steps: values.length, featureShape: [], values };
  }
  throw typeError(name, 'a number array, a typed array or a Tensor [L, F...]', seq);
}

function checkSequences(sequences: unknown): SequenceView[] {
  if (!Array.isArray(sequences)) throw typeError('sequences', 'an array of sequences', sequences);
  if (sequences.length === 0) throw rangeError('sequences', 'a non-empty array of sequences', sequences);
  const views = sequences.map((s, b) => sequenceView(`sequences[${b}]`, s));
  const featureShape = views[0]!.featureShape;
  views.forEach((v, b) => {
    if (shapeString(v.featureShape) !== shapeString(featureShape)) {
      throw new RangeError(
        `sequences[${b}] must have step shape ${shapeString(featureShape)} like sequences[0], got ${shapeString(v.featureShape)}`,
      );
    }
  });
  return views;
}

/** [B] the number of steps of each sequence. */
export function sequenceLengths(sequences: readonly Sequence[]): Int32Array {
  const views = checkSequences(sequences);
  return Int32Array.from(views, (v) => v.steps);
}

/**
 * Writes sequences into `out` ([T, B, F] or [B, T, F], flat), padding with `paddingValue`.
 * Internal fast path shared with the loader's collate; arguments are already checked.
 */
export function padInto(
  out: Float32Array, views: readonly { steps: number; values: ArrayLike<number> }[],
  T: number, F: number, batchFirst: boolean, paddingValue: number,
): void {
  const B = views.length;
  out.fill(paddingValue);
  for (let b = 0; b < B; b++) {
    const { steps, values } = views[b]!;
    for (let t = 0; t < steps; t++) {
      const dst = batchFirst ? (b * T + t) * F : (t * B + b) * F;
      const src = t * F;
      for (let f = 0; f < F; f++) out[dst + f] = values[src + f]!;
    }
  }
}

/**
 * Pads `sequences` to one tensor [T, B, F...] (batchFirst: [B, T, F...]); T is the longest length
 * (or `length`). Values are copied; the inputs are not kept.
 */
export function padSequences(sequences: readonly Sequence[], options?: PadOptions): Tensor {
  const views = checkSequences(sequences);
  const opts = checkOptions('options', options);
  checkKnownOptions('padSequences options', opts, ['batchFirst', 'paddingValue', 'length']);
  const batchFirst = checkBoolean('batchFirst', opts.batchFirst ?? false);
  const paddingValue = checkFiniteNumber('paddingValue', opts.paddingValue ?? 0);
  const longest = views.reduce((m, v) => Math.max(m, v.steps), 0);
  const T = opts.length === undefined ? longest : checkNonNegativeInt('length', opts.length);
  if (T < longest) throw rangeError('length', `at least the longest sequence (${longest})`, T);
  const featureShape = views[0]!.featureShape;
  const F = numel(featureShape);
  const B = views.length;
  const out = new Float32Array(T * B * F);
  padInto(out, views, T, F, batchFirst, paddingValue);
  return new Tensor(out, batchFirst ? [B, T, ...featureShape] : [T, B, ...featureShape]);
}

/** Checks `lengths` (number[] or Int32Array of non-negative integers) and returns it as an Int32Array. */
function checkLengthList(lengths: unknown): Int32Array {
  if (!(Array.isArray(lengths) || lengths instanceof Int32Array)) throw typeError('lengths', 'a number[] or Int32Array', lengths);
  const out = new Int32Array(lengths.length);
  for (let b = 0; b < lengths.length; b++) {
    const v = (lengths as ArrayLike<unknown>)[b];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new RangeError(`lengths[${b}] must be a non-negative integer, got ${describe(v)}`);
    out[b] = v;
  }
  return out;
}

/**
 * A 0/1 mask [T, B] (batchFirst: [B, T]): 1 where t < lengths[b]. T defaults to the longest length.
 * Multiply per-step losses by it (or use crossEntropy's ignoreIndex on padded targets).
 */
export function lengthMask(lengths: readonly number[] | Int32Array, T?: number, options?: { batchFirst?: boolean }): Tensor {
  const lens = checkLengthList(lengths);
  const opts = checkOptions('options', options);
  checkKnownOptions('lengthMask options', opts, ['batchFirst']);
  const batchFirst = checkBoolean('batchFirst', opts.batchFirst ?? false);
  const longest = lens.reduce((m, v) => Math.max(m, v), 0);
  const steps = T === undefined ? longest : checkNonNegativeInt('T', T);
  if (steps < longest) throw rangeError('T', `at least the longest length (${longest})`, steps);
  const B = lens.length;
  const mask = new Float32Array(steps * B);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < lens[b]!; t++) mask[batchFirst ? b * steps + t : t * B + b] = 1;
  }
  return new Tensor(mask, batchFirst ? [B, steps] : [steps, B]);
}

/** [T, B, ...] → [B, T, ...] (the transpose op: gradients flow through). */
export function toBatchFirst(x: Tensor): Tensor {
  if (!(x instanceof Tensor)) throw typeError('x', 'a Tensor [T, B, ...]', x);
  if (x.ndim < 2) throw rangeError('x', 'a Tensor with at least 2 dimensions [T, B, ...]', x);
  return transpose(x, 0, 1);
}

/** [B, T, ...] → [T, B, ...] (the transpose op: gradients flow through). */
export function toTimeMajor(x: Tensor): Tensor {
  if (!(x instanceof Tensor)) throw typeError('x', 'a Tensor [B, T, ...]', x);
  if (x.ndim < 2) throw rangeError('x', 'a Tensor with at least 2 dimensions [B, T, ...]', x);
  return transpose(x, 0, 1);
}

/**
 * The inverse of padSequences: each row's first lengths[b] steps, as Float32Array [L_b·F] copies
 * (PyTorch's unpad_sequence).
 */
export function unpadSequences(padded: Tensor, lengths: readonly number[] | Int32Array, options?: { batchFirst?: boolean }): Float32Array[] {
  if (!(padded instanceof Tensor)) throw typeError('padded', 'a Tensor [T, B, F...]', padded);
  if (padded.ndim < 2) throw rangeError('padded', 'a Tensor with at least 2 dimensions [T, B, F...]', padded);
  const lens = checkLengthList(lengths);
  const opts = checkOptions('options', options);
  checkKnownOptions('unpadSequences options', opts, ['batchFirst']);
  const batchFirst = checkBoolean('batchFirst', opts.batchFirst ?? false);
  const [d0, d1] = padded.shape as [number, number];
  const [T, B] = batchFirst ? [d1, d0] : [d0, d1];
  if (lens.length !== B) throw rangeError('lengths', `${B} entries (one per batch row)`, lengths);
  const F = numel(padded.shape.slice(2));
  return Array.from(lens, (L, b) => {
    if (L > T) throw new RangeError(`lengths[${b}] must be at most T = ${T}, got ${L}`);
    const out = new Float32Array(L * F);
    for (let t = 0; t < L; t++) {
      const src = batchFirst ? (b * T + t) * F : (t * B + b) * F;
      out.set(padded.data.subarray(src, src + F), t * F);
    }
    return out;
  });
}
