/**
 * Losses with fused backward passes, after torch.nn.functional: crossEntropy (logSoftmax + NLL in
 * one node, ignoreIndex, label smoothing), mseLoss and bceWithLogits. Each forward is followed by
 * its backward; per-element losses are summed in float64.
 *
 * Letters: N batch, C classes, d1… extra dimensions (per-token losses over [N, C, T] logits).
 * Reductions: 'mean' (the default) averages, 'sum' adds, 'none' returns the per-element losses.
 */
import { record1 } from '../autograd.js';
import type { Tensor } from '../tensor.js';
import { getBackend } from '../../backend/index.js';
import { broadcastIndexMap, broadcastShapes, sameShape } from '../broadcast.js';
import { checkMinDims, checkReduction, checkTensor, toIndexArray, type IndexLike, type Reduction } from './args.js';
import { inversePermutation, permuteData } from './shape.js';
import { checkInRange, checkInteger, checkKnownOptions, checkOptions, shapeString } from '../../util/check.js';

/** Reduces per-element losses [n] to the op's output: (data, shape). */
function reduceLosses(losses: Float64Array, reduction: Reduction, shape: number[], divisor: number): { data: Float32Array; shape: number[] } {
  if (reduction === 'none') return { data: Float32Array.from(losses), shape };
  let total = 0;
  for (let i = 0; i < losses.length; i++) total += losses[i]!;
  return { data: new Float32Array([reduction === 'mean' ? total / divisor : total]), shape: [] };
}

/** The upstream gradient reaching element i: g[i] for 'none', g[0] (÷ divisor for 'mean') otherwise. */
function lossGradScale(g: Float32Array, reduction: Reduction, divisor: number): (i: number) => number {
  if (reduction === 'none') return (i) => g[i]!;
  const s = reduction === 'mean' ? g[0]! / divisor : g[0]!;
  return () => s;
}

// ---- crossEntropy --------------------------------------------------------------------------

export interface CrossEntropyOptions {
  /** Targets equal to this are skipped: no loss, no gradient, not counted by 'mean'. Default −100. */
  ignoreIndex?: number;
  reduction?: Reduction;
  /** ε in [0, 1]: the target distribution becomes (1−ε)·onehot + ε/C, as PyTorch. Default 0. */
  labelSmoothing?: number;
}

/**
 * Cross entropy of `logits` against class indices, torch.nn.functional.cross_entropy:
 *   logits [N, C] with targets [N], logits [N, C, d1, …] with targets [N, d1, …], or logits [C]
 *   with one target. 'mean' divides by the number of non-ignored targets (all ignored → NaN).
 */
