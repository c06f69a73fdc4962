/**
 * Single-precision GEMM on Float32Array, row-major: C = alpha · op(A) · op(B) + beta · C.
 * Mirrors native/kernels/gemm.cc (same names, BLAS argument order). `sgemmReference`, a naive
 * triple loop accumulating in float64, sits beside it as the oracle for tests.
 *
 * Dimension letters: op(A) is [M, K], op(B) is [K, N], C is [M, N]; lda/ldb/ldc are row strides.
 *
 * How it is fast on V8 (JS has no SIMD, so this is GotoBLAS's structure in scalar form; the native
 * port keeps the structure and swaps in a vector microkernel):
 * - C is scaled by beta once up front (beta = 0 writes zeros and never reads C, as BLAS says).
 * - op(B) is cut into [KC, NC] blocks and op(A) into [MC, KC] blocks, each packed into a reusable
 *   scratch as micro-panels (B: NR columns interleaved, [kc, NR]; A: MR rows interleaved, [kc, MR];
 *   alpha folded into A; ragged edges zero-padded). Every transpose case reaches the same kernel and
 *   the kernel reads both operands strictly sequentially.
 * - The microkernel keeps an MR × NR = 4 × 3 tile of C in 12 local float64 accumulators over the
 *   whole kc loop: 7 loads feed 12 multiply-adds, and C is touched once per block. V8 (TurboFan,
 *   x64) keeps doubles in 15 XMM registers and fuses nothing, so the kernel is instruction-bound
 *   (~5.5 GFLOP/s on this Zen 5, Node 20): a 4 × 4 tile (16 accumulators + 8 operands) spills on
 *   every k step and ran 7–12% slower on the bench's GEMM shapes; 3 × 4 ties with 4 × 3 (4 × 3
 *   fills M = B = 32 exactly); 2 × 4, 2 × 8, 4 × 6 and larger are slower; float64 panels (no
 *   float32 → float64 conversion in the loop) gain 1–2% for twice the scratch; unrolling k by 2 is
 *   slower. The row-streaming form (C row += a · B row) is 2.5× slower: it loads and stores C.
 * - Fewer than MR rows (the B = 1 recurrent step, vector-matrix products) skip packing, which would
 *   cost as much as the product itself.
 * Nothing is allocated per call; the packing scratch is module-level and fixed in size.
 *
 * `sgemmAt` is the same routine with element offsets for A, B and C, so the recurrent kernels pass
 * slices of their buffers without creating subarray views inside time loops (the C port passes
 * pointers).
 *
 * `stepGemm` is native/kernels/gemm.h's StepGemm: the recurrent loops multiply the same weights at
 * every step, so op(W) is packed ONCE per call (`packWhole`, the native panel layout: K cut into KC
 * panels, each N-wide panel of NR strips at panel offset p0·Npad) and each step packs only its A rows.
 */

/** Microkernel tile: MR rows of op(A) × NR columns of op(B). */
const MR = 4;
const NR = 3;
/** Block sizes (multiples of MR / NR): packed op(B) [KC, NC] is 1 MiB (L2), packed op(A) 64 KiB. */
const KC = 256;
const NC = 1023;
const MC = 64;

const packedA = new Float32Array(MC * KC); //  [MC / MR micro-panels][kc][MR]
const packedB = new Float32Array(KC * NC); //  [NC / NR micro-panels][kc][NR]
const edgeTile = new Float64Array(MR * NR); // a ragged tile's accumulators on their way to C

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
  if (M < MR) {
    smallM(transA, transB, M, N, K, alpha, A, aOffset, lda, B, bOffset, ldb, C, cOffset, ldc);
    return;
  }
  for (let n0 = 0; n0 < N; n0 += NC) {
    const nc = Math.min(NC, N - n0);
    for (let k0 = 0; k0 < K; k0 += KC) {
      const kc = Math.min(KC, K - k0);
      packB(transB, B, bOffset, ldb, k0, kc, n0, nc, packedB, 0);
      for (let m0 = 0; m0 < M; m0 += MC) {
        const mc = Math.min(MC, M - m0);
        packA(transA, A, aOffset, lda, alpha, m0, mc, k0, kc, packedA);
        for (let j0 = 0; j0 < nc; j0 += NR) {
          const w = Math.min(NR, nc - j0);
          for (let i0 = 0; i0 < mc; i0 += MR) {
            const h = Math.min(MR, mc - i0);
            microkernel(kc, packedA, i0 * kc, packedB, j0 * kc, C, cOffset + (m0 + i0) * ldc + n0 + j0, ldc, h, w);
          }
        }
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
      for (let j = row; j < row + N; j++) C[j] *= beta;
    }
  }
}

/**
 * Packs op(B)[k0 : k0+kc, n0 : n0+nc] as micro-panels of NR columns: element (p, j) goes to
 * packed[pOff + j0·kc + p·NR + (j − j0)] with j0 = j rounded down to NR; columns past nc are zero.
 */
