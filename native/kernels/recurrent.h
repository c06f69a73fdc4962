// Helpers shared by the fused recurrent kernels rnn.cc, lstm.cc and gru.cc: which rows are active,
// bias rows, bias gradients as column sums, and the input-side GEMMs of backward. Mirrors
// lib/backend/js/recurrent.ts. Internal header (not part of kernels.h).
//
// Dimension letters: T steps, B batch, I input, H hidden, G gates; a "row" is one (t, b) pair, row
// index r = t·B + b of a [T, B, ·] buffer. None of these allocate.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>

#include "gemm.h"
#include "threads.h"

namespace rnnkit {

// Row b is active at step t iff t < lengths[b] (always, when lengths is null).
inline bool is_active(const int32_t* lengths, int64_t t, int64_t b) { return lengths == nullptr || t < lengths[b]; }

// C[r, col0 + j] = b1[col0 + j] + b2[col0 + j] for r < rows, j < width; a null bias counts as 0.
// C is [rows, ldc]. Seeds the pre-activation buffer before the input GEMM adds to it.
void fill_bias_rows(float* C, int64_t rows, int64_t ldc, int64_t col0, int64_t width, const float* b1,
                    const float* b2);

// dBias[j] += Σ_r G[r·ldg + j] for j < width, summed in double (T·B rows would lose float digits), and
// the same sums added to dBias2[j] when it is not null (b_ih and b_hh get the same gradient: one pass).
void add_column_sums(float* dBias, float* dBias2, const float* G, int64_t rows, int64_t ldg, int64_t width);

// Forward without a workspace (inference: nothing will run backward) keeps the gate pre-activations
// [rows, G] of one chunk of steps at a time. Each chunk's input projection streams all of W_ih
// (G·I floats), and in doing so evicts W_hh from the caches the steps read it from, so a chunk takes
// at least 4·I rows (its gates, written and read once, then outweigh the W_ih re-read 4 to 1) and at
// least kInferenceChunkRows (one efficient GEMM); at most kInferenceChunkMaxFloats of gates. The
// steps are then shared evenly among the chunks (T = 25 in chunks of 16 would leave 9: 13 and 12).
// Measured (bench/kernels/gemm_bench "lstm infer", 1 thread): T25 B64 I1024 H1024 in chunks of 4
// steps 141 ms, in one chunk 129 ms; T50 B256 I256 H256: chunks of 1 or 4 steps 60 ms, one chunk of
// 52 MB 83 ms (fresh pages every call).
constexpr int64_t kInferenceChunkRows = 256;
constexpr int64_t kInferenceChunkMaxFloats = int64_t{1} << 23;  // 32 MB of gates
int64_t inference_chunk_steps(int64_t T, int64_t B, int64_t I, int64_t G);

// The per-row gate math of one step (inference), split among the pool threads when the step has
// enough of it: rows(b0, b1) for row ranges covering [0, B). Below kStepRowsParallelMinUnits units
// (B·H) a share is a few µs, about what waking a worker costs. At B = 64, H = 1024 the serial gate
// math was ~4% of a 2-thread forward.
constexpr int64_t kStepRowsParallelMinUnits = int64_t{1} << 14;
template <class Rows>
void for_step_rows(int64_t B, int64_t H, const Rows& rows) {
  const int64_t tasks = B * H < kStepRowsParallelMinUnits ? 1 : std::min<int64_t>(usable_threads(), B);
  if (tasks <= 1) return rows(int64_t{0}, B);
  parallel_for(tasks, [&](int64_t task) { rows(B * task / tasks, B * (task + 1) / tasks); });
}

// The input projection of a forward-only call, chunk by chunk: gates [rows, G] (ldg) = x [rows, I] ·
// wIhᵀ (wIh [G, I]; gates is written, not read) for at most chunk_steps·B rows a call. With several
// chunks op(W_ih) is packed once (StepGemm) and every chunk reads that packing; with one chunk it is
// one sgemm, which packs op(W_ih) panel by panel as the rows pass over it (packing all of it ahead
// would only add a pass over 4·G·I bytes).
class InputProjection {
 public:
  InputProjection(int64_t T, int64_t B, int64_t I, int64_t G, const float* wIh, int64_t chunk_steps);
  void run(int64_t rows, const float* x, float* gates, int64_t ldg) const;

 private:
  int64_t I_, G_;
  const float* wIh_;
  std::unique_ptr<StepGemm> packed_;  // several chunks only
};

// The input side of backward, as large GEMMs over maximal runs of active rows after the time loop:
//   dWIh[0:width, :] += dG[:, 0:width]ᵀ · x                 [width, I]
//   dX               += dG[:, 0:width] · wIh[0:width, :]     [T·B, I]   (when dX is not null)
// dG is [T·B, ldg] (zero at inactive rows); dWIh and wIh point at the gate block's first row. Taking
// only active rows means x at padded positions, which may hold anything (even NaN), is never
// multiplied in; without lengths it is one GEMM over all T·B rows.
void accumulate_input_gradients(float* dWIh, float* dX, const float* dG, int64_t ldg, int64_t width,
                                const float* x, const float* wIh, const int32_t* lengths, int64_t T,
                                int64_t B, int64_t I);

}  // namespace rnnkit
