// Argument checks of the binding (args.h). Describe() never runs user code: objects are described by
// their N-API type (no toString, no getters), so a hostile argument cannot re-enter or throw from here.
#include "args.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

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

namespace {

// The passing path of a Float32Array check: one napi_get_typedarray_info. A detached buffer reports
// length 0, so it never passes here (nor does an empty array: the slow path decides those).
bool FastF32(const Napi::Value& value, int64_t minLength, F32View* view) {
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  if (napi_get_typedarray_info(value.Env(), value, &type, &length, &data, nullptr, nullptr) != napi_ok) return false;
  if (type != napi_float32_array || length == 0 || data == nullptr || static_cast<int64_t>(length) < minLength) {
    return false;
  }
  view->data = static_cast<float*>(data);
  view->length = static_cast<int64_t>(length);
  return true;
}

}  // namespace

F32View RequireF32(const Napi::Value& value, const char* name, int64_t minLength) {
  F32View view;
  if (FastF32(value, minLength, &view)) return view;
  const Napi::Env env = value.Env();
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    ThrowType(env, name, "a Float32Array", value);
  }
  Napi::Float32Array array = value.As<Napi::Float32Array>();
  if (array.ArrayBuffer().IsDetached()) ThrowType(env, name, "a Float32Array over a live (not detached) buffer", value);
  const int64_t length = static_cast<int64_t>(array.ElementLength());
  if (length < minLength) {
    ThrowRange(env, name, "a Float32Array of at least " + std::to_string(minLength) + " elements", value);
  }
  view.data = length == 0 ? nullptr : array.Data();
  view.length = length;
  return view;
}

F32View OptionalF32(const Napi::Value& value, const char* name, int64_t minLength) {
  F32View view;
  if (FastF32(value, minLength, &view)) return view;
  if (IsNullish(value)) return F32View{};
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    ThrowType(value.Env(), name, "a Float32Array or null", value);
  }
  return RequireF32(value, name, minLength);
}

const int32_t* OptionalLengths(const Napi::Value& value, const char* name, int64_t count, int64_t lo,
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
      ThrowRangeText(env, std::string(name) + "[" + std::to_string(b) + "]",
                     "an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]", std::to_string(data[b]));
    }
  }
  return data;
}

int64_t RequireDim(const Napi::Value& value, const char* name, int64_t lo, int64_t hi) {
  double v = 0;
  const bool number = napi_get_value_double(value.Env(), value, &v) == napi_ok;  // fails unless a number
  if (number && v == std::floor(v) && v >= static_cast<double>(lo) && v <= static_cast<double>(hi)) {
    return static_cast<int64_t>(v);
  }
  const std::string expected = lo == 0 && hi == kMaxDim   ? "a non-negative integer"
                               : lo == 1 && hi == kMaxDim ? "a positive integer"
                                                          : "an integer in [" + std::to_string(lo) + ", " +
                                                                std::to_string(hi) + "]";
  if (!number) ThrowType(value.Env(), name, expected, value);
  if (!(v == std::floor(v)) || v < static_cast<double>(lo)) ThrowRange(value.Env(), name, expected, value);
  ThrowRange(value.Env(), name, expected + " (at most " + std::to_string(hi) + ")", value);
}

bool RequireBool(const Napi::Value& value, const char* name) {
  bool b = false;
  if (napi_get_value_bool(value.Env(), value, &b) != napi_ok) ThrowType(value.Env(), name, "a boolean", value);
  return b;
}

float RequireNumber(const Napi::Value& value, const char* name) {
  double v = 0;
  if (napi_get_value_double(value.Env(), value, &v) != napi_ok) ThrowType(value.Env(), name, "a number", value);
  return static_cast<float>(v);
}

std::string RequireOneOf(const Napi::Value& value, const char* name, std::initializer_list<const char*> allowed) {
  std::string expected = "one of";
  for (const char* option : allowed) expected += std::string(expected == "one of" ? " " : ", ") + "'" + option + "'";
  if (!value.IsString()) ThrowType(value.Env(), name, expected, value);
  const std::string s = value.As<Napi::String>().Utf8Value();
  for (const char* option : allowed) {
    if (s == option) return s;
  }
  ThrowRange(value.Env(), name, expected, value);
}

int RequireCell(const Napi::Value& value, const char* name) {
  static const char* const kCells[] = {"rnn_tanh", "rnn_relu", "lstm", "gru"};
  char buffer[16];
  size_t length = 0;
  if (napi_get_value_string_utf8(value.Env(), value, buffer, sizeof buffer, &length) == napi_ok) {
    for (int i = 0; i < 4; ++i)
      if (length == std::strlen(kCells[i]) && std::strcmp(buffer, kCells[i]) == 0) return i;
  }
  RequireOneOf(value, name, {kCells[0], kCells[1], kCells[2], kCells[3]});  // throws the usual message
  ThrowType(value.Env(), name, "a cell name", value);                          // not reached
}

Napi::Object RequireObject(const Napi::Value& value, const char* name) {
  if (!value.IsObject() || value.IsArray() || value.IsTypedArray() || value.IsFunction()) {
    ThrowType(value.Env(), name, "an object", value);
  }
  return value.As<Napi::Object>();
}

void ReadProperties(const Napi::Object& object, const char* const* names, size_t count, Napi::Value* values) {
  const Napi::Env env = object.Env();
  for (size_t i = 0; i < count; ++i) {
    napi_value result;
    NAPI_THROW_IF_FAILED_VOID(env, napi_get_named_property(env, object, names[i], &result));  // a getter may throw
    values[i] = Napi::Value(env, result);
  }
}

int64_t CheckedProduct(Napi::Env env, const char* what, std::initializer_list<int64_t> factors) {
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
