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

// Floats from the last vector boundary to p.
static int64_t vector_offset(const float* p) {
  return static_cast<int64_t>(reinterpret_cast<uintptr_t>(p) / sizeof(float)) % kWidth;
}

// Whether every row of B [·, ldb] sits at the same offset from a vector boundary (ldb a multiple of
// the width), K is long enough to gain from realigned loads and M rows of A fit the aligned copy.
static bool rows_realignable(int64_t M, int64_t K, int64_t ldb) {
  if (kWidth == 1 || ldb % kWidth != 0 || K < 2 * kWidth) return false;
  return M * (((K + kWidth - 1) / kWidth) * kWidth + kWidth) <= kAlignedCopyMaxFloats;
}

// The offset of B's rows from a vector boundary when they can be realigned to (above); else 0.
static int64_t shared_row_offset(int64_t M, int64_t K, const float* B, int64_t ldb) {
  return rows_realignable(M, K, ldb) ? vector_offset(B) : 0;
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

// One row of A (M = 1: a batch-1 step's matrix-vector product, which only streams B; the one-thread
// streaming step has its own, gemv_rows below) goes through
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

// y[j] += Σ_p W[j, p] · x[p] for j < N: the one-thread streaming step's matrix-vector product (lstm.cc).
// Its weights are twice the L2, so their reading order is what counts: one row after another, four
// partial sums along it, and in one direction through memory: ascending, or (descending) every
// address in reverse, last row first and each row from its end, so that a call starts on the lines
// the previous one read last. Measured on the step's two products (4H × 256 each, Zen 5 with
// AVX-512, one thread), against 4 rows side by side in 128 KiB chunks (small_dot_rows, the order
// before): with 64-byte aligned weights 0.83 (16.3 µs, a plain 2 MB read's time in that minute);
// with weights 16 bytes off a boundary, as glibc and V8 place large arrays, 0.93 in the same harness
// and 0.94-0.98 in the whole LSTM step (bench/kernels/paired.cc "T1 B1", "stream gap").
//
// A row is [head | groups of 4 vectors | rest: whole vectors, then a tail]: the head (floats before
// the first vector boundary, when x is realigned to W's rows as for small_dot_rows) and the tail are
// read as the whole aligned vector around them with the other lanes zeroed (vkeep_lanes), which
// reaches into the neighbouring rows, so the first and last rows use masked loads instead. Masked
// loads in every row, or even edge code that never runs, made the loop 10-40% slower on Zen 5,
// hence a row loop without any edge code (kEdges 0) when the rows are whole groups.
struct GemvRowShape {
  int64_t head, lead;  // lead: lanes before the head in its aligned vector (kWidth − head, or 0)
  int64_t groups, rest0, singles, tail0, tail;
  vf x_head, x_tail;  // x's head and tail lanes, the rest 0
};

static inline GemvRowShape gemv_row_shape(int64_t K, int64_t head, const float* x) {
  GemvRowShape s;
  s.head = head;
  s.lead = head > 0 ? kWidth - head : 0;
  s.groups = (K - head) / (4 * kWidth);
  s.rest0 = head + s.groups * 4 * kWidth;
  s.singles = (K - s.rest0) / kWidth;
  s.tail0 = s.rest0 + s.singles * kWidth;
  s.tail = K - s.tail0;
  s.x_head = head > 0 ? vload_from_lane(x - s.lead, s.lead) : vzero();
  s.x_tail = s.tail > 0 ? vload_partial(x + s.tail0, s.tail) : vzero();
  return s;
}

// One row's dot product. kEdges: 0 none (the row is whole groups), 1 the neighbouring rows are there to
// read past the row's ends, 2 they may not be (first or last row: masked loads).
template <bool kDescending, int kEdges>
static inline float gemv_row(const GemvRowShape& s, const float* x, const float* w) {
  vf sum0 = vzero(), sum1 = vzero(), sum2 = vzero(), sum3 = vzero();
  const auto add_rest = [&] {  // at most 3 whole vectors, then the tail
    if (s.singles > 0) sum1 = vfmadd(vload(x + s.rest0), vload(w + s.rest0), sum1);
    if (s.singles > 1) sum2 = vfmadd(vload(x + s.rest0 + kWidth), vload(w + s.rest0 + kWidth), sum2);
    if (s.singles > 2) sum3 = vfmadd(vload(x + s.rest0 + 2 * kWidth), vload(w + s.rest0 + 2 * kWidth), sum3);
    if (s.tail > 0) {
      const vf w_tail =
          kEdges == 1 ? vkeep_lanes(vload(w + s.tail0), 0, s.tail) : vload_partial(w + s.tail0, s.tail);
      sum0 = vfmadd(s.x_tail, w_tail, sum0);
    }
  };
  const auto add_head = [&] {
    if (s.head > 0) {
      const vf w_head =
          kEdges == 1 ? vkeep_lanes(vload(w - s.lead), s.lead, kWidth) : vload_from_lane(w - s.lead, s.lead);
      sum1 = vfmadd(s.x_head, w_head, sum1);
    }
  };
  if (kEdges != 0) kDescending ? add_rest() : add_head();
  for (int64_t g = 0; g < s.groups; ++g) {
    const int64_t p = s.head + (kDescending ? s.groups - 1 - g : g) * 4 * kWidth;
    sum0 = vfmadd(vload(x + p), vload(w + p), sum0);
    sum1 = vfmadd(vload(x + p + kWidth), vload(w + p + kWidth), sum1);
    sum2 = vfmadd(vload(x + p + 2 * kWidth), vload(w + p + 2 * kWidth), sum2);
    sum3 = vfmadd(vload(x + p + 3 * kWidth), vload(w + p + 3 * kWidth), sum3);
  }
  if (kEdges != 0) kDescending ? add_head() : add_rest();
  return vreduce_add(vadd(vadd(sum0, sum1), vadd(sum2, sum3)));
}

template <bool kDescending>
static void gemv_rows_from(int64_t N, int64_t K, int64_t head, const float* x, const float* W, int64_t ldw,
                           float* y) {
  const GemvRowShape s = gemv_row_shape(K, head, x);
  const auto row = [&](int64_t k) -> int64_t { return kDescending ? N - 1 - k : k; };  // k-th row visited
  if (head == 0 && s.rest0 == K) {
    for (int64_t k = 0; k < N; ++k) y[row(k)] += gemv_row<kDescending, 0>(s, x, W + row(k) * ldw);
    return;
  }
  // a row's edge vectors stay inside its neighbours when rows are at least a vector apart
  if (ldw < kWidth) {
    for (int64_t k = 0; k < N; ++k) y[row(k)] += gemv_row<kDescending, 2>(s, x, W + row(k) * ldw);
    return;
  }
  y[row(0)] += gemv_row<kDescending, 2>(s, x, W + row(0) * ldw);
  for (int64_t k = 1; k < N - 1; ++k) y[row(k)] += gemv_row<kDescending, 1>(s, x, W + row(k) * ldw);
  if (N > 1) y[row(N - 1)] += gemv_row<kDescending, 2>(s, x, W + row(N - 1) * ldw);
}

// With x copied to sit as W's rows do against a vector boundary; apart from gemv_rows_impl so that
// the copy's 32 KiB frame is not the row loop's (its spilled values would sit 32 KiB below the stack top).
template <bool kDescending>
__attribute__((noinline)) static void gemv_rows_realigned(int64_t N, int64_t K, int64_t offset, const float* x,
                                                          const float* W, int64_t ldw, float* y) {
  alignas(64) float copy[kAlignedCopyMaxFloats];
  copy_rows_at_offset(1, K, x, K, offset, copy);
  gemv_rows_from<kDescending>(N, K, offset == 0 ? 0 : kWidth - offset, copy + offset, W, ldw, y);
}

// The KernelTable entry (dispatch.h). Below AVX-512 the rows go 4 side by side (small_dot_rows) in
// chunks of kStreamChunkBytes, the chunks in reverse when descending: under AVX2 on the same Zen 5 core one row at
// a time measured 1.03× (the cell alone) to 1.20× (between JS-like calls) of that.
static void gemv_rows_impl(int64_t N, int64_t K, const float* x, const float* W, int64_t ldw, float* y,
                           bool descending) {
  if (kWidth < 16) {
    const int64_t row_bytes = K * static_cast<int64_t>(sizeof(float));
    const int64_t rows = row_bytes >= kStreamChunkBytes ? 1 : kStreamChunkBytes / row_bytes;
    const int64_t chunks = (N + rows - 1) / rows;
    for (int64_t k = 0; k < chunks; ++k) {
      const int64_t r0 = (descending ? chunks - 1 - k : k) * rows;
      const int64_t n = N - r0 < rows ? N - r0 : rows;
      small_dot_rows<1, kSeqRows>(n, K, 1.0f, x, K, W + r0 * ldw, ldw, y + r0, 1);
    }
    return;
  }
  // x is copied to sit as W's rows do unless it already does: a misaligned x costs a second L1
  // access per load, which shows where W comes from L2 (in one process, a step whose first product
  // had x 48 bytes past a boundary took 17.9 µs, one whose first had an aligned h 16.1; with x
  // copied 16.3 and 16.0)
  const int64_t offset = vector_offset(W);
  if (rows_realignable(1, K, ldw) && (offset != 0 || vector_offset(x) != 0)) {
    if (descending) return gemv_rows_realigned<true>(N, K, offset, x, W, ldw, y);
    return gemv_rows_realigned<false>(N, K, offset, x, W, ldw, y);
  }
  if (descending) return gemv_rows_from<true>(N, K, 0, x, W, ldw, y);
  gemv_rows_from<false>(N, K, 0, x, W, ldw, y);
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
