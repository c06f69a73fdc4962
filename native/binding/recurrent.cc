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
// recurrentForwardBatch(cell, argsList): undefined         [sync] several independent calls (the two
// recurrentBackwardBatch(cell, argsList): undefined        [sync] directions of a bidirectional
//   layer) at once: argsList is an Array of 1..16 args objects, each checked as above (a message
//   names the field, not the list index); with more than one kernel thread (setNumThreads) they run
//   concurrently, one per pool thread, each single-threaded inside. Their output buffers must not
//   overlap (the library's never do; overlapping ones race, without memory unsafety).
// recurrentForwardStack(cell, argsList): undefined         [sync] stacked unidirectional layers,
//   forward only (kernels.h lstm_forward_stacked): cell 'lstm' or 'gru'; argsList an Array of 1..16
//   args objects, each checked as above, with workspace null and reverse false, the T, B and lengths
//   of argsList[0], and argsList[k].x the very Float32Array argsList[k - 1].out (so I = the H below).
//   With 2 ≤ threads ≤ layers they run as a wavefront, one pool thread per layer.
// recurrentStep(cell, out, hN, cN, x, h0, c0, wIh, wHh, bIh, bHh, B, I, H): undefined   [sync]
//   One forward-only step: recurrentForward with T = 1, workspace, lengths null and reverse false,
//   its fields as positional arguments (shapes as there with T = 1; cN and c0 are ignored unless the
//   cell is 'lstm'). For streaming callers (LSTMCell one step per call): reading 17 named properties
//   off an args object cost ~3 µs of a ~20 µs step; positional arguments cost none.
//
// Throws (before any work starts, also for the async variants) TypeError / RangeError naming the
// field: sizes T, B, I, H must be positive integers; every buffer a Float32Array at least as long as
// its shape; optional ones (c0, bIh, bHh, lengths, dX, dH0, dC0, dBIh, dBHh, dOut, dHN, dCN, and the
// forward workspace: null = forward only, nothing saved; cpuInfo().features has 'forward-only') may be
// null; lengths an Int32Array with each of its first B values in [1, T]. All fields are read first and
// checked after, so a getter cannot change a buffer between its check and the kernel.
#include <algorithm>
#include <exception>
#include <iterator>
#include <string>
#include <vector>

#include "args.h"
#include "dispatch.h"
#include "job.h"
#include "threads.h"

