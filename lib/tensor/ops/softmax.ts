/**
 * softmax and logSoftmax along one dimension, on the backend's max-subtracted row kernels, each
 * followed by its backward. A dimension other than the last is moved last (one copy in, one out), so
 * the kernels only ever see contiguous rows.
 *
 * Backward, per row, with y the saved output and g the upstream gradient:
 *   softmax:    dx = y ⊙ (g − Σ g⊙y)
 *   logSoftmax: dx = g − exp(y) · Σ g
 */
import { record1 } from '../autograd.js';
import type { Tensor } from '../tensor.js';
import { getBackend } from '../../backend/index.js';
import { normalizeDim } from '../broadcast.js';
import { checkTensor } from './args.js';
import { inversePermutation, permuteData } from './shape.js';

/** How x's dimension `dim` becomes the last one: rows × cols plus the permutation (null: already last). */
interface RowsPlan {
  rows: number;
  cols: number;
  toLast: number[] | null;
  fromLast: number[] | null;
  /** x's shape with `dim` moved last. */
  movedShape: number[];
}

function planRows(x: Tensor, dim: number): RowsPlan {
  const ndim = x.shape.length;
  if (ndim === 0) {
    normalizeDim(dim, 1, 'dim'); // PyTorch accepts 0 or -1 for a 0-d tensor: one row of one
    return { rows: 1, cols: 1, toLast: null, fromLast: null, movedShape: [] };
  }
  const d = normalizeDim(dim, ndim, 'dim');
  const cols = x.shape[d]!;
  const rows = cols === 0 ? 0 : x.size / cols;
  if (d === ndim - 1) return { rows, cols, toLast: null, fromLast: null, movedShape: x.shape };
  const toLast = [...x.shape.keys()].filter((i) => i !== d).concat(d);
  return { rows, cols, toLast, fromLast: inversePermutation(toLast), movedShape: toLast.map((i) => x.shape[i]!) };
}

function toRows(p: RowsPlan, data: Float32Array, shape: readonly number[]): Float32Array {
  return p.toLast === null ? data : permuteData(data, shape, p.toLast);
}

function fromRows(p: RowsPlan, data: Float32Array): Float32Array {
  return p.fromLast === null ? data : permuteData(data, p.movedShape, p.fromLast);
}

/** exp(x) / Σ exp(x) along `dim` (default: the last). */
export function softmax(x: Tensor, dim = -1): Tensor {
  checkTensor('x', x);
  const p = planRows(x, dim);
  const y = new Float32Array(x.size); // [rows, cols] in the moved layout
  if (y.length > 0) getBackend().softmaxRows(y, toRows(p, x.data, x.shape), p.rows, p.cols);
  return record1('softmax', fromRows(p, y), x.shape.slice(), [x], (g) => [fromRows(p, softmaxBackward(y, toRows(p, g, x.shape), p.rows, p.cols))]);
}

/** dx = y ⊙ (g − Σ g⊙y), per row. y, g: [rows, cols] */
function softmaxBackward(y: Float32Array, g: Float32Array, rows: number, cols: number): Float32Array {
  const dx = new Float32Array(y.length);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let dot = 0;
    for (let c = 0; c < cols; c++) dot += g[base + c]! * y[base + c]!;
    for (let c = 0; c < cols; c++) dx[base + c] = y[base + c]! * (g[base + c]! - dot);
  }
  return dx;
}

/** x − log Σ exp(x) along `dim` (default: the last); stable for large logits. */
export function logSoftmax(x: Tensor, dim = -1): Tensor {
  checkTensor('x', x);
  const p = planRows(x, dim);
  const y = new Float32Array(x.size); // [rows, cols] in the moved layout
  if (y.length > 0) getBackend().logSoftmaxRows(y, toRows(p, x.data, x.shape), p.rows, p.cols);
  return record1('logSoftmax', fromRows(p, y), x.shape.slice(), [x], (g) => [fromRows(p, logSoftmaxBackward(y, toRows(p, g, x.shape), p.rows, p.cols))]);
}

/** dx = g − softmax · Σ g, per row, with softmax = exp(y). y, g: [rows, cols] */
export function logSoftmaxBackward(y: Float32Array, g: Float32Array, rows: number, cols: number): Float32Array {
  const dx = new Float32Array(y.length);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let total = 0;
    for (let c = 0; c < cols; c++) total += g[base + c]!;
    for (let c = 0; c < cols; c++) dx[base + c] = g[base + c]! - Math.exp(y[base + c]!) * total;
  }
  return dx;
}
