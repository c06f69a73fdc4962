// simd.h's primitives against their documented contract (simd_checks.inl): the scalar section and the
// architecture's baseline vector section (sse2 on x86-64, neon on arm64), which compile here without
// ISA flags. The ISA files include simd.h inside an anonymous namespace; so does this file, once per
// section.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define RNNKIT_TEST_BASELINE "sse2"
#elif defined(__aarch64__) || defined(_M_ARM64)
#include <arm_neon.h>
#define RNNKIT_TEST_BASELINE "neon"
#endif

#include "test.h"

namespace simd_scalar {
namespace {
#include "simd.h"
#include "simd_checks.inl"
}  // namespace
}  // namespace simd_scalar

#if defined(RNNKIT_TEST_BASELINE)
namespace simd_baseline {
namespace {
#if defined(__x86_64__) || defined(_M_X64)
#define RNNKIT_SIMD_SSE2 1
#else
#define RNNKIT_SIMD_NEON 1
#endif
#include "simd.h"
#include "simd_checks.inl"
#undef RNNKIT_SIMD_SSE2
#undef RNNKIT_SIMD_NEON
}  // namespace
}  // namespace simd_baseline
#endif

TEST(simd_scalar_section_keeps_the_contract) { simd_scalar::run_simd_checks("scalar"); }

#if defined(RNNKIT_TEST_BASELINE)
TEST(simd_baseline_section_keeps_the_contract) { simd_baseline::run_simd_checks(RNNKIT_TEST_BASELINE); }
#endif
