// Shared helpers of the fused recurrent kernels (recurrent.h); mirrors lib/backend/js/recurrent.ts.
#include "recurrent.h"

#include <algorithm>

#include "kernels.h"

namespace rnnkit {

void fill_bias_rows(float* C, int64_t rows, int64_t ldc, int64_t col0, int64_t width, const float* b1,
                    const float* b2) {
  for (int64_t r = 0; r < rows; ++r) {
    float* row = C + r * ldc + col0;
    for (int64_t j = 0; j < width; ++j) {
      row[j] = (b1 == nullptr ? 0.0f : b1[col0 + j]) + (b2 == nullptr ? 0.0f : b2[col0 + j]);
    }
  }
}

void add_column_sums(float* dBias, float* dBias2, const float* G, int64_t rows, int64_t ldg, int64_t width) {
  constexpr int64_t kBlock = 64;  // columns summed together: one pass over G per block, sums in registers/L1
  double sums[kBlock];
  for (int64_t j0 = 0; j0 < width; j0 += kBlock) {
    const int64_t w = width - j0 < kBlock ? width - j0 : kBlock;
    for (int64_t j = 0; j < w; ++j) sums[j] = 0.0;
    for (int64_t r = 0; r < rows; ++r) {
      const float* row = G + r * ldg + j0;
      for (int64_t j = 0; j < w; ++j) sums[j] += row[j];
    }
    for (int64_t j = 0; j < w; ++j) dBias[j0 + j] += static_cast<float>(sums[j]);
    if (dBias2 != nullptr) {
      for (int64_t j = 0; j < w; ++j) dBias2[j0 + j] += static_cast<float>(sums[j]);
    }
  }
}

void accumulate_input_gradients(float* dWIh, float* dX, const float* dG, int64_t ldg, int64_t width,
                                const float* x, const float* wIh, const int32_t* lengths, int64_t T,
                                int64_t B, int64_t I) {
  const int64_t rows = T * B;
  int64_t r = 0;
  while (r < rows) {
    if (!is_active(lengths, r / B, r % B)) {
      ++r;
      continue;
    }
    int64_t end = r + 1;
    while (end < rows && is_active(lengths, end / B, end % B)) ++end;
    const int64_t n = end - r;
    sgemm(true, false, width, I, n, 1.0f, dG + r * ldg, ldg, x + r * I, I, 1.0f, dWIh, I);
    if (dX != nullptr) sgemm(false, false, n, I, width, 1.0f, dG + r * ldg, ldg, wIh, I, 1.0f, dX + r * I, I);
    r = end;
  }
}

int64_t inference_chunk_steps(int64_t T, int64_t B, int64_t I, int64_t G) {
  int64_t rows = std::max(kInferenceChunkRows, 4 * I);
  rows = std::min(rows, std::max(kInferenceChunkRows, kInferenceChunkMaxFloats / std::max<int64_t>(G, 1)));
  const int64_t steps = std::max<int64_t>(1, std::min(T, rows / std::max<int64_t>(B, 1)));
  const int64_t chunks = std::max<int64_t>(1, (T + steps - 1) / steps);
  return std::max<int64_t>(1, (T + chunks - 1) / chunks);
}

InputProjection::InputProjection(int64_t T, int64_t B, int64_t I, int64_t G, const float* wIh, int64_t chunk_steps)
    : I_(I), G_(G), wIh_(wIh) {
  if (chunk_steps < T) packed_.reset(new StepGemm(true, chunk_steps * B, G, I, wIh, I));  // op(W) = wIhᵀ [I, G]
}

void InputProjection::run(int64_t rows, const float* x, float* gates, int64_t ldg) const {
  if (packed_ != nullptr) return packed_->run_rows(rows, x, I_, 0.0f, gates, ldg);
  sgemm(false, true, rows, G_, I_, 1.0f, x, I_, wIh_, I_, 0.0f, gates, ldg);
}

}  // namespace rnnkit
