// The AVX2 + FMA path: the vector bodies compiled with -mavx2 -mfma (set on THIS file only, by
// CMakeLists.txt and binding.gyp). dispatch.cc calls fill_avx2 only after CPUID and XGETBV say the
// CPU and OS support it. Without those flags (another architecture) the file compiles to a stub.
#include <cstdint>
#include <cstring>

#include "../dispatch.h"

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>

namespace rnnkit {
namespace isa_avx2 {
namespace {
#define RNNKIT_SIMD_AVX2 1
#include "../simd.h"
#include "../gemm_micro.inl"
#include "../gemm_pack.inl"
#include "../gemm_small.inl"
#include "../activations.inl"
#include "../gates.inl"
#undef RNNKIT_SIMD_AVX2
}  // namespace
}  // namespace isa_avx2

bool fill_avx2(KernelTable* table) {
  isa_avx2::fill_table<6, 2>(table, "avx2");  // 6 × 16 tile: 12 ymm accumulators + 2 B + 1 A
  return true;
}

}  // namespace rnnkit
#else
namespace rnnkit {
bool fill_avx2(KernelTable*) { return false; }
}  // namespace rnnkit
#endif