export function crossEntropy(logits: Tensor, targets: IndexLike | number, options?: CrossEntropyOptions): Tensor {
  checkTensor('logits', logits);
  checkMinDims('logits', logits, 1);
  const opts = checkOptions('options', options);
  checkKnownOptions('crossEntropy options', opts, ['ignoreIndex', 'reduction', 'labelSmoothing']);
  const ignoreIndex = checkInteger('ignoreIndex', opts.ignoreIndex ?? -100);
  const reduction = checkReduction(opts.reduction ?? 'mean');
  const smoothing = checkInRange('labelSmoothing', opts.labelSmoothing ?? 0, 0, 1);

  // Classes along dim 1 (dim 0 for unbatched [C]); rows = every other position, in target order.
  const ndim = logits.shape.length;
  const classDim = ndim === 1 ? 0 : 1;
  const C = logits.shape[classDim]!;
  const targetShape = logits.shape.filter((_, i) => i !== classDim);
  const flatGiven = targets instanceof Int32Array || (Array.isArray(targets) && !targets.some(Array.isArray));
  const idx = typeof targets === 'number'
    ? toIndexArray('targets', [targets], targetShape)
    : toIndexArray('targets', targets, flatGiven && targetShape.length !== 1 ? targetShape : undefined);
  if (!sameShape(idx.shape, targetShape)) {
    throw new RangeError(`targets must have shape ${shapeString(targetShape)} to match logits ${shapeString(logits.shape)}, got ${shapeString(idx.shape)}`);
  }
  const rows = idx.data.length;
  let count = 0;
  for (let r = 0; r < rows; r++) {
    const t = idx.data[r]!;
    if (t === ignoreIndex) continue;
    if (t < 0 || t >= C) {
      throw new RangeError(`targets must be class indices in [0, ${C - 1}] or ignoreIndex (${ignoreIndex}), got ${t} at flat index ${r}`);
    }
    count++;
  }

  const toLast = ndim > 2 ? [0, ...Array.from({ length: ndim - 2 }, (_, i) => i + 2), 1] : null;
  const x = toLast === null ? logits.data : permuteData(logits.data, logits.shape, toLast); // [rows, C]
  const logProbs = new Float32Array(rows * C); // [rows, C]
  if (logProbs.length > 0) getBackend().logSoftmaxRows(logProbs, x, rows, C);

  const losses = new Float64Array(rows);
  const onTarget = 1 - smoothing;
  const uniform = smoothing / C;
  for (let r = 0; r < rows; r++) {
    const t = idx.data[r]!;
    if (t === ignoreIndex) continue;
    const base = r * C;
    let loss = -onTarget * logProbs[base + t]!;
    if (smoothing > 0) {
      let all = 0;
      for (let c = 0; c < C; c++) all += logProbs[base + c]!;
      loss -= uniform * all;
    }
    losses[r] = loss;
  }
  const out = reduceLosses(losses, reduction, targetShape, count);
  return record1('crossEntropy', out.data, out.shape, [logits], (g) => {
    // Fused logSoftmax + NLL: d/dlogits = scale_r · (softmax − q), q = (1−ε)·onehot(t) + ε/C.
    const scaleOf = lossGradScale(g, reduction, count);
    const dx = new Float32Array(rows * C); // [rows, C]
    for (let r = 0; r < rows; r++) {
      const t = idx.data[r]!;
      if (t === ignoreIndex) continue;
      const scale = scaleOf(r);
      const base = r * C;
      for (let c = 0; c < C; c++) dx[base + c] = scale * (Math.exp(logProbs[base + c]!) - uniform);
      dx[base + t]! -= scale * onTarget;
    }
    if (toLast === null) return [dx];
    const movedShape = toLast.map((i) => logits.shape[i]!);
    return [permuteData(dx, movedShape, inversePermutation(toLast))];
  });
}

// ---- mseLoss -------------------------------------------------------------------------------

export interface LossOptions {
  reduction?: Reduction;
}

/** (input − target)², reduced; the shapes must match. Both operands may take gradients. */
export function mseLoss(input: Tensor, target: Tensor, options?: LossOptions): Tensor {
  checkTensor('input', input);
  checkTensor('target', target);
  const opts = checkOptions('options', options);
  checkKnownOptions('mseLoss options', opts, ['reduction']);
  const reduction = checkReduction(opts.reduction ?? 'mean');
  if (!sameShape(input.shape, target.shape)) {
    throw new RangeError(`target must have the shape of input ${shapeString(input.shape)}, got ${shapeString(target.shape)}`);
  }
  const n = input.size;
  const losses = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const d = input.data[i]! - target.data[i]!;
    losses[i] = d * d;
  }
  const out = reduceLosses(losses, reduction, input.shape.slice(), n);
  return record1('mseLoss', out.data, out.shape, [input, target], (g) => {
    const scaleOf = lossGradScale(g, reduction, n);
    const dInput = input.requiresGrad ? new Float32Array(n) : null;
    const dTarget = target.requiresGrad ? new Float32Array(n) : null;
    for (let i = 0; i < n; i++) {
      const d = 2 * (input.data[i]! - target.data[i]!) * scaleOf(i);
      if (dInput !== null) dInput[i] = d;
      if (dTarget !== null) dTarget[i] = -d;
    }
    return [dInput, dTarget];
  });
}

