// Bindings of the fused recurrent kernels (rnn.cc, lstm.cc, gru.cc): one layer, one direction, a
// whole sequence. The cell is 'rnn_tanh' | 'rnn_relu' | 'lstm' | 'gru'; args objects carry the fields of
// RecurrentForwardArgs / RecurrentBackwardArgs in lib/backend/backend.ts (same names, shapes there).
//
// recurrentWorkspaceSize(cell, T, B, H): number            [sync] floats of the forward workspace
// recurrentBackwardWorkspaceSize(cell, T, B, H): number    [sync] floats of backward's scratch
// recurrentForward(cell, args): undefined                  [sync]
// recurrentForwardAsync(cell, args): Promise<undefined>    [async] same, on libuv's thread pool
// recurrentBackward(cell, args): undefined                 [sync]  gradients accumulate (+=)
// recurrentBackwardAsync(cell, args): Promise<undefined>   [async]
//
// Throws (before any work starts, also for the async variants) TypeError / RangeError naming the
// field: sizes T, B, I, H must be positive integers; every buffer a Float32Array at least as long as
// its shape; optional ones (c0, bIh, bHh, lengths, dX, dH0, dC0, dBIh, dBHh, dOut, dHN, dCN) may be
// null; lengths an Int32Array with each of its first B values in [1, T]. All fields are read first and
// checked after, so a getter cannot change a buffer between its check and the kernel.
#include <iterator>
#include <string>
#include <vector>

#include "args.h"
#include "job.h"