function packB(
  transB: boolean, B: Float32Array, bOffset: number, ldb: number,
  k0: number, kc: number, n0: number, nc: number, packed: Float32Array, pOff: number,
): void {
  const ncUp = Math.ceil(nc / NR) * NR;
  if (!transB) {
    // op(B) = B: read each B row contiguously, deal it out to the micro-panels.
    for (let p = 0; p < kc; p++) {
      const src = bOffset + (k0 + p) * ldb + n0;
      for (let j0 = 0; j0 < ncUp; j0 += NR) {
        const dst = pOff + j0 * kc + p * NR;
        const w = nc - j0;
        for (let c = 0; c < NR; c++) packed[dst + c] = c < w ? B[src + j0 + c] : 0;
      }
    }
  } else {
    // op(B) = Bᵀ: op(B)[p, j] = B[j, p]; each B row is one packed column, read contiguously.
    for (let j = 0; j < ncUp; j++) {
      const c = j % NR;
      let dst = pOff + (j - c) * kc + c;
      if (j < nc) {
        const src = bOffset + (n0 + j) * ldb + k0;
        for (let p = 0; p < kc; p++, dst += NR) packed[dst] = B[src + p];
      } else {
        for (let p = 0; p < kc; p++, dst += NR) packed[dst] = 0;
      }
    }
  }
}

/** op(W) [K, N] packed whole for many products (stepGemm): panel k0 at k0·Npad, Npad = N rounded up to NR. */
interface PackedWhole {
  K: number;
  N: number;
  data: Float32Array;
}

/** Packs op(W) [K, N] (W [K, ldw], or [N, ldw] when transW) whole: one allocation of K·Npad floats. */
function packWhole(transW: boolean, K: number, N: number, W: Float32Array, wOffset: number, ldw: number): PackedWhole {
  const nPadded = Math.ceil(N / NR) * NR;
  const data = new Float32Array(K * nPadded);
  for (let k0 = 0; k0 < K; k0 += KC) packB(transW, W, wOffset, ldw, k0, Math.min(KC, K - k0), 0, N, data, k0 * nPadded);
  return { K, N, data };
}

/** C = A · packed op(W) + beta · C for rows of A with contiguous K (lda), offsets as in sgemmAt. */
function sgemmPackedAt(
  M: number, A: Float32Array, aOffset: number, lda: number, W: PackedWhole,
  beta: number, C: Float32Array, cOffset: number, ldc: number,
): void {
  const { K, N, data } = W;
  if (M <= 0 || N <= 0) return;
  scaleC(M, N, beta, C, cOffset, ldc);
  if (K <= 0) return;
  const nPadded = Math.ceil(N / NR) * NR;
  for (let m0 = 0; m0 < M; m0 += MC) {
    const mc = Math.min(MC, M - m0);
    for (let k0 = 0; k0 < K; k0 += KC) {
      const kc = Math.min(KC, K - k0);
      packA(false, A, aOffset, lda, 1, m0, mc, k0, kc, packedA);
      const panel = k0 * nPadded;
      for (let j0 = 0; j0 < N; j0 += NR) {
        const w = Math.min(NR, N - j0);
        for (let i0 = 0; i0 < mc; i0 += MR) {
          const h = Math.min(MR, mc - i0);
          microkernel(kc, packedA, i0 * kc, data, panel + j0 * kc, C, cOffset + (m0 + i0) * ldc + j0, ldc, h, w);
        }
      }
    }
  }
}

/** One step's product C [rows, N] = A [rows, K] · op(W) + beta · C, offsets as in sgemmAt. */
export type StepGemm = (
  A: Float32Array, aOffset: number, lda: number, beta: number, C: Float32Array, cOffset: number, ldc: number,
) => void;

/**
 * native/kernels/gemm.h's StepGemm: the per-step product of a recurrent loop with op(W) fixed for M
 * rows (op(W) = Wᵀ for W [N, ldw] when transW, else W [K, ldw]). op(W) is packed once here when M
 * has at least MR rows; fewer rows take sgemmAt's unpacked path, which packs nothing.
 */
export function stepGemm(
  transW: boolean, M: number, N: number, K: number, W: Float32Array, wOffset: number, ldw: number,
): StepGemm {
  if (M < MR) {
    return (A, aOffset, lda, beta, C, cOffset, ldc) =>
      sgemmAt(false, transW, M, N, K, 1, A, aOffset, lda, W, wOffset, ldw, beta, C, cOffset, ldc);
  }
  const packed = packWhole(transW, K, N, W, wOffset, ldw);
  return (A, aOffset, lda, beta, C, cOffset, ldc) => sgemmPackedAt(M, A, aOffset, lda, packed, beta, C, cOffset, ldc);
}

