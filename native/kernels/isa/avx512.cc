// The AVX-512F path: the vector bodies compiled with -mavx512f -mfma (THIS file only). Filled only
// when CPUID and XGETBV report AVX-512F with the ZMM state enabled. Stub without the flags.
#include <cstdint>
#include <cstring>

#include "../dispatch.h"

#if defined(__AVX512F__) && defined(__FMA__)
#if defined(__GNUC__) && !defined(__clang__)
// GCC 12's avx512fintrin.h seeds results with _mm512_undefined_ps(), which -Wuninitialized reports at
// every inlined use; the lanes are all overwritten, so the warning is a false positive.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

namespace rnnkit {
namespace isa_avx512 {
namespace {
#define RNNKIT_SIMD_AVX512 1
#include "../simd.h"
#include "../gemm_micro.inl"
#include "../gemm_pack.inl"
#include "../gemm_small.inl"
#include "../activations.inl"
#include "../gates.inl"
#undef RNNKIT_SIMD_AVX512
}  // namespace
}  // namespace isa_avx512

bool fill_avx512(KernelTable* table) {
  isa_avx512::fill_table<8, 2>(table, "avx512");  // 8 × 32 tile: 16 zmm accumulators
  return true;
}

}  // namespace rnnkit
#else
namespace rnnkit {
bool fill_avx512(KernelTable*) { return false; }
}  // namespace rnnkit
#endif
