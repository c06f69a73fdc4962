/**
 * Indexed reads: `embedding` (rows of a table, torch.nn.functional.embedding) and `gather`
 * (torch.gather along one dimension), each followed by its scatter-add backward. Indices are integer
 * values given as a Tensor, an Int32Array or a (nested) number array; they take no gradient.
 *
 * Letters: V rows of the table (vocabulary), D the embedding size.
 */
import { record1 } from '../autograd.js';
import type { Tensor } from '../tensor.js';
import { normalizeDim, stridesOf } from '../broadcast.js';
import { checkTensor, toIndexArray, type IndexLike } from './args.js';
import { shapeString, typeError } from '../../util/check.js';

// ---- embedding -----------------------------------------------------------------------------

/**
 * Rows of `weight` [V, D] picked by `indices` (any shape S, values in [0, V)) → [...S, D].
 * The row `paddingIdx` (negative counts from the end, as PyTorch) gets no gradient. `shape` gives
 * the indices' shape when they come as a flat Int32Array or number array.
 */
export function embedding(weight: Tensor, indices: IndexLike, paddingIdx?: number | null, shape?: number[]): Tensor {
  checkTensor('weight', weight);
  if (weight.shape.length !== 2) throw new RangeError(`weight must have shape [numEmbeddings, embeddingDim], got ${shapeString(weight.shape)}`);
  const [V, D] = weight.shape as [number, number];
  const idx = toIndexArray('indices', indices, shape);
  for (let i = 0; i < idx.data.length; i++) {
    const v = idx.data[i]!;
    if (v < 0 || v >= V) throw new RangeError(`indices must be in [0, ${V - 1}] (weight has ${V} rows), got ${v} at flat index ${i}`);
  }
  let padding = -1;
  if (paddingIdx !== undefined && paddingIdx !== null) {
    if (typeof paddingIdx !== 'number') throw typeError('paddingIdx', 'an integer', paddingIdx);
    if (!Number.isInteger(paddingIdx) || paddingIdx < -V || paddingIdx >= V) {
      throw new RangeError(`paddingIdx must be an integer in [${-V}, ${V - 1}], got ${paddingIdx}`);
    }
    padding = paddingIdx < 0 ? paddingIdx + V : paddingIdx;
  }
  const n = idx.data.length;
  const out = new Float32Array(n * D); // [n, D]
  for (let i = 0; i < n; i++) {
    const row = idx.data[i]! * D;
    out.set(weight.data.subarray(row, row + D), i * D);
  }
  return record1('embedding', out, [...idx.shape, D], [weight], (g) => embeddingBackward(idx.data, padding, V, D, g));
}

/** dW[indices[i]] += g[i] for every i whose index is not the padding row. */
function embeddingBackward(indices: Int32Array, padding: number, V: number, D: number, g: Float32Array): (Float32Array | null)[] {
  const dW = new Float32Array(V * D); // [V, D]
  for (let i = 0; i < indices.length; i++) {
    const v = indices[i]!;
    if (v === padding) continue;
    const row = v * D;
    const src = i * D;
    for (let j = 0; j < D; j++) dW[row + j]! += g[src + j]!;
  }
  return [dW];
}

// ---- gather --------------------------------------------------------------------------------

/**
 * torch.gather: out[i₀…iₙ] = x[i₀…index[i₀…iₙ]…iₙ] with the index replacing dimension `dim`.
 * `index` has x's number of dimensions and sizes no larger than x's except along `dim`; the result
 * has index's shape.
 */
export function gather(x: Tensor, dim: number, index: IndexLike, shape?: number[]): Tensor {
  checkTensor('x', x);
  const ndim = x.shape.length;
  const d = normalizeDim(dim, ndim, 'dim');
  const idx = toIndexArray('index', index, shape);
  if (idx.shape.length !== ndim || idx.shape.some((s, i) => i !== d && s > x.shape[i]!)) {
    throw new RangeError(
      `index must have ${ndim} dimensions no larger than x ${shapeString(x.shape)} except along dim ${d}, got shape ${shapeString(idx.shape)}`,
    );
  }
  const size = x.shape[d]!;
  const xStrides = stridesOf(x.shape);
  const n = idx.data.length;
  // For each output element, the flat source offset in x.
  const source = new Int32Array(n);
  const counter = new Array<number>(ndim).fill(0);
  for (let i = 0; i < n; i++) {
    const v = idx.data[i]!;
    if (v < 0 || v >= size) throw new RangeError(`index must be in [0, ${size - 1}] (x has ${size} along dim ${d}), got ${v} at flat index ${i}`);
    let offset = 0;
    for (let k = 0; k < ndim; k++) offset += (k === d ? v : counter[k]!) * xStrides[k]!;
    source[i] = offset;
    for (let k = ndim - 1; k >= 0; k--) {
      if (++counter[k]! < idx.shape[k]!) break;
      counter[k] = 0;
    }
  }
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = x.data[source[i]!]!;
  return record1('gather', out, idx.shape.slice(), [x], (g) => {
    const dx = new Float32Array(x.size);
    for (let i = 0; i < n; i++) dx[source[i]!]! += g[i]!;
    return [dx];
  });
}
