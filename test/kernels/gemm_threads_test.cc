// sgemm's threaded schedules against sgemm_reference at 1, 2 and 3 pool threads, on every table:
//   - shared op(B) panels (gemm.cc, run_shared_panels: enough row blocks of kMC = 144 rows that each
//     packed panel is shared by all threads, two panel buffers in turn): 900 rows, over several K
//     panels (K = 600 > 2 · kKC, the last one partial) and over two column panels (N = 2100 > kNC);
//     at 3 threads blocks of kMC rows to whoever is free, at 2 the same blocks taken from the two
//     ends of C (run_two_ended);
//   - the other splits at ragged sizes 1, 3, 17, 129 (small-M kernels, column ranges, serial);
//   - sgemm_packed (op(B) packed once, as StepGemm does): all of op(A) packed once by the threads and
//     column ranges shared out (few row blocks), or row blocks shared out (many).
// All four transpose cases, beta 0 over a C full of NaN (which must not survive), 1 and −0.5, padded
// leading dimensions. The reference is computed once per case and reused for every table and thread
// count.
#include <limits>
#include <string>
#include <thread>

#include "gemm.h"
#include "test.h"

using namespace rnnkit_test;

namespace {

struct Problem {
  bool transA, transB;
  int64_t M, N, K;
  float alpha, beta;
  int64_t pad;  // extra floats per row of A, B and C
};

// Runs p at every thread count in `threads` on every table, through sgemm or (prepacked) through
// pack_b + sgemm_packed, and compares with the reference.
void check_threaded(const Problem& p, uint64_t seed, std::initializer_list<int> threads, bool prepacked = false) {
  Rng rng(seed);
  const int64_t lda = (p.transA ? p.M : p.K) + p.pad, ldb = (p.transB ? p.K : p.N) + p.pad, ldc = p.N + p.pad;
  const std::vector<float> A = rng.floats((p.transA ? p.K : p.M) * lda), B = rng.floats((p.transB ? p.N : p.K) * ldb);
  std::vector<float> C0 = rng.floats(p.M * ldc);
  if (p.beta == 0.0f) {
    for (auto& v : C0) v = std::numeric_limits<float>::quiet_NaN();
  }
  std::vector<float> R = C0;
  rnnkit::sgemm_reference(p.transA, p.transB, p.M, p.N, p.K, p.alpha, A.data(), lda, B.data(), ldb, p.beta,
                          R.data(), ldc);
  const int previous_threads = rnnkit::thread_count();
  for (int t : threads) {
    rnnkit::set_thread_count(t);
    for (const auto* table : usable_tables()) {
      rnnkit::ScopedKernelTable use(*table);
      std::vector<float> C = C0;
      if (prepacked) {
        std::vector<float> storage(rnnkit::packed_b_size(*table, p.K, p.N));
        const rnnkit::PackedB packed = rnnkit::pack_b(*table, p.transB, p.K, p.N, B.data(), ldb, storage.data());
        rnnkit::sgemm_packed(p.transA, p.M, p.alpha, A.data(), lda, packed, p.beta, C.data(), ldc);
      } else {
        rnnkit::sgemm(p.transA, p.transB, p.M, p.N, p.K, p.alpha, A.data(), lda, B.data(), ldb, p.beta, C.data(), ldc);
      }
      char label[160];
      std::snprintf(label, sizeof label, "%s, %d thread(s): %s %c%c M=%lld N=%lld K=%lld beta=%g", table->name, t,
                    prepacked ? "sgemm_packed" : "sgemm",
                    p.transA ? 'T' : 'N', p.transB ? 'T' : 'N', static_cast<long long>(p.M),
                    static_cast<long long>(p.N), static_cast<long long>(p.K), p.beta);
      CHECK_CLOSE(label, C.data(), R.data(), p.M * ldc, 2e-5);  // padding included: must be untouched
    }
  }
  rnnkit::set_thread_count(previous_threads);
}

}  // namespace

TEST(gemm_shared_panels_match_reference_1_2_3_threads) {
  const float betas[] = {0.0f, 1.0f, -0.5f, 0.0f};
  for (int t = 0; t < 4; ++t) {
    const bool transA = (t & 1) != 0, transB = (t & 2) != 0;
    check_threaded({transA, transB, 900, 70, 600, 0.75f, betas[t], 3}, 100 + t, {1, 2, 3});
    check_threaded({transA, transB, 900, 2100, 20, 1.0f, betas[3 - t], t == 1 ? 1 : 0}, 200 + t, {1, 2, 3});
  }
}

