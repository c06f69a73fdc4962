// sgemm (every KernelTable on this machine, forced through ScopedKernelTable) against
// sgemm_reference on ragged sizes 1, 3, 17, 129, all four transpose cases, padded leading
// dimensions, alpha/beta cases, and the BLAS edge rules (beta = 0 ignores NaN in C; alpha = 0 reads
// neither A nor B). Tolerance: the standard forward error bound of a dot product,
// |c − ref| ≤ (K + 2)·eps·Σ|alpha·a·b| + eps·|beta·c| (Higham, Accuracy and Stability, 3.1).
#include <cfloat>
#include <cstring>
#include <limits>

#include "gemm.h"
#include "test.h"

using namespace rnnkit_test;

namespace {

struct Case {
  bool transA, transB;
  int64_t M, N, K;
  float alpha, beta;
  int64_t pad;  // extra elements per row of A, B, C
  int64_t bOffset = 0;  // B starts this many floats into its allocation (off a vector boundary)
};

enum class Path { sgemm, packed, step };  // sgemm; sgemm_packed after pack_b; StepGemm (transA false)

// Runs one case on the current table through `path`; records the first mismatch.
void run_case(const Case& c, Rng& rng, const std::string& isa, Path path = Path::sgemm) {
  const int64_t aRows = c.transA ? c.K : c.M, aCols = c.transA ? c.M : c.K;
  const int64_t bRows = c.transB ? c.N : c.K, bCols = c.transB ? c.K : c.N;
  const int64_t lda = aCols + c.pad, ldb = bCols + c.pad, ldc = c.N + c.pad;
  std::vector<float> A = rng.floats(aRows * lda), BAlloc = rng.floats(bRows * ldb + c.bOffset), C0 = rng.floats(c.M * ldc);
  const float* B = BAlloc.data() + c.bOffset;
  if (c.beta == 0.0f) {
    for (auto& v : C0) v = std::numeric_limits<float>::quiet_NaN();  // must not propagate
  }
  std::vector<float> C = C0, R = C0;
  if (path == Path::sgemm) {
    rnnkit::sgemm(c.transA, c.transB, c.M, c.N, c.K, c.alpha, A.data(), lda, B, ldb, c.beta, C.data(), ldc);
  } else if (path == Path::packed) {
    const rnnkit::KernelTable& kt = rnnkit::kernels();
    std::vector<float> storage(rnnkit::packed_b_size(kt, c.K, c.N), std::numeric_limits<float>::quiet_NaN());
    const rnnkit::PackedB packed = rnnkit::pack_b(kt, c.transB, c.K, c.N, B, ldb, storage.data());
    rnnkit::sgemm_packed(c.transA, c.M, c.alpha, A.data(), lda, packed, c.beta, C.data(), ldc);
  } else {
    const rnnkit::StepGemm step(c.transB, c.M, c.N, c.K, B, ldb);  // alpha is 1 on this path
    step.run(A.data(), lda, c.beta, C.data(), ldc);
  }
  rnnkit::sgemm_reference(c.transA, c.transB, c.M, c.N, c.K, c.alpha, A.data(), lda, B, ldb, c.beta,
                          R.data(), ldc);
  for (int64_t i = 0; i < c.M; ++i) {
    for (int64_t j = 0; j < ldc; ++j) {
      const int64_t idx = i * ldc + j;
      if (j >= c.N) {  // padding of C is never written
        CHECK_MSG(std::memcmp(&C[idx], &C0[idx], sizeof(float)) == 0, isa + ": sgemm wrote C padding");
        continue;
      }
      double bound = 0;
      for (int64_t p = 0; p < c.K; ++p) {
        const double a = c.transA ? A[p * lda + i] : A[i * lda + p];
        const double b = c.transB ? B[j * ldb + p] : B[p * ldb + j];
        bound += std::fabs(c.alpha * a * b);
      }
      bound = (c.K + 2) * FLT_EPSILON * bound + FLT_EPSILON * std::fabs(c.beta == 0.0f ? 0.0 : c.beta * C0[idx]) +
              1e-30;
      if (!(std::fabs(C[idx] - R[idx]) <= bound)) {
        char msg[300];
        std::snprintf(msg, sizeof msg, "%s: sgemm(%c%c, M=%lld N=%lld K=%lld alpha=%g beta=%g) C[%lld,%lld] = %.9g, reference %.9g",
                      isa.c_str(), c.transA ? 'T' : 'N', c.transB ? 'T' : 'N', (long long)c.M, (long long)c.N,
                      (long long)c.K, c.alpha, c.beta, (long long)i, (long long)j, C[idx], R[idx]);
        CHECK_MSG(false, msg);
        return;
      }
    }
  }
}

}  // namespace

