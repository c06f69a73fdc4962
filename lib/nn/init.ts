/**
 * Parameter initialisation, in place, with PyTorch's names and formulas (`torch.nn.init`): uniform,
 * normal, constant, zeros, ones, xavierUniform/xavierNormal (Glorot & Bengio 2010),
 * kaimingUniform/kaimingNormal (He et al. 2015), orthogonal (Saxe et al. 2013), and
 * lstmForgetGateBias (the forget-gate-bias-one trick, at the end of the file). Every random draw
 * comes from lib/data/rng.ts: the given `rng`, else `defaultRng`, so `manualSeed` fixes a run.
 *
 * Each function writes into `tensor.data` (a view into the module's arena) and returns the tensor.
 * Nothing is recorded on the autograd tape: initialisation is not part of any graph.
 *
 * Defaults of the layers (PyTorch's `reset_parameters`):
 * - RNN/LSTM/GRU and their cells: every parameter U(−1/√H, 1/√H).
 * - Linear: weight kaimingUniform(a = √5), which is U(±1/√in); bias U(±1/√in).
 * - Embedding: N(0, 1), the paddingIdx row zeroed.
 */
import { Tensor } from '../tensor/tensor.js';
import type { Module } from './module.js';
import { defaultRng, type Rng } from '../data/rng.js';
import { checkFiniteNumber, checkOneOf, checkOptions, checkKnownOptions, rangeError, typeError } from '../util/check.js';

export type Nonlinearity = 'linear' | 'conv1d' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';
export type FanMode = 'fan_in' | 'fan_out';

const NONLINEARITIES: readonly Nonlinearity[] = ['linear', 'conv1d', 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'selu'];

function checkTensor(t: unknown): Tensor {
  if (!(t instanceof Tensor)) throw typeError('tensor', 'a Tensor', t);
  return t;
}

/** Fills with U[a, b). */
export function uniform(tensor: Tensor, a = 0, b = 1, rng: Rng = defaultRng): Tensor {
  checkTensor(tensor);
  checkFiniteNumber('a', a);
  checkFiniteNumber('b', b);
  if (b < a) throw rangeError('b', `a number >= a (${a})`, b);
  rng.fillUniform(tensor.data, a, b);
  return tensor;
}

/** Fills with N(mean, std²). */
export function normal(tensor: Tensor, mean = 0, std = 1, rng: Rng = defaultRng): Tensor {
  checkTensor(tensor);
  checkFiniteNumber('mean', mean);
  if (checkFiniteNumber('std', std) < 0) throw rangeError('std', 'a non-negative number', std);
  rng.fillNormal(tensor.data, mean, std);
  return tensor;
}

/** Fills with `value`. */
export function constant(tensor: Tensor, value: number): Tensor {
  checkTensor(tensor).data.fill(checkFiniteNumber('value', value));
  return tensor;
}

export function zeros(tensor: Tensor): Tensor {
  return constant(tensor, 0);
}

export function ones(tensor: Tensor): Tensor {
  return constant(tensor, 1);
}

/** PyTorch's `calculate_gain`: the recommended scale for a nonlinearity. */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (checkOneOf('nonlinearity', nonlinearity, NONLINEARITIES)) {
    case 'linear':
    case 'conv1d':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu': {
      const slope = param === undefined ? 0.01 : checkFiniteNumber('param', param);
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
  }
}

/**
 * PyTorch's `_calculate_fan_in_and_fan_out`: for a weight [out, in, ...k], fanIn = in·∏k and
 * fanOut = out·∏k. Needs at least two dimensions.
 */
export function fans(tensor: Tensor): { fanIn: number; fanOut: number } {
  checkTensor(tensor);
  if (tensor.ndim < 2) {
    throw rangeError('tensor', 'at least 2 dimensions to compute fan in and fan out', tensor);
  }
  let receptive = 1;
  for (let d = 2; d < tensor.ndim; d++) receptive *= tensor.shape[d]!;
  return { fanIn: tensor.shape[1]! * receptive, fanOut: tensor.shape[0]! * receptive };
}

/** Glorot uniform: U(±gain·√(6 / (fanIn + fanOut))). */
export function xavierUniform(tensor: Tensor, gain = 1, rng: Rng = defaultRng): Tensor {
  const { fanIn, fanOut } = fans(tensor);
  const bound = checkFiniteNumber('gain', gain) * Math.sqrt(6 / (fanIn + fanOut));
  return uniform(tensor, -bound, bound, rng);
}

/** Glorot normal: N(0, gain²·2 / (fanIn + fanOut)). */
export function xavierNormal(tensor: Tensor, gain = 1, rng: Rng = defaultRng): Tensor {
  const { fanIn, fanOut } = fans(tensor);
  return normal(tensor, 0, checkFiniteNumber('gain', gain) * Math.sqrt(2 / (fanIn + fanOut)), rng);
}

export interface KaimingOptions {
  /** Negative slope of the leaky ReLU that follows (PyTorch's `a`); 0 by default. */
  a?: number;
  /** Preserve the variance of the forward ('fan_in', default) or backward ('fan_out') pass. */
  mode?: FanMode;
  /** 'leaky_relu' by default, as in PyTorch. */
  nonlinearity?: Nonlinearity;
}

