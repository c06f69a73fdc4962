// Shared by the kernel microbenchmarks (gemm_bench.cc, paired.cc): deterministic inputs, a wall clock,
// a stack of recurrent layers and one LSTM layer with its training buffers. Header-only; each benchmark is its own program.
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

// One LSTM layer (I inputs, H units, T steps, batch B) with everything a forward and a backward pass
// read and write: weights scaled ×0.1, as the recurrent cases' (gates off saturation); zero initial
// states; an upstream gradient for out. infer() runs forward only (no workspace); train() runs the
// forward that saves its workspace, then the backward (input gradient included).
struct LstmLayer {
  LstmLayer(int64_t T, int64_t B, int64_t I, int64_t H)
      : x(filled(T * B * I, 1)), h0(static_cast<size_t>(B * H), 0.0f), c0(h0), wIh(filled(4 * H * I, 2)),
        wHh(filled(4 * H * H, 3)), bIh(filled(4 * H, 4)), bHh(filled(4 * H, 5)), out(T * B * H), hN(B * H),
        cN(B * H), workspace(rnnkit::lstm_workspace_size(T, B, H)),
        scratch(rnnkit::lstm_backward_workspace_size(T, B, H)), dOut(filled(T * B * H, 6)), dX(T * B * I),
        dWIh(4 * H * I), dWHh(4 * H * H), dBIh(4 * H), dBHh(4 * H) {
    for (auto* w : {&wIh, &wHh})
      for (float& v : *w) v *= 0.1f;
    forward = {out.data(), hN.data(), cN.data(), nullptr, x.data(), h0.data(), c0.data(), wIh.data(),
               wHh.data(), bIh.data(), bHh.data(), nullptr, false, T, B, I, H};
    saving = forward;
    saving.workspace = workspace.data();
    backward = {dX.data(), nullptr, nullptr, dWIh.data(), dWHh.data(), dBIh.data(), dBHh.data(), scratch.data(),
                dOut.data(), nullptr, nullptr, x.data(), h0.data(), c0.data(), wIh.data(), wHh.data(),
                out.data(), workspace.data(), nullptr, false, T, B, I, H};
  }
  LstmLayer(const LstmLayer&) = delete;

  void infer() const { rnnkit::lstm_forward(forward); }
  void train() const {
    rnnkit::lstm_forward(saving);
    rnnkit::lstm_backward(backward);
  }

  std::vector<float> x, h0, c0, wIh, wHh, bIh, bHh, out, hN, cN, workspace, scratch, dOut, dX, dWIh, dWHh, dBIh,
      dBHh;
  rnnkit::RecurrentForwardArgs forward{}, saving{};  // without and with the saved workspace
  rnnkit::RecurrentBackwardArgs backward{};
};

}  // namespace bench
