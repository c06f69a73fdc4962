// One layer's forward-only pass (workspace null, kernels.h) cut into chunks of steps: first the input
// projection of a chunk's rows (all of them at once, or in row ranges computed by different threads),
// then the chunk's steps in time order. lstm.cc and gru.cc derive their layers from it, each with its
// own step; run() drives one layer alone (the single-layer forward), stacked.cc drives several as a
// wavefront. Internal header (not part of kernels.h).
//
// Dimension letters as in kernels.h; G gates·H columns of pre-activation; a chunk holds n ≤ chunk_steps
// steps, i.e. n·B rows of [·, G] pre-activations, kept in one of `slots` buffers (a ring: chunk c in
// slot c mod slots), so the projection of a later chunk can be written while an earlier one is stepped.
#pragma once

#include <cstdint>
#include <memory>

#include "gemm.h"
#include "kernels.h"
#include "recurrent.h"

namespace rnnkit {

class InferenceLayer {
 public:
  // a: the layer's arguments (workspace null); G: pre-activation columns (4H LSTM, 3H GRU);
  // chunk_steps: steps per chunk (inference_chunk_steps for a layer run alone).
  InferenceLayer(const RecurrentForwardArgs& a, int64_t G, int64_t chunk_steps, int64_t slots);
  virtual ~InferenceLayer() = default;
  InferenceLayer(const InferenceLayer&) = delete;
  InferenceLayer& operator=(const InferenceLayer&) = delete;

  int64_t chunks() const { return chunks_; }
  int64_t chunk_rows(int64_t chunk) const { return steps_in(chunk) * args_.B; }

  // Rows [r0, r1) of chunk's pre-activations: x · wIhᵀ into its slot. Several threads may project
  // disjoint row ranges of the same chunk at once.
  void project(int64_t chunk, int64_t r0, int64_t r1) const;
  // The chunk's steps, in time order; every row of its projection must be written.
  void run_steps(int64_t chunk);
  // The whole layer on the calling thread (its GEMMs threaded as usual): project, then step, chunk by chunk.
  void run();

 protected:
  // One step t: gates [B, G] holds x_t · wIhᵀ; adds the recurrent product and biases, applies the cell,
  // writes out[t] and the running state (hN, cN).
  virtual void step(int64_t t, float* gates) = 0;

  const RecurrentForwardArgs args_;

 private:
  int64_t steps_in(int64_t chunk) const;
  int64_t first_step(int64_t chunk) const;  // the chunk holds steps first … first + n − 1
  float* slot(int64_t chunk) const { return gates_.get() + (chunk % slots_) * chunk_steps_ * args_.B * G_; }

  int64_t G_, chunk_steps_, chunks_, slots_;
  InputProjection input_;
  AlignedFloats gates_;  // [slots, chunk_steps, B, G]
};

// The cells' layers (lstm.cc, gru.cc), for a caller that drives them itself (stacked.cc).
std::unique_ptr<InferenceLayer> lstm_inference_layer(const RecurrentForwardArgs& a, int64_t chunk_steps, int64_t slots);
std::unique_ptr<InferenceLayer> gru_inference_layer(const RecurrentForwardArgs& a, int64_t chunk_steps, int64_t slots);

}  // namespace rnnkit
