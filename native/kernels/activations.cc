// Sigmoid and tanh: the scalar references (computed in double, rounded once) that are the oracle the
// SIMD bodies in activations.inl are tested against, and the public array entry points, which go
// through the dispatched KernelTable. Mirrors lib/backend/js/activations.ts, which computes the same
// references in float64.
#include <cmath>

#include "dispatch.h"
#include "kernels.h"

namespace rnnkit {

// x ≥ 0: 1 / (1 + e^-x); x < 0: e^x / (1 + e^x), so exp never overflows. NaN fails x ≥ 0 and the
// second form propagates it.
float sigmoid_reference(float x) {
  const double v = x;
  if (v >= 0) return static_cast<float>(1.0 / (1.0 + std::exp(-v)));
  const double e = std::exp(v);
  return static_cast<float>(e / (1.0 + e));
}

float tanh_reference(float x) { return static_cast<float>(std::tanh(static_cast<double>(x))); }

void tanh_array(float* out, const float* x, int64_t n) { kernels().tanh(out, x, n); }

void sigmoid_array(float* out, const float* x, int64_t n) { kernels().sigmoid(out, x, n); }

}  // namespace rnnkit
