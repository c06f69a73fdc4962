// Argument checks of the binding (args.h). Describe() never runs user code: objects are described by
// their N-API type (no toString, no getters), so a hostile argument cannot re-enter or throw from here.
#include "args.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace rnnkit::binding {
namespace {

const char* TypedArrayName(napi_typedarray_type type) {
  switch (type) {
    case napi_int8_array: return "Int8Array";
    case napi_uint8_array: return "Uint8Array";
    case napi_uint8_clamped_array: return "Uint8ClampedArray";
    case napi_int16_array: return "Int16Array";
    case napi_uint16_array: return "Uint16Array";
    case napi_int32_array: return "Int32Array";
    case napi_uint32_array: return "Uint32Array";
    case napi_float32_array: return "Float32Array";
    case napi_float64_array: return "Float64Array";
    case napi_bigint64_array: return "BigInt64Array";
    case napi_biguint64_array: return "BigUint64Array";
    default: return "TypedArray";
  }
}

std::string NumberText(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%.17g", v);
  // shortest form that round-trips, as JS prints numbers
  for (int precision = 1; precision <= 17; ++precision) {
    char shorter[40];
    std::snprintf(shorter, sizeof shorter, "%.*g", precision, v);
    if (std::strtod(shorter, nullptr) == v) return shorter;
  }
  return buffer;
}

bool IsNullish(const Napi::Value& value) { return value.IsUndefined() || value.IsNull(); }

}  // namespace

std::string Describe(const Napi::Value& value) {
  if (value.IsUndefined()) return "undefined";
  if (value.IsNull()) return "null";
  if (value.IsBoolean()) return value.As<Napi::Boolean>().Value() ? "true" : "false";
  if (value.IsNumber()) return NumberText(value.As<Napi::Number>().DoubleValue());
  if (value.IsString()) {
    std::string s = value.As<Napi::String>().Utf8Value();
    if (s.size() > 40) s = s.substr(0, 40) + "...";
    return "\"" + s + "\"";
  }
  if (value.IsTypedArray()) {
    const Napi::TypedArray array = value.As<Napi::TypedArray>();
    if (array.ArrayBuffer().IsDetached()) return std::string("a detached ") + TypedArrayName(array.TypedArrayType());
    return std::string(TypedArrayName(array.TypedArrayType())) + "(" + std::to_string(array.ElementLength()) + ")";
  }
  if (value.IsArrayBuffer()) return "ArrayBuffer(" + std::to_string(value.As<Napi::ArrayBuffer>().ByteLength()) + ")";
  if (value.IsDataView()) return "DataView";
  if (value.IsArray()) return "Array(" + std::to_string(value.As<Napi::Array>().Length()) + ")";
  if (value.IsFunction()) return "function";
  if (value.IsPromise()) return "Promise";
  switch (value.Type()) {
    case napi_symbol: return "symbol";
    case napi_bigint: return "bigint";
    default: return "object";
  }
}

void ThrowType(Napi::Env env, const std::string& name, const std::string& expected, const Napi::Value& got) {
  throw Napi::TypeError::New(env, name + " must be " + expected + ", got " + Describe(got));
}

void ThrowRange(Napi::Env env, const std::string& name, const std::string& expected, const Napi::Value& got) {
  ThrowRangeText(env, name, expected, Describe(got));
}

void ThrowRangeText(Napi::Env env, const std::string& name, const std::string& expected, const std::string& got) {
  throw Napi::RangeError::New(env, name + " must be " + expected + ", got " + got);
}

Napi::Value Arg(const Napi::CallbackInfo& info, size_t i) { return i < info.Length() ? info[i] : info.Env().Undefined(); }

F32View RequireF32(const Napi::Value& value, const std::string& name, int64_t minLength) {
  const Napi::Env env = value.Env();
  const std::string expected = "a Float32Array of at least " + std::to_string(minLength) + " elements";
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    ThrowType(env, name, "a Float32Array", value);
  }
  Napi::Float32Array array = value.As<Napi::Float32Array>();
  if (array.ArrayBuffer().IsDetached()) ThrowType(env, name, "a Float32Array over a live (not detached) buffer", value);
  const int64_t length = static_cast<int64_t>(array.ElementLength());
  if (length < minLength) ThrowRange(env, name, expected, value);
  F32View view;
  view.data = length == 0 ? nullptr : array.Data();
  view.length = length;
  return view;
}