TEST(gemm_matches_reference_on_ragged_sizes_every_isa) {
  const int64_t sizes[] = {1, 3, 17, 129};
  for (const auto* table : usable_tables()) {
    rnnkit::ScopedKernelTable use(*table);
    Rng rng(42);
    for (int t = 0; t < 4; ++t)
      for (int64_t M : sizes)
        for (int64_t N : sizes)
          for (int64_t K : sizes) {
            const float betas[] = {0.0f, 1.0f, -0.5f};
            const Case c{(t & 1) != 0, (t & 2) != 0, M, N, K, rng.below(2) ? 1.0f : 0.75f,
                         betas[rng.below(3)], rng.below(2) * 3};
            run_case(c, rng, table->name);
          }
  }
}

TEST(gemm_crosses_every_block_boundary_every_isa) {
  // N > NC (2048), K > KC (256), M > MC (144): several panels and blocks, and the threaded split.
  for (const auto* table : usable_tables()) {
    rnnkit::ScopedKernelTable use(*table);
    Rng rng(7);
    run_case({false, true, 150, 2061, 300, 1.0f, 0.0f, 1}, rng, table->name);
    run_case({true, false, 301, 40, 520, -1.5f, 1.0f, 0}, rng, table->name);
  }
}

TEST(gemm_edge_tiles_of_every_row_count_every_isa) {
  // A last row tile of 1 … MR − 1 rows runs a kernel of its own that splits each sum into up to four
  // interleaved partial sums over k (gemm_micro.inl): every row count, with K covering every
  // remainder of the k loop, and a second K panel (K > 256) that adds to the first.
  for (const auto* table : usable_tables()) {
    rnnkit::ScopedKernelTable use(*table);
    Rng rng(11);
    const int64_t MR = table->gemm_mr;
    for (int64_t rows = 1; rows < MR; ++rows)
      for (int64_t K : {1, 2, 3, 4, 5, 6, 7, 8, 259})
        for (const Path path : {Path::sgemm, Path::packed}) {
          // sgemm takes M > 16 to the packed kernels (fewer rows go to the small-M kernels)
          const int64_t M = (path == Path::sgemm ? (16 / MR + 1) * MR : MR) + rows;
          const Case c{false, rng.below(2) != 0, M, table->gemm_nr + 5, K, 1.0f, rng.below(2) ? 0.0f : 1.0f, 0};
          run_case(c, rng, table->name, path);
        }
  }
}

TEST(gemm_alpha_zero_reads_neither_a_nor_b) {
  for (const auto* table : usable_tables()) {
    rnnkit::ScopedKernelTable use(*table);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    std::vector<float> A(6, nan), B(6, nan), C = {1, 2, 3, 4};
    rnnkit::sgemm(false, false, 2, 2, 3, 0.0f, A.data(), 3, B.data(), 2, 2.0f, C.data(), 2);
    const float expected[] = {2, 4, 6, 8};
    CHECK_CLOSE(std::string(table->name) + ": alpha = 0", C.data(), expected, 4, 0.0);
    // K = 0: C = beta · C
    rnnkit::sgemm(false, false, 2, 2, 0, 1.0f, A.data(), 1, B.data(), 2, 0.5f, C.data(), 2);
    const float halved[] = {1, 2, 3, 4};
    CHECK_CLOSE(std::string(table->name) + ": K = 0", C.data(), halved, 4, 0.0);
  }
}

