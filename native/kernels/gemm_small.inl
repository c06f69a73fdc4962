// SGEMM for a few rows of op(A) (M ≤ kSmallM, gemm.h): C[M, N] += alpha · A · op(B) without packing,
// written once against simd.h and compiled per ISA by isa/*.cc. The recurrent step at batch 1..4 and
// the streaming one-step call are matrix-vector products: each element of B is used M times only, so
// packing B (a full read and write of it) would cost as much as the product. These kernels read B
// exactly once, in its own layout:
//   op(B) = Bᵀ (B [N, ldb], the forward step h · W_hhᵀ): each C element is a dot product of an A row
//     and a B row, both contiguous; NJ rows of B at a time against every A row, vectors along K,
//     one horizontal sum per C element at the end.
//   op(B) = B  (B [K, ldb], the backward step dGates · W_hh): C rows accumulate a[p] · (B row p), a
//     block of NV vectors of columns held in registers over the whole K loop.
// A is [M, lda] with contiguous rows (gemm.cc gathers a transposed A first). Enough independent
// accumulators per loop (4 or more) to keep several FMA chains in flight even at M = 1.

// C[i, j] += alpha · Σ_p A[i, p] · B[j, p] for i < MI, j < NJ; the first `head` floats of every row
// through one masked load, so that later loads start on a vector boundary (why: below, at M = 1).
// At M = 2..4 each B vector feeds M FMAs and straddling loads matter less than at M = 1: gemm_bench
// "step-m8" (two passes of 4 rows) 0.32 -> 0.29 ms realigned, "step-m4" unchanged.
template <int MI, int NJ>
static inline void small_dot_block(int64_t K, int64_t head, float alpha, const float* A, int64_t lda, const float* B,
                                   int64_t ldb, float* C, int64_t ldc) {
  vf acc[MI][NJ];
  for (int i = 0; i < MI; ++i)
    for (int j = 0; j < NJ; ++j) acc[i][j] = vzero();
  // masked lanes load as 0 and add nothing
  const auto add_partial = [&](int64_t p, int64_t n) {
    vf b[NJ];
    for (int j = 0; j < NJ; ++j) b[j] = vload_partial(B + j * ldb + p, n);
    for (int i = 0; i < MI; ++i) {
      const vf a = vload_partial(A + i * lda + p, n);
      for (int j = 0; j < NJ; ++j) acc[i][j] = vfmadd(a, b[j], acc[i][j]);
    }
  };
  if (head > 0) add_partial(0, head);
  int64_t p = head;
  for (; p + kWidth <= K; p += kWidth) {
    vf b[NJ];
    for (int j = 0; j < NJ; ++j) b[j] = vload(B + j * ldb + p);
    for (int i = 0; i < MI; ++i) {
      const vf a = vload(A + i * lda + p);
      for (int j = 0; j < NJ; ++j) acc[i][j] = vfmadd(a, b[j], acc[i][j]);
    }
  }
  if (p < K) add_partial(p, K - p);
  for (int i = 0; i < MI; ++i)
    for (int j = 0; j < NJ; ++j) C[i * ldc + j] += alpha * vreduce_add(acc[i][j]);
}

template <int MI, int NJ>
static void small_dot_rows_from(int64_t N, int64_t K, int64_t head, float alpha, const float* A, int64_t lda,
                                const float* B, int64_t ldb, float* C, int64_t ldc) {
  int64_t j = 0;
  for (; j + NJ <= N; j += NJ) small_dot_block<MI, NJ>(K, head, alpha, A, lda, B + j * ldb, ldb, C + j, ldc);
  for (; j < N; ++j) small_dot_block<MI, 1>(K, head, alpha, A, lda, B + j * ldb, ldb, C + j, ldc);
}

// Up to this many floats of A the aligned copy lives on the stack (32 KiB); more skips the realignment.
constexpr int64_t kAlignedCopyMaxFloats = 8192;

// The offset of B's rows from a vector boundary when every row shares it (ldb a multiple of the
// width), K is long enough to gain and M rows of A fit the copy; else 0 (no realignment).
static int64_t shared_row_offset(int64_t M, int64_t K, const float* B, int64_t ldb) {
  const int64_t offset = static_cast<int64_t>(reinterpret_cast<uintptr_t>(B) / sizeof(float)) % kWidth;
  if (kWidth == 1 || ldb % kWidth != 0 || K < 2 * kWidth) return 0;
  if (M * (((K + kWidth - 1) / kWidth) * kWidth + kWidth) > kAlignedCopyMaxFloats) return 0;
  return offset;
}

// Copies rows of A [M, K] into `copy` (64-byte aligned) at `offset` floats past a vector boundary,
// rows a whole number of vectors apart; returns the copy's row stride.
static int64_t copy_rows_at_offset(int64_t M, int64_t K, const float* A, int64_t lda, int64_t offset, float* copy) {
  const int64_t stride = ((K + kWidth - 1) / kWidth) * kWidth + kWidth;
  for (int64_t i = 0; i < M; ++i)
    for (int64_t p = 0; p < K; ++p) copy[i * stride + offset + p] = A[i * lda + p];
  return stride;
}

