// CPU dispatch: one KernelTable of function pointers, filled once at first use from CPUID (MLAS's
// GetMlasPlatform, Highway's dynamic dispatch). Each ISA file in isa/ compiles the same vector bodies
// (gemm_micro.inl, gemm_pack.inl, gemm_small.inl, activations.inl, gates.inl, written once against
// simd.h) with its own compiler flags and fills a table; the generic kernel files (gemm.cc, lstm.cc,
// ...) only call through it.
//
// Levels, widest first: avx512 > avx2 (+FMA) > sse2 (x86-64's baseline) > scalar on x86; neon > scalar
// on arm64 (NEON is mandatory on AArch64); scalar elsewhere.
// RNNKIT_SIMD=scalar|sse2|avx2|avx512|neon forces a path (an unknown or unsupported name falls back to
// the CPUID choice, with a warning on stderr). Tests run every table present on the machine through
// ScopedKernelTable, a per-thread override.
//
// Internal header: not part of the public kernel API (kernels.h).
#pragma once

#include <cstdint>

namespace rnnkit {

// Bytes of weight rows the streaming step reads in one go where it reads them in chunks (gemv_rows
// below AVX-512, lstm.cc at B = 2..4): the unit of its alternating order. Measured at I = H = 256
// (gemm_bench "stream", when B = 1 took the chunks too): 32 KiB chunks 17.4 µs, 128-256 KiB 16.3 µs,
// whole matrices (1 MiB, only the matrix order alternating) 17.9 µs.
constexpr int64_t kStreamChunkBytes = 128 * 1024;

struct KernelTable {
  const char* name;  // "scalar" | "sse2" | "avx2" | "avx512" | "neon"
  int width;         // floats per vector register

  // GEMM register tile: C[m, n] += Ap · Bp for one MR × NR tile (m ≤ MR, n ≤ NR edge tiles allowed).
  // a_packed [kc, MR] (MR rows of op(A), alpha folded in, zero-padded), b_packed [kc, NR].
  int gemm_mr, gemm_nr;
  void (*gemm_micro)(int64_t kc, const float* a_packed, const float* b_packed, float* c, int64_t ldc,
                     int64_t m, int64_t n);
  // The same, writing the tile over C without reading it (the first K panel of a beta = 0 product).
  void (*gemm_micro_store)(int64_t kc, const float* a_packed, const float* b_packed, float* c, int64_t ldc,
                           int64_t m, int64_t n);
  // The panel packing the microkernel reads (gemm_pack.inl; layouts in gemm.cc):
  // a_packed = alpha · op(A)[i0 : i0+mc, p0 : p0+kc] as [kc, MR] strips; b_packed = op(B)[p0 : p0+kc,
  // j0 : j0+nc] as [kc, NR] strips; padding rows/columns 0.
  void (*pack_a)(bool transA, const float* A, int64_t lda, int64_t i0, int64_t mc, int64_t p0, int64_t kc,
                 float alpha, float* a_packed);
  void (*pack_b)(bool transB, const float* B, int64_t ldb, int64_t p0, int64_t kc, int64_t j0, int64_t nc,
                 float* b_packed);
  // C[M, N] += alpha · A · op(B) for 1 ≤ M ≤ 4 without packing (gemm_small.inl): A [M, lda] with
  // contiguous rows; op(B) = Bᵀ for B [N, ldb] (transB), else B [K, ldb].
  void (*gemm_small_m)(bool transB, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
                       const float* B, int64_t ldb, float* C, int64_t ldc);
  // y[j] += Σ_p W[j, p] · x[p] for j < N, W [N, ldw]: the one-thread streaming step's product
  // (gemm_small.inl). AVX-512 reads W one row after another, descending walks its addresses in
  // reverse; the narrower ISAs read kStreamChunkBytes of rows at a time, the chunks in reverse.
  void (*gemv_rows)(int64_t N, int64_t K, const float* x, const float* W, int64_t ldw, float* y, bool descending);

