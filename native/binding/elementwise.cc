// Bindings for native/kernels/elementwise.cc and the activation arrays. All [sync]: each is one pass
// over memory, far shorter than a thread hop. Outputs may alias inputs. Throw TypeError/RangeError
// naming the argument (args.h).
//
// tanh(out, x), sigmoid(out, x): out[i] = f(x[i]) for i < x.length; out.length ≥ x.length.
// axpy(y, alpha, x): y[i] += alpha · x[i] for i < x.length; y.length ≥ x.length.
// mul(out, a, b): out[i] = a[i] · b[i] for i < a.length; b.length and out.length ≥ a.length.
// softmaxRows(out, x, rows, cols), logSoftmaxRows(out, x, rows, cols): row-wise over [rows, cols];
//   x and out hold at least rows · cols elements.
#include "args.h"
#include "job.h"

namespace rnnkit::binding {

namespace {

template <void (*Fn)(float*, const float*, int64_t)>
Napi::Value Unary(const Napi::CallbackInfo& info) {
  const F32View x = RequireF32(Arg(info, 1), "x", 0);
  const F32View out = RequireF32(Arg(info, 0), "out", x.length);
  if (x.length > 0) Fn(out.data, x.data, x.length);
  return info.Env().Undefined();
}

template <void (*Fn)(float*, const float*, int64_t, int64_t)>
Napi::Value Rows(const Napi::CallbackInfo& info) {
  const int64_t rows = RequireDim(Arg(info, 2), "rows", 0);
  const int64_t cols = RequireDim(Arg(info, 3), "cols", 0);
  const int64_t n = CheckedProduct(info.Env(), "rows * cols", {rows, cols});
  const F32View x = RequireF32(Arg(info, 1), "x", n);
  const F32View out = RequireF32(Arg(info, 0), "out", n);
  if (n > 0) Fn(out.data, x.data, rows, cols);
  return info.Env().Undefined();
}

}  // namespace

Napi::Value Tanh(const Napi::CallbackInfo& info) { return Unary<rnnkit::tanh_array>(info); }
Napi::Value Sigmoid(const Napi::CallbackInfo& info) { return Unary<rnnkit::sigmoid_array>(info); }
Napi::Value SoftmaxRows(const Napi::CallbackInfo& info) { return Rows<rnnkit::softmax_rows>(info); }
Napi::Value LogSoftmaxRows(const Napi::CallbackInfo& info) { return Rows<rnnkit::log_softmax_rows>(info); }

Napi::Value Axpy(const Napi::CallbackInfo& info) {
  const float alpha = RequireNumber(Arg(info, 1), "alpha");
  const F32View x = RequireF32(Arg(info, 2), "x", 0);
  const F32View y = RequireF32(Arg(info, 0), "y", x.length);
  if (x.length > 0) rnnkit::axpy(y.data, alpha, x.data, x.length);
  return info.Env().Undefined();
}

Napi::Value Mul(const Napi::CallbackInfo& info) {
  const F32View a = RequireF32(Arg(info, 1), "a", 0);
  const F32View b = RequireF32(Arg(info, 2), "b", a.length);
  const F32View out = RequireF32(Arg(info, 0), "out", a.length);
  if (a.length > 0) rnnkit::mul(out.data, a.data, b.data, a.length);
  return info.Env().Undefined();
}

}  // namespace rnnkit::binding
