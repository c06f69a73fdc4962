// The tiny test harness of the C++ kernel tests (no third-party framework, so the tests build
// anywhere CMake does): TEST registers a function, CHECK records a failure and goes on, and
// test_main.cc runs everything and prints "N passed, N failed". Helpers: a seeded RNG, the
// KernelTables usable on this machine, and tensor comparisons that print the worst index.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "dispatch.h"
#include "kernels.h"

namespace rnnkit_test {

bool register_test(const char* name, void (*fn)());
void record_failure(const char* file, int line, const std::string& message);

// splitmix64: small, seeded, identical everywhere.
struct Rng {
  uint64_t state;
  explicit Rng(uint64_t seed) : state(seed) {}
  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform(double lo, double hi) { return lo + (hi - lo) * static_cast<double>(next() >> 11) * 0x1.0p-53; }
  int64_t below(int64_t n) { return static_cast<int64_t>(next() % static_cast<uint64_t>(n)); }
  std::vector<float> floats(int64_t n, double scale = 1.0) {
    std::vector<float> v(static_cast<size_t>(n));
    for (auto& e : v) e = static_cast<float>(uniform(-scale, scale));
    return v;
  }
};

// Every KernelTable compiled in and supported by this CPU, scalar first.
inline std::vector<const rnnkit::KernelTable*> usable_tables() {
  const rnnkit::KernelTable* tables[8];
  const int n = rnnkit::usable_kernel_tables(tables, 8);
  return std::vector<const rnnkit::KernelTable*>(tables, tables + n);
}

// ‖actual − expected‖ / ‖expected‖ ≤ tol (absolute norm when expected is 0), NaN only where NaN is
// expected. On failure: label, the error, and the worst element.
template <class A, class E>
bool check_close(const std::string& label, const A* actual, const E* expected, int64_t n, double tol,
                 const char* file, int line) {
  double num = 0, den = 0, worst = -1;
  int64_t worst_index = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double a = actual[i], e = expected[i];
    if (std::isnan(a) != std::isnan(e)) {
      record_failure(file, line, label + ": NaN mismatch at index " + std::to_string(i) + ": expected " +
                                     std::to_string(e) + ", actual " + std::to_string(a));
      return false;
    }
    if (std::isnan(e)) continue;
    const double d = (std::isinf(e) && a == e) ? 0.0 : a - e;
    num += d * d;
    den += e * e;
    if (std::fabs(d) > worst) {
      worst = std::fabs(d);
      worst_index = i;
    }
  }
  const double rel = den == 0 ? std::sqrt(num) : std::sqrt(num / den);
  if (!(rel <= tol)) {
    char buffer[512];
    std::snprintf(buffer, sizeof buffer,
                  "%s: relative error %.3e > %.1e; worst at index %lld: expected %.9g, actual %.9g (|diff| %.3e)",
                  label.c_str(), rel, tol, static_cast<long long>(worst_index),
                  static_cast<double>(expected[worst_index]), static_cast<double>(actual[worst_index]), worst);
    record_failure(file, line, buffer);
    return false;
  }
  return true;
}

}  // namespace rnnkit_test

#define TEST(name)                                                                      \
  static void name();                                                                   \
  static const bool name##_registered = ::rnnkit_test::register_test(#name, name);     \
  static void name()

#define CHECK(cond)                                                         \
  do {                                                                      \
    if (!(cond)) ::rnnkit_test::record_failure(__FILE__, __LINE__, #cond);  \
  } while (0)

#define CHECK_MSG(cond, message)                                                   \
  do {                                                                             \
    if (!(cond)) ::rnnkit_test::record_failure(__FILE__, __LINE__, (message));     \
  } while (0)

#define CHECK_CLOSE(label, actual, expected, n, tol) \
  ::rnnkit_test::check_close((label), (actual), (expected), (n), (tol), __FILE__, __LINE__)