/**
 * Packs alpha · op(A)[m0 : m0+mc, k0 : k0+kc] as micro-panels of MR rows: element (i, p) goes to
 * packed[i0·kc + p·MR + (i − i0)] with i0 = i rounded down to MR; rows past mc are zero.
 */
function packA(
  transA: boolean, A: Float32Array, aOffset: number, lda: number, alpha: number,
  m0: number, mc: number, k0: number, kc: number, packed: Float32Array,
): void {
  const mcUp = Math.ceil(mc / MR) * MR;
  if (!transA) {
    // op(A) = A: each A row is one packed row, read contiguously.
    for (let i = 0; i < mcUp; i++) {
      const r = i % MR;
      let dst = (i - r) * kc + r;
      if (i < mc) {
        const src = aOffset + (m0 + i) * lda + k0;
        for (let p = 0; p < kc; p++, dst += MR) packed[dst] = alpha * A[src + p];
      } else {
        for (let p = 0; p < kc; p++, dst += MR) packed[dst] = 0;
      }
    }
  } else {
    // op(A) = Aᵀ: op(A)[i, p] = A[p, i]; read each A row contiguously.
    for (let p = 0; p < kc; p++) {
      const src = aOffset + (k0 + p) * lda + m0;
      for (let i0 = 0; i0 < mcUp; i0 += MR) {
        const dst = i0 * kc + p * MR;
        const h = mc - i0;
        for (let r = 0; r < MR; r++) packed[dst + r] = r < h ? alpha * A[src + i0 + r] : 0;
      }
    }
  }
}

/**
 * C[h, w] += the MR × NR tile product of one A micro-panel (from a) and one B micro-panel (from b),
 * over kc steps. The padded rows/columns beyond h × w are computed (they are zero) but not stored.
 */
function microkernel(
  kc: number, ap: Float32Array, a: number, bp: Float32Array, b: number,
  C: Float32Array, c: number, ldc: number, h: number, w: number,
): void {
  let c00 = 0, c01 = 0, c02 = 0;
  let c10 = 0, c11 = 0, c12 = 0;
  let c20 = 0, c21 = 0, c22 = 0;
  let c30 = 0, c31 = 0, c32 = 0;
  for (let p = 0; p < kc; p++, a += MR, b += NR) {
    const a0 = ap[a], a1 = ap[a + 1], a2 = ap[a + 2], a3 = ap[a + 3];
    const b0 = bp[b], b1 = bp[b + 1], b2 = bp[b + 2];
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2;
  }
  if (h === MR && w === NR) {
    C[c] += c00; C[c + 1] += c01; C[c + 2] += c02; c += ldc;
    C[c] += c10; C[c + 1] += c11; C[c + 2] += c12; c += ldc;
    C[c] += c20; C[c + 1] += c21; C[c + 2] += c22; c += ldc;
    C[c] += c30; C[c + 1] += c31; C[c + 2] += c32;
    return;
  }
  const t = edgeTile;
  t[0] = c00; t[1] = c01; t[2] = c02;
  t[3] = c10; t[4] = c11; t[5] = c12;
  t[6] = c20; t[7] = c21; t[8] = c22;
  t[9] = c30; t[10] = c31; t[11] = c32;
  for (let r = 0; r < h; r++) {
    for (let q = 0; q < w; q++) C[c + r * ldc + q] += t[r * NR + q];
  }
}

/**
 * Fewer than MR rows: no packing. With op(B) = Bᵀ each C element is a dot product of two contiguous
 * rows (four partial sums); otherwise C's row accumulates alpha·a[p] · B row p, streaming B.
 */
function smallM(
  transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number,
  A: Float32Array, aOffset: number, lda: number, B: Float32Array, bOffset: number, ldb: number,
  C: Float32Array, cOffset: number, ldc: number,
): void {
  const aRowStride = transA ? 1 : lda; // op(A)[i, p] = A[aOffset + i·aRowStride + p·aColStride]
  const aColStride = transA ? lda : 1;
  for (let i = 0; i < M; i++) {
    const a = aOffset + i * aRowStride;
    const c = cOffset + i * ldc;
    if (transB) {
      for (let j = 0; j < N; j++) {
        const b = bOffset + j * ldb;
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        let p = 0;
        for (; p + 4 <= K; p += 4) {
          s0 += A[a + p * aColStride] * B[b + p];
          s1 += A[a + (p + 1) * aColStride] * B[b + p + 1];
          s2 += A[a + (p + 2) * aColStride] * B[b + p + 2];
          s3 += A[a + (p + 3) * aColStride] * B[b + p + 3];
        }
        for (; p < K; p++) s0 += A[a + p * aColStride] * B[b + p];
        C[c + j] += alpha * (s0 + s1 + (s2 + s3));
      }
    } else {
      for (let p = 0; p < K; p++) {
        const av = alpha * A[a + p * aColStride];
        const b = bOffset + p * ldb;
        for (let j = 0; j < N; j++) C[c + j] += av * B[b + j];
      }
    }
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