TEST(gemm_propagates_nan_and_inf_from_inputs) {
  for (const auto* table : usable_tables()) {
    rnnkit::ScopedKernelTable use(*table);
    const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
    // A [2, 2] · B [2, 2] with one NaN in A row 0 and +Inf in B column 1
    std::vector<float> A = {nan, 1, 2, 3}, B = {1, inf, 1, 1}, C(4, 0.0f);
    rnnkit::sgemm(false, false, 2, 2, 2, 1.0f, A.data(), 2, B.data(), 2, 0.0f, C.data(), 2);
    CHECK_MSG(std::isnan(C[0]) && std::isnan(C[1]), std::string(table->name) + ": NaN in A row 0 must reach C row 0");
    CHECK_MSG(C[2] == 5.0f && std::isinf(C[3]) && C[3] > 0, std::string(table->name) + ": row 1 = [5, +Inf]");
  }
}

TEST(gemm_small_m_paths_every_isa) {
  // M up to 16 goes through the unpacked small-M kernels (gemm_small.inl) four rows at a time; 17 packs.
  // N and K straddle the vector widths (8, 16) and the column blocks (32, 64, 128).
  for (const auto* table : usable_tables()) {
    rnnkit::ScopedKernelTable use(*table);
    Rng rng(11);
    for (int t = 0; t < 4; ++t)
      for (int64_t M : {1, 2, 3, 4, 5, 7, 8, 9, 16, 17})
        for (int64_t N : {1, 15, 33, 130})
          for (int64_t K : {1, 9, 17, 70}) {
            const Case c{(t & 1) != 0, (t & 2) != 0, M, N, K, rng.below(2) ? 1.0f : -0.5f, rng.below(2) ? 0.0f : 1.0f,
                         rng.below(2) * 5};
            run_case(c, rng, table->name);
          }
  }
}

TEST(gemm_small_m_on_misaligned_b_every_isa) {
  // The small-M kernels with op(B) = Bᵀ (the streaming step, small-batch steps) realign their loads
  // when B sits off a vector boundary and ldb is a multiple of the vector width (gemm_small.inl):
  // every start offset, K around the widths and past the stack copy's limit for 4 rows (2000).
  for (const auto* table : usable_tables()) {
    rnnkit::ScopedKernelTable use(*table);
    Rng rng(23);
    for (int64_t offset = 0; offset < 16; ++offset)
      for (int64_t M : {1, 2, 4, 7})
        for (int64_t N : {1, 5, 33})
          for (int64_t K : {31, 32, 33, 48, 100, 256, 2000})
            for (int64_t pad : {0, 3, 16}) {
              const Case c{false, true, M, N, K, rng.below(2) ? 1.0f : -0.5f, rng.below(2) ? 0.0f : 1.0f, pad, offset};
              run_case(c, rng, table->name);
            }
  }
}

TEST(gemm_prepacked_b_matches_reference_every_isa) {
  // pack_b + sgemm_packed (every transpose, alpha, beta) and StepGemm (the recurrent loops' per-step
  // product: packed above kSmallM rows, unpacked below), across K panels (KC 256) and ragged N.
  for (const auto* table : usable_tables()) {
    rnnkit::ScopedKernelTable use(*table);
    Rng rng(19);
    for (int t = 0; t < 4; ++t)
      for (int64_t M : {1, 5, 17, 150})
        for (int64_t N : {1, 31, 65})
          for (int64_t K : {1, 17, 300}) {
            const float betas[] = {0.0f, 1.0f, -0.5f};
            const Case c{(t & 1) != 0, (t & 2) != 0, M, N, K, rng.below(2) ? 1.0f : 0.75f, betas[rng.below(3)],
                         rng.below(2) * 3};
            run_case(c, rng, table->name, Path::packed);
            const Case step{false, (t & 2) != 0, M, N, K, 1.0f, betas[rng.below(3)], rng.below(2) * 3};
            run_case(step, rng, table->name, Path::step);
          }
    run_case({false, true, 40, 2061, 520, 1.0f, 1.0f, 0}, rng, table->name, Path::step);  // threaded split
    // at most 48 rows: the pre-packed panel row tile by row tile over blocks of 8 strips (gemm.cc);
    // 300 columns are 2 whole blocks and a ragged one, 300 deep two K panels, beta 0 the storing pass
    run_case({true, false, 23, 300, 300, 0.75f, 0.0f, 3}, rng, table->name, Path::packed);
    run_case({false, true, 48, 300, 300, 1.0f, 1.0f, 0}, rng, table->name, Path::step);
  }
}
