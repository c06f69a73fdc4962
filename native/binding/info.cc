// cpuInfo(): { isa, isas, threads, simdOverride, napiVersion, compiler, build }   [sync]
//   isa: the KernelTable in use ('scalar' | 'avx2' | 'avx512'); isas: every table usable here;
//   threads: the kernel thread pool's size; simdOverride: RNNKIT_SIMD as seen at load (or null);
//   compiler and build: how this binary was made (for the fallback notice and bug reports);
//   features: what this build supports beyond the first addon ('forward-only': recurrentForward with
//   workspace null; 'batch': recurrentForwardBatch / recurrentBackwardBatch; 'threads':
//   setNumThreads / getNumThreads; 'stack': recurrentForwardStack).
// setNumThreads(n): undefined   [sync]  the kernel thread pool's size from now on, process-wide (one
//   pool serves the main thread and every worker_thread); n an integer in [1, 256], else RangeError /
//   TypeError. Waits for a multi-threaded kernel in flight to finish.
// getNumThreads(): number   [sync]
#include <cstdlib>

#include "args.h"
#include "dispatch.h"
#include "kernels.h"

#if defined(RNNKIT_BUILD_NODE_GYP)
#define RNNKIT_BUILD_SYSTEM "node-gyp"
#elif defined(RNNKIT_BUILD_CMAKE_JS)
#define RNNKIT_BUILD_SYSTEM "cmake-js"
#else
#define RNNKIT_BUILD_SYSTEM "unknown"
#endif

namespace rnnkit::binding {

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  rnnkit::set_thread_count(static_cast<int>(RequireDim(Arg(info, 0), "n", 1, 256)));
  return info.Env().Undefined();
}

Napi::Value GetNumThreads(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), rnnkit::thread_count()); }

Napi::Value CpuInfo(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  Napi::Object result = Napi::Object::New(env);
  result.Set("isa", rnnkit::active_isa_name());
  const rnnkit::KernelTable* tables[8];
  const int count = rnnkit::usable_kernel_tables(tables, 8);
  Napi::Array isas = Napi::Array::New(env, count);
  for (int i = 0; i < count; ++i) isas.Set(static_cast<uint32_t>(i), tables[i]->name);
  result.Set("isas", isas);
  result.Set("threads", rnnkit::thread_count());
  const char* forced = std::getenv("RNNKIT_SIMD");
  result.Set("simdOverride", forced != nullptr && *forced != '\0' ? Napi::Value(Napi::String::New(env, forced)) : env.Null());
  result.Set("napiVersion", NAPI_VERSION);
#if defined(__clang__)
  result.Set("compiler", "clang " __clang_version__);
#elif defined(__GNUC__)
  result.Set("compiler", "gcc " __VERSION__);
#elif defined(_MSC_VER)
  result.Set("compiler", "msvc " + std::to_string(_MSC_VER));
#else
  result.Set("compiler", "unknown");
#endif
  result.Set("build", RNNKIT_BUILD_SYSTEM);
  Napi::Array features = Napi::Array::New(env, 4);
  features.Set(0u, "forward-only");
  features.Set(1u, "batch");
  features.Set(2u, "threads");
  features.Set(3u, "stack");
  result.Set("features", features);
  return result;
}

}  // namespace rnnkit::binding
