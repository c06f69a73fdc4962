// The rnnkit Node-API addon: module init and the export list. Each binding lives in the file named
// beside it and is documented there ([sync]/[async], arguments, returns, throws). Everything is
// wrapped by Guarded (job.h), so no C++ exception can escape as a crash. Node-API addons are
// context-aware: this module loads in worker_threads too (the kernels keep no per-isolate state).
#include "args.h"
#include "job.h"

namespace rnnkit::binding {

Napi::Value Sgemm(const Napi::CallbackInfo& info);                           // gemm.cc
Napi::Value RecurrentWorkspaceSize(const Napi::CallbackInfo& info);          // recurrent.cc
Napi::Value RecurrentBackwardWorkspaceSize(const Napi::CallbackInfo& info);  //
Napi::Value RecurrentForward(const Napi::CallbackInfo& info);                //
Napi::Value RecurrentForwardAsync(const Napi::CallbackInfo& info);           //
Napi::Value RecurrentStep(const Napi::CallbackInfo& info);                   //
Napi::Value RecurrentBackward(const Napi::CallbackInfo& info);               //
Napi::Value RecurrentBackwardAsync(const Napi::CallbackInfo& info);          //
Napi::Value RecurrentForwardBatch(const Napi::CallbackInfo& info);           //
Napi::Value RecurrentBackwardBatch(const Napi::CallbackInfo& info);          //
Napi::Value RecurrentForwardStack(const Napi::CallbackInfo& info);           //
Napi::Value Tanh(const Napi::CallbackInfo& info);                            // elementwise.cc
Napi::Value Sigmoid(const Napi::CallbackInfo& info);                         //
Napi::Value Axpy(const Napi::CallbackInfo& info);                            //
Napi::Value Mul(const Napi::CallbackInfo& info);                             //
Napi::Value SoftmaxRows(const Napi::CallbackInfo& info);                     //
Napi::Value LogSoftmaxRows(const Napi::CallbackInfo& info);                  //
Napi::Value CpuInfo(const Napi::CallbackInfo& info);                         // info.cc
Napi::Value SetNumThreads(const Napi::CallbackInfo& info);                   //
Napi::Value GetNumThreads(const Napi::CallbackInfo& info);                   //
Napi::Value AddressMisalignment(const Napi::CallbackInfo& info);             // memory.cc

namespace {

template <Napi::Value (*Fn)(const Napi::CallbackInfo&)>
void Export(Napi::Env env, Napi::Object exports, const char* name) {
  exports.Set(name, Napi::Function::New<Guarded<Fn>>(env, name));
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  Export<Sgemm>(env, exports, "sgemm");
  Export<RecurrentWorkspaceSize>(env, exports, "recurrentWorkspaceSize");
  Export<RecurrentBackwardWorkspaceSize>(env, exports, "recurrentBackwardWorkspaceSize");
  Export<RecurrentForward>(env, exports, "recurrentForward");
  Export<RecurrentForwardAsync>(env, exports, "recurrentForwardAsync");
  Export<RecurrentStep>(env, exports, "recurrentStep");
  Export<RecurrentBackward>(env, exports, "recurrentBackward");
  Export<RecurrentBackwardAsync>(env, exports, "recurrentBackwardAsync");
  Export<RecurrentForwardBatch>(env, exports, "recurrentForwardBatch");
  Export<RecurrentBackwardBatch>(env, exports, "recurrentBackwardBatch");
  Export<RecurrentForwardStack>(env, exports, "recurrentForwardStack");
  Export<Tanh>(env, exports, "tanh");
  Export<Sigmoid>(env, exports, "sigmoid");
  Export<Axpy>(env, exports, "axpy");
  Export<Mul>(env, exports, "mul");
  Export<SoftmaxRows>(env, exports, "softmaxRows");
  Export<LogSoftmaxRows>(env, exports, "logSoftmaxRows");
  Export<CpuInfo>(env, exports, "cpuInfo");
  Export<SetNumThreads>(env, exports, "setNumThreads");
  Export<GetNumThreads>(env, exports, "getNumThreads");
  Export<AddressMisalignment>(env, exports, "addressMisalignment");
  return exports;
}

}  // namespace

}  // namespace rnnkit::binding

// NODE_API_MODULE pastes the init function's name into an identifier, so it must be unqualified.
static Napi::Object InitRnnkit(Napi::Env env, Napi::Object exports) { return rnnkit::binding::Init(env, exports); }
NODE_API_MODULE(rnnkit, InitRnnkit)
