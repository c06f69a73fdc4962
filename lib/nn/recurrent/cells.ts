/**
 * RNNCell, LSTMCell, GRUCell: one time step, for streaming and hand-written loops, after PyTorch's
 * `nn.RNNCell` / `nn.LSTMCell` / `nn.GRUCell`. Parameters are weight_ih [G·H, I], weight_hh [G·H, H],
 * bias_ih [G·H], bias_hh [G·H] (one arena), the same layout as one layer of RNN/LSTM/GRU, so weights
 * move between a layer and a cell unchanged.
 *
 * A step is the layer node (node.ts) with T = 1: the gate math lives only in the backend kernels.
 * A step that records nothing (under noGrad, or no input needs a gradient: streaming inference) on a
 * backend with `recurrentStep` (the native one) skips the node: one positional kernel call into fresh
 * state arrays, no args object, no reshapes, no tape. Streaming LSTMCell I = H = 256 spent ~6 µs per
 * step around a ~20 µs kernel on the node path.
 *
 * Dimension letters: B batch, I input features, H hidden units, G gates (RNN 1, GRU 3, LSTM 4).
 */
import { Module } from '../module.js';
import type { ParameterArena } from '../parameters.js';
import { recurrentLayer } from './node.js';
import { stateArray } from './state_slab.js';
import { checkState } from './base.js';
import { rnnNonlinearity } from './rnn.js';
import { GATES, type CellKind } from '../../backend/backend.js';
import { getBackend } from '../../backend/index.js';
import { isGradEnabled } from '../../tensor/autograd.js';
import { Tensor } from '../../tensor/tensor.js';
import { reshape } from '../../tensor/ops/shape.js';
import { defaultRng, Rng } from '../../data/rng.js';
import * as init from '../init.js';
import {
  checkBoolean, checkKnownOptions, checkOptions, checkPositiveInt, checkShape, rangeError, typeError,
} from '../../util/check.js';

export interface CellOptions {
  inputSize: number;
  hiddenSize: number;
  /** Whether the cell has bias_ih/bias_hh (default true). */
  bias?: boolean;
  /** Generator for the initial weights (default: defaultRng). */
  rng?: Rng;
}

export interface RNNCellOptions extends CellOptions {
  /** 'tanh' (default) or 'relu'. */
  nonlinearity?: 'tanh' | 'relu';
}

/**
 * The `out` argument of recurrentStep: the kernels write the step's output there as well as into
 * hN, and at T = 1 it is the same values, so every step shares this scratch (calls are synchronous).
 */
let stepOutScratch = new Float32Array(0);

function stepOut(size: number): Float32Array {
  if (stepOutScratch.length < size) stepOutScratch = new Float32Array(size);
  return stepOutScratch;
}

/** Shared by the three cells: options, parameters, and one step through the layer node. */
abstract class CellBase<S extends Tensor | [Tensor, Tensor]> extends Module {
  readonly cell: CellKind;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly bias: boolean;
  /** [G·H, I] */
  readonly weightIh: Tensor;
  /** [G·H, H] */
  readonly weightHh: Tensor;
  /** [G·H] or null */
  readonly biasIh: Tensor | null;
  /** [G·H] or null */
  readonly biasHh: Tensor | null;
  readonly arena: ParameterArena;

  protected constructor(cell: CellKind, options: CellOptions, extraOptionKeys: readonly string[] = []) {
    super();
    const opts = checkOptions('options', options);
    checkKnownOptions(`${new.target.name} options`, opts, ['inputSize', 'hiddenSize', 'bias', 'rng', ...extraOptionKeys]);
    this.cell = cell;
    this.inputSize = checkPositiveInt('inputSize', opts.inputSize);
    this.hiddenSize = checkPositiveInt('hiddenSize', opts.hiddenSize);
    this.bias = checkBoolean('bias', opts.bias ?? true);
    if (opts.rng !== undefined && !(opts.rng instanceof Rng)) throw typeError('rng', 'an Rng', opts.rng);
    const GH = GATES[cell] * this.hiddenSize;
    this.arena = this.allocateParameters([
      { name: 'weight_ih', shape: [GH, this.inputSize] },
      { name: 'weight_hh', shape: [GH, this.hiddenSize] },
      ...(this.bias ? [{ name: 'bias_ih', shape: [GH] }, { name: 'bias_hh', shape: [GH] }] : []),
    ]);
    this.weightIh = this.arena.get('weight_ih');
    this.weightHh = this.arena.get('weight_hh');
    this.biasIh = this.bias ? this.arena.get('bias_ih') : null;
    this.biasHh = this.bias ? this.arena.get('bias_hh') : null;
    this.resetParameters(opts.rng ?? defaultRng);
  }

