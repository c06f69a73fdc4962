/**
 * Single-precision GEMM on Float32Array, row-major: C = alpha · op(A) · op(B) + beta · C.
 * Mirrors native/kernels/gemm.cc (same names, BLAS argument order). `sgemmReference`, a naive
 * triple loop accumulating in float64, sits beside it as the oracle for tests.
 *
 * Dimension letters: op(A) is [M, K], op(B) is [K, N], C is [M, N]; lda/ldb/ldc are row strides.
 *
 * How it is fast on V8 (no SIMD available to JS): GotoBLAS-style blocking, scalar edition.
 * - C is scaled by beta once up front (beta = 0 writes zeros and never reads C, as BLAS says).
 * - K and N are cut into blocks; each block of op(B) is packed once into a reusable scratch
 *   `Float32Array` as [kc, nc] row-major, so the innermost loop streams one contiguous B row and
 *   every transpose case reaches the same kernel.
 * - Four rows of C are updated together (register tiling over M): each loaded B element feeds four
 *   multiply-adds, and the four alpha·A values stay in registers for the whole j loop.
 * Nothing is allocated per call except when the packing scratch must grow.
 *
 * `sgemmAt` is the same routine with explicit element offsets for A, B and C: the recurrent kernels
 * pass slices of their buffers without creating subarray views inside time loops (the C port passes
 * pointers).
 */

/** Rows of op(B) (the K extent) packed per block: 256 × 4 bytes × NC stays within L2. */
const KC = 256;
/** Columns of op(B) per block: four C rows of NC floats (8 KiB) stay in L1 during the j loop. */
const NC = 512;

/** Packed panel of op(B), [KC, NC]; grows on demand, never shrinks. */
let packedB = new Float32Array(KC * NC);

/**
 * C = alpha · op(A) · op(B) + beta · C with element offsets into A, B and C.
 * Sizes are assumed consistent (the Backend caller validates).
 */
export function sgemmAt(
  transA: boolean, transB: boolean, M: number, N: number, K: number,
  alpha: number, A: Float32Array, aOffset: number, lda: number,
  B: Float32Array, bOffset: number, ldb: number,
  beta: number, C: Float32Array, cOffset: number, ldc: number,
): void {
  if (M <= 0 || N <= 0) return;
  scaleC(M, N, beta, C, cOffset, ldc);
  if (K <= 0 || alpha === 0) return;

  // op(A)[i, p] = A[aOffset + i * aRowStride + p * aColStride]
  const aRowStride = transA ? 1 : lda;
  const aColStride = transA ? lda : 1;
  if (packedB.length < KC * NC) packedB = new Float32Array(KC * NC);
  const bp = packedB;

  for (let k0 = 0; k0 < K; k0 += KC) {
    const kc = Math.min(KC, K - k0);
    for (let n0 = 0; n0 < N; n0 += NC) {
      const nc = Math.min(NC, N - n0);
      packB(transB, B, bOffset, ldb, k0, kc, n0, nc, bp);
      let i = 0;
      for (; i + 4 <= M; i += 4) {
        kernel4(nc, kc, alpha, A, aOffset + i * aRowStride + k0 * aColStride, aRowStride, aColStride,
          bp, C, cOffset + i * ldc + n0, ldc);
      }
      for (; i < M; i++) {
        kernel1(nc, kc, alpha, A, aOffset + i * aRowStride + k0 * aColStride, aColStride,
          bp, C, cOffset + i * ldc + n0);
      }
    }
  }
}

/** C = alpha · op(A) · op(B) + beta · C (BLAS argument order; see the file header). */
export function sgemm(
  transA: boolean, transB: boolean, M: number, N: number, K: number,
  alpha: number, A: Float32Array, lda: number, B: Float32Array, ldb: number,
  beta: number, C: Float32Array, ldc: number,
): void {
  sgemmAt(transA, transB, M, N, K, alpha, A, 0, lda, B, 0, ldb, beta, C, 0, ldc);
}

