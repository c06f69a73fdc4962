// The plain path: the vector bodies compiled with simd.h's width-1 "vector" and no ISA flags. It is
// the fallback where no vector level is usable (architectures other than x86-64 and arm64, 32-bit x86
// without SSE2) and the path RNNKIT_SIMD=scalar forces. The oracles the tests use are separate (sgemm_reference,
// sigmoid_reference, tanh_reference): this is a kernel, not a reference.
#include <cstdint>
#include <cstring>

#include "../dispatch.h"

namespace rnnkit {
namespace isa_scalar {
namespace {
#include "../simd.h"
#include "../gemm_micro.inl"
#include "../gemm_pack.inl"
#include "../gemm_small.inl"
#include "../activations.inl"
#include "../gates.inl"
}  // namespace
}  // namespace isa_scalar

bool fill_scalar(KernelTable* table) {
  isa_scalar::fill_table<4, 4>(table, "scalar");  // 4 × 4 tile: 16 accumulators
  return true;
}

}  // namespace rnnkit