  /** PyTorch's default: every parameter U(−1/√H, 1/√H). */
  resetParameters(rng: Rng = defaultRng): void {
    const bound = 1 / Math.sqrt(this.hiddenSize);
    for (const [, p] of this.arena.entries) init.uniform(p, -bound, bound, rng);
  }

  /**
   * x [B, I] (or [I] unbatched), state h [B, H] (LSTM: [h, c]) or zeros → the next state, same
   * shapes.
   */
  forward(x: Tensor, hx?: S | null): S {
    const H = this.hiddenSize;
    const isLstm = this.cell === 'lstm';
    if (!(x instanceof Tensor)) throw typeError('x', 'a Tensor', x);
    if (x.ndim !== 2 && x.ndim !== 1) {
      throw rangeError('x', 'a 2-D tensor [B, I] or a 1-D unbatched tensor [I]', x);
    }
    const unbatched = x.ndim === 1;
    checkShape('x', x.shape, unbatched ? [this.inputSize] : [-1, this.inputSize]);
    const B = unbatched ? 1 : x.shape[0]!;
    if (B < 1) throw rangeError('x', 'at least one batch row', x);
    const stateShape = unbatched ? [H] : [B, H];

    let h: Tensor;
    let c: Tensor | null = null;
    if (hx === undefined || hx === null) {
      h = new Tensor(new Float32Array(B * H), [B, H]);
      if (isLstm) c = new Tensor(new Float32Array(B * H), [B, H]);
    } else if (isLstm) {
      if (!Array.isArray(hx) || hx.length !== 2) throw typeError('hx', 'an array [h, c] of two Tensors for an LSTMCell', hx);
      h = checkState('h', hx[0], stateShape);
      c = checkState('c', hx[1], stateShape);
    } else {
      h = checkState('h', hx, stateShape);
    }

    const fast = this.stepWithoutTape(x, h, c, B, stateShape);
    if (fast !== null) return fast;

    // The node reads states as flat B·H values, so [H] and [B, H] both pass through unchanged.
    const step = recurrentLayer(this.cell, {
      x: reshape(x, [1, B, this.inputSize]), // [T = 1, B, I]
      h0: h,
      c0: c,
      wIh: this.weightIh,
      wHh: this.weightHh,
      bIh: this.biasIh,
      bHh: this.biasHh,
      lengths: null,
      reverse: false,
    });
    // For T = 1 the final state is the step's output; hN [B, H] (and cN) carry the gradient paths.
    const hNext = unbatched ? reshape(step.hN, [H]) : step.hN;
    if (!isLstm) return hNext as S;
    const cNext = unbatched ? reshape(step.cN!, [H]) : step.cN!;
    return [hNext, cNext] as S;
  }

  /**
   * The step as one backend.recurrentStep call when nothing is recorded (header), else null. Inputs
   * are checked by forward; the outputs are fresh arrays of `stateShape`.
   */
  private stepWithoutTape(x: Tensor, h: Tensor, c: Tensor | null, B: number, stateShape: number[]): S | null {
    const backend = getBackend();
    if (backend.recurrentStep === undefined) return null;
    if (isGradEnabled() && (x.requiresGrad || h.requiresGrad || c?.requiresGrad === true ||
      this.arena.entries.some(([, p]) => p.requiresGrad))) return null;
    const BH = B * this.hiddenSize;
    // h' and c' are views into one state array, itself a view into a shared slab (state_slab.ts):
    // a backing store of their own per step cost more than the rest of this function.
    const state = stateArray(c === null ? BH : 2 * BH);
    const hN = c === null ? state : state.subarray(0, BH);
    const cN = c === null ? null : state.subarray(BH);
    backend.recurrentStep(
      this.cell, stepOut(BH), hN, cN, x.data, h.data, c?.data ?? null, this.weightIh.data, this.weightHh.data,
      this.biasIh?.data ?? null, this.biasHh?.data ?? null, B, this.inputSize, this.hiddenSize,
    );
    const hNext = new Tensor(hN, stateShape);
    return (cN === null ? hNext : [hNext, new Tensor(cN, stateShape)]) as S;
  }
}

/** h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (or relu). */
export class RNNCell extends CellBase<Tensor> {
  readonly nonlinearity: 'tanh' | 'relu';

  constructor(options: RNNCellOptions) {
    super(`rnn_${rnnNonlinearity(options)}`, options, ['nonlinearity']);
    this.nonlinearity = this.cell === 'rnn_relu' ? 'relu' : 'tanh';
  }
}

/** One LSTM step (gates i, f, g, o): [h, c] → [h', c']. */
export class LSTMCell extends CellBase<[Tensor, Tensor]> {
  constructor(options: CellOptions) {
    super('lstm', options);
  }
}

/** One GRU step (gates r, z, n; r ⊙ (W_hn h + b_hn)). */
export class GRUCell extends CellBase<Tensor> {
  constructor(options: CellOptions) {
    super('gru', options);
  }
}
