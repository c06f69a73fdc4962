/**
 * RNNBase: what RNN, LSTM and GRU share, after PyTorch's `torch/nn/modules/rnn.py`: option checks,
 * the parameters (PyTorch's names, shapes, gate order and flat order, in one arena), and the loop over
 * layers and directions. The time loop itself is not here: each layer×direction is ONE autograd node
 * (node.ts) whose forward and backward are single backend calls.
 *
 * Dimension letters: T steps, B batch, I input features, H hidden units, G gates (RNN 1, GRU 3,
 * LSTM 4), L layers, D directions (1 or 2). I_k is the input width of layer k: I for k = 0, D·H after.
 *
 * Parameters, per layer k and direction (suffix '' or '_reverse'), in this order:
 *   weight_ih_l{k}{suffix} [G·H, I_k], weight_hh_l{k}{suffix} [G·H, H],
 *   bias_ih_l{k}{suffix} [G·H], bias_hh_l{k}{suffix} [G·H]   (biases only when `bias`)
 * States h0/c0/hN/cN are [L·D, B, H], indexed by k·D + direction.
 */
import { Module } from '../module.js';
import type { ParameterArena, ParameterSpec } from '../parameters.js';
import { recurrentLayers, recurrentStack, type RecurrentNodeOutputs } from './node.js';
import { GATES, type CellKind } from '../../backend/backend.js';
import { Tensor } from '../../tensor/tensor.js';
import { concat, reshape, slice, stack, transpose } from '../../tensor/ops/shape.js';
import { dropout } from '../../tensor/ops/dropout.js';
import { defaultRng, Rng } from '../../data/rng.js';
import * as init from '../init.js';
import {
  checkBoolean, checkInRange, checkKnownOptions, checkOptions, checkPositiveInt, checkShape,
  describe, rangeError, shapeString, typeError,
} from '../../util/check.js';

export interface RNNBaseOptions {
  inputSize: number;
  hiddenSize: number;
  /** Stacked layers (default 1). */
  numLayers?: number;
  /** Whether the layers have bias_ih/bias_hh (default true). */
  bias?: boolean;
  /** x and out are [B, T, ·] instead of [T, B, ·] (default false). States stay [L·D, B, H]. */
  batchFirst?: boolean;
  /** Dropout probability on each layer's output except the last, in training mode (default 0). */
  dropout?: number;
  /** Run a reverse direction too and concatenate [forward | reverse] (default false). */
  bidirectional?: boolean;
  /** Generator for the initial weights and the dropout masks (default: defaultRng). */
  rng?: Rng;
}

export interface RecurrentForwardOptions {
  /** [B] valid steps per batch row, each an integer in 1..T (any order); default all T. */
  lengths?: readonly number[] | Int32Array | null;
}

const BASE_OPTION_KEYS = ['inputSize', 'hiddenSize', 'numLayers', 'bias', 'batchFirst', 'dropout', 'bidirectional', 'rng'];

/** The four parameters of one layer and direction (views into the arena). */
interface LayerWeights {
  wIh: Tensor; // [G·H, I_k]
  wHh: Tensor; // [G·H, H]
  bIh: Tensor | null; // [G·H]
  bHh: Tensor | null; // [G·H]
}

/** Recurrent state: a hidden state tensor (RNN, GRU) or [h, c] (LSTM). */
export type RecurrentState = Tensor | [Tensor, Tensor];

export abstract class RNNBase<S extends RecurrentState> extends Module {
  readonly cell: CellKind;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  readonly numDirections: 1 | 2;
  /** All parameters in PyTorch's flat order, one Float32Array (PyTorch's `_flat_weights`). */
  readonly arena: ParameterArena;
  private readonly layerWeights: LayerWeights[]; // index k·D + direction
  private readonly rng: Rng;