namespace rnnkit::binding {

namespace {

CellKind ParseCell(const Napi::Value& value) {
  static const CellKind kinds[] = {CellKind::rnn_tanh, CellKind::rnn_relu, CellKind::lstm, CellKind::gru};
  return kinds[RequireCell(value, "cell")];
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
                 const Napi::Value& H);

// The sizes of a call with T steps (B, I, H from the caller's arguments), products overflow-checked.
Sizes SizesOf(Napi::Env env, CellKind cell, int64_t T, int64_t B, int64_t I, int64_t H) {
  Sizes s{};
  s.T = T;
  s.B = B;
  s.I = I;
  s.H = H;
  s.G = GatesOf(cell);
  s.TBH = CheckedProduct(env, "T * B * H", {s.T, s.B, s.H});
  s.TBI = CheckedProduct(env, "T * B * I", {s.T, s.B, s.I});
  s.BH = CheckedProduct(env, "B * H", {s.B, s.H});
  s.GH = CheckedProduct(env, "G * H", {s.G, s.H});
  s.GHI = CheckedProduct(env, "G * H * I", {s.G, s.H, s.I});
  s.GHH = CheckedProduct(env, "G * H * H", {s.G, s.H, s.H});
  return s;
}

Sizes ParseSizes(Napi::Env env, CellKind cell, const Napi::Value& T, const Napi::Value& B, const Napi::Value& I,
                 const Napi::Value& H) {
  const int64_t t = RequireDim(T, "T", 1), b = RequireDim(B, "B", 1), i = RequireDim(I, "I", 1);
  return SizesOf(env, cell, t, b, i, RequireDim(H, "H", 1));
}

// The fields of the args objects, in the order the Parse functions read them (indexes: the enums).
const char* const kForwardFields[] = {"out", "hN", "cN", "workspace", "x", "h0", "c0", "wIh", "wHh",
                                      "bIh", "bHh", "lengths", "reverse", "T", "B", "I", "H"};
enum ForwardField { fOut, fHN, fCN, fWorkspace, fX, fH0, fC0, fWIh, fWHh, fBIh, fBHh, fLengths, fReverse, fT, fB, fI, fH,
                    kForwardFieldCount };
const char* const kBackwardFields[] = {"dX", "dH0", "dC0", "dWIh", "dWHh", "dBIh", "dBHh", "scratch", "dOut",
                                       "dHN", "dCN", "x", "h0", "c0", "wIh", "wHh", "out", "workspace",
                                       "lengths", "reverse", "T", "B", "I", "H"};
enum BackwardField { bDX, bDH0, bDC0, bDWIh, bDWHh, bDBIh, bDBHh, bScratch, bDOut, bDHN, bDCN, bX, bH0, bC0, bWIh, bWHh,
                     bOut, bWorkspace, bLengths, bReverse, bT, bB, bI, bH, kBackwardFieldCount };
static_assert(std::size(kForwardFields) == kForwardFieldCount && std::size(kBackwardFields) == kBackwardFieldCount);

// The field values of one call; kept for the async variants, whose worker holds them alive.
template <size_t N>
struct Fields {
  Napi::Value values[N];
  std::vector<Napi::Value> All() const { return std::vector<Napi::Value>(values, values + N); }
};

RecurrentForwardJob ParseForwardObject(Napi::Env env, CellKind cell, const Napi::Object& object,
                                       Fields<kForwardFieldCount>& fields) {
  ReadProperties(object, kForwardFields, kForwardFieldCount, fields.values);
  const Napi::Value* v = fields.values;
  const Sizes s = ParseSizes(env, cell, v[fT], v[fB], v[fI], v[fH]);
  const bool lstm = cell == CellKind::lstm;
  RecurrentForwardJob job{};
  job.cell = cell;
  rnnkit::RecurrentForwardArgs& a = job.args;
  a.T = s.T, a.B = s.B, a.I = s.I, a.H = s.H;
  a.reverse = RequireBool(v[fReverse], "reverse");
  a.out = RequireF32(v[fOut], "out", s.TBH).data;
  a.hN = RequireF32(v[fHN], "hN", s.BH).data;
  a.cN = lstm ? RequireF32(v[fCN], "cN", s.BH).data : nullptr;
  // null: forward only (kernels.h), nothing saved for backward
  a.workspace = OptionalF32(v[fWorkspace], "workspace", WorkspaceSize(env, cell, s.T, s.B, s.H)).data;
  a.x = RequireF32(v[fX], "x", s.TBI).data;
  a.h0 = RequireF32(v[fH0], "h0", s.BH).data;
  a.c0 = lstm ? OptionalF32(v[fC0], "c0", s.BH).data : nullptr;
  a.wIh = RequireF32(v[fWIh], "wIh", s.GHI).data;
  a.wHh = RequireF32(v[fWHh], "wHh", s.GHH).data;
  a.bIh = OptionalF32(v[fBIh], "bIh", s.GH).data;
  a.bHh = OptionalF32(v[fBHh], "bHh", s.GH).data;
  a.lengths = OptionalLengths(v[fLengths], "lengths", s.B, 1, s.T);
  return job;
}

RecurrentBackwardJob ParseBackwardObject(Napi::Env env, CellKind cell, const Napi::Object& object,
                                         Fields<kBackwardFieldCount>& fields) {
  ReadProperties(object, kBackwardFields, kBackwardFieldCount, fields.values);
  const Napi::Value* v = fields.values;
  const Sizes s = ParseSizes(env, cell, v[bT], v[bB], v[bI], v[bH]);
  const bool lstm = cell == CellKind::lstm;
  RecurrentBackwardJob job{};
  job.cell = cell;
  rnnkit::RecurrentBackwardArgs& a = job.args;
  a.T = s.T, a.B = s.B, a.I = s.I, a.H = s.H;
  a.reverse = RequireBool(v[bReverse], "reverse");
  a.dX = OptionalF32(v[bDX], "dX", s.TBI).data;
  a.dH0 = OptionalF32(v[bDH0], "dH0", s.BH).data;
  a.dC0 = lstm ? OptionalF32(v[bDC0], "dC0", s.BH).data : nullptr;
  a.dWIh = RequireF32(v[bDWIh], "dWIh", s.GHI).data;
  a.dWHh = RequireF32(v[bDWHh], "dWHh", s.GHH).data;
  a.dBIh = OptionalF32(v[bDBIh], "dBIh", s.GH).data;
  a.dBHh = OptionalF32(v[bDBHh], "dBHh", s.GH).data;
  a.scratch = RequireF32(v[bScratch], "scratch", BackwardWorkspaceSize(env, cell, s.T, s.B, s.H)).data;
  a.dOut = OptionalF32(v[bDOut], "dOut", s.TBH).data;
  a.dHN = OptionalF32(v[bDHN], "dHN", s.BH).data;
  a.dCN = lstm ? OptionalF32(v[bDCN], "dCN", s.BH).data : nullptr;
  a.x = RequireF32(v[bX], "x", s.TBI).data;
  a.h0 = RequireF32(v[bH0], "h0", s.BH).data;
  a.c0 = lstm ? OptionalF32(v[bC0], "c0", s.BH).data : nullptr;
  a.wIh = RequireF32(v[bWIh], "wIh", s.GHI).data;
  a.wHh = RequireF32(v[bWHh], "wHh", s.GHH).data;
  a.out = RequireF32(v[bOut], "out", s.TBH).data;
  a.workspace = RequireF32(v[bWorkspace], "workspace", WorkspaceSize(env, cell, s.T, s.B, s.H)).data;
  a.lengths = OptionalLengths(v[bLengths], "lengths", s.B, 1, s.T);
  return job;
}

RecurrentForwardJob ParseForward(const Napi::CallbackInfo& info, Fields<kForwardFieldCount>& fields) {
  const CellKind cell = ParseCell(Arg(info, 0));
  return ParseForwardObject(info.Env(), cell, RequireObject(Arg(info, 1), "args"), fields);
}

RecurrentBackwardJob ParseBackward(const Napi::CallbackInfo& info, Fields<kBackwardFieldCount>& fields) {
  const CellKind cell = ParseCell(Arg(info, 0));
  return ParseBackwardObject(info.Env(), cell, RequireObject(Arg(info, 1), "args"), fields);
}

constexpr uint32_t kMaxBatch = 16;

// argsList (a batch's or a stack's): an Array of 1..kMaxBatch entries, else TypeError / RangeError.
Napi::Array RequireArgsList(Napi::Env env, const Napi::Value& list, const char* expected) {
  if (!list.IsArray()) ThrowType(env, "argsList", expected, list);
  const Napi::Array array = list.As<Napi::Array>();
  const uint32_t count = array.Length();
  if (count < 1 || count > kMaxBatch) {
    ThrowRangeText(env, "argsList", "an Array of 1.." + std::to_string(kMaxBatch) + " args objects",
                   "an Array of " + std::to_string(count));
  }
  return array;
}

// Parses argsList (info[1]) into jobs, then runs them: concurrently over the pool when it has more
// than one thread (each task under the caller's KernelTable, so RNNKIT_SIMD and test overrides hold
// on the pool's threads too), else one after the other.
template <class Job, size_t N, Job (*Parse)(Napi::Env, CellKind, const Napi::Object&, Fields<N>&)>
Napi::Value RunBatch(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const CellKind cell = ParseCell(Arg(info, 0));
  const Napi::Array array = RequireArgsList(env, Arg(info, 1), "an Array of args objects");
  const uint32_t count = array.Length();
  std::vector<Fields<N>> fields(count);
  std::vector<Job> jobs;
  jobs.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    const std::string name = "argsList[" + std::to_string(i) + "]";
    jobs.push_back(Parse(env, cell, RequireObject(array.Get(i), name.c_str()), fields[i]));
  }
  if (count == 1 || rnnkit::thread_count() <= 1) {
    for (const Job& job : jobs) job.Run();
  } else {
    // An exception must not leave a pool thread (std::terminate): each task keeps its own, and the
    // first one is rethrown here, on the calling thread, where Guarded turns it into a JS Error.
    const rnnkit::KernelTable& table = rnnkit::kernels();
    std::vector<std::exception_ptr> errors(count);
    rnnkit::parallel_for(static_cast<int64_t>(count), [&](int64_t i) {
      try {
        const rnnkit::ScopedKernelTable use(table);
        jobs[static_cast<size_t>(i)].Run();
      } catch (...) {
        errors[static_cast<size_t>(i)] = std::current_exception();
      }
    });
    for (const std::exception_ptr& error : errors)
      if (error) std::rethrow_exception(error);
  }
  return env.Undefined();
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
  Fields<kForwardFieldCount> fields;
  ParseForward(info, fields).Run();
  return info.Env().Undefined();
}

Napi::Value RecurrentStep(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const CellKind cell = ParseCell(Arg(info, 0));
  const int64_t B = RequireDim(Arg(info, 11), "B", 1), I = RequireDim(Arg(info, 12), "I", 1);
  const Sizes s = SizesOf(env, cell, 1, B, I, RequireDim(Arg(info, 13), "H", 1));
  const bool lstm = cell == CellKind::lstm;
  RecurrentForwardJob job{};
  job.cell = cell;
  rnnkit::RecurrentForwardArgs& a = job.args;
  a.T = 1, a.B = s.B, a.I = s.I, a.H = s.H;
  a.out = RequireF32(Arg(info, 1), "out", s.BH).data;
  a.hN = RequireF32(Arg(info, 2), "hN", s.BH).data;
  a.cN = lstm ? RequireF32(Arg(info, 3), "cN", s.BH).data : nullptr;
  a.x = RequireF32(Arg(info, 4), "x", s.TBI).data;
  a.h0 = RequireF32(Arg(info, 5), "h0", s.BH).data;
  a.c0 = lstm ? OptionalF32(Arg(info, 6), "c0", s.BH).data : nullptr;
  a.wIh = RequireF32(Arg(info, 7), "wIh", s.GHI).data;
  a.wHh = RequireF32(Arg(info, 8), "wHh", s.GHH).data;
  a.bIh = OptionalF32(Arg(info, 9), "bIh", s.GH).data;
  a.bHh = OptionalF32(Arg(info, 10), "bHh", s.GH).data;
  job.Run();  // workspace and lengths null, reverse false (zero-initialised)
  return env.Undefined();
}

Napi::Value RecurrentForwardAsync(const Napi::CallbackInfo& info) {
  Fields<kForwardFieldCount> fields;
  const RecurrentForwardJob job = ParseForward(info, fields);
  return RunAsync(info.Env(), job, fields.All());
}

Napi::Value RecurrentBackward(const Napi::CallbackInfo& info) {
  Fields<kBackwardFieldCount> fields;
  ParseBackward(info, fields).Run();
  return info.Env().Undefined();
}

Napi::Value RecurrentBackwardAsync(const Napi::CallbackInfo& info) {
  Fields<kBackwardFieldCount> fields;
  const RecurrentBackwardJob job = ParseBackward(info, fields);
  return RunAsync(info.Env(), job, fields.All());
}

}  // namespace rnnkit::binding