template <int MI, int NJ>
static void small_dot_rows(int64_t N, int64_t K, float alpha, const float* A, int64_t lda, const float* B,
                           int64_t ldb, float* C, int64_t ldc) {
  const int64_t offset = shared_row_offset(MI, K, B, ldb);
  if (offset == 0) return small_dot_rows_from<MI, NJ>(N, K, 0, alpha, A, lda, B, ldb, C, ldc);
  alignas(64) float copy[kAlignedCopyMaxFloats];
  const int64_t stride = copy_rows_at_offset(MI, K, A, lda, offset, copy);
  small_dot_rows_from<MI, NJ>(N, K, kWidth - offset, alpha, copy + offset, stride, B, ldb, C, ldc);
}

// One row of A (M = 1: the streaming step's matrix-vector product, which only streams B) goes through
// small_dot_rows<1, kSeqRows>: kSeqRows rows of B read side by side, so B is a few sequential
// streams (rows next to each other in memory), with that many independent FMA chains and each A
// vector loaded once for them. Measured on the streaming LSTM step I = H = 256
// (bench/kernels/gemm_bench "stream", Emerald Rapids Xeon): one row at a time 34 µs, 2 rows 29,
// 4 rows 28.5, 8 rows 26-28 (at 2 threads 16.5 / 14 / 13.2 / 13.4); on Zen 5 (an earlier session)
// 8 interleaved rows measured ~8% slower than one, hence the middle.
//
// The realignment matters most here: a weight in a Float32Array sits where V8's allocator put it
// (16 bytes past a page for large arrays), and on Intel cores every vector load that straddles two
// cache lines costs a second load: with its weights 16 bytes off, the streaming LSTM step took 49 µs
// instead of 34 ("stream unaligned").
constexpr int kSeqRows = 4;

// C[i, j0 : j0 + NV·kWidth] += alpha · Σ_p A[i, p] · B[p, j0 : ...] for i < MI; `n` (≤ NV·kWidth)
// columns are real, the rest of the block is masked off.
template <int MI, int NV>
static inline void small_axpy_block(int64_t K, float alpha, const float* A, int64_t lda, const float* B,
                                    int64_t ldb, float* C, int64_t ldc, int64_t n) {
  vf acc[MI][NV];
  for (int i = 0; i < MI; ++i)
    for (int v = 0; v < NV; ++v) acc[i][v] = vzero();
  const bool full = n == NV * kWidth;
  for (int64_t p = 0; p < K; ++p) {
    const float* row = B + p * ldb;
    vf b[NV];
    if (full) {
      for (int v = 0; v < NV; ++v) b[v] = vload(row + v * kWidth);
    } else {
      for (int v = 0; v < NV; ++v) {
        const int64_t m = n - v * kWidth;
        b[v] = m >= kWidth ? vload(row + v * kWidth) : m > 0 ? vload_partial(row + v * kWidth, m) : vzero();
      }
    }
    for (int i = 0; i < MI; ++i) {
      const vf a = vset1(A[i * lda + p]);
      for (int v = 0; v < NV; ++v) acc[i][v] = vfmadd(a, b[v], acc[i][v]);
    }
  }
  const vf scale = vset1(alpha);
  for (int i = 0; i < MI; ++i)
    for (int v = 0; v < NV; ++v) {
      float* c = C + i * ldc + v * kWidth;
      const int64_t m = n - v * kWidth;
      if (m >= kWidth) {
        vstore(c, vfmadd(scale, acc[i][v], vload(c)));
      } else if (m > 0) {
        vstore_partial(c, vfmadd(scale, acc[i][v], vload_partial(c, m)), m);
      }
    }
}

template <int MI, int NV>
static void small_axpy_rows(int64_t N, int64_t K, float alpha, const float* A, int64_t lda, const float* B,
                            int64_t ldb, float* C, int64_t ldc) {
  constexpr int64_t block = NV * kWidth;
  int64_t j = 0;
  for (; j + block <= N; j += block) small_axpy_block<MI, NV>(K, alpha, A, lda, B + j, ldb, C + j, ldc, block);
  for (; j < N; j += kWidth) {
    const int64_t n = N - j < kWidth ? N - j : kWidth;
    small_axpy_block<MI, 1>(K, alpha, A, lda, B + j, ldb, C + j, ldc, n);
  }
}

// The KernelTable entry: 1 ≤ M ≤ 4 rows; 4 independent accumulators at M = 1, 16 at M = 4.
static void gemm_small_m_impl(bool transB, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
                              const float* B, int64_t ldb, float* C, int64_t ldc) {
  if (transB) {
    switch (M) {
      case 1: return small_dot_rows<1, kSeqRows>(N, K, alpha, A, lda, B, ldb, C, ldc);
      case 2: return small_dot_rows<2, 4>(N, K, alpha, A, lda, B, ldb, C, ldc);
      case 3: return small_dot_rows<3, 4>(N, K, alpha, A, lda, B, ldb, C, ldc);
      default: return small_dot_rows<4, 4>(N, K, alpha, A, lda, B, ldb, C, ldc);
    }
  }
  switch (M) {
    case 1: return small_axpy_rows<1, 8>(N, K, alpha, A, lda, B, ldb, C, ldc);
    case 2: return small_axpy_rows<2, 4>(N, K, alpha, A, lda, B, ldb, C, ldc);
    case 3: return small_axpy_rows<3, 4>(N, K, alpha, A, lda, B, ldb, C, ldc);
    default: return small_axpy_rows<4, 4>(N, K, alpha, A, lda, B, ldb, C, ldc);
  }
}