  /**
   * `cell` is chosen by the subclass; `extraOptionKeys` are the subclass's own option names (RNN's
   * `nonlinearity`), accepted here so unknown keys are still rejected in one place.
   */
  protected constructor(cell: CellKind, options: RNNBaseOptions, extraOptionKeys: readonly string[] = []) {
    super();
    const name = `${new.target.name} options`;
    const opts = checkOptions('options', options);
    checkKnownOptions(name, opts, [...BASE_OPTION_KEYS, ...extraOptionKeys]);
    this.cell = cell;
    this.inputSize = checkPositiveInt('inputSize', opts.inputSize);
    this.hiddenSize = checkPositiveInt('hiddenSize', opts.hiddenSize);
    this.numLayers = checkPositiveInt('numLayers', opts.numLayers ?? 1);
    this.bias = checkBoolean('bias', opts.bias ?? true);
    this.batchFirst = checkBoolean('batchFirst', opts.batchFirst ?? false);
    this.dropout = checkInRange('dropout', opts.dropout ?? 0, 0, 1);
    this.bidirectional = checkBoolean('bidirectional', opts.bidirectional ?? false);
    this.numDirections = this.bidirectional ? 2 : 1;
    if (opts.rng !== undefined && !(opts.rng instanceof Rng)) throw typeError('rng', 'an Rng', opts.rng);
    this.rng = opts.rng ?? defaultRng;

    const G = GATES[cell];
    const H = this.hiddenSize;
    const specs: ParameterSpec[] = [];
    for (let k = 0; k < this.numLayers; k++) {
      const inK = k === 0 ? this.inputSize : this.numDirections * H;
      for (let d = 0; d < this.numDirections; d++) {
        const suffix = `l${k}${d === 1 ? '_reverse' : ''}`;
        specs.push({ name: `weight_ih_${suffix}`, shape: [G * H, inK] }, { name: `weight_hh_${suffix}`, shape: [G * H, H] });
        if (this.bias) specs.push({ name: `bias_ih_${suffix}`, shape: [G * H] }, { name: `bias_hh_${suffix}`, shape: [G * H] });
      }
    }
    this.arena = this.allocateParameters(specs);
    this.layerWeights = [];
    for (let k = 0; k < this.numLayers; k++) {
      for (let d = 0; d < this.numDirections; d++) {
        const suffix = `l${k}${d === 1 ? '_reverse' : ''}`;
        this.layerWeights.push({
          wIh: this.arena.get(`weight_ih_${suffix}`),
          wHh: this.arena.get(`weight_hh_${suffix}`),
          bIh: this.bias ? this.arena.get(`bias_ih_${suffix}`) : null,
          bHh: this.bias ? this.arena.get(`bias_hh_${suffix}`) : null,
        });
      }
    }
    this.resetParameters(this.rng);
  }

  /** PyTorch's default: every parameter U(−1/√H, 1/√H). */
  resetParameters(rng: Rng = defaultRng): void {
    const bound = 1 / Math.sqrt(this.hiddenSize);
    for (const [, p] of this.arena.entries) init.uniform(p, -bound, bound, rng);
  }

