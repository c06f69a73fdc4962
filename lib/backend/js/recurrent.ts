/**
 * Helpers shared by the fused recurrent kernels rnn.ts, lstm.ts and gru.ts (in the native port they
 * are the static helpers those .cc files share through kernels.h): which rows are active, bias rows,
 * bias gradients as column sums, and the input-side GEMMs of backward.
 *
 * Dimension letters: T steps, B batch, I input, H hidden, G gates; a "row" is one (t, b) pair,
 * row index r = t·B + b of a [T, B, ·] buffer. None of these allocate.
 */
import { sgemmAt } from './gemm.js';

/** Row b is active at step t iff t < lengths[b] (always, when lengths is null). */
export function isActive(lengths: Int32Array | null, t: number, b: number): boolean {
  return lengths === null || t < lengths[b];
}

/** dst[dOff .. dOff + n) = src[sOff .. sOff + n) */
export function copyFloats(dst: Float32Array, dOff: number, src: Float32Array, sOff: number, n: number): void {
  for (let k = 0; k < n; k++) dst[dOff + k] = src[sOff + k];
}

/** dst[dOff .. dOff + n) += src[sOff .. sOff + n) */
export function addFloats(dst: Float32Array, dOff: number, src: Float32Array, sOff: number, n: number): void {
  for (let k = 0; k < n; k++) dst[dOff + k] += src[sOff + k];
}

/**
 * C[r, col0 + j] = b1[col0 + j] + b2[col0 + j] for r < rows, j < width; a null bias counts as 0.
 * C is [rows, ldc] from cOff. Used to seed the pre-activation buffer before the input GEMM adds to it.
 */
export function fillBiasRows(
  C: Float32Array, cOff: number, rows: number, ldc: number, col0: number, width: number,
  b1: Float32Array | null, b2: Float32Array | null,
): void {
  for (let r = 0; r < rows; r++) {
    const row = cOff + r * ldc + col0;
    for (let j = 0; j < width; j++) {
      C[row + j] = (b1 === null ? 0 : b1[col0 + j]) + (b2 === null ? 0 : b2[col0 + j]);
    }
  }
}

/** float64 column sums of addColumnSums, grown to the widest call (module-level: no per-call allocation). */
let columnSums = new Float64Array(0);

/**
 * dBias[bCol0 + j] += Σ_r G[gOff + r·ldg + j] for j < width (a bias gradient is the column sum of
 * the pre-activation gradients), and the same sums added to dBias2[b2Col0 + j] when dBias2 is given
 * (b_ih and b_hh get the same gradient: one pass). Summed in float64, each column in row order (over
 * T·B rows a float32 running sum would lose digits); G is swept row by row, so it is read once,
 * sequentially (a column-wise sweep reread every cache line several times).
 */
export function addColumnSums(
  dBias: Float32Array, bCol0: number, G: Float32Array, gOff: number, rows: number, ldg: number, width: number,
  dBias2: Float32Array | null = null, b2Col0 = 0,
): void {
  if (columnSums.length < width) columnSums = new Float64Array(width);
  const sums = columnSums;
  sums.fill(0, 0, width);
  for (let r = 0, g = gOff; r < rows; r++, g += ldg) {
    for (let j = 0; j < width; j++) sums[j] += G[g + j]!;
  }
  for (let j = 0; j < width; j++) dBias[bCol0 + j] += sums[j]!;
  if (dBias2 !== null) {
    for (let j = 0; j < width; j++) dBias2[b2Col0 + j] += sums[j]!;
  }
}

/**
 * The input side of backward, as large GEMMs over all active rows after the time loop:
 *   dWIh[w0 : w0+width, :] += dG[:, 0:width]ᵀ · x      [width, I]
 *   dX                     += dG[:, 0:width] · wIh[w0 : w0+width, :]   [T·B, I]  (when dX is given)
 * dG is [T·B, ldg] from gOff (pre-activation gradients of the input projection; zero at inactive
 * rows). The rows are taken in maximal runs of active rows, so x at padded positions, which may hold
 * anything (even NaN), is never multiplied in; without lengths that is a single GEMM over T·B rows.
 */
export function accumulateInputGradients(
  dWIh: Float32Array, dX: Float32Array | null, dG: Float32Array, gOff: number, ldg: number, width: number,
  w0: number, x: Float32Array, wIh: Float32Array, lengths: Int32Array | null, T: number, B: number, I: number,
): void {
  const rows = T * B;
  let r = 0;
  while (r < rows) {
    if (!isActive(lengths, Math.floor(r / B), r % B)) {
      r++;
      continue;
    }
    let end = r + 1;
    while (end < rows && isActive(lengths, Math.floor(end / B), end % B)) end++;
    const n = end - r;
    sgemmAt(true, false, width, I, n, 1, dG, gOff + r * ldg, ldg, x, r * I, I, 1, dWIh, w0 * I, I);
    if (dX !== null) sgemmAt(false, false, n, I, width, 1, dG, gOff + r * ldg, ldg, wIh, w0 * I, I, 1, dX, r * I, I);
    r = end;
  }
}
