// sgemm binding.
//
// sgemm(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc): undefined   [sync]
//   C = alpha · op(A) · op(B) + beta · C, row-major (BLAS argument order; kernels.h).
//   transA/transB booleans; M, N, K non-negative integers; lda ≥ max(1, transA ? M : K),
//   ldb ≥ max(1, transB ? K : N), ldc ≥ max(1, N); A, B, C Float32Arrays long enough for those
//   strides; alpha, beta numbers. C is written in place.
//   Throws TypeError / RangeError naming the argument (args.h).
// Sync only: one GEMM is short; the long calls (whole sequences) have async variants.
#include <algorithm>

#include "args.h"
#include "job.h"

namespace rnnkit::binding {

namespace {

// Elements a row-major [rows, cols] matrix with row stride ld occupies.
int64_t MatrixSpan(Napi::Env env, const char* name, int64_t rows, int64_t cols, int64_t ld) {
  if (rows == 0 || cols == 0) return 0;
  return CheckedProduct(env, name, {rows - 1, ld}) + cols;
}

}  // namespace

Napi::Value Sgemm(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  GemmJob job{};
  job.transA = RequireBool(Arg(info, 0), "transA");
  job.transB = RequireBool(Arg(info, 1), "transB");
  job.M = RequireDim(Arg(info, 2), "M", 0);
  job.N = RequireDim(Arg(info, 3), "N", 0);
  job.K = RequireDim(Arg(info, 4), "K", 0);
  job.alpha = RequireNumber(Arg(info, 5), "alpha");
  const int64_t aRows = job.transA ? job.K : job.M, aCols = job.transA ? job.M : job.K;
  const int64_t bRows = job.transB ? job.N : job.K, bCols = job.transB ? job.K : job.N;
  job.lda = RequireDim(Arg(info, 7), "lda", std::max<int64_t>(1, aCols));
  job.ldb = RequireDim(Arg(info, 9), "ldb", std::max<int64_t>(1, bCols));
  job.beta = RequireNumber(Arg(info, 10), "beta");
  job.ldc = RequireDim(Arg(info, 12), "ldc", std::max<int64_t>(1, job.N));
  job.A = RequireF32(Arg(info, 6), "A", MatrixSpan(env, "A", aRows, aCols, job.lda)).data;
  job.B = RequireF32(Arg(info, 8), "B", MatrixSpan(env, "B", bRows, bCols, job.ldb)).data;
  job.C = RequireF32(Arg(info, 11), "C", MatrixSpan(env, "C", job.M, job.N, job.ldc)).data;
  job.Run();
  return env.Undefined();
}

}  // namespace rnnkit::binding