// ---- bceWithLogits -------------------------------------------------------------------------

export interface BceWithLogitsOptions extends LossOptions {
  /** Weight of the positive term, a number or a tensor broadcast to the logits (e.g. [C]). No gradient. */
  posWeight?: Tensor | number;
}

/**
 * Binary cross entropy on logits x with targets y in [0, 1], torch's stable form
 *   l = (1 − y)·x + w·softplus(−x),  w = 1 + (posWeight − 1)·y,
 *   softplus(−x) = log(1 + e^−|x|) + max(−x, 0),
 * which is max(x, 0) − x·y + log(1 + e^−|x|) without posWeight.
 * Gradients: dl/dx = (1 − y) + w·(σ(x) − 1) and dl/dy = −x + (posWeight − 1)·softplus(−x).
 */
export function bceWithLogits(logits: Tensor, targets: Tensor, options?: BceWithLogitsOptions): Tensor {
  checkTensor('logits', logits);
  checkTensor('targets', targets);
  const opts = checkOptions('options', options);
  checkKnownOptions('bceWithLogits options', opts, ['reduction', 'posWeight']);
  const reduction = checkReduction(opts.reduction ?? 'mean');
  if (!sameShape(logits.shape, targets.shape)) {
    throw new RangeError(`targets must have the shape of logits ${shapeString(logits.shape)}, got ${shapeString(targets.shape)}`);
  }
  const n = logits.size;
  const posWeight = expandPosWeight(opts.posWeight, logits.shape, n); // [n] or null
  const x = logits.data;
  const y = targets.data;
  const softplusNeg = new Float64Array(n); // softplus(−x), kept for backward
  const losses = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const xi = x[i]!;
    const sp = Math.log1p(Math.exp(-Math.abs(xi))) + Math.max(-xi, 0);
    softplusNeg[i] = sp;
    const w = posWeight === null ? 1 : 1 + (posWeight[i]! - 1) * y[i]!;
    losses[i] = (1 - y[i]!) * xi + w * sp;
  }
  const out = reduceLosses(losses, reduction, logits.shape.slice(), n);
  return record1('bceWithLogits', out.data, out.shape, [logits, targets], (g) => {
    const scaleOf = lossGradScale(g, reduction, n);
    const dLogits = logits.requiresGrad ? new Float32Array(n) : null;
    const dTargets = targets.requiresGrad ? new Float32Array(n) : null;
    for (let i = 0; i < n; i++) {
      const xi = x[i]!;
      const yi = y[i]!;
      const pw = posWeight === null ? 1 : posWeight[i]!;
      const scale = scaleOf(i);
      if (dLogits !== null) {
        const e = Math.exp(-Math.abs(xi)); // stable σ(x) for either sign
        const sig = xi >= 0 ? 1 / (1 + e) : e / (1 + e);
        dLogits[i] = scale * (1 - yi + (1 + (pw - 1) * yi) * (sig - 1));
      }
      if (dTargets !== null) dTargets[i] = scale * (-xi + (pw - 1) * softplusNeg[i]!);
    }
    return [dLogits, dTargets];
  });
}

/** posWeight broadcast to the logits' n elements, or null when absent. */
function expandPosWeight(posWeight: unknown, shape: number[], n: number): Float32Array | null {
  if (posWeight === undefined) return null;
  if (typeof posWeight === 'number') return new Float32Array(n).fill(posWeight);
  const pw = checkTensor('posWeight', posWeight);
  const joint = broadcastShapes(shape, pw.shape, 'posWeight and logits');
  if (!sameShape(joint, shape)) {
    throw new RangeError(`posWeight must broadcast to the logits' shape ${shapeString(shape)}, got ${shapeString(pw.shape)}`);
  }
  const map = broadcastIndexMap(shape, pw.shape);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = pw.data[map[i]!]!;
  return out;
}
