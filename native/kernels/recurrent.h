// Helpers shared by the fused recurrent kernels rnn.cc, lstm.cc and gru.cc: which rows are active,
// bias rows, bias gradients as column sums, and the input-side GEMMs of backward. Mirrors
// lib/backend/js/recurrent.ts. Internal header (not part of kernels.h).
//
// Dimension letters: T steps, B batch, I input, H hidden, G gates; a "row" is one (t, b) pair, row
// index r = t·B + b of a [T, B, ·] buffer. None of these allocate.
#pragma once

#include <cstdint>

namespace rnnkit {

// Row b is active at step t iff t < lengths[b] (always, when lengths is null).
inline bool is_active(const int32_t* lengths, int64_t t, int64_t b) { return lengths == nullptr || t < lengths[b]; }

// C[r, col0 + j] = b1[col0 + j] + b2[col0 + j] for r < rows, j < width; a null bias counts as 0.
// C is [rows, ldc]. Seeds the pre-activation buffer before the input GEMM adds to it.
void fill_bias_rows(float* C, int64_t rows, int64_t ldc, int64_t col0, int64_t width, const float* b1,
                    const float* b2);

// dBias[j] += Σ_r G[r·ldg + j] for j < width, summed in double (T·B rows would lose float digits), and
// the same sums added to dBias2[j] when it is not null (b_ih and b_hh get the same gradient: one pass).
// Forward without a workspace (inference: nothing will run backward) keeps only a chunk of steps'
// gate pre-activations at a time: enough steps for about kInferenceChunkRows rows (T·B rows in
// all), so the chunk's input projection is still one efficient GEMM while its buffer stays in cache.
constexpr int64_t kInferenceChunkRows = 256;
inline int64_t inference_chunk_steps(int64_t T, int64_t B) {
  const int64_t steps = (kInferenceChunkRows + B - 1) / B;
  return steps < 1 ? 1 : steps > T ? T : steps;
}

void add_column_sums(float* dBias, float* dBias2, const float* G, int64_t rows, int64_t ldg, int64_t width);

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
