// SGEMM, row-major: C = alpha · op(A) · op(B) + beta · C (kernels.h), and sgemm_reference beside it.
// Mirrors lib/backend/js/gemm.ts.
//
// GotoBLAS/BLIS structure (Goto & van de Geijn, "Anatomy of High-Performance Matrix Multiplication",
// 2008): C is scaled by beta once; then for each [KC, NC] panel of op(B), packed into NR-wide column
// strips, and each [MC, KC] block of op(A), packed into MR-tall row strips with alpha folded in, the
// dispatched register-tile microkernel (gemm_micro.inl) adds every MR × NR tile. Packing makes every
// transpose case the same kernel with unit-stride loads and keeps the working set in cache:
// a packed A block (MC·KC floats, ~144 KiB) in L2, a B strip (KC·NR) in L1.
//
// Few rows (M ≤ kUnpackedMaxM: the recurrent step at small batch, the streaming matrix-vector
// product) skip packing: the small-M kernels (gemm_small.inl) read B once in place, 4 rows of A per
// pass. The recurrent loops multiply the same weights at every step, so they pack op(B) once per
// call (pack_b / sgemm_packed / StepGemm, gemm.h) and each step only packs its few A rows.
//
// This file holds the serial algorithm and the entry points; gemm_threads.cc shares a product among
// the pool threads (shared packed panels, column and row ranges). Nothing is allocated per call once
// the buffers have grown to the block sizes (StepGemm allocates its packed weights once, in its
// constructor).
#include <algorithm>
#include <vector>

#include "check.h"
#include "dispatch.h"
#include "gemm.h"
#include "gemm_blocks.h"
#include "kernels.h"
#include "threads.h"