namespace rnnkit::binding {

Napi::Value RecurrentForwardBatch(const Napi::CallbackInfo& info) {
  return RunBatch<RecurrentForwardJob, kForwardFieldCount, ParseForwardObject>(info);
}

Napi::Value RecurrentBackwardBatch(const Napi::CallbackInfo& info) {
  return RunBatch<RecurrentBackwardJob, kBackwardFieldCount, ParseBackwardObject>(info);
}

Napi::Value RecurrentForwardStack(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const CellKind cell = ParseCell(Arg(info, 0));
  if (cell != CellKind::lstm && cell != CellKind::gru) {
    ThrowRange(env, "cell", "'lstm' or 'gru' (stacked layers have no rnn kernel)", Arg(info, 0));
  }
  const Napi::Array array = RequireArgsList(env, Arg(info, 1), "an Array of args objects, one per layer");
  const uint32_t count = array.Length();
  std::vector<Fields<kForwardFieldCount>> fields(count);
  std::vector<rnnkit::RecurrentForwardArgs> layers;
  for (uint32_t k = 0; k < count; ++k) {
    const std::string name = "argsList[" + std::to_string(k) + "]";
    const rnnkit::RecurrentForwardArgs a = ParseForwardObject(env, cell, RequireObject(array.Get(k), name.c_str()), fields[k]).args;
    const Napi::Value* v = fields[k].values;
    if (a.workspace != nullptr) ThrowRange(env, name + ".workspace", "null (stacked layers run forward only)", v[fWorkspace]);
    if (a.reverse) ThrowRange(env, name + ".reverse", "false (stacked layers are unidirectional)", v[fReverse]);
    if (k > 0) {
      const rnnkit::RecurrentForwardArgs& below = layers.back();
      const std::string prev = "argsList[" + std::to_string(k - 1) + "]";
      if (a.T != below.T) ThrowRange(env, name + ".T", prev + ".T = " + std::to_string(below.T), v[fT]);
      if (a.B != below.B) ThrowRange(env, name + ".B", prev + ".B = " + std::to_string(below.B), v[fB]);
      if (a.I != below.H) ThrowRange(env, name + ".I", prev + ".H = " + std::to_string(below.H), v[fI]);
      if (a.x != below.out) ThrowRange(env, name + ".x", "the Float32Array " + prev + ".out", v[fX]);
      const bool same_lengths = a.lengths == below.lengths ||
                                (a.lengths != nullptr && below.lengths != nullptr &&
                                 std::equal(a.lengths, a.lengths + a.B, below.lengths));
      if (!same_lengths) ThrowRange(env, name + ".lengths", "the lengths of " + prev, v[fLengths]);
    }
    layers.push_back(a);
  }
  if (cell == CellKind::lstm) {
    rnnkit::lstm_forward_stacked(layers.data(), count);
  } else {
    rnnkit::gru_forward_stacked(layers.data(), count);
  }
  return env.Undefined();
}

}  // namespace rnnkit::binding
