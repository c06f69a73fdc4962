// The NEON path for AArch64, where Advanced SIMD is mandatory: no -march flag, and dispatch.cc
// chooses it on every arm64 CPU. The vector bodies compiled against simd.h's 4-wide float32x4_t
// section. Its multiply-adds are written c + a·b (see simd.h) and fused by -ffp-contract=fast, which
// CMakeLists.txt and binding.gyp set on this file only; without it they would still be correct, as a
// multiply and an add. Elsewhere (x86, or 32-bit ARM, whose NEON lacks vdivq/vrndmq/vaddvq) the file
// compiles to a stub.
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
  // 8 × 8 tile: 16 accumulators + 2 of B + the 8 A values of a k step = 26 of the 32 vector registers
  // (GCC 12 -O3 keeps all 8 A values live, so 8 × 12, Arm Compute Library's tile, needs 35 and spills
  // inside the k loop; 8 × 8 moves as many bytes per multiply-add as 6 × 12 and fits the usual shapes,
  // batch 8·k by 4H, without edge tiles).
  isa_neon::fill_table<8, 2>(table, "neon");
  return true;
}

}  // namespace rnnkit
#else
namespace rnnkit {
bool fill_neon(KernelTable*) { return false; }
}  // namespace rnnkit
#endif
