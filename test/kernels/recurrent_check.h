// One check of a fused recurrent kernel on one KernelTable: forward outputs and the whole workspace
// against reference_forward, and every gradient of backward against central finite differences of
// reference_loss (all coordinates of small tensors, a seeded sample of larger ones). Gradient buffers
// are pre-filled with 0.25 to prove backward accumulates; padded x is NaN to prove it is never read.
#pragma once

#include <limits>

#include "recurrent_reference.h"

namespace rnnkit_test {

struct Variant {
  bool dOutNull = false;  // backward gets dOut = nullptr (the loss then has no Σ out·R term)
  bool dXNull = false;    // no input gradient wanted (dX = dH0 = dC0 = nullptr)
};

inline void run_forward(Cell cell, const rnnkit::RecurrentForwardArgs& a) {
  switch (cell) {
    case Cell::rnn_tanh: return rnnkit::rnn_forward(rnnkit::RnnActivation::tanh, a);
    case Cell::rnn_relu: return rnnkit::rnn_forward(rnnkit::RnnActivation::relu, a);
    case Cell::lstm: return rnnkit::lstm_forward(a);
    case Cell::gru: return rnnkit::gru_forward(a);
  }
}

inline void run_backward(Cell cell, const rnnkit::RecurrentBackwardArgs& a) {
  switch (cell) {
    case Cell::rnn_tanh: return rnnkit::rnn_backward(rnnkit::RnnActivation::tanh, a);
    case Cell::rnn_relu: return rnnkit::rnn_backward(rnnkit::RnnActivation::relu, a);
    case Cell::lstm: return rnnkit::lstm_backward(a);
    case Cell::gru: return rnnkit::gru_backward(a);
  }
}

inline int64_t workspace_size(Cell cell, int64_t T, int64_t B, int64_t H) {
  return cell == Cell::lstm ? rnnkit::lstm_workspace_size(T, B, H)
         : cell == Cell::gru ? rnnkit::gru_workspace_size(T, B, H)
                             : rnnkit::rnn_workspace_size(T, B, H);
}

inline int64_t backward_workspace_size(Cell cell, int64_t T, int64_t B, int64_t H) {
  return cell == Cell::lstm ? rnnkit::lstm_backward_workspace_size(T, B, H)
         : cell == Cell::gru ? rnnkit::gru_backward_workspace_size(T, B, H)
                             : rnnkit::rnn_backward_workspace_size(T, B, H);
}

// Finite-difference gradient of reference_loss w.r.t. tensor `v` of `p` at the given coordinates.
inline std::vector<double> fd_gradient(Problem& p, std::vector<double>& v, const std::vector<int64_t>& coords) {
  constexpr double step = 1e-5;
  std::vector<double> g;
  for (int64_t k : coords) {
    const double saved = v[k];
    v[k] = saved + step;
    const double up = reference_loss(p);
    v[k] = saved - step;
    const double down = reference_loss(p);
    v[k] = saved;
    g.push_back((up - down) / (2 * step));
  }
  return g;
}

inline void check_recurrent(Cell cell, const Shape& shape, uint64_t seed, const rnnkit::KernelTable& table,
                            Variant variant = {}, int64_t fd_samples = 24) {
  rnnkit::ScopedKernelTable use(table);
  const int64_t T = shape.T, B = shape.B, I = shape.I, H = shape.H, G = gates_of(cell);
  char label_buffer[160];
  std::snprintf(label_buffer, sizeof label_buffer, "%s %s T=%lld B=%lld I=%lld H=%lld%s%s%s%s", table.name,
                cell_name(cell), (long long)T, (long long)B, (long long)I, (long long)H,
                shape.reverse ? " reverse" : "", shape.lengths.empty() ? "" : " lengths", shape.bias ? "" : " nobias",
                variant.dOutNull ? " dOut=null" : "");
  const std::string label = label_buffer;

  Problem p = make_problem(cell, shape, seed);
  if (variant.dOutNull) std::fill(p.R.begin(), p.R.end(), 0.0);
  const Forward ref = reference_forward(p);

  // float copies; padded x is NaN (must never reach a result)
  std::vector<float> x = to_float(p.x), h0 = to_float(p.h0), c0 = to_float(p.c0), wIh = to_float(p.wIh),
                     wHh = to_float(p.wHh), bIh = to_float(p.bIh), bHh = to_float(p.bHh);
  for (int64_t t = 0; t < T; ++t)
    for (int64_t b = 0; b < B; ++b)
      if (!shape.lengths.empty() && t >= shape.lengths[b])
        for (int64_t i = 0; i < I; ++i) x[(t * B + b) * I + i] = std::numeric_limits<float>::quiet_NaN();
  const bool lstm = cell == Cell::lstm;
  std::vector<float> out(T * B * H, -7.0f), hN(B * H, -7.0f), cN(lstm ? B * H : 0, -7.0f);
  std::vector<float> ws(workspace_size(cell, T, B, H), -7.0f);  // garbage: forward must write all of it
  const int32_t* lengths = shape.lengths.empty() ? nullptr : shape.lengths.data();

  rnnkit::RecurrentForwardArgs fa{out.data(), hN.data(), ptr_or_null(cN), ws.data(), x.data(), h0.data(),
                                  ptr_or_null(c0), wIh.data(), wHh.data(), ptr_or_null(bIh), ptr_or_null(bHh),
                                  lengths, shape.reverse, T, B, I, H};
  run_forward(cell, fa);
  CHECK_CLOSE(label + " out", out.data(), ref.out.data(), T * B * H, 1e-5);
  CHECK_CLOSE(label + " hN", hN.data(), ref.hN.data(), B * H, 1e-5);
  if (lstm) CHECK_CLOSE(label + " cN", cN.data(), ref.cN.data(), B * H, 1e-5);
  CHECK_CLOSE(label + " workspace", ws.data(), ref.workspace.data(), static_cast<int64_t>(ws.size()), 1e-5);

  // forward only (no workspace): the same outputs
  {
    std::vector<float> out2(T * B * H, -7.0f), hN2(B * H, -7.0f), cN2(lstm ? B * H : 0, -7.0f);
    rnnkit::RecurrentForwardArgs fo = fa;
    fo.out = out2.data();
    fo.hN = hN2.data();
    fo.cN = ptr_or_null(cN2);
    fo.workspace = nullptr;
    run_forward(cell, fo);
    CHECK_CLOSE(label + " out (forward only)", out2.data(), ref.out.data(), T * B * H, 1e-5);
    CHECK_CLOSE(label + " hN (forward only)", hN2.data(), ref.hN.data(), B * H, 1e-5);
    if (lstm) CHECK_CLOSE(label + " cN (forward only)", cN2.data(), ref.cN.data(), B * H, 1e-5);
  }

  // backward, accumulating onto 0.25
  constexpr float kPrefill = 0.25f;
  auto prefilled = [&](int64_t n, bool wanted) { return std::vector<float>(wanted ? n : 0, kPrefill); };
  const bool wantInputs = !variant.dXNull;
  std::vector<float> dX = prefilled(T * B * I, wantInputs), dH0 = prefilled(B * H, wantInputs),
                     dC0 = prefilled(B * H, wantInputs && lstm), dWIh = prefilled(G * H * I, true),
                     dWHh = prefilled(G * H * H, true), dBIh = prefilled(G * H, shape.bias),
                     dBHh = prefilled(G * H, shape.bias);
  std::vector<float> scratch(backward_workspace_size(cell, T, B, H), std::numeric_limits<float>::quiet_NaN());
  const std::vector<float> R = to_float(p.R), Rh = to_float(p.Rh), Rc = to_float(p.Rc);
  rnnkit::RecurrentBackwardArgs ba{ptr_or_null(dX), ptr_or_null(dH0), ptr_or_null(dC0), dWIh.data(), dWHh.data(),
                                   ptr_or_null(dBIh), ptr_or_null(dBHh), scratch.data(),
                                   variant.dOutNull ? nullptr : R.data(), Rh.data(), ptr_or_null(Rc),
                                   x.data(), h0.data(), ptr_or_null(c0), wIh.data(), wHh.data(), out.data(),
                                   ws.data(), lengths, shape.reverse, T, B, I, H};
  run_backward(cell, ba);

  Rng pick(seed ^ 0x5eed);
  auto compare = [&](const char* name, std::vector<float>& grad, std::vector<double>& param) {
    if (grad.empty()) return;
    const int64_t n = static_cast<int64_t>(param.size());
    std::vector<int64_t> coords;
    if (n <= 2 * fd_samples) {
      for (int64_t k = 0; k < n; ++k) coords.push_back(k);
    } else {
      for (int64_t k = 0; k < fd_samples; ++k) coords.push_back(pick.below(n));
    }
    const std::vector<double> fd = fd_gradient(p, param, coords);
    std::vector<double> got;
    for (int64_t k : coords) got.push_back(static_cast<double>(grad[k]) - kPrefill);
    CHECK_CLOSE(label + " d" + name, got.data(), fd.data(), static_cast<int64_t>(coords.size()), 1e-4);
  };
  compare("x", dX, p.x);
  compare("h0", dH0, p.h0);
  compare("c0", dC0, p.c0);
  compare("wIh", dWIh, p.wIh);
  compare("wHh", dWHh, p.wHh);
  compare("bIh", dBIh, p.bIh);
  compare("bHh", dBHh, p.bHh);
  // padded positions of dX get exactly nothing
  if (wantInputs && !shape.lengths.empty()) {
    bool untouched = true;
    for (int64_t t = 0; t < T; ++t)
      for (int64_t b = 0; b < B; ++b)
        if (t >= shape.lengths[b])
          for (int64_t i = 0; i < I; ++i) untouched = untouched && dX[(t * B + b) * I + i] == kPrefill;
    CHECK_MSG(untouched, label + ": dX at padded positions must stay untouched");
  }
}

// The shapes every cell is checked on: ragged sizes 1, 3, 17, 129, forward and reverse, with and
// without lengths (unsorted, including a full-length and a length-1 row), without bias.
inline std::vector<Shape> standard_shapes() {
  return {
      {3, 3, 4, 5, false, {}},
      {3, 3, 4, 5, true, {}},
      {5, 3, 4, 6, false, {5, 2, 4}},
      {5, 3, 4, 6, true, {5, 2, 4}},
      {1, 1, 1, 1, false, {}},
      {4, 3, 3, 3, true, {1, 4, 3}, false},
      {3, 17, 3, 17, false, {3, 1, 2, 3, 3, 2, 1, 3, 2, 2, 3, 1, 1, 3, 2, 3, 3}},
      {2, 3, 17, 129, true, {2, 1, 2}},
      {3, 2, 129, 3, false, {}},
  };
}

// The recurrent weights packed once per call (gemm.h StepGemm): a batch above kSmallM (4) rows takes
// the packed path, and H = 260 > KC (256) gives the per-step products two K panels. Few sampled
// finite-difference coordinates: the reference loss is costly at this size.
inline void check_cell_packed_weights(Cell cell) {
  uint64_t seed = 900;
  for (const auto* table : usable_tables()) {
    check_recurrent(cell, {2, 6, 3, 260, false, {2, 1, 2, 2, 1, 2}}, ++seed, *table, {}, 6);
    check_recurrent(cell, {2, 5, 3, 33, true, {}}, ++seed, *table, {}, 6);
  }
}

// Backward asked for only one of the two bias gradients (dBIh null, or dBHh null) gives that one
// exactly as when both are asked for (the kernels compute the shared column sums once for both).
inline void check_single_bias_gradient(Cell cell) {
  const Shape shape{4, 3, 5, 6, false, {4, 2, 3}};
  const int64_t T = shape.T, B = shape.B, I = shape.I, H = shape.H, G = gates_of(cell);
  const bool lstm = cell == Cell::lstm;
  for (const auto* table : usable_tables()) {
    rnnkit::ScopedKernelTable use(*table);
    Problem p = make_problem(cell, shape, 77);
    std::vector<float> x = to_float(p.x), h0 = to_float(p.h0), c0 = to_float(p.c0), wIh = to_float(p.wIh),
                       wHh = to_float(p.wHh), bIh = to_float(p.bIh), bHh = to_float(p.bHh), R = to_float(p.R);
    std::vector<float> out(T * B * H), hN(B * H), cN(lstm ? B * H : 0), ws(workspace_size(cell, T, B, H));
    const int32_t* lengths = shape.lengths.data();
    run_forward(cell, {out.data(), hN.data(), ptr_or_null(cN), ws.data(), x.data(), h0.data(), ptr_or_null(c0),
                       wIh.data(), wHh.data(), bIh.data(), bHh.data(), lengths, false, T, B, I, H});
    // which: 0 both, 1 only dBIh, 2 only dBHh
    auto bias_grads = [&](int which, std::vector<float>& dBIh, std::vector<float>& dBHh) {
      std::vector<float> dWIh(G * H * I, 0.0f), dWHh(G * H * H, 0.0f), scratch(backward_workspace_size(cell, T, B, H));
      dBIh.assign(G * H, 0.0f);
      dBHh.assign(G * H, 0.0f);
      run_backward(cell, {nullptr, nullptr, nullptr, dWIh.data(), dWHh.data(), which == 2 ? nullptr : dBIh.data(),
                          which == 1 ? nullptr : dBHh.data(), scratch.data(), R.data(), nullptr, nullptr, x.data(),
                          h0.data(), ptr_or_null(c0), wIh.data(), wHh.data(), out.data(), ws.data(), lengths, false,
                          T, B, I, H});
    };
    std::vector<float> bothIh, bothHh, onlyIh, unusedHh, unusedIh, onlyHh;
    bias_grads(0, bothIh, bothHh);
    bias_grads(1, onlyIh, unusedHh);
    bias_grads(2, unusedIh, onlyHh);
    const std::string label = std::string(table->name) + " " + cell_name(cell);
    CHECK_MSG(onlyIh == bothIh, label + ": dBIh alone differs from dBIh with dBHh");
    CHECK_MSG(onlyHh == bothHh, label + ": dBHh alone differs from dBHh with dBIh");
    CHECK_MSG(unusedHh == std::vector<float>(G * H, 0.0f) && unusedIh == std::vector<float>(G * H, 0.0f),
              label + ": a null bias gradient's buffer must not be written");
  }
}

// Forward only (workspace null) of shape T × B × I × H with `lengths`, both directions, padded x NaN,
// at `threads` pool threads: outputs against the double reference on every table.
inline void check_forward_only(Cell cell, int64_t T, int64_t B, int64_t I, int64_t H,
                               const std::vector<int32_t>& lengths, int threads, const std::string& what) {
  const int previous_threads = rnnkit::thread_count();
  rnnkit::set_thread_count(threads);
  for (const auto* table : usable_tables()) {
    rnnkit::ScopedKernelTable use(*table);
    for (bool reverse : {false, true}) {
      const Shape shape{T, B, I, H, reverse, lengths};
      const Problem p = make_problem(cell, shape, reverse ? 31 : 30);
      const Forward ref = reference_forward(p);
      std::vector<float> x = to_float(p.x), h0 = to_float(p.h0), c0 = to_float(p.c0), wIh = to_float(p.wIh),
                         wHh = to_float(p.wHh), bIh = to_float(p.bIh), bHh = to_float(p.bHh);
      for (int64_t t = 0; t < T; ++t)
        for (int64_t b = 0; b < B; ++b)
          if (t >= lengths[b])
            for (int64_t i = 0; i < I; ++i) x[(t * B + b) * I + i] = std::numeric_limits<float>::quiet_NaN();
      const bool lstm = cell == Cell::lstm;
      std::vector<float> out(T * B * H, -7.0f), hN(B * H, -7.0f), cN(lstm ? B * H : 0, -7.0f);
      run_forward(cell, {out.data(), hN.data(), ptr_or_null(cN), nullptr, x.data(), h0.data(), ptr_or_null(c0),
                         wIh.data(), wHh.data(), bIh.data(), bHh.data(), lengths.data(), reverse, T, B, I, H});
      const std::string label = std::string(table->name) + " " + cell_name(cell) + (reverse ? " reverse" : "") +
                                " forward only, " + what;
      CHECK_CLOSE(label + " out", out.data(), ref.out.data(), T * B * H, 1e-5);
      CHECK_CLOSE(label + " hN", hN.data(), ref.hN.data(), B * H, 1e-5);
      if (lstm) CHECK_CLOSE(label + " cN", cN.data(), ref.cN.data(), B * H, 1e-5);
    }
  }
  rnnkit::set_thread_count(previous_threads);
}

// Over several input-projection chunks (kInferenceChunkRows = 256 rows: T = 40, B = 9 gives two
// chunks of 20 steps, W_ih packed once).
inline void check_forward_only_chunks(Cell cell) {
  check_forward_only(cell, 40, 9, 5, 7, {40, 3, 17, 40, 1, 29, 30, 39, 12}, rnnkit::thread_count(), "2 chunks");
}

// At 2 threads with B·H = 33·512 ≥ kStepRowsParallelMinUnits: the per-step gate math split among the
// threads (row ranges 0-15 and 16-32, padded rows in both), and at H = 512 the LSTM's W_hh (512 × 2048)
// packed by both threads.
inline void check_forward_only_threaded(Cell cell) {
  std::vector<int32_t> lengths(33, 3);
  lengths[0] = 1;
  lengths[16] = 2;
  lengths[17] = 1;
  lengths[32] = 2;
  check_forward_only(cell, 3, 33, 5, 512, lengths, 2, "2 threads");
}

inline void check_cell_everywhere(Cell cell) {
  uint64_t seed = 100;
  for (const auto* table : usable_tables()) {
    for (const Shape& shape : standard_shapes()) check_recurrent(cell, shape, ++seed, *table);
    Variant nulls;
    nulls.dOutNull = true;
    nulls.dXNull = true;
    check_recurrent(cell, {4, 3, 3, 5, false, {4, 2, 3}}, ++seed, *table, nulls);
  }
}

}  // namespace rnnkit_test
