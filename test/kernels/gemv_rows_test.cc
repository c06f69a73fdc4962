// KernelTable::gemv_rows (gemm_small.inl), the one-thread streaming step's matrix-vector product,
// on every table of this machine: y += W · x in both directions against a double reference, with W
// starting at every offset from a vector boundary (the head and tail lanes of its rows then come from
// aligned vectors that reach into the neighbouring rows, or from masked loads on the first and last
// rows), x at two offsets (it is copied to match W unless it does), padded rows, and sizes around the
// vector widths. The allocations are exact, so under ASan a read past W's ends fails the run.
// Tolerance: (K + 2)·eps·Σ|w·x| per element (Higham 3.1).
#include <cfloat>
#include <cmath>
#include <limits>

#include "dispatch.h"
#include "test.h"

using namespace rnnkit_test;

namespace {

struct GemvCase {
  int64_t N, K, pad, offset;
  bool descending;
  int64_t xOffset = 0;  // x starts this many floats into its allocation
};

void run_gemv_case(const GemvCase& c, Rng& rng, const std::string& isa) {
  const int64_t ldw = c.K + c.pad;
  std::vector<float> storage = rng.floats(c.offset + (c.N - 1) * ldw + c.K);  // exactly W's extent
  const float* W = storage.data() + c.offset;
  const std::vector<float> xStorage = rng.floats(c.xOffset + c.K), y0 = rng.floats(c.N);
  const float* x = xStorage.data() + c.xOffset;
  std::vector<float> y = y0;
  rnnkit::kernels().gemv_rows(c.N, c.K, x, W, ldw, y.data(), c.descending);
  for (int64_t j = 0; j < c.N; ++j) {
    double dot = 0, magnitude = 0;
    for (int64_t p = 0; p < c.K; ++p) {
      dot += static_cast<double>(W[j * ldw + p]) * x[p];
      magnitude += std::fabs(static_cast<double>(W[j * ldw + p]) * x[p]);
    }
    const double expected = y0[j] + dot;
    const double bound = (c.K + 2) * FLT_EPSILON * magnitude + FLT_EPSILON * std::fabs(expected);
    if (std::fabs(y[j] - expected) > bound) {
      CHECK_MSG(false, isa + ": gemv_rows N=" + std::to_string(c.N) + " K=" + std::to_string(c.K) + " pad=" +
                           std::to_string(c.pad) + " offset=" + std::to_string(c.offset) + " x offset=" +
                           std::to_string(c.xOffset) +
                           (c.descending ? " descending" : " ascending") + " row " + std::to_string(j) +
                           ": expected " + std::to_string(expected) + ", got " + std::to_string(y[j]));
      return;
    }
  }
}

}  // namespace

TEST(gemv_rows_matches_reference_every_isa) {
  for (const auto* table : usable_tables()) {
    rnnkit::ScopedKernelTable use(*table);
    Rng rng(31);
    for (const bool descending : {false, true})
      for (int64_t offset = 0; offset < 16; ++offset)
        for (int64_t N : {1, 2, 3, 17})
          for (int64_t K : {1, 3, 17, 31, 64, 100, 129, 256})
            for (int64_t pad : {0, 5, 16})
              for (int64_t xOffset : {0, 3}) run_gemv_case({N, K, pad, offset, descending, xOffset}, rng, table->name);
    for (const bool descending : {false, true}) run_gemv_case({129, 1024, 0, 4, descending}, rng, table->name);
  }
}

TEST(gemv_rows_keeps_inf_and_nan_in_their_own_row_every_isa) {
  // A row's edge lanes are read through vectors shared with its neighbours: an Inf at a row's first
  // and last weights must make that row Inf·x (or NaN) and leave the rows beside it finite.
  for (const auto* table : usable_tables()) {
    rnnkit::ScopedKernelTable use(*table);
    Rng rng(37);
    for (const bool descending : {false, true})
      for (int64_t offset : {0, 1, 4, 7, 12})
        for (int64_t K : {31, 100, 256}) {
          const int64_t N = 5;
          std::vector<float> storage = rng.floats(offset + N * K);
          float* W = storage.data() + offset;
          const float inf = std::numeric_limits<float>::infinity();
          W[2 * K] = inf;          // row 2's first weight
          W[2 * K + K - 1] = inf;  // and its last
          std::vector<float> x(static_cast<size_t>(K), 1.0f), y(static_cast<size_t>(N), 0.0f);
          table->gemv_rows(N, K, x.data(), W, K, y.data(), descending);
          const std::string label = std::string(table->name) + ": offset " + std::to_string(offset) + " K " +
                                    std::to_string(K) + (descending ? " descending" : " ascending");
          CHECK_MSG(std::isinf(y[2]) && y[2] > 0, label + ": row 2 must be +Inf");
          for (int64_t j : {0, 1, 3, 4}) {
            CHECK_MSG(std::isfinite(y[j]), label + ": row " + std::to_string(j) + " must stay finite");
          }
        }
  }
}