  /**
   * x [T, B, I] ([B, T, I] with batchFirst; [T, I] unbatched) → [out, hN] (RNN, GRU) or
   * [out, [hN, cN]] (LSTM): out [T, B, D·H] (batchFirst: [B, T, D·H]; unbatched [T, D·H]), hN/cN
   * [L·D, B, H] (unbatched [L·D, H]). hx: h0, or [h0, c0] for the LSTM, shaped like hN; zeros when
   * omitted. With `lengths`, padded steps of out are 0 and hN holds each row's last valid state.
   */
  forward(x: Tensor, hx?: S | null, options?: RecurrentForwardOptions): [Tensor, S] {
    const L = this.numLayers;
    const D = this.numDirections;
    const H = this.hiddenSize;
    const isLstm = this.cell === 'lstm';
    const opts = checkOptions('options', options);
    checkKnownOptions('forward options', opts, ['lengths']);

    // ---- validate and bring everything to time-major [T, B, ·] ----
    if (!(x instanceof Tensor)) throw typeError('x', 'a Tensor', x);
    if (x.ndim !== 3 && x.ndim !== 2) {
      const layout = this.batchFirst ? '[B, T, I]' : '[T, B, I]';
      throw rangeError('x', `a 3-D tensor ${layout} or a 2-D unbatched tensor [T, I]`, x);
    }
    const unbatched = x.ndim === 2;
    checkShape('x', x.shape, unbatched ? [-1, this.inputSize] : [-1, -1, this.inputSize]);
    let xs: Tensor; // [T, B, I]
    if (unbatched) xs = reshape(x, [x.shape[0]!, 1, this.inputSize]);
    else xs = this.batchFirst ? transpose(x, 0, 1) : x;
    const [T, B] = xs.shape as [number, number, number];
    if (T < 1 || B < 1) throw rangeError('x', 'at least one time step and one batch row', x);

    const stateShape = unbatched ? [L * D, H] : [L * D, B, H];
    let h0: Tensor | null = null; // [L·D, B, H]
    let c0: Tensor | null = null; // [L·D, B, H]
    if (hx !== undefined && hx !== null) {
      if (isLstm) {
        if (!Array.isArray(hx) || hx.length !== 2) throw typeError('hx', 'an array [h0, c0] of two Tensors for an LSTM', hx);
        [h0, c0] = [checkState('h0', hx[0], stateShape), checkState('c0', hx[1], stateShape)];
      } else {
        h0 = checkState('h0', Array.isArray(hx) ? (hx as unknown) : hx, stateShape);
      }
      if (unbatched) {
        h0 = reshape(h0, [L * D, 1, H]);
        if (c0) c0 = reshape(c0, [L * D, 1, H]);
      }
    }
    const lengths = checkLengths(opts.lengths, B, T);

    // ---- layers × directions, one node each (or, forward only, one call for the whole stack) ----
    const zeroState = new Tensor(new Float32Array(B * H), [B, H]); // shared, only ever read
    const layerInputs = (k: number, d: number) => {
      const index = k * D + d;
      return {
        h0: stateAt(h0, index, B, H) ?? zeroState,
        c0: isLstm ? (stateAt(c0, index, B, H) ?? zeroState) : null,
        ...this.layerWeights[index]!,
        lengths,
        reverse: d === 1,
      };
    };
    const hNs: Tensor[] = [];
    const cNs: Tensor[] = [];
    const collect = (result: RecurrentNodeOutputs) => {
      hNs.push(result.hN); // [B, H]
      if (result.cN) cNs.push(result.cN);
      return result.out; // [T, B, H]
    };
    const dropsOut = this.dropout > 0 && this.training;
    const stacked = D === 1 && L > 1 && !dropsOut
      ? recurrentStack(this.cell, xs, Array.from({ length: L }, (_, k) => layerInputs(k, 0)))
      : null;
    let layerInput = xs; // [T, B, I_k]
    if (stacked !== null) {
      for (const result of stacked) layerInput = collect(result);
    } else {
      for (let k = 0; k < L; k++) {
        // Both directions in one call: concurrent on the native backend with more than one thread.
        const results = recurrentLayers(this.cell, Array.from({ length: D }, (_, d) => ({ x: layerInput, ...layerInputs(k, d) })));
        const directionOutputs = results.map(collect);
        let out = D === 2 ? concat(directionOutputs, 2) : directionOutputs[0]!; // [T, B, D·H]
        if (k < L - 1 && dropsOut) out = dropout(out, this.dropout, true, this.rng);
        layerInput = out;
      }
    }

    // ---- back to the caller's layout ----
    let out = layerInput; // [T, B, D·H]
    let hN = stackStates(hNs, B, H); // [L·D, B, H]
    let cN = isLstm ? stackStates(cNs, B, H) : null;
    if (unbatched) {
      out = reshape(out, [T, D * H]);
      hN = reshape(hN, [L * D, H]);
      if (cN) cN = reshape(cN, [L * D, H]);
    } else if (this.batchFirst) {
      out = transpose(out, 0, 1); // [B, T, D·H]
    }
    return [out, (isLstm ? [hN, cN!] : hN) as S];
  }
}

/** [B, H] × L·D → [L·D, B, H]; one state needs no copy. */
function stackStates(states: Tensor[], B: number, H: number): Tensor {
  return states.length === 1 ? reshape(states[0]!, [1, B, H]) : stack(states, 0);
}

/** A state tensor (h0, c0, or a cell's h, c) of exactly `shape`. */
export function checkState(name: string, value: unknown, shape: number[]): Tensor {
  if (!(value instanceof Tensor)) throw typeError(name, `a Tensor of shape ${shapeString(shape)}`, value);
  checkShape(name, value.shape, shape);
  return value;
}

/**
 * The [1, B, H] state of layer×direction `index`: through the slice op when gradients must flow
 * back into the state, else a zero-copy view. Null when no state was given.
 */
function stateAt(state: Tensor | null, index: number, B: number, H: number): Tensor | null {
  if (state === null) return null;
  if (state.requiresGrad) return slice(state, 0, index, index + 1);
  return new Tensor(state.data.subarray(index * B * H, (index + 1) * B * H), [1, B, H]);
}

/** `lengths` as the kernels want it: an Int32Array [B] of integers in 1..T, or null. */
export function checkLengths(lengths: unknown, B: number, T: number): Int32Array | null {
  if (lengths === undefined || lengths === null) return null;
  const isList = Array.isArray(lengths) || (ArrayBuffer.isView(lengths) && !(lengths instanceof DataView));
  if (!isList) throw typeError('lengths', `a number[] or Int32Array of ${B} integers in [1, ${T}]`, lengths);
  const list = lengths as ArrayLike<unknown>;
  if (list.length !== B) {
    throw new RangeError(`lengths must have ${B} entries (one per batch row), got ${list.length} (${describe(lengths)})`);
  }
  const out = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    const v = list[b];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > T) {
      throw new RangeError(`lengths[${b}] must be an integer in [1, ${T}] (T = ${T}), got ${describe(v)}`);
    }
    out[b] = v;
  }
  return out;
}
