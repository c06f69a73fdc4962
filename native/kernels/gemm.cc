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
// Threads: big products are split into column (or row) ranges of whole tiles, one per pool thread,
// each running the serial blocked algorithm on its part of C with its own thread-local pack buffers.
// Nothing is allocated per call once a thread's buffers have grown to the block sizes.
#include <algorithm>
#include <vector>

#include "check.h"
#include "dispatch.h"
#include "kernels.h"
#include "threads.h"

namespace rnnkit {
namespace {

constexpr int64_t kKC = 256;   // depth of a packed panel
constexpr int64_t kMC = 144;   // rows of op(A) per packed block (a multiple of MR 4, 6 and 8)
constexpr int64_t kNC = 2048;  // columns of op(B) per packed panel (a multiple of NR 4, 16 and 32)
constexpr int64_t kParallelMinWork = int64_t{1} << 20;  // multiply-adds below which one thread is faster

struct PackBuffers {
  std::vector<float> a, b;
};

PackBuffers& pack_buffers() {
  thread_local PackBuffers buffers;
  return buffers;
}

// out = alpha · op(A)[i0 : i0+mc, p0 : p0+kc] as strips of MR rows: strip s is [kc, MR], rows past mc 0.
void pack_a(bool transA, const float* A, int64_t lda, int64_t i0, int64_t mc, int64_t p0, int64_t kc,
            float alpha, int64_t MR, float* out) {
  for (int64_t s = 0; s < mc; s += MR) {
    const int64_t m = std::min(MR, mc - s);
    float* dst = out + s * kc;
    if (!transA) {
      for (int64_t ii = 0; ii < m; ++ii) {
        const float* src = A + (i0 + s + ii) * lda + p0;
        for (int64_t p = 0; p < kc; ++p) dst[p * MR + ii] = alpha * src[p];
      }
    } else {
      for (int64_t p = 0; p < kc; ++p) {
        const float* src = A + (p0 + p) * lda + i0 + s;
        for (int64_t ii = 0; ii < m; ++ii) dst[p * MR + ii] = alpha * src[ii];
      }
    }
    for (int64_t p = 0; p < kc; ++p)
      for (int64_t ii = m; ii < MR; ++ii) dst[p * MR + ii] = 0.0f;
  }
}

// out = op(B)[p0 : p0+kc, j0 : j0+nc] as strips of NR columns: strip s is [kc, NR], columns past nc 0.
void pack_b(bool transB, const float* B, int64_t ldb, int64_t p0, int64_t kc, int64_t j0, int64_t nc,
            int64_t NR, float* out) {
  for (int64_t s = 0; s < nc; s += NR) {
    const int64_t n = std::min(NR, nc - s);
    float* dst = out + s * kc;
    if (!transB) {
      for (int64_t p = 0; p < kc; ++p) {
        const float* src = B + (p0 + p) * ldb + j0 + s;
        float* row = dst + p * NR;
        for (int64_t jj = 0; jj < n; ++jj) row[jj] = src[jj];
        for (int64_t jj = n; jj < NR; ++jj) row[jj] = 0.0f;
      }
    } else {
      for (int64_t jj = 0; jj < n; ++jj) {
        const float* src = B + (j0 + s + jj) * ldb + p0;
        for (int64_t p = 0; p < kc; ++p) dst[p * NR + jj] = src[p];
      }
      for (int64_t p = 0; p < kc; ++p)
        for (int64_t jj = n; jj < NR; ++jj) dst[p * NR + jj] = 0.0f;
    }
  }
}

struct GemmProblem {
  const KernelTable* kt;
  bool transA, transB;
  int64_t M, N, K;
  float alpha;
  const float* A;
  int64_t lda;
  const float* B;
  int64_t ldb;
  float* C;
  int64_t ldc;
};

// C[m0 : m1, n0 : n1] += alpha · op(A)[m0 : m1, :] · op(B)[:, n0 : n1] on the calling thread.
void gemm_block_range(const GemmProblem& g, int64_t m0, int64_t m1, int64_t n0, int64_t n1) {
  const int64_t MR = g.kt->gemm_mr, NR = g.kt->gemm_nr;
  PackBuffers& buffers = pack_buffers();
  const int64_t nc_max = std::min(kNC, ((n1 - n0 + NR - 1) / NR) * NR);
  const int64_t kc_max = std::min(kKC, g.K);
  const int64_t mc_max = std::min(kMC, ((m1 - m0 + MR - 1) / MR) * MR);
  if (buffers.b.size() < static_cast<size_t>(kc_max * nc_max)) buffers.b.resize(kc_max * nc_max);
  if (buffers.a.size() < static_cast<size_t>(kc_max * mc_max)) buffers.a.resize(kc_max * mc_max);
  float* b_packed = buffers.b.data();
  float* a_packed = buffers.a.data();

  for (int64_t jc = n0; jc < n1; jc += kNC) {
    const int64_t nc = std::min(kNC, n1 - jc);
    for (int64_t pc = 0; pc < g.K; pc += kKC) {
      const int64_t kc = std::min(kKC, g.K - pc);
      pack_b(g.transB, g.B, g.ldb, pc, kc, jc, nc, NR, b_packed);
      for (int64_t ic = m0; ic < m1; ic += kMC) {
        const int64_t mc = std::min(kMC, m1 - ic);
        pack_a(g.transA, g.A, g.lda, ic, mc, pc, kc, g.alpha, MR, a_packed);
        for (int64_t jr = 0; jr < nc; jr += NR) {
          const int64_t n = std::min(NR, nc - jr);
          for (int64_t ir = 0; ir < mc; ir += MR) {
            const int64_t m = std::min(MR, mc - ir);
            g.kt->gemm_micro(kc, a_packed + ir * kc, b_packed + jr * kc, g.C + (ic + ir) * g.ldc + jc + jr,
                             g.ldc, m, n);
          }
        }
      }
    }
  }
}

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
  scale_c(M, N, beta, C, ldc);
  if (K == 0 || alpha == 0.0f) return;
  RNNKIT_ASSERT(lda >= (transA ? M : K) && ldb >= (transB ? K : N));

  const GemmProblem g{&kernels(), transA, transB, M, N, K, alpha, A, lda, B, ldb, C, ldc};
  const int threads = thread_count();
  const int64_t MR = g.kt->gemm_mr, NR = g.kt->gemm_nr;
  const int64_t row_tiles = (M + MR - 1) / MR, col_tiles = (N + NR - 1) / NR;
  if (threads <= 1 || M * N * K < kParallelMinWork || std::max(row_tiles, col_tiles) < 2) {
    gemm_block_range(g, 0, M, 0, N);
    return;
  }
  // Split the dimension with more tiles into whole-tile ranges, one per thread.
  const bool split_columns = col_tiles >= row_tiles;
  const int64_t tiles = split_columns ? col_tiles : row_tiles;
  const int64_t tasks = std::min<int64_t>(threads, tiles);
  parallel_for(tasks, [&](int64_t task) {
    const int64_t first = tiles * task / tasks, last = tiles * (task + 1) / tasks;
    if (split_columns) {
      gemm_block_range(g, 0, M, first * NR, std::min(N, last * NR));
    } else {
      gemm_block_range(g, first * MR, std::min(M, last * MR), 0, N);
    }
  });
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
