// sgemm over a column range wider than one packed B panel (gemm.cc's kNC = 2048 columns) on a single
// thread, so one range really spans two panels, for every KernelTable and both layouts of B. The B
// pack buffer must hold a whole panel rounded up to the tile width NR even when NR does not divide
// kNC (a 12-wide tile packs 2052 columns for a 2048-column panel): an 8-wide tile never showed the
// overflow, a 4 × 12 SSE2 tile tried during tile selection did (ASan, heap-buffer-overflow in pack_b).
#include "gemm.h"
#include "test.h"

using namespace rnnkit_test;

TEST(gemm_range_wider_than_one_b_panel_every_isa) {
  const int previous_threads = rnnkit::thread_count();
  rnnkit::set_thread_count(1);  // one range = all N columns (threads would cut them below kNC)
  const int64_t M = 20, N = 2100, K = 40;  // M > 16: the packed path, not the small-M kernels
  for (const auto* table : usable_tables()) {
    rnnkit::ScopedKernelTable use(*table);
    Rng rng(21);
    for (bool transB : {false, true}) {
      const std::vector<float> A = rng.floats(M * K), B = rng.floats(K * N);
      const int64_t ldb = transB ? K : N;
      std::vector<float> C(M * N, 0.0f), R(M * N, 0.0f);
      rnnkit::sgemm(false, transB, M, N, K, 1.0f, A.data(), K, B.data(), ldb, 0.0f, C.data(), N);
      rnnkit::sgemm_reference(false, transB, M, N, K, 1.0f, A.data(), K, B.data(), ldb, 0.0f, R.data(), N);
      CHECK_CLOSE(std::string(table->name) + (transB ? " NT" : " NN") + " N=2100 one thread", C.data(), R.data(),
                  M * N, 1e-5);
    }
  }
  rnnkit::set_thread_count(previous_threads);
}
