// Plain job structs (sharp's "baton") and KernelWorker<Job>. A binding validates its arguments on the
// JS thread, copies pointers and sizes into a Job, and either calls job.Run() inline ([sync]) or hands
// it to a KernelWorker ([async]), whose Execute() runs on a libuv thread and calls kernels only: no
// N-API there. The worker holds references to every buffer the job points into, so none can be
// collected while it runs; callers must not detach or transfer those buffers before the promise
// settles (a Float32Array's memory cannot be pinned against that).
#pragma once

#include <napi.h>

#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "kernels.h"

namespace rnnkit::binding {

enum class CellKind { rnn_tanh, rnn_relu, lstm, gru };

struct GemmJob {
  bool transA, transB;
  int64_t M, N, K;
  float alpha;
  const float* A;
  int64_t lda;
  const float* B;
  int64_t ldb;
  float beta;
  float* C;
  int64_t ldc;
  void Run() const { rnnkit::sgemm(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc); }
};

struct RecurrentForwardJob {
  CellKind cell;
  rnnkit::RecurrentForwardArgs args;
  void Run() const {
    switch (cell) {
      case CellKind::rnn_tanh: return rnnkit::rnn_forward(rnnkit::RnnActivation::tanh, args);
      case CellKind::rnn_relu: return rnnkit::rnn_forward(rnnkit::RnnActivation::relu, args);
      case CellKind::lstm: return rnnkit::lstm_forward(args);
      case CellKind::gru: return rnnkit::gru_forward(args);
    }
  }
};

struct RecurrentBackwardJob {
  CellKind cell;
  rnnkit::RecurrentBackwardArgs args;
  void Run() const {
    switch (cell) {
      case CellKind::rnn_tanh: return rnnkit::rnn_backward(rnnkit::RnnActivation::tanh, args);
      case CellKind::rnn_relu: return rnnkit::rnn_backward(rnnkit::RnnActivation::relu, args);
      case CellKind::lstm: return rnnkit::lstm_backward(args);
      case CellKind::gru: return rnnkit::gru_backward(args);
    }
  }
};

// Runs a Job on libuv's thread pool and settles a Promise: resolved with undefined, or rejected with
// an Error if the kernel threw (it does not, short of running out of memory).
template <class Job>
class KernelWorker : public Napi::AsyncWorker {
 public:
  KernelWorker(Napi::Env env, const Job& job, const std::vector<Napi::Value>& buffers)
      : Napi::AsyncWorker(env, "rnnkit:kernel"), job_(job), deferred_(Napi::Promise::Deferred::New(env)) {
    for (const Napi::Value& buffer : buffers) {
      if (buffer.IsObject()) keep_alive_.push_back(Napi::Persistent(buffer.As<Napi::Object>()));
    }
  }

  Napi::Promise Promise() const { return deferred_.Promise(); }

  void Execute() override {
    try {
      job_.Run();
    } catch (const std::exception& e) {
      SetError(e.what());
    }
  }

  void OnOK() override { deferred_.Resolve(Env().Undefined()); }
  void OnError(const Napi::Error& error) override { deferred_.Reject(error.Value()); }

 private:
  Job job_;
  Napi::Promise::Deferred deferred_;
  std::vector<Napi::ObjectReference> keep_alive_;
};

// Queues a KernelWorker for `job` and returns its promise (the worker deletes itself when done).
template <class Job>
Napi::Promise RunAsync(Napi::Env env, const Job& job, const std::vector<Napi::Value>& buffers) {
  auto* worker = new KernelWorker<Job>(env, job, buffers);
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

// Wraps an exported function so that a C++ exception other than Napi::Error (std::bad_alloc, say)
// becomes a JS Error instead of terminating the process.
template <Napi::Value (*Fn)(const Napi::CallbackInfo&)>
Napi::Value Guarded(const Napi::CallbackInfo& info) {
  try {
    return Fn(info);
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), std::string("rnnkit: ") + e.what());
  }
}

}  // namespace rnnkit::binding
