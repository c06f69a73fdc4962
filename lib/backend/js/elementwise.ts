/**
 * The few elementwise and row kernels the Backend exposes; mirrors native/kernels/elementwise.cc.
 * Dimension letters: rows × cols, row-major.
 *
 * Softmax rows are max-subtracted so exp never overflows, and sums run in float64. A row may hold
 * -Infinity entries (masked logits): they get probability 0 / log-probability -Infinity. A row that
 * is entirely -Infinity has no defined softmax and yields NaN, as in PyTorch; so does any row with
 * a NaN or +Infinity entry.
 */

/** out[i] = a[i] · b[i] for i < a.length; out may alias a or b. */
export function mul(out: Float32Array, a: Float32Array, b: Float32Array): void {
  const n = a.length;
  for (let i = 0; i < n; i++) out[i] = a[i] * b[i];
}

/** y[i] += alpha · x[i] for i < x.length (the gradient accumulation of every op). */
export function axpy(y: Float32Array, alpha: number, x: Float32Array): void {
  const n = x.length;
  if (alpha === 1) {
    for (let i = 0; i < n; i++) y[i] += x[i];
  } else {
    for (let i = 0; i < n; i++) y[i] += alpha * x[i];
  }
}

/** Largest entry of x[start, start + cols); NaN if any entry is NaN. */
function rowMax(x: Float32Array, start: number, cols: number): number {
  let max = -Infinity;
  for (let j = start; j < start + cols; j++) {
    const v = x[j];
    if (v > max) max = v;
    else if (v !== v) return NaN; // a NaN would lose every comparison; make it win instead
  }
  return max;
}

/** out[r, :] = softmax(x[r, :]) for x [rows, cols]; out may alias x. */
export function softmaxRows(out: Float32Array, x: Float32Array, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const start = r * cols;
    const max = rowMax(x, start, cols);
    let sum = 0;
    for (let j = start; j < start + cols; j++) {
      const e = Math.exp(x[j] - max);
      out[j] = e;
      sum += e;
    }
    const scale = 1 / sum;
    for (let j = start; j < start + cols; j++) out[j] *= scale;
  }
}

/** out[r, :] = x[r, :] − logsumexp(x[r, :]) for x [rows, cols]; out may alias x. */
export function logSoftmaxRows(out: Float32Array, x: Float32Array, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const start = r * cols;
    const max = rowMax(x, start, cols);
    let sum = 0;
    for (let j = start; j < start + cols; j++) sum += Math.exp(x[j] - max);
    // (x − max) − log Σ exp(x − max): subtracting the max first keeps the small differences exact.
    const logSum = Math.log(sum);
    for (let j = start; j < start + cols; j++) out[j] = x[j] - max - logSum;
  }
}
