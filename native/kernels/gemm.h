// The GEMM pieces the fused recurrent kernels use beyond kernels.h's sgemm: op(B) packed ONCE per
// call into the microkernel's panel layout (the recurrent weights, multiplied every time step), and
// StepGemm, which multiplies a fixed op(W) by a new A at every step: through the packed panels when
// A has enough rows, through the unpacked small-M kernels (gemm_small.inl) when it has few (B = 1
// streaming: a matrix-vector product that streams W once and packs nothing). Internal header (not
// part of kernels.h); mirrors the pre-packing in lib/backend/js/gemm.ts.
//
// Packed layout of op(B) [K, N] for a table with micro-tile width NR (gemm.cc packs it): K is cut
// into panels of kc = min(KC, K − pc) rows; panel pc starts at float pc · Npad (Npad = N rounded up
// to NR) and holds Npad / NR strips, strip j at j · kc within the panel, each [kc, NR] (columns past
// N zero). The packing belongs to one KernelTable (its NR) and is only used with that table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>

#include "dispatch.h"

namespace rnnkit {

// Rows of op(A) up to which sgemm and StepGemm use the unpacked small-M kernels: below this,
// packing op(B) costs as much as the product itself (measured: bench/kernels/gemm_bench.cc).
constexpr int64_t kSmallM = 4;

// Packed panels and the buffers the microkernel's C tiles live in start on a cache line: the
// microkernel's vector loads are then whole lines. (From plain new[], a large block starts 16 bytes
// past a page, so every 64-byte load of a packed W_hh strip spanned two lines: the M = 64 recurrent
// step over a 16 MB W_hh ran ~6% slower, bench/kernels/gemm_bench "packed step NT 64x4096x1024".)
// The aligned operator new keeps glibc's freed blocks for the next call (no fresh pages: a plain new[]
// with a line of slack, tried instead, paid ~1500 page faults a call, gru T100 B32 I128 H512 28.7 ->
// 31.3 ms) at the price of a larger heap (peak RSS of a C++ process running lstm_forward inference
// T25 B64 I1024 H1024: 94 -> 170 MB); a buffer kept across calls would have neither cost.
constexpr std::size_t kCacheLine = 64;
struct AlignedDelete {
  void operator()(float* p) const { ::operator delete[](p, std::align_val_t{kCacheLine}); }
};
using AlignedFloats = std::unique_ptr<float[], AlignedDelete>;
inline AlignedFloats aligned_floats(int64_t n) {
  return AlignedFloats(static_cast<float*>(
      ::operator new[](static_cast<std::size_t>(n) * sizeof(float), std::align_val_t{kCacheLine})));
}

struct PackedB {
  const KernelTable* kt = nullptr;  // the table it was packed for (its gemm_nr)
  int64_t K = 0, N = 0;
  const float* data = nullptr;
};

// Floats a packed op(B) [K, N] takes for table kt.
int64_t packed_b_size(const KernelTable& kt, int64_t K, int64_t N);

// Packs op(B) [K, N] (B itself [K, ldb], or [N, ldb] when transB) into storage
// [packed_b_size(kt, K, N)] and describes it.
PackedB pack_b(const KernelTable& kt, bool transB, int64_t K, int64_t N, const float* B, int64_t ldb,
               float* storage);

// C = alpha · op(A) · op(B) + beta · C with op(B) pre-packed (same contract as sgemm otherwise, with
// N and K taken from the packing). Runs on the table B was packed for; threaded as sgemm is.
void sgemm_packed(bool transA, int64_t M, float alpha, const float* A, int64_t lda, const PackedB& B, float beta,
                  float* C, int64_t ldc);

// C [M, N] (ldc) = A [M, K] (lda) · op(W) + beta · C for a W fixed over many calls (a recurrent
// weight): op(W) = Wᵀ for W [N, ldw] (transW), else W [K, ldw]. The constructor packs op(W) once
// when M > kSmallM (one allocation, before any time loop); run() allocates nothing. run() may be
// given fewer rows than M (the last chunk of a chunked input projection).
class StepGemm {
 public:
  StepGemm(bool transW, int64_t M, int64_t N, int64_t K, const float* W, int64_t ldw);
  void run(const float* A, int64_t lda, float beta, float* C, int64_t ldc) const { run_rows(M_, A, lda, beta, C, ldc); }
  void run_rows(int64_t rows, const float* A, int64_t lda, float beta, float* C, int64_t ldc) const;

 private:
  bool transW_;
  int64_t M_, N_, K_;
  const float* W_;
  int64_t ldw_;
  AlignedFloats storage_;
  PackedB packed_;
};

}  // namespace rnnkit