TEST(gemm_ragged_sizes_1_2_threads) {
  const int64_t sizes[] = {1, 3, 17, 129};
  uint64_t seed = 300;
  for (int t = 0; t < 4; ++t)
    for (int64_t M : sizes)
      for (int64_t N : sizes)
        for (int64_t K : sizes) {
          const float beta = (M + N + K) % 3 == 0 ? 0.0f : (M + N + K) % 3 == 1 ? 1.0f : -0.5f;
          check_threaded({(t & 1) != 0, (t & 2) != 0, M, N, K, 1.0f, beta, K % 2}, ++seed, {1, 2});
        }
  // enough work to really split (M·N·K ≥ 2^20), odd sizes: the column ranges and (2 threads, 303
  // rows) the two-ended blocks, the last one partial
  check_threaded({false, true, 129, 1031, 17, 1.0f, 0.0f, 1}, 400, {1, 2, 3});
  check_threaded({true, false, 303, 129, 129, 0.5f, 1.0f, 0}, 401, {1, 2, 3});
}

TEST(gemm_prepacked_threads_match_reference_1_2_3_threads) {
  const float betas[] = {0.0f, 1.0f, -0.5f, 0.0f};
  for (int t = 0; t < 4; ++t) {
    const bool transA = (t & 1) != 0, transB = (t & 2) != 0;
    // few row blocks: op(A) packed once, column ranges (K = 600: three K panels, the last partial)
    check_threaded({transA, transB, 67, 1000, 600, 0.75f, betas[t], 3}, 500 + t, {1, 2, 3}, true);
    check_threaded({transA, transB, 300, 130, 129, 1.0f, betas[3 - t], 0}, 510 + t, {1, 2, 3}, true);
    // many row blocks: row blocks shared out
    check_threaded({transA, transB, 1000, 129, 17, 1.0f, betas[t], 1}, 520 + t, {1, 2, 3}, true);
  }
  check_threaded({false, true, 1, 2061, 520, 1.0f, 1.0f, 0}, 530, {2}, true);  // one row, enough work to split
}

// Two callers at once on a 2-thread pool: one owns the pool, the other runs its tasks inline, one
// after another (threads.h), so the shared-panel schedules must never wait for work no running
// thread has claimed. Two-ended blocks (2 threads, more row tiles than column tiles) and kMC blocks
// to whoever is free (3 threads), each caller with its own operands; such a wait would hang here.
TEST(gemm_shared_panels_concurrent_callers) {
  const int previous_threads = rnnkit::thread_count();
  for (int threads : {2, 3}) {
    rnnkit::set_thread_count(threads);
    const int64_t M = 900, N = 90, K = 520;  // 7 row blocks of kMC: enough to share at 3 threads
    std::vector<std::vector<float>> A, B, C, R;
    for (int c = 0; c < 2; ++c) {
      Rng rng(900 + c);
      A.push_back(rng.floats(M * K));
      B.push_back(rng.floats(K * N));
      C.emplace_back(static_cast<size_t>(M * N), 0.0f);
      R.emplace_back(static_cast<size_t>(M * N), 0.0f);
      rnnkit::sgemm_reference(false, false, M, N, K, 1.0f, A[c].data(), K, B[c].data(), N, 0.0f, R[c].data(), N);
    }
    std::vector<std::thread> callers;
    for (int c = 0; c < 2; ++c) {
      callers.emplace_back([&, c] {
        for (int i = 0; i < 20; ++i)
          rnnkit::sgemm(false, false, M, N, K, 1.0f, A[c].data(), K, B[c].data(), N, 0.0f, C[c].data(), N);
      });
    }
    for (auto& t : callers) t.join();
    for (int c = 0; c < 2; ++c) {
      const std::string label = std::to_string(threads) + " threads, caller " + std::to_string(c);
      CHECK_CLOSE(label.c_str(), C[c].data(), R[c].data(), M * N, 2e-5);
    }
  }
  rnnkit::set_thread_count(previous_threads);
}