namespace rnnkit::binding {

namespace {

CellKind ParseCell(const Napi::Value& value) {
  const std::string cell = RequireOneOf(value, "cell", {"rnn_tanh", "rnn_relu", "lstm", "gru"});
  if (cell == "lstm") return CellKind::lstm;
  if (cell == "gru") return CellKind::gru;
  return cell == "rnn_relu" ? CellKind::rnn_relu : CellKind::rnn_tanh;
}

int64_t GatesOf(CellKind cell) { return cell == CellKind::lstm ? 4 : cell == CellKind::gru ? 3 : 1; }

// Floats of the forward workspace: rnn T·B·H, lstm 7·T·B·H, gru 5·T·B·H (kernels.h), overflow-checked.
int64_t WorkspaceSize(Napi::Env env, CellKind cell, int64_t T, int64_t B, int64_t H) {
  const int64_t parts = cell == CellKind::lstm ? 7 : cell == CellKind::gru ? 5 : 1;
  CheckedProduct(env, "workspace", {parts, T, B, H});
  switch (cell) {
    case CellKind::lstm: return rnnkit::lstm_workspace_size(T, B, H);
    case CellKind::gru: return rnnkit::gru_workspace_size(T, B, H);
    default: return rnnkit::rnn_workspace_size(T, B, H);
  }
}

int64_t BackwardWorkspaceSize(Napi::Env env, CellKind cell, int64_t T, int64_t B, int64_t H) {
  CheckedProduct(env, "scratch", {4, T, B, H});
  CheckedProduct(env, "scratch", {2, B, H});
  switch (cell) {
    case CellKind::lstm: return rnnkit::lstm_backward_workspace_size(T, B, H);
    case CellKind::gru: return rnnkit::gru_backward_workspace_size(T, B, H);
    default: return rnnkit::rnn_backward_workspace_size(T, B, H);
  }
}

struct Sizes {
  int64_t T, B, I, H, G;
  int64_t TBH, TBI, BH, GH, GHI, GHH;
};

Sizes ParseSizes(Napi::Env env, CellKind cell, const Napi::Value& T, const Napi::Value& B, const Napi::Value& I,
                 const Napi::Value& H) {
  Sizes s{};
  s.T = RequireDim(T, "T", 1);
  s.B = RequireDim(B, "B", 1);
  s.I = RequireDim(I, "I", 1);
  s.H = RequireDim(H, "H", 1);
  s.G = GatesOf(cell);
  s.TBH = CheckedProduct(env, "T * B * H", {s.T, s.B, s.H});
  s.TBI = CheckedProduct(env, "T * B * I", {s.T, s.B, s.I});
  s.BH = CheckedProduct(env, "B * H", {s.B, s.H});
  s.GH = CheckedProduct(env, "G * H", {s.G, s.H});
  s.GHI = CheckedProduct(env, "G * H * I", {s.G, s.H, s.I});
  s.GHH = CheckedProduct(env, "G * H * H", {s.G, s.H, s.H});
  return s;
}

const char* const kForwardFields[] = {"out", "hN", "cN", "workspace", "x", "h0", "c0", "wIh", "wHh",
                                      "bIh", "bHh", "lengths", "reverse", "T", "B", "I", "H"};
const char* const kBackwardFields[] = {"dX", "dH0", "dC0", "dWIh", "dWHh", "dBIh", "dBHh", "scratch", "dOut",
                                       "dHN", "dCN", "x", "h0", "c0", "wIh", "wHh", "out", "workspace",
                                       "lengths", "reverse", "T", "B", "I", "H"};

template <size_t N>
std::vector<Napi::Value> ReadAll(const Napi::Object& args, const char* const (&names)[N]) {
  std::vector<Napi::Value> values;
  values.reserve(N);
  for (const char* name : names) values.push_back(args.Get(name));
  return values;
}

RecurrentForwardJob ParseForward(const Napi::CallbackInfo& info, std::vector<Napi::Value>& values) {
  const Napi::Env env = info.Env();
  const CellKind cell = ParseCell(Arg(info, 0));
  values = ReadAll(RequireObject(Arg(info, 1), "args"), kForwardFields);
  auto v = [&](const char* name) -> const Napi::Value& {
    for (size_t i = 0; i < std::size(kForwardFields); ++i)
      if (std::string(kForwardFields[i]) == name) return values[i];
    throw Napi::Error::New(env, "rnnkit: internal error: unknown field");
  };
  const Sizes s = ParseSizes(env, cell, v("T"), v("B"), v("I"), v("H"));
  const bool lstm = cell == CellKind::lstm;
  RecurrentForwardJob job{};
  job.cell = cell;
  rnnkit::RecurrentForwardArgs& a = job.args;
  a.T = s.T, a.B = s.B, a.I = s.I, a.H = s.H;
  a.reverse = RequireBool(v("reverse"), "reverse");
  a.out = RequireF32(v("out"), "out", s.TBH).data;
  a.hN = RequireF32(v("hN"), "hN", s.BH).data;
  a.cN = lstm ? RequireF32(v("cN"), "cN", s.BH).data : nullptr;
  a.workspace = RequireF32(v("workspace"), "workspace", WorkspaceSize(env, cell, s.T, s.B, s.H)).data;
  a.x = RequireF32(v("x"), "x", s.TBI).data;
  a.h0 = RequireF32(v("h0"), "h0", s.BH).data;
  a.c0 = lstm ? OptionalF32(v("c0"), "c0", s.BH).data : nullptr;
  a.wIh = RequireF32(v("wIh"), "wIh", s.GHI).data;
  a.wHh = RequireF32(v("wHh"), "wHh", s.GHH).data;
  a.bIh = OptionalF32(v("bIh"), "bIh", s.GH).data;
  a.bHh = OptionalF32(v("bHh"), "bHh", s.GH).data;
  a.lengths = OptionalLengths(v("lengths"), "lengths", s.B, 1, s.T);
  return job;
}

RecurrentBackwardJob ParseBackward(const Napi::CallbackInfo& info, std::vector<Napi::Value>& values) {
  const Napi::Env env = info.Env();
  const CellKind cell = ParseCell(Arg(info, 0));
  values = ReadAll(RequireObject(Arg(info, 1), "args"), kBackwardFields);
  auto v = [&](const char* name) -> const Napi::Value& {
    for (size_t i = 0; i < std::size(kBackwardFields); ++i)
      if (std::string(kBackwardFields[i]) == name) return values[i];
    throw Napi::Error::New(env, "rnnkit: internal error: unknown field");
  };
  const Sizes s = ParseSizes(env, cell, v("T"), v("B"), v("I"), v("H"));
  const bool lstm = cell == CellKind::lstm;
  RecurrentBackwardJob job{};
  job.cell = cell;
  rnnkit::RecurrentBackwardArgs& a = job.args;
  a.T = s.T, a.B = s.B, a.I = s.I, a.H = s.H;
  a.reverse = RequireBool(v("reverse"), "reverse");
  a.dX = OptionalF32(v("dX"), "dX", s.TBI).data;
  a.dH0 = OptionalF32(v("dH0"), "dH0", s.BH).data;
  a.dC0 = lstm ? OptionalF32(v("dC0"), "dC0", s.BH).data : nullptr;
  a.dWIh = RequireF32(v("dWIh"), "dWIh", s.GHI).data;
  a.dWHh = RequireF32(v("dWHh"), "dWHh", s.GHH).data;
  a.dBIh = OptionalF32(v("dBIh"), "dBIh", s.GH).data;
  a.dBHh = OptionalF32(v("dBHh"), "dBHh", s.GH).data;
  a.scratch = RequireF32(v("scratch"), "scratch", BackwardWorkspaceSize(env, cell, s.T, s.B, s.H)).data;
  a.dOut = OptionalF32(v("dOut"), "dOut", s.TBH).data;
  a.dHN = OptionalF32(v("dHN"), "dHN", s.BH).data;
  a.dCN = lstm ? OptionalF32(v("dCN"), "dCN", s.BH).data : nullptr;
  a.x = RequireF32(v("x"), "x", s.TBI).data;
  a.h0 = RequireF32(v("h0"), "h0", s.BH).data;
  a.c0 = lstm ? OptionalF32(v("c0"), "c0", s.BH).data : nullptr;
  a.wIh = RequireF32(v("wIh"), "wIh", s.GHI).data;
  a.wHh = RequireF32(v("wHh"), "wHh", s.GHH).data;
  a.out = RequireF32(v("out"), "out", s.TBH).data;
  a.workspace = RequireF32(v("workspace"), "workspace", WorkspaceSize(env, cell, s.T, s.B, s.H)).data;
  a.lengths = OptionalLengths(v("lengths"), "lengths", s.B, 1, s.T);
  return job;
}

Napi::Value SizeBinding(const Napi::CallbackInfo& info, bool backward) {
  const Napi::Env env = info.Env();
  const CellKind cell = ParseCell(Arg(info, 0));
  const int64_t T = RequireDim(Arg(info, 1), "T", 1);
  const int64_t B = RequireDim(Arg(info, 2), "B", 1);
  const int64_t H = RequireDim(Arg(info, 3), "H", 1);
  const int64_t size = backward ? BackwardWorkspaceSize(env, cell, T, B, H) : WorkspaceSize(env, cell, T, B, H);
  return Napi::Number::New(env, static_cast<double>(size));
}

}  // namespace

Napi::Value RecurrentWorkspaceSize(const Napi::CallbackInfo& info) { return SizeBinding(info, false); }
Napi::Value RecurrentBackwardWorkspaceSize(const Napi::CallbackInfo& info) { return SizeBinding(info, true); }

Napi::Value RecurrentForward(const Napi::CallbackInfo& info) {
  std::vector<Napi::Value> values;
  ParseForward(info, values).Run();
  return info.Env().Undefined();
}

Napi::Value RecurrentForwardAsync(const Napi::CallbackInfo& info) {
  std::vector<Napi::Value> values;
  const RecurrentForwardJob job = ParseForward(info, values);
  return RunAsync(info.Env(), job, values);
}

Napi::Value RecurrentBackward(const Napi::CallbackInfo& info) {
  std::vector<Napi::Value> values;
  ParseBackward(info, values).Run();
  return info.Env().Undefined();
}

Napi::Value RecurrentBackwardAsync(const Napi::CallbackInfo& info) {
  std::vector<Napi::Value> values;
  const RecurrentBackwardJob job = ParseBackward(info, values);
  return RunAsync(info.Env(), job, values);
}

}  // namespace rnnkit::binding
