// The NEON path for AArch64, where Advanced SIMD is mandatory: no compiler flag, and dispatch.cc
// chooses it on every arm64 CPU. The vector bodies compiled against simd.h's 4-wide float32x4_t
// section (fused multiply-add). Elsewhere (x86, or 32-bit ARM, whose NEON lacks vdivq/vrndmq/vaddvq)
// the file compiles to a stub.
#include <cstdint>
#include <cstring>

#include "../dispatch.h"

#if defined(__aarch64__) || defined(_M_ARM64)
#include <arm_neon.h>

namespace rnnkit {
namespace isa_neon {
namespace {
#define RNNKIT_SIMD_NEON 1
#include "../simd.h"
#include "../gemm_micro.inl"
#include "../gemm_pack.inl"
#include "../gemm_small.inl"
#include "../activations.inl"
#include "../gates.inl"
#undef RNNKIT_SIMD_NEON
}  // namespace
}  // namespace isa_neon

bool fill_neon(KernelTable* table) {
  // 8 × 12 tile (Arm Compute Library's a64_sgemm_8x12): 24 of the 32 vector registers accumulate,
  // 3 hold B and the rest the broadcast A values.
  isa_neon::fill_table<8, 3>(table, "neon");
  return true;
}

}  // namespace rnnkit
#else
namespace rnnkit {
bool fill_neon(KernelTable*) { return false; }
}  // namespace rnnkit
#endif