  // Arrays of n floats; out may alias x.
  void (*tanh)(float* out, const float* x, int64_t n);
  void (*sigmoid)(float* out, const float* x, int64_t n);
  void (*axpy)(float* y, float alpha, const float* x, int64_t n);
  void (*mul)(float* out, const float* a, const float* b, int64_t n);  // out may alias a or b
  void (*softmax_row)(float* out, const float* x, int64_t n);
  void (*log_softmax_row)(float* out, const float* x, int64_t n);

  // Fused per-step gate math for ONE batch row of H units (gates.inl); buffers are that row's slices.
  // Backward functions take dh = the gradient reaching this step's output from later steps and add
  // dOut (this step's upstream gradient; nullptr means zero) themselves.
  // rnn: dPre = (dh + dOut) ⊙ act'(pre), through the output h = act(pre); then dh = 0 (the step's GEMM
  // refills it).
  void (*rnn_cell_backward)(float* dPre, float* dh, const float* dOut, const float* h, int64_t H, bool relu);
  // lstm: gates [4H] in: pre-activations (i, f, g, o), out: activated. c = f ⊙ cPrev + i ⊙ g,
  // h = o ⊙ tanh(c). c may alias cPrev.
  void (*lstm_cell_forward)(float* gates, float* c, float* h, const float* cPrev, int64_t H);
  // lstm: dGates [4H] pre-activation gradients; dc in: dLoss/dc from later steps, out: dLoss/dcPrev;
  // dh as for rnn (set to 0).
  void (*lstm_cell_backward)(float* dGates, float* dc, float* dh, const float* dOut, const float* gates,
                             const float* c, const float* cPrev, int64_t H);
  // gru: gates [3H] in: r, z pre-activations (both sides and biases) and n's input side (W_in x + b_in),
  // out: activated r, z, n. hn [H] in: W_hn hPrev, out: + b_hn (bHn nullptr means no bias).
  // h = (1 − z) ⊙ n + z ⊙ hPrev.
  void (*gru_cell_forward)(float* gates, float* h, float* hn, const float* bHn, const float* hPrev, int64_t H);
  // gru: dGh [3H] gradients of the hidden-side pre-activations (W_hr h + b_hr, W_hz h + b_hz,
  // W_hn h + b_hn), dnIn [H] gradient of W_in x + b_in; dh as above, out: dh ⊙ z (the direct path; the
  // step's GEMM adds the rest).
  void (*gru_cell_backward)(float* dGh, float* dnIn, float* dh, const float* dOut, const float* gates,
                            const float* hn, const float* hPrev, int64_t H);
};

// The table in use: RNNKIT_SIMD if set and usable, else the best the CPU supports. Chosen once;
// a ScopedKernelTable on the calling thread takes precedence.
const KernelTable& kernels();

// The table for an ISA name, or nullptr when it is not compiled in or the CPU lacks it.
const KernelTable* kernel_table(const char* isa);

// Every table usable here, narrowest first (scalar, sse2, avx2, avx512, neon: the order of
// RNNKIT_SIMD's list); returns how many were written (at most capacity).
int usable_kernel_tables(const KernelTable** out, int capacity);

// For tests and benchmarks: kernels() returns `table` on this thread while the guard lives.
class ScopedKernelTable {
 public:
  explicit ScopedKernelTable(const KernelTable& table);
  ~ScopedKernelTable();
  ScopedKernelTable(const ScopedKernelTable&) = delete;
  ScopedKernelTable& operator=(const ScopedKernelTable&) = delete;

 private:
  const KernelTable* previous_;
};

// Filled by isa/*.cc; each returns false when its file was compiled without its ISA (another
// architecture, or a build that did not pass the flags).
bool fill_scalar(KernelTable* table);
bool fill_sse2(KernelTable* table);
bool fill_avx2(KernelTable* table);
bool fill_avx512(KernelTable* table);
bool fill_neon(KernelTable* table);

}  // namespace rnnkit
