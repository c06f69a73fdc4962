// Shared by the kernel microbenchmarks (gemm_bench.cc, paired.cc): deterministic inputs and a wall
// clock. Header-only; each benchmark is its own program.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

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

}  // namespace bench
