// Shared by the kernel microbenchmarks (gemm_bench.cc, paired.cc): deterministic inputs, a wall clock
// and a stack of recurrent layers. Header-only; each benchmark is its own program.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "kernels.h"

namespace bench {

// n floats in [-0.5, 0.5) from a small LCG seeded by `seed`: the same inputs on every run.
inline std::vector<float> filled(int64_t n, uint32_t seed) {
  std::vector<float> v(static_cast<size_t>(n));
  uint32_t s = seed * 2654435761u + 1;
  for (auto& e : v) {
    s = s * 1664525u + 1013904223u;
    e = static_cast<float>((s >> 8) * (1.0 / 16777216.0) - 0.5);
  }
  return v;
}

inline double wall_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// `count` stacked forward-only LSTM (lstm) or GRU layers, I inputs to the first, H units each: layer
// k reads layer k − 1's out (the layout lstm_forward_stacked wants). Weights scaled ×0.1, as the
// recurrent cases' (gates off saturation); zero initial states; one bias for both bIh and bHh.
struct StackedLayers {
  StackedLayers(bool lstm, int64_t count, int64_t T, int64_t B, int64_t I, int64_t H) : lstm(lstm) {
    const int64_t G = (lstm ? 4 : 3) * H;
    x = filled(T * B * I, 1);
    h0.assign(static_cast<size_t>(B * H), 0.0f);
    bias = filled(G, 4);
    for (int64_t k = 0; k < count; ++k) {
      wIh.push_back(filled(G * (k == 0 ? I : H), static_cast<uint32_t>(2 + 2 * k)));
      wHh.push_back(filled(G * H, static_cast<uint32_t>(3 + 2 * k)));
      for (auto* w : {&wIh.back(), &wHh.back()})
        for (float& v : *w) v *= 0.1f;
      out.emplace_back(T * B * H);
      hN.emplace_back(B * H);
      cN.emplace_back(B * H);
    }
    for (int64_t k = 0; k < count; ++k) {
      args.push_back({out[k].data(), hN[k].data(), lstm ? cN[k].data() : nullptr, nullptr,
                      k == 0 ? x.data() : out[k - 1].data(), h0.data(), lstm ? h0.data() : nullptr, wIh[k].data(),
                      wHh[k].data(), bias.data(), bias.data(), nullptr, false, T, B, k == 0 ? I : H, H});
    }
  }
  StackedLayers(const StackedLayers&) = delete;

  // All layers in one call (a wavefront at 2+ threads), or one call per layer.
  void run_stacked() const {
    const int64_t count = static_cast<int64_t>(args.size());
    lstm ? rnnkit::lstm_forward_stacked(args.data(), count) : rnnkit::gru_forward_stacked(args.data(), count);
  }
  void run_layer_by_layer() const {
    for (const auto& a : args) lstm ? rnnkit::lstm_forward(a) : rnnkit::gru_forward(a);
  }

  bool lstm;
  std::vector<float> x, h0, bias;  // h0 also serves as the zero c0
  std::vector<std::vector<float>> wIh, wHh, out, hN, cN;
  std::vector<rnnkit::RecurrentForwardArgs> args;
};

}  // namespace bench
