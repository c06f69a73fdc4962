// The SSE2 path: x86-64's baseline, so it needs no compiler flag and runs on every x86-64 CPU (the
// fallback below AVX2; dispatch.cc still checks the CPUID bit, which 32-bit x86 may lack). The vector
// bodies compiled against simd.h's 4-wide __m128 section, which has no FMA: multiply-adds round twice,
// as the scalar path does. Without SSE2 at compile time (another architecture, or 32-bit x86 built
// without -msse2) the file compiles to a stub.
#include <cstdint>
#include <cstring>

#include "../dispatch.h"

#if defined(__SSE2__) || defined(_M_X64) || (defined(_M_IX86_FP) && _M_IX86_FP >= 2)
#include <immintrin.h>

namespace rnnkit {
namespace isa_sse2 {
namespace {
#define RNNKIT_SIMD_SSE2 1
#include "../simd.h"
#include "../gemm_micro.inl"
#include "../gemm_pack.inl"
#include "../gemm_small.inl"
#include "../activations.inl"
#include "../gates.inl"
#undef RNNKIT_SIMD_SSE2
}  // namespace
}  // namespace isa_sse2

bool fill_sse2(KernelTable* table) {
  // 6 × 8 tile: 12 xmm accumulators + 2 of B + the broadcast A + the product before its add (no FMA)
  // = all 16 xmm registers.
  isa_sse2::fill_table<6, 2>(table, "sse2");
  return true;
}

}  // namespace rnnkit
#else
namespace rnnkit {
bool fill_sse2(KernelTable*) { return false; }
}  // namespace rnnkit
#endif
