// The chunked forward-only layer (inference_layer.h).
#include "inference_layer.h"

namespace rnnkit {

InferenceLayer::InferenceLayer(const RecurrentForwardArgs& a, int64_t G, int64_t chunk_steps, int64_t slots)
    : args_(a),
      G_(G),
      chunk_steps_(chunk_steps),
      chunks_((a.T + chunk_steps - 1) / chunk_steps),
      slots_(slots < chunks_ ? slots : chunks_),
      input_(a.T, a.B, a.I, G, a.wIh, chunk_steps),
      gates_(aligned_floats(slots_ * chunk_steps * a.B * G)) {}

int64_t InferenceLayer::steps_in(int64_t chunk) const {
  const int64_t s0 = chunk * chunk_steps_;
  return args_.T - s0 < chunk_steps_ ? args_.T - s0 : chunk_steps_;
}

// Chunks follow the direction of time: the reverse direction's first chunk holds the last steps.
int64_t InferenceLayer::first_step(int64_t chunk) const {
  const int64_t s0 = chunk * chunk_steps_;
  return args_.reverse ? args_.T - s0 - steps_in(chunk) : s0;
}

void InferenceLayer::project(int64_t chunk, int64_t r0, int64_t r1) const {
  if (r1 <= r0) return;
  const int64_t row0 = first_step(chunk) * args_.B + r0;  // row of x  [T·B, I]
  input_.run(r1 - r0, args_.x + row0 * args_.I, slot(chunk) + r0 * G_, G_);
}

void InferenceLayer::run_steps(int64_t chunk) {
  const int64_t n = steps_in(chunk), t0 = first_step(chunk), B = args_.B;
  float* gates = slot(chunk);  // [n, B, G]
  for (int64_t s = 0; s < n; ++s) {
    const int64_t t = args_.reverse ? t0 + n - 1 - s : t0 + s;
    step(t, gates + (t - t0) * B * G_);
  }
}

void InferenceLayer::run() {
  for (int64_t c = 0; c < chunks_; ++c) {
    project(c, 0, chunk_rows(c));
    run_steps(c);
  }
}

}  // namespace rnnkit