namespace rnnkit {
namespace gemm_detail {

PackBuffers& pack_buffers() {
  thread_local PackBuffers buffers;
  return buffers;
}

namespace {

// Asks for the cache line at p in L1 (a hint; no fault if p is past the data).
inline void prefetch_l1(const void* p) {
#if defined(__GNUC__) || defined(__clang__)
  __builtin_prefetch(p, 0, 3);
#endif
}

// A pre-packed panel multiplied by at most this many rows of A (the recurrent step at batch ≤ 48)
// goes row tile by row tile over blocks of kRowsOuterStrips strips (128 KiB of B at kc = 256, AVX2)
// instead of strip by strip: the first row tile reads the block from L3 in one sequential stream and
// the other tiles find it in L2. (Strip by strip, a strip's lines are requested in as many bursts as
// there are row tiles, long ones when there are 2 to 8: likely why that order was slower here.)
// Measured on Zen 3 (AVX2), 1 thread, with bench/kernels/paired.cc (the two orders alternated sample
// by sample in one process, 40 pairs): the packed step
// 8×2048×512 0.86×, 16×2048×512 0.92×, 32×1024×256 0.95×, 32×2048×512 0.96× (1.01× in another run),
// 48×2048×512 0.99×, and 64×4096×1024 1.03× (so not above 48 rows); one LSTM inference layer T=100
// B=32 I=H=256 0.95×, I=128/512 H=512 within ±2.5%.
constexpr int64_t kRowsOuterMaxRows = 48;
constexpr int64_t kRowsOuterStrips = 8;

// The next strip's lines are requested while the current strip's tiles run only when the two strips
// fit in L1 together (kc · NR floats each, at most this many bytes for both: the smallest L1d of the
// x86 cores we target); a larger next strip would push the current one out of L1. Measured with
// bench/kernels/paired.cc (the prefetch switched sample by sample in one process, 1 thread unless
// said), on AMD Zen 5: with AVX-512 (32 KiB strips at kc = 256) leaving it out took sgemm 2048³
// 0.972–0.973× the time, 3200×2048×512 0.977×, TN 2048×512×3200 0.982×, 3200×512×2048 0.986×, the
// pre-packed step 64×4096×1024 0.966× (0.950× at 2 threads), an LSTM training layer T=25 B=64
// I=H=1024 0.972× (1.00× at 2 threads); with AVX2 on the same core (16 KiB strips) it took 1.008×,
// 1.013× and 1.057× (step): there the prefetch pays, as it did on Zen 3 (AVX2: 2048³ 0.955–0.966×,
// 3200×2048×512 0.977–0.983× with it; the pre-packed step 2.70 -> 2.34 ms).
constexpr int64_t kPrefetchedStripsMaxBytes = 32 * 1024;

// The macro kernel. With prepacked (a panel packed ahead, read from L3 or memory), at most
// kRowsOuterMaxRows rows go row tile by row tile over blocks of strips (above); otherwise strip by
// strip, the next strip's lines requested (see above), a share before each row tile, while the
// current strip's tiles run (the panel is larger than L2 either way: kKC × kNC floats is 2 MB).
void macro_kernel_impl(const KernelTable& kt, int64_t mc, int64_t nc, int64_t kc, const float* a_packed,
                       const float* b_panel, float* C, int64_t ldc, bool store, bool prepacked) {
  const int64_t MR = kt.gemm_mr, NR = kt.gemm_nr;
  const auto micro = store ? kt.gemm_micro_store : kt.gemm_micro;
  if (prepacked && mc <= kRowsOuterMaxRows) {
    for (int64_t j0 = 0; j0 < nc; j0 += kRowsOuterStrips * NR) {
      const int64_t j1 = std::min(nc, j0 + kRowsOuterStrips * NR);
      for (int64_t ir = 0; ir < mc; ir += MR) {
        const int64_t m = std::min(MR, mc - ir);
        for (int64_t jr = j0; jr < j1; jr += NR)
          micro(kc, a_packed + ir * kc, b_panel + jr * kc, C + ir * ldc + jr, ldc, m, std::min(NR, nc - jr));
      }
    }
    return;
  }
  const int64_t line_floats = static_cast<int64_t>(kCacheLine / sizeof(float));
  const int64_t strip_lines = (kc * NR + line_floats - 1) / line_floats;
  const int64_t tiles = (mc + MR - 1) / MR;
  const int64_t lines_per_tile = (strip_lines + tiles - 1) / tiles;
  const bool prefetch_next = 2 * kc * NR * static_cast<int64_t>(sizeof(float)) <= kPrefetchedStripsMaxBytes;
  for (int64_t jr = 0; jr < nc; jr += NR) {
    const int64_t n = std::min(NR, nc - jr);
    const float* next = b_panel + (jr + NR) * kc;  // the next strip, when there is one
    const int64_t next_lines = prefetch_next && jr + NR < nc ? strip_lines : 0;
    for (int64_t ir = 0, line = 0; ir < mc; ir += MR) {
      for (const int64_t end = std::min(next_lines, line + lines_per_tile); line < end; ++line)
        prefetch_l1(next + line * line_floats);
      const int64_t m = std::min(MR, mc - ir);
      micro(kc, a_packed + ir * kc, b_panel + jr * kc, C + ir * ldc + jr, ldc, m, n);
    }
  }
}

}  // namespace

// C[mc, nc] += (or, with store, =) the packed A block [mc, kc] times the packed B panel [kc, nc], tile
// by tile. The B strip (kc · NR floats) stays in L1 while every row strip of the A block (in L2)
// passes over it; the next strip is prefetched when two fit in L1 (kPrefetchedStripsMaxBytes).
void macro_kernel(const KernelTable& kt, int64_t mc, int64_t nc, int64_t kc, const float* a_packed,
                  const float* b_panel, float* C, int64_t ldc, bool store) {
  macro_kernel_impl(kt, mc, nc, kc, a_packed, b_panel, C, ldc, store, false);
}

// The same for a panel of op(B) packed ahead (sgemm_packed: a recurrent weight, 16 MB at H = 1024),
// which comes from L3 or memory, not from L2 as a panel packed just before does; the same rule for
// the next strip's prefetch (kPrefetchedStripsMaxBytes). At most kRowsOuterMaxRows rows go row tile
// by row tile (above).
void macro_kernel_prepacked(const KernelTable& kt, int64_t mc, int64_t nc, int64_t kc, const float* a_packed,
                            const float* b_panel, float* C, int64_t ldc, bool store) {
  macro_kernel_impl(kt, mc, nc, kc, a_packed, b_panel, C, ldc, store, true);
}

// Grows this thread's A pack buffer to hold an [MC, KC] block (rounded to MR) and returns it.
float* a_pack_buffer(const KernelTable& kt, int64_t M, int64_t K) {
  PackBuffers& buffers = pack_buffers();
  const int64_t MR = kt.gemm_mr;
  const size_t need = static_cast<size_t>(std::min(kKC, K) * (((std::min(kMC, M) + MR - 1) / MR) * MR));
  if (buffers.a.size() < need) buffers.a.resize(need);
  return buffers.a.data();
}

// C[m0 : m1, n0 : n1] += alpha · op(A)[m0 : m1, :] · op(B)[:, n0 : n1] on the calling thread.
void gemm_block_range(const GemmProblem& g, int64_t m0, int64_t m1, int64_t n0, int64_t n1) {
  const int64_t NR = g.kt->gemm_nr;
  PackBuffers& buffers = pack_buffers();
  // a panel of nc ≤ kNC columns packs to nc rounded up to NR (more than kNC when NR does not divide it)
  const int64_t nc_max = ((std::min(kNC, n1 - n0) + NR - 1) / NR) * NR;
  const int64_t kc_max = std::min(kKC, g.K);
  if (buffers.b.size() < static_cast<size_t>(kc_max * nc_max)) buffers.b.resize(kc_max * nc_max);
  float* b_packed = buffers.b.data();
  float* a_packed = a_pack_buffer(*g.kt, m1 - m0, g.K);

  for (int64_t jc = n0; jc < n1; jc += kNC) {
    const int64_t nc = std::min(kNC, n1 - jc);
    for (int64_t pc = 0; pc < g.K; pc += kKC) {
      const int64_t kc = std::min(kKC, g.K - pc);
      g.kt->pack_b(g.transB, g.B, g.ldb, pc, kc, jc, nc, b_packed);
      for (int64_t ic = m0; ic < m1; ic += kMC) {
        const int64_t mc = std::min(kMC, m1 - ic);
        g.kt->pack_a(g.transA, g.A, g.lda, ic, mc, pc, kc, g.alpha, a_packed);
        macro_kernel(*g.kt, mc, nc, kc, a_packed, b_packed, g.C + ic * g.ldc + jc, g.ldc, g.overwrite && pc == 0);
      }
    }
  }
}

// The same with op(B) pre-packed whole (gemm.h): no B packing, each A block meets every panel.
void gemm_packed_range(const GemmProblem& g, const PackedB& packed, int64_t m0, int64_t m1, int64_t n0,
                       int64_t n1) {
  const int64_t NR = g.kt->gemm_nr;
  const int64_t n_padded = ((g.N + NR - 1) / NR) * NR;
  float* a_packed = a_pack_buffer(*g.kt, m1 - m0, g.K);
  for (int64_t ic = m0; ic < m1; ic += kMC) {
    const int64_t mc = std::min(kMC, m1 - ic);
    for (int64_t pc = 0; pc < g.K; pc += kKC) {
      const int64_t kc = std::min(kKC, g.K - pc);
      g.kt->pack_a(g.transA, g.A, g.lda, ic, mc, pc, kc, g.alpha, a_packed);
      macro_kernel_prepacked(*g.kt, mc, n1 - n0, kc, a_packed, packed.data + pc * n_padded + n0 * kc,
                             g.C + ic * g.ldc + n0, g.ldc, g.overwrite && pc == 0);
    }
  }
}

// C[0 : M, n0 : n1] += alpha · op(A) · op(B)[:, n0 : n1] for M ≤ kUnpackedMaxM through the unpacked
// kernels, kSmallM rows per call; a transposed A is first gathered into contiguous rows (M·K floats, this thread's buffer).
void gemm_small_range(const GemmProblem& g, int64_t n0, int64_t n1) {
  const float* A = g.A;
  int64_t lda = g.lda;
  if (g.transA) {
    PackBuffers& buffers = pack_buffers();
    if (buffers.a.size() < static_cast<size_t>(g.M * g.K)) buffers.a.resize(g.M * g.K);
    float* rows = buffers.a.data();
    for (int64_t p = 0; p < g.K; ++p)
      for (int64_t i = 0; i < g.M; ++i) rows[i * g.K + p] = g.A[p * g.lda + i];
    A = rows;
    lda = g.K;
  }
  const float* B = g.transB ? g.B + n0 * g.ldb : g.B + n0;
  for (int64_t i = 0; i < g.M; i += kSmallM) {
    const int64_t m = std::min(kSmallM, g.M - i);
    g.kt->gemm_small_m(g.transB, m, n1 - n0, g.K, g.alpha, A + i * lda, lda, B, g.ldb, g.C + i * g.ldc + n0, g.ldc);
  }
}

}  // namespace gemm_detail

using namespace gemm_detail;

namespace {

// C[M, N] *= beta; beta == 0 stores zeros without reading C (BLAS: NaN in C must not survive).
void scale_c(int64_t M, int64_t N, float beta, float* C, int64_t ldc) {
  if (beta == 1.0f) return;
  for (int64_t i = 0; i < M; ++i) {
    float* row = C + i * ldc;
    if (beta == 0.0f) {
      std::fill(row, row + N, 0.0f);
    } else {
      for (int64_t j = 0; j < N; ++j) row[j] *= beta;
    }
  }
}

}  // namespace

void sgemm(bool transA, bool transB, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
           const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  RNNKIT_ASSERT(M >= 0 && N >= 0 && K >= 0);
  if (M == 0 || N == 0) return;
  RNNKIT_ASSERT(ldc >= N);
  // beta = 0 on the packed path: the first K panel writes C (never zero-filled nor read first).
  const bool overwrite = beta == 0.0f && K > 0 && alpha != 0.0f && M > kUnpackedMaxM;
  if (!overwrite) scale_c(M, N, beta, C, ldc);
  if (K == 0 || alpha == 0.0f) return;
  RNNKIT_ASSERT(lda >= (transA ? M : K) && ldb >= (transB ? K : N));

  const GemmProblem g{&kernels(), transA, transB, M, N, K, alpha, A, lda, B, ldb, C, ldc, overwrite};
  if (M <= kUnpackedMaxM) return run_small(g);
  run_blocked(g);
}

int64_t packed_b_size(const KernelTable& kt, int64_t K, int64_t N) {
  const int64_t NR = kt.gemm_nr;
  return K * (((N + NR - 1) / NR) * NR);
}

PackedB pack_b(const KernelTable& kt, bool transB, int64_t K, int64_t N, const float* B, int64_t ldb,
               float* storage) {
  const int64_t NR = kt.gemm_nr;
  const int64_t n_padded = ((N + NR - 1) / NR) * NR;
  // Tasks: K panels × groups of NR-wide strips, at least two per thread (the packing of a 16 MB W_hh
  // takes ~1.5 ms, a 2-thread inference forward at H = 1024 ~65 ms); one thread when small.
  const int64_t panels = (K + kKC - 1) / kKC, strips = n_padded / NR;
  const int threads = usable_threads();
  const bool parallel = threads > 1 && K * N >= kParallelMinWork;
  const int64_t groups = parallel ? std::min(strips, std::max<int64_t>(1, (2 * threads + panels - 1) / panels)) : 1;
  const auto pack = [&](int64_t task) {
    const int64_t pc = task / groups * kKC, kc = std::min(kKC, K - pc), group = task % groups;
    const int64_t j0 = strips * group / groups * NR, j1 = std::min(N, strips * (group + 1) / groups * NR);
    if (j1 > j0) kt.pack_b(transB, B, ldb, pc, kc, j0, j1 - j0, storage + pc * n_padded + j0 * kc);
  };
  if (parallel) {
    parallel_for(panels * groups, pack);
  } else {
    for (int64_t task = 0; task < panels; ++task) pack(task);
  }
  return PackedB{&kt, K, N, storage};
}

void sgemm_packed(bool transA, int64_t M, float alpha, const float* A, int64_t lda, const PackedB& B, float beta,
                  float* C, int64_t ldc) {
  const int64_t N = B.N, K = B.K;
  RNNKIT_ASSERT(M >= 0 && B.kt != nullptr);
  if (M == 0 || N == 0) return;
  RNNKIT_ASSERT(ldc >= N);
  const bool overwrite = beta == 0.0f && K > 0 && alpha != 0.0f;  // as in sgemm
  if (!overwrite) scale_c(M, N, beta, C, ldc);
  if (K == 0 || alpha == 0.0f) return;
  RNNKIT_ASSERT(lda >= (transA ? M : K));
  const GemmProblem g{B.kt, transA, false, M, N, K, alpha, A, lda, nullptr, 0, C, ldc, overwrite};
  run_packed(g, B);
}

StepGemm::StepGemm(bool transW, int64_t M, int64_t N, int64_t K, const float* W, int64_t ldw)
    : transW_(transW), M_(M), N_(N), K_(K), W_(W), ldw_(ldw) {
  if (M <= kSmallM) return;  // the small-M kernels read W as it is
  const KernelTable& kt = kernels();
  storage_ = aligned_floats(packed_b_size(kt, K, N));
  packed_ = pack_b(kt, transW, K, N, W, ldw, storage_.get());
}

void StepGemm::run_rows(int64_t rows, const float* A, int64_t lda, float beta, float* C, int64_t ldc) const {
  RNNKIT_ASSERT(rows >= 0 && rows <= M_);
  if (packed_.data == nullptr) {
    sgemm(false, transW_, rows, N_, K_, 1.0f, A, lda, W_, ldw_, beta, C, ldc);
  } else {
    sgemm_packed(false, rows, 1.0f, A, lda, packed_, beta, C, ldc);
  }
}

void sgemm_reference(bool transA, bool transB, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
                     int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  for (int64_t i = 0; i < M; ++i) {
    for (int64_t j = 0; j < N; ++j) {
      double sum = 0.0;
      if (alpha != 0.0f) {  // alpha = 0: A and B are not referenced (BLAS)
        for (int64_t p = 0; p < K; ++p) {
          const double a = transA ? A[p * lda + i] : A[i * lda + p];
          const double b = transB ? B[j * ldb + p] : B[p * ldb + j];
          sum += a * b;
        }
      }
      float& c = C[i * ldc + j];
      const double product = alpha * sum;
      c = static_cast<float>(beta == 0.0f ? product : product + static_cast<double>(beta) * c);
    }
  }
}

}  // namespace rnnkit