F32View OptionalF32(const Napi::Value& value, const std::string& name, int64_t minLength) {
  if (IsNullish(value)) return F32View{};
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    ThrowType(value.Env(), name, "a Float32Array or null", value);
  }
  return RequireF32(value, name, minLength);
}

const int32_t* OptionalLengths(const Napi::Value& value, const std::string& name, int64_t count, int64_t lo,
                               int64_t hi) {
  if (IsNullish(value)) return nullptr;
  const Napi::Env env = value.Env();
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
    ThrowType(env, name, "an Int32Array or null", value);
  }
  Napi::Int32Array array = value.As<Napi::Int32Array>();
  if (array.ArrayBuffer().IsDetached()) ThrowType(env, name, "an Int32Array over a live (not detached) buffer", value);
  if (static_cast<int64_t>(array.ElementLength()) < count) {
    ThrowRange(env, name, "an Int32Array of at least " + std::to_string(count) + " elements", value);
  }
  const int32_t* data = array.Data();
  for (int64_t b = 0; b < count; ++b) {
    if (data[b] < lo || data[b] > hi) {
      ThrowRangeText(env, name + "[" + std::to_string(b) + "]",
                     "an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]", std::to_string(data[b]));
    }
  }
  return data;
}

int64_t RequireDim(const Napi::Value& value, const std::string& name, int64_t lo, int64_t hi) {
  const std::string expected = lo == 0 && hi == kMaxDim   ? "a non-negative integer"
                               : lo == 1 && hi == kMaxDim ? "a positive integer"
                                                          : "an integer in [" + std::to_string(lo) + ", " +
                                                                std::to_string(hi) + "]";
  if (!value.IsNumber()) ThrowType(value.Env(), name, expected, value);
  const double v = value.As<Napi::Number>().DoubleValue();
  if (!(v == std::floor(v)) || v < static_cast<double>(lo)) ThrowRange(value.Env(), name, expected, value);
  if (v > static_cast<double>(hi)) {
    ThrowRange(value.Env(), name, expected + " (at most " + std::to_string(hi) + ")", value);
  }
  return static_cast<int64_t>(v);
}

bool RequireBool(const Napi::Value& value, const std::string& name) {
  if (!value.IsBoolean()) ThrowType(value.Env(), name, "a boolean", value);
  return value.As<Napi::Boolean>().Value();
}

float RequireNumber(const Napi::Value& value, const std::string& name) {
  if (!value.IsNumber()) ThrowType(value.Env(), name, "a number", value);
  return static_cast<float>(value.As<Napi::Number>().DoubleValue());
}

std::string RequireOneOf(const Napi::Value& value, const std::string& name, std::initializer_list<const char*> allowed) {
  std::string expected = "one of";
  for (const char* option : allowed) expected += std::string(expected == "one of" ? " " : ", ") + "'" + option + "'";
  if (!value.IsString()) ThrowType(value.Env(), name, expected, value);
  const std::string s = value.As<Napi::String>().Utf8Value();
  for (const char* option : allowed) {
    if (s == option) return s;
  }
  ThrowRange(value.Env(), name, expected, value);
}

Napi::Object RequireObject(const Napi::Value& value, const std::string& name) {
  if (!value.IsObject() || value.IsArray() || value.IsTypedArray() || value.IsFunction()) {
    ThrowType(value.Env(), name, "an object", value);
  }
  return value.As<Napi::Object>();
}

int64_t CheckedProduct(Napi::Env env, const std::string& what, std::initializer_list<int64_t> factors) {
  constexpr int64_t kLimit = int64_t{1} << 53;
  int64_t product = 1;
  for (int64_t f : factors) {
    // every factor is in [0, kMaxDim] (RequireDim), so this division test is exact
    if (f != 0 && product > kLimit / f) {
      ThrowRangeText(env, what, "at most 2^53 elements", "a size product that overflows");
    }
    product *= f;
  }
  return product;
}

}  // namespace rnnkit::binding
