// Argument checks of the binding: every exported function validates each argument here before any
// kernel runs, and a bad one throws a JS TypeError (wrong type) or RangeError (wrong value, too short,
// too large) whose message names the argument, the expected and the actual value, in the library's one
// format (lib/util/check.ts): "M must be a non-negative integer, got -3". JavaScript can call the addon
// directly, so nothing a caller passes may crash the process: sizes are bounded so that products fit
// in 64 bits, buffer lengths are checked against them, and detached buffers are refused.
// (After sharp's is.invalidParameterError and better-sqlite3's REQUIRE_ARGUMENT_*.)
//
// Speed: a streaming caller makes one call per time step, so the passing path of every check is a
// few raw N-API calls with no allocation (one napi_get_typedarray_info per buffer); the message
// strings are only built on the way to a throw. (A one-step LSTM call spent ~4.7 µs here before.)
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>

namespace rnnkit::binding {

// The largest size or stride accepted: 2^31 − 1, so any product of two stays exact in int64.
constexpr int64_t kMaxDim = 2147483647;

// A zero-copy view of a Float32Array's elements (nullptr/0 for an optional argument left null).
struct F32View {
  float* data = nullptr;
  int64_t length = 0;
};

std::string Describe(const Napi::Value& value);  // "Float32Array(6)", "-3", "null", "\"abc\"", ...
[[noreturn]] void ThrowType(Napi::Env env, const std::string& name, const std::string& expected, const Napi::Value& got);
[[noreturn]] void ThrowRange(Napi::Env env, const std::string& name, const std::string& expected, const Napi::Value& got);
[[noreturn]] void ThrowRangeText(Napi::Env env, const std::string& name, const std::string& expected, const std::string& got);

// The i-th argument (undefined when absent). Validation is by value, so the same helpers serve
// positional arguments and the fields of an args object.
Napi::Value Arg(const Napi::CallbackInfo& info, size_t i);

// A Float32Array with at least minLength elements, over a live (not detached) buffer.
F32View RequireF32(const Napi::Value& value, const char* name, int64_t minLength);
// Same, or null/undefined → an empty view.
F32View OptionalF32(const Napi::Value& value, const char* name, int64_t minLength);
// null/undefined → nullptr; else an Int32Array of at least `count` elements, each in [lo, hi].
const int32_t* OptionalLengths(const Napi::Value& value, const char* name, int64_t count, int64_t lo, int64_t hi);
// An integer number in [lo, hi] (hi ≤ kMaxDim).
int64_t RequireDim(const Napi::Value& value, const char* name, int64_t lo, int64_t hi = kMaxDim);
bool RequireBool(const Napi::Value& value, const char* name);
float RequireNumber(const Napi::Value& value, const char* name);
std::string RequireOneOf(const Napi::Value& value, const char* name, std::initializer_list<const char*> allowed);
Napi::Object RequireObject(const Napi::Value& value, const char* name);

// The cell argument of the recurrent bindings, 'rnn_tanh' | 'rnn_relu' | 'lstm' | 'gru', as an index
// into that list (RangeError/TypeError otherwise).
int RequireCell(const Napi::Value& value, const char* name);

// values[i] = object[names[i]] for i < count, read straight through napi_get_named_property (measured
// faster than caching the key strings: V8 finds an internalized name quickly). A throwing getter's
// exception propagates.
void ReadProperties(const Napi::Object& object, const char* const* names, size_t count, Napi::Value* values);

// a · b · ... with overflow detection: a product past 2^53 (beyond what a JS number or a typed
// array can index exactly) throws RangeError naming `what`.
int64_t CheckedProduct(Napi::Env env, const char* what, std::initializer_list<int64_t> factors);

}  // namespace rnnkit::binding