/** C[M, N] *= beta; beta = 0 stores zeros without reading C (NaN in C must not survive). */
function scaleC(M: number, N: number, beta: number, C: Float32Array, cOffset: number, ldc: number): void {
  if (beta === 1) return;
  for (let i = 0; i < M; i++) {
    const row = cOffset + i * ldc;
    if (beta === 0) {
      C.fill(0, row, row + N);
    } else {
      for (let j = row; j < row + N; j++) C[j] = beta * C[j];
    }
  }
}

/** packed[p * nc + j] = op(B)[k0 + p, n0 + j] for a [kc, nc] block. */
function packB(
  transB: boolean, B: Float32Array, bOffset: number, ldb: number,
  k0: number, kc: number, n0: number, nc: number, packed: Float32Array,
): void {
  if (!transB) {
    // op(B) = B: each packed row is a contiguous slice of a B row.
    for (let p = 0; p < kc; p++) {
      const src = bOffset + (k0 + p) * ldb + n0;
      packed.set(B.subarray(src, src + nc), p * nc);
    }
  } else {
    // op(B) = Bᵀ: op(B)[k, n] = B[n, k]; read B rows contiguously, scatter into packed columns.
    for (let j = 0; j < nc; j++) {
      const src = bOffset + (n0 + j) * ldb + k0;
      let dst = j;
      for (let p = 0; p < kc; p++) {
        packed[dst] = B[src + p];
        dst += nc;
      }
    }
  }
}

/** Four rows of C += alpha · op(A)[4 rows, kc] · packed[kc, nc]. */
function kernel4(
  nc: number, kc: number, alpha: number,
  A: Float32Array, a: number, aRowStride: number, aColStride: number,
  bp: Float32Array, C: Float32Array, c0: number, ldc: number,
): void {
  const c1 = c0 + ldc;
  const c2 = c1 + ldc;
  const c3 = c2 + ldc;
  for (let p = 0; p < kc; p++) {
    const ap = a + p * aColStride;
    const a0 = alpha * A[ap];
    const a1 = alpha * A[ap + aRowStride];
    const a2 = alpha * A[ap + 2 * aRowStride];
    const a3 = alpha * A[ap + 3 * aRowStride];
    const b = p * nc;
    for (let j = 0; j < nc; j++) {
      const bv = bp[b + j];
      C[c0 + j] += a0 * bv;
      C[c1 + j] += a1 * bv;
      C[c2 + j] += a2 * bv;
      C[c3 + j] += a3 * bv;
    }
  }
}

/** One row of C += alpha · op(A)[1 row, kc] · packed[kc, nc] (the M tail). */
function kernel1(
  nc: number, kc: number, alpha: number,
  A: Float32Array, a: number, aColStride: number,
  bp: Float32Array, C: Float32Array, c0: number,
): void {
  for (let p = 0; p < kc; p++) {
    const a0 = alpha * A[a + p * aColStride];
    const b = p * nc;
    for (let j = 0; j < nc; j++) C[c0 + j] += a0 * bp[b + j];
  }
}

/**
 * The oracle: C = alpha · op(A) · op(B) + beta · C by the definition, each dot product summed in
 * float64. beta = 0 does not read C; alpha = 0 does not use A or B.
 */
export function sgemmReference(
  transA: boolean, transB: boolean, M: number, N: number, K: number,
  alpha: number, A: Float32Array, lda: number, B: Float32Array, ldb: number,
  beta: number, C: Float32Array, ldc: number,
): void {
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let sum = 0;
      for (let p = 0; p < K; p++) {
        const a = transA ? A[p * lda + i] : A[i * lda + p];
        const b = transB ? B[j * ldb + p] : B[p * ldb + j];
        sum += a * b;
      }
      const c = i * ldc + j;
      const product = alpha === 0 ? 0 : alpha * sum; // alpha = 0: A and B are not referenced (BLAS)
      C[c] = beta === 0 ? product : product + beta * C[c];
    }
  }
}