function kaimingStd(tensor: Tensor, options: KaimingOptions | undefined): number {
  const opts = checkOptions('options', options);
  checkKnownOptions('options', opts, ['a', 'mode', 'nonlinearity']);
  const mode = checkOneOf('mode', opts.mode ?? 'fan_in', ['fan_in', 'fan_out']);
  const { fanIn, fanOut } = fans(tensor);
  const gain = calculateGain(opts.nonlinearity ?? 'leaky_relu', opts.a ?? 0);
  return gain / Math.sqrt(mode === 'fan_in' ? fanIn : fanOut);
}

/** He uniform: U(±gain·√(3 / fan)). With a = √5 this is Linear's default U(±1/√in). */
export function kaimingUniform(tensor: Tensor, options?: KaimingOptions, rng: Rng = defaultRng): Tensor {
  const bound = Math.sqrt(3) * kaimingStd(tensor, options);
  return uniform(tensor, -bound, bound, rng);
}

/** He normal: N(0, gain² / fan). */
export function kaimingNormal(tensor: Tensor, options?: KaimingOptions, rng: Rng = defaultRng): Tensor {
  return normal(tensor, 0, kaimingStd(tensor, options), rng);
}

/**
 * A (semi-)orthogonal matrix, as PyTorch's `orthogonal_`: the tensor is viewed as [rows, cols] with
 * cols = numel / rows; a normal matrix with at least as many rows as columns (transposed when
 * rows < cols) is factored A = QR, and Q (signs fixed so diag(R) > 0, which makes the result
 * uniformly distributed) is written back, times `gain`. So WᵀW = I when rows ≥ cols, WWᵀ = I
 * otherwise. For recurrent weights [G·H, H] each gate block stays well conditioned.
 *
 * The QR is modified Gram–Schmidt in float64, run twice per column ("twice is enough", Giraud et
 * al. 2005) so orthogonality holds to rounding even for square matrices; MGS produces R with a
 * positive diagonal directly, the same factor Householder QR gives after the sign fix.
 */
export function orthogonal(tensor: Tensor, gain = 1, rng: Rng = defaultRng): Tensor {
  checkTensor(tensor);
  if (tensor.ndim < 2) throw rangeError('tensor', 'at least 2 dimensions for orthogonal init', tensor);
  checkFiniteNumber('gain', gain);
  const rows = tensor.shape[0]!;
  const cols = tensor.size / Math.max(rows, 1);
  if (tensor.size === 0) return tensor;
  const transposed = rows < cols;
  const n = transposed ? cols : rows; // tall side
  const m = transposed ? rows : cols; // columns to orthonormalise, m <= n
  // q[j] is column j of the tall [n, m] matrix, in float64.
  const q: Float64Array[] = [];
  for (let j = 0; j < m; j++) {
    const col = new Float64Array(n);
    for (let i = 0; i < n; i++) col[i] = rng.normal();
    for (let pass = 0; pass < 2; pass++) {
      for (const prev of q) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += prev[i]! * col[i]!;
        for (let i = 0; i < n; i++) col[i]! -= dot * prev[i]!;
      }
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += col[i]! * col[i]!;
    norm = Math.sqrt(norm);
    // A normal column lies in the span of the previous ones with probability 0; guard anyway.
    if (!(norm > 1e-12)) {
      j--;
      continue;
    }
    for (let i = 0; i < n; i++) col[i]! /= norm;
    q.push(col);
  }
  const out = tensor.data;
  for (let j = 0; j < m; j++) {
    for (let i = 0; i < n; i++) {
      // Not transposed: W[i, j] = Q[i, j]. Transposed: W = Qᵀ, so W[j, i] = Q[i, j].
      const index = transposed ? j * n + i : i * m + j;
      out[index] = gain * q[j]![i]!;
    }
  }
  return tensor;
}

/**
 * The forget-gate bias trick for LSTMs (Gers, Schmidhuber & Cummins 2000; Jozefowicz, Zaremba &
 * Sutskever 2015): start the forget gate open so the cell state, and its gradient, survive many steps
 * from the first update. For every LSTM layer or LSTMCell inside `module` (the module itself
 * included), rows H..2H (gate f in PyTorch's i,f,g,o order) of each bias_ih* are set to `value` and
 * the same rows of each bias_hh* to 0, so the forget gate's total bias b_ih + b_hh is exactly
 * `value`; the other gates keep their init. Returns the number of bias vectors set (ih and hh). A
 * module with no biased LSTM gives 0, which callers may want to treat as a mistake.
 */
export function lstmForgetGateBias(module: Module, value = 1): number {
  if (module === null || typeof module !== 'object' || typeof (module as { namedModules?: unknown }).namedModules !== 'function') {
    throw typeError('module', 'a Module (an LSTM, an LSTMCell, or a model containing them)', module);
  }
  checkFiniteNumber('value', value);
  let count = 0;
  for (const [, m] of module.namedModules()) {
    // Duck-typed on the `cell` kind that RNNBase and the cells expose: importing LSTM here would
    // make a cycle (the recurrent layers import this file for their own init).
    const { cell, hiddenSize: H } = m as unknown as { cell?: unknown; hiddenSize?: number };
    if (cell !== 'lstm' || typeof H !== 'number') continue;
    for (const [name, p] of m.namedParameters()) {
      const match = /^bias_(ih|hh)(_l\d+(_reverse)?)?$/.exec(name);
      if (match === null || p.size !== 4 * H) continue;
      p.data.fill(match[1] === 'ih' ? value : 0, H, 2 * H);
      count++;
    }
  }
  return count;
}
