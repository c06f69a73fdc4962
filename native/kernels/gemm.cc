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
// Threads: a product with many row blocks shares each packed op(B) panel among the pool threads
// (shared_panel_task below: the threads pack it together, then each multiplies the row blocks it
// claims against it, while the next panel is packed into a second buffer); other big products are
// split into column (or row) ranges of whole tiles, one per pool thread, each running the serial
// blocked algorithm on its part of C with its own thread-local pack buffers. Nothing is allocated per
// call once the buffers have grown to the block sizes (StepGemm allocates its packed weights once,
// in its constructor).
#include <algorithm>
#include <atomic>
#include <memory>
#include <vector>

#include "check.h"
#include "dispatch.h"
#include "gemm.h"
#include "kernels.h"
#include "threads.h"

namespace rnnkit {
namespace {

constexpr int64_t kKC = 256;   // depth of a packed panel
constexpr int64_t kMC = 144;   // rows of op(A) per packed block (a multiple of MR 4, 6 and 8)
constexpr int64_t kNC = 2048;  // columns of op(B) per packed panel (a multiple of NR 4, 16 and 32)
// Rows of op(A) up to which sgemm (op(B) not pre-packed) uses the small-M kernels, 4 rows per pass
// over B: at 8 rows two passes over B cost less than packing it (bench/kernels: 8×2048×512
// 0.41 → 0.12 ms), and at 16 still less than packing.
constexpr int64_t kUnpackedMaxM = 16;
constexpr int64_t kParallelMinWork = int64_t{1} << 20;  // multiply-adds below which one thread is faster

struct PackBuffers {
  std::vector<float> a, b;
  // The shared panels of a threaded product this thread starts (shared_panel_task): two op(B) panels
  // and one progress counter per row block.
  std::vector<float> panels;
  std::unique_ptr<std::atomic<int64_t>[]> block_progress;
  int64_t block_progress_size = 0;
};

PackBuffers& pack_buffers() {
  thread_local PackBuffers buffers;
  return buffers;
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
  // beta = 0 and C not zero-filled: the first K panel writes C instead of adding to it
  bool overwrite;
};

// C[mc, nc] += (or, with store, =) the packed A block [mc, kc] times the packed B panel [kc, nc], tile
// by tile. The B strip (kc · NR floats) stays in L1 while every row strip of the A block (in L2)
// passes over it.
void macro_kernel(const KernelTable& kt, int64_t mc, int64_t nc, int64_t kc, const float* a_packed,
                  const float* b_panel, float* C, int64_t ldc, bool store) {
  const int64_t MR = kt.gemm_mr, NR = kt.gemm_nr;
  const auto micro = store ? kt.gemm_micro_store : kt.gemm_micro;
  for (int64_t jr = 0; jr < nc; jr += NR) {
    const int64_t n = std::min(NR, nc - jr);
    for (int64_t ir = 0; ir < mc; ir += MR) {
      const int64_t m = std::min(MR, mc - ir);
      micro(kc, a_packed + ir * kc, b_panel + jr * kc, C + ir * ldc + jr, ldc, m, n);
    }
  }
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
      macro_kernel(*g.kt, mc, n1 - n0, kc, a_packed, packed.data + pc * n_padded + n0 * kc, g.C + ic * g.ldc + n0,
                   g.ldc, g.overwrite && pc == 0);
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

// The threaded blocked product with op(B) panels shared by all threads. One parallel_for runs a flat
// task list, panel after panel (jc outer, pc inner); panel P's tasks are first `pack_tasks` that pack
// groups of its NR-wide strips into buffer P % 2, then one per row block (kMC rows of op(A)) that packs
// that A block into its thread's buffer and multiplies it by the whole panel. parallel_for starts
// tasks in index order (threads.h), so every wait below is for a task that is already running:
//   pack of P     waits until every row block has finished panel P − 2 (the buffer's last user);
//   row block of P waits until panel P is packed, and until the same block has finished panel P − 1
//                 (both add into the same C rows).
// Whoever is free takes the next task, so a thread the OS deschedules for a while only delays the
// blocks it had claimed; and the next panel is packed while the last blocks of the current one run.
struct SharedPanels {
  const GemmProblem* g;
  int64_t pc_count;         // K panels per column block
  int64_t strips_per_pack;  // NR-wide strips one pack task packs
  int64_t pack_tasks, row_blocks, tasks_per_panel;
  float* buffers[2];        // [kKC, nc rounded up to NR] each
  std::atomic<int64_t> packs_done[2];     // pack tasks finished, over all panels using the buffer
  std::atomic<int64_t> blocks_done[2];    // row blocks finished, likewise
  std::atomic<int64_t>* block_progress;   // [row_blocks]: panels finished by each row block
};

void shared_panel_task(SharedPanels& s, int64_t task) {
  const GemmProblem& g = *s.g;
  const int64_t panel = task / s.tasks_per_panel, j = task % s.tasks_per_panel;
  const int64_t jc = panel / s.pc_count * kNC, pc = panel % s.pc_count * kKC;
  const int64_t nc = std::min(kNC, g.N - jc), kc = std::min(kKC, g.K - pc);
  const int slot = static_cast<int>(panel & 1);
  const int64_t earlier = panel >> 1;  // panels before this one that used the same buffer
  float* b_panel = s.buffers[slot];
  if (j < s.pack_tasks) {
    spin_until([&] { return s.blocks_done[slot].load(std::memory_order_acquire) >= earlier * s.row_blocks; });
    const int64_t c0 = j * s.strips_per_pack * g.kt->gemm_nr;
    if (c0 < nc) {
      const int64_t c1 = std::min(nc, c0 + s.strips_per_pack * g.kt->gemm_nr);
      g.kt->pack_b(g.transB, g.B, g.ldb, pc, kc, jc + c0, c1 - c0, b_panel + c0 * kc);
    }
    s.packs_done[slot].fetch_add(1, std::memory_order_release);
    return;
  }
  const int64_t block = j - s.pack_tasks;
  spin_until([&] { return s.packs_done[slot].load(std::memory_order_acquire) >= (earlier + 1) * s.pack_tasks; });
  spin_until([&] { return s.block_progress[block].load(std::memory_order_acquire) >= panel; });
  const int64_t ic = block * kMC, mc = std::min(kMC, g.M - ic);
  float* a_packed = a_pack_buffer(*g.kt, mc, kc);
  g.kt->pack_a(g.transA, g.A, g.lda, ic, mc, pc, kc, g.alpha, a_packed);
  macro_kernel(*g.kt, mc, nc, kc, a_packed, b_panel, g.C + ic * g.ldc + jc, g.ldc, g.overwrite && pc == 0);
  s.block_progress[block].store(panel + 1, std::memory_order_release);
  s.blocks_done[slot].fetch_add(1, std::memory_order_release);
}

void run_shared_panels(const GemmProblem& g) {
  const int64_t NR = g.kt->gemm_nr;
  const int64_t nc_max = (std::min(kNC, g.N) + NR - 1) / NR * NR;  // as in gemm_block_range
  const int64_t panel_floats = std::min(kKC, g.K) * nc_max;
  const int64_t strips = nc_max / NR;
  SharedPanels s;
  s.g = &g;
  s.pc_count = (g.K + kKC - 1) / kKC;
  // About 4 pack tasks per thread and panel: small enough to share out, big enough to be worth a claim.
  s.strips_per_pack = std::max<int64_t>(1, (strips + 4 * thread_count() - 1) / (4 * thread_count()));
  s.pack_tasks = (strips + s.strips_per_pack - 1) / s.strips_per_pack;
  s.row_blocks = (g.M + kMC - 1) / kMC;
  s.tasks_per_panel = s.pack_tasks + s.row_blocks;
  PackBuffers& buffers = pack_buffers();
  if (buffers.panels.size() < static_cast<size_t>(2 * panel_floats)) buffers.panels.resize(2 * panel_floats);
  s.buffers[0] = buffers.panels.data();
  s.buffers[1] = buffers.panels.data() + panel_floats;
  if (buffers.block_progress_size < s.row_blocks) {
    buffers.block_progress.reset(new std::atomic<int64_t>[static_cast<size_t>(s.row_blocks)]);
    buffers.block_progress_size = s.row_blocks;
  }
  s.block_progress = buffers.block_progress.get();
  for (int64_t b = 0; b < s.row_blocks; ++b) s.block_progress[b].store(0, std::memory_order_relaxed);
  for (int slot = 0; slot < 2; ++slot) {
    s.packs_done[slot].store(0, std::memory_order_relaxed);
    s.blocks_done[slot].store(0, std::memory_order_relaxed);
  }
  const int64_t panels = (g.N + kNC - 1) / kNC * s.pc_count;
  parallel_for(panels * s.tasks_per_panel, [&](int64_t task) { shared_panel_task(s, task); });
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

// Runs range(m0, m1, n0, n1) over C [M, N], split among the pool's threads when the product is big
// enough: the dimension with more tiles is cut into whole-tile ranges, one per thread. `split_rows`
// false keeps every range at full M (the small-M kernels and the packed path at small M).
template <class Range>
void run_split(const GemmProblem& g, bool allow_row_split, const Range& range) {
  const int threads = thread_count();
  const int64_t MR = g.kt->gemm_mr, NR = g.kt->gemm_nr;
  const int64_t row_tiles = allow_row_split ? (g.M + MR - 1) / MR : 1, col_tiles = (g.N + NR - 1) / NR;
  if (threads <= 1 || g.M * g.N * g.K < kParallelMinWork || std::max(row_tiles, col_tiles) < 2) {
    range(0, g.M, 0, g.N);
    return;
  }
  const bool split_columns = col_tiles >= row_tiles;
  const int64_t tiles = split_columns ? col_tiles : row_tiles;
  const int64_t tasks = std::min<int64_t>(threads, tiles);
  parallel_for(tasks, [&](int64_t task) {
    const int64_t first = tiles * task / tasks, last = tiles * (task + 1) / tasks;
    if (split_columns) {
      range(0, g.M, first * NR, std::min(g.N, last * NR));
    } else {
      range(first * MR, std::min(g.M, last * MR), 0, g.N);
    }
  });
}

// Shared panels pay off once there are enough row blocks to share out (each thread then packs only
// part of op(B), not all of it); fewer rows split the columns instead (run_split).
bool uses_shared_panels(const GemmProblem& g) {
  const int threads = thread_count();
  return threads > 1 && g.M * g.N * g.K >= kParallelMinWork && (g.M + kMC - 1) / kMC >= 2 * threads;
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
  if (M <= kUnpackedMaxM) {
    run_split(g, false, [&](int64_t, int64_t, int64_t n0, int64_t n1) { gemm_small_range(g, n0, n1); });
    return;
  }
  if (uses_shared_panels(g)) return run_shared_panels(g);
  run_split(g, true, [&](int64_t m0, int64_t m1, int64_t n0, int64_t n1) { gemm_block_range(g, m0, m1, n0, n1); });
}

int64_t packed_b_size(const KernelTable& kt, int64_t K, int64_t N) {
  const int64_t NR = kt.gemm_nr;
  return K * (((N + NR - 1) / NR) * NR);
}

PackedB pack_b(const KernelTable& kt, bool transB, int64_t K, int64_t N, const float* B, int64_t ldb,
               float* storage) {
  const int64_t NR = kt.gemm_nr;
  const int64_t n_padded = ((N + NR - 1) / NR) * NR;
  for (int64_t pc = 0; pc < K; pc += kKC) {
    const int64_t kc = std::min(kKC, K - pc);
    kt.pack_b(transB, B, ldb, pc, kc, 0, N, storage + pc * n_padded);
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
  run_split(g, true, [&](int64_t m0, int64_t m1, int64_t n0, int64_t n1) { gemm_packed_range(g, B, m0, m1, n0, n1); });
}

StepGemm::StepGemm(bool transW, int64_t M, int64_t N, int64_t K, const float* W, int64_t ldw)
    : transW_(transW), M_(M), N_(N), K_(K), W_(W), ldw_(ldw) {
  if (M <= kSmallM) return;  // the small-M kernels read W as it is
  const KernelTable& kt = kernels();
  storage_.reset(new float[static_cast<size_t>(packed_b_size(kt, K, N))]);
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
