// addressMisalignment(buffer, alignment): number   [sync]
//   How many bytes the start of `buffer` (an ArrayBuffer) lies past the last multiple of `alignment`
//   (a power of two in [1, 4096]) in memory: what lib/backend/native.ts skips so that the parameter
//   arenas start on a 64-byte boundary. V8 places large ArrayBuffers 16 bytes past a page, and the
//   streaming kernel reads weights that start on a vector boundary measurably faster (gemm_small.inl).
//   TypeError when buffer is not an ArrayBuffer; RangeError when alignment is not such a power of two.
#include <cstdint>

#include "args.h"

namespace rnnkit::binding {

Napi::Value AddressMisalignment(const Napi::CallbackInfo& info) {
  const Napi::Value buffer = Arg(info, 0);
  if (!buffer.IsArrayBuffer()) {
    throw Napi::TypeError::New(info.Env(), "buffer must be an ArrayBuffer, got " + Describe(buffer));
  }
  const int64_t alignment = RequireDim(Arg(info, 1), "alignment", 1, 4096);
  if ((alignment & (alignment - 1)) != 0) {
    throw Napi::RangeError::New(info.Env(), "alignment must be a power of two, got " + std::to_string(alignment));
  }
  const auto address = reinterpret_cast<uintptr_t>(buffer.As<Napi::ArrayBuffer>().Data());
  return Napi::Number::New(info.Env(), static_cast<double>(address % static_cast<uintptr_t>(alignment)));
}

}  // namespace rnnkit::binding
