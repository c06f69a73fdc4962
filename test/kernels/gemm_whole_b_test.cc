// The whole-op(B) schedule of threaded sgemm (gemm_threads.cc, run_whole_b: all of op(B) packed by
// the threads together, then row blocks shared out, each through every K panel) and the choice
// among the schedules (blocked_schedule). sgemm picks run_whole_b only when C is larger than
// kCachedMaxC (16 MiB), too large for a test under ASan against the double reference, so the
// schedule is run directly here on small odd shapes (1, 3, 17, 129, one and several row blocks of
// kMC, one and several K panels of kKC with the last one partial, many pack tasks), every transpose
// case, every table, 1, 2 and 3 threads; and the choice is checked on the shapes the recurrent layers
// issue.
#include <limits>

#include "gemm.h"
#include "gemm_blocks.h"
#include "test.h"

using namespace rnnkit_test;
using rnnkit::gemm_detail::BlockedSchedule;
using rnnkit::gemm_detail::blocked_schedule;

namespace {

struct Shape {
  bool transA, transB;
  int64_t M, N, K;
  float alpha, beta;
  int64_t pad;  // extra floats per row of A, B and C
};

// C = alpha · op(A) · op(B) + beta · C through run_whole_b, compared with sgemm_reference. As sgemm
// does before any schedule: beta = 0 sets `overwrite` (C is full of NaN, which must not survive),
// any other beta scales C first.
void check_whole_b(const Shape& p, uint64_t seed, std::initializer_list<int> threads) {
  Rng rng(seed);
  const int64_t lda = (p.transA ? p.M : p.K) + p.pad, ldb = (p.transB ? p.K : p.N) + p.pad, ldc = p.N + p.pad;
  const std::vector<float> A = rng.floats((p.transA ? p.K : p.M) * lda), B = rng.floats((p.transB ? p.N : p.K) * ldb);
  std::vector<float> C0 = rng.floats(p.M * ldc);
  if (p.beta == 0.0f) {
    for (int64_t i = 0; i < p.M; ++i)
      for (int64_t j = 0; j < p.N; ++j) C0[i * ldc + j] = std::numeric_limits<float>::quiet_NaN();
  }
  std::vector<float> R = C0;
  rnnkit::sgemm_reference(p.transA, p.transB, p.M, p.N, p.K, p.alpha, A.data(), lda, B.data(), ldb, p.beta,
                          R.data(), ldc);
  const int previous_threads = rnnkit::thread_count();
  for (int t : threads) {
    rnnkit::set_thread_count(t);
    for (const auto* table : usable_tables()) {
      std::vector<float> C = C0;
      if (p.beta != 0.0f) {
        for (int64_t i = 0; i < p.M; ++i)
          for (int64_t j = 0; j < p.N; ++j) C[i * ldc + j] *= p.beta;
      }
      const rnnkit::gemm_detail::GemmProblem g{table, p.transA, p.transB, p.M, p.N, p.K, p.alpha, A.data(), lda,
                                               B.data(), ldb, C.data(), ldc, p.beta == 0.0f};
      rnnkit::gemm_detail::run_whole_b(g);
      char label[160];
      std::snprintf(label, sizeof label, "%s, %d thread(s): run_whole_b %c%c M=%lld N=%lld K=%lld beta=%g", table->name,
                    t, p.transA ? 'T' : 'N', p.transB ? 'T' : 'N', static_cast<long long>(p.M),
                    static_cast<long long>(p.N), static_cast<long long>(p.K), p.beta);
      CHECK_CLOSE(label, C.data(), R.data(), p.M * ldc, 2e-5);  // padding included: must be untouched
    }
  }
  rnnkit::set_thread_count(previous_threads);
}

}  // namespace

TEST(gemm_whole_b_ragged_sizes_1_2_3_threads) {
  const int64_t sizes[] = {1, 3, 17, 129};
  uint64_t seed = 700;
  for (int t = 0; t < 4; ++t)
    for (int64_t M : sizes)
      for (int64_t N : sizes)
        for (int64_t K : sizes) {
          const float beta = (M + N + K) % 3 == 0 ? 0.0f : (M + N + K) % 3 == 1 ? 1.0f : -0.5f;
          check_whole_b({(t & 1) != 0, (t & 2) != 0, M, N, K, 1.0f, beta, K % 2}, ++seed, {1, 2, 3});
        }
}

TEST(gemm_whole_b_several_row_blocks_and_k_panels_1_2_3_threads) {
  const float betas[] = {0.0f, 1.0f, -0.5f, 0.0f};
  for (int t = 0; t < 4; ++t) {
    const bool transA = (t & 1) != 0, transB = (t & 2) != 0;
    // 3 row blocks of kMC = 144 (the last of 12 rows), 3 K panels of kKC = 256 (the last of 88),
    // 33 strips of a 32-wide tile (the last of 7 columns) shared among the pack tasks
    check_whole_b({transA, transB, 300, 1031, 600, 0.75f, betas[t], 3}, 800 + t, {1, 2, 3});
    // 7 row blocks, 2 K panels (the second of one depth), one partial strip
    check_whole_b({transA, transB, 1001, 17, 257, 1.0f, betas[3 - t], t == 2 ? 1 : 0}, 810 + t, {2, 3});
  }
}

TEST(gemm_blocked_schedule_choice) {
  const int64_t MR = 8, NR = 32;
  // input projection x·W_ihᵀ (T·B = 3200, 4H = 2048, I = 512): C is 26 MB, packed op(B) 4 MB
  CHECK(blocked_schedule(3200, 2048, 512, MR, NR, 3) == BlockedSchedule::whole_b);
  CHECK(blocked_schedule(3200, 2048, 512, MR, NR, 1) == BlockedSchedule::serial);
  // one K panel: nothing to gain, C crosses memory once either way
  CHECK(blocked_schedule(3200, 2048, 128, MR, NR, 3) == BlockedSchedule::shared_panels);
  // weight gradient dGatesᵀ·hPrev (4H = 2048, H = 512, T·B = 3200): C is 4 MB, in cache
  CHECK(blocked_schedule(2048, 512, 3200, MR, NR, 3) == BlockedSchedule::shared_panels);
  // 2048³: packed op(B) 16 MB, more than the L3 would keep
  CHECK(blocked_schedule(2048, 2048, 2048, MR, NR, 3) == BlockedSchedule::shared_panels);
  // up to kStaticSplitMaxThreads = 2 threads: one range of C per thread, whatever the shape; rows
  // (more row tiles than column tiles) cut at run time, the op(B) panels packed together
  CHECK(blocked_schedule(3200, 2048, 512, MR, NR, 2) == BlockedSchedule::two_ended);
  CHECK(blocked_schedule(2048, 512, 3200, MR, NR, 2) == BlockedSchedule::two_ended);
  CHECK(blocked_schedule(2048, 2048, 2048, MR, NR, 2) == BlockedSchedule::two_ended);
  CHECK(blocked_schedule(256, 2048, 512, MR, NR, 2) == BlockedSchedule::split);  // 32 row tiles, 64 column tiles
  CHECK(blocked_schedule(2048, 2048, 2048, 16, 16, 2) == BlockedSchedule::split);  // 128 of each: columns
  // few row blocks (< 2 per thread): column ranges
  CHECK(blocked_schedule(129, 1031, 512, MR, NR, 3) == BlockedSchedule::split);
  CHECK(blocked_schedule(3200, 2048, 512, MR, NR, 16) == BlockedSchedule::split);
  // too little work for threads
  CHECK(blocked_schedule(300, 17, 17, MR, NR, 2) == BlockedSchedule::serial);
}
