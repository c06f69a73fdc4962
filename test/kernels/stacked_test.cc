// lstm_forward_stacked / gru_forward_stacked (stacked.cc) against the double reference run layer after
// layer, on every table: layer by layer (1 thread, or more threads than layers), as a wavefront (2 or 3
// layers on 2 threads, 3 on 3), with the hand-off of projection rows both taken and refused, and with
// the wavefront's tasks run one after another on one thread (called from inside a pool task, where
// parallel_for runs inline): that must neither deadlock nor change a result.
#include <limits>

#include "recurrent_check.h"
#include "threads.h"

using namespace rnnkit_test;

namespace {

struct StackShape {
  int64_t T, B, I, H, layers;
  std::vector<int32_t> lengths;  // empty: all T
};

void run_stacked(Cell cell, const std::vector<rnnkit::RecurrentForwardArgs>& layers) {
  if (cell == Cell::lstm) return rnnkit::lstm_forward_stacked(layers.data(), static_cast<int64_t>(layers.size()));
  rnnkit::gru_forward_stacked(layers.data(), static_cast<int64_t>(layers.size()));
}

// One stack on the current table and thread count; `inline_tasks`: called from inside a pool task.
void check_stack(Cell cell, const StackShape& s, int threads, bool inline_tasks, const std::string& what) {
  const int64_t T = s.T, B = s.B, H = s.H, L = s.layers;
  const bool lstm = cell == Cell::lstm;
  std::vector<Forward> refs;
  std::vector<std::vector<float>> x0, h0, c0, wIh, wHh, bIh, bHh, out, hN, cN;
  for (int64_t k = 0; k < L; ++k) {
    const int64_t I = k == 0 ? s.I : H;
    Problem p = make_problem(cell, {T, B, I, H, false, s.lengths}, 70 + static_cast<uint64_t>(k));
    if (k > 0) p.x = refs.back().out;  // the layer below's output, in double
    refs.push_back(reference_forward(p));
    x0.push_back(to_float(p.x));
    h0.push_back(to_float(p.h0));
    c0.push_back(to_float(p.c0));
    wIh.push_back(to_float(p.wIh));
    wHh.push_back(to_float(p.wHh));
    bIh.push_back(to_float(p.bIh));
    bHh.push_back(to_float(p.bHh));
    out.emplace_back(T * B * H, -7.0f);
    hN.emplace_back(B * H, -7.0f);
    cN.emplace_back(lstm ? B * H : 0, -7.0f);
  }
  std::vector<float>& x = x0[0];  // padded x is NaN: must never reach a result
  for (int64_t t = 0; t < T; ++t)
    for (int64_t b = 0; b < B; ++b)
      if (!s.lengths.empty() && t >= s.lengths[b])
        for (int64_t i = 0; i < s.I; ++i) x[(t * B + b) * s.I + i] = std::numeric_limits<float>::quiet_NaN();
  const int32_t* lengths = s.lengths.empty() ? nullptr : s.lengths.data();
  std::vector<rnnkit::RecurrentForwardArgs> args;
  for (int64_t k = 0; k < L; ++k) {
    const float* input = k == 0 ? x.data() : out[k - 1].data();
    args.push_back({out[k].data(), hN[k].data(), ptr_or_null(cN[k]), nullptr, input, h0[k].data(), ptr_or_null(c0[k]),
                    wIh[k].data(), wHh[k].data(), bIh[k].data(), bHh[k].data(), lengths, false, T, B,
                    k == 0 ? s.I : H, H});
  }
  const int previous_threads = rnnkit::thread_count();
  rnnkit::set_thread_count(threads);
  if (inline_tasks) {
    const rnnkit::KernelTable& table = rnnkit::kernels();
    rnnkit::parallel_for(2, [&](int64_t task) {  // two tasks: one alone would run without the pool
      if (task != 0) return;
      const rnnkit::ScopedKernelTable use(table);
      run_stacked(cell, args);
    });
  } else {
    run_stacked(cell, args);
  }
  rnnkit::set_thread_count(previous_threads);
  for (int64_t k = 0; k < L; ++k) {
    const std::string label = std::string(rnnkit::kernels().name) + " " + cell_name(cell) + " " + what + " layer " +
                              std::to_string(k);
    CHECK_CLOSE(label + " out", out[k].data(), refs[k].out.data(), T * B * H, 1e-5);
    CHECK_CLOSE(label + " hN", hN[k].data(), refs[k].hN.data(), B * H, 1e-5);
    if (lstm) CHECK_CLOSE(label + " cN", cN[k].data(), refs[k].cN.data(), B * H, 1e-5);
  }
}

void check_stacked_everywhere(Cell cell) {
  std::vector<int32_t> lengths40(40, 20);  // B = 40: chunks of 3 steps, T = 20 → 7 chunks
  lengths40[0] = 1;
  lengths40[7] = 13;
  lengths40[39] = 19;
  for (const auto* table : usable_tables()) {
    rnnkit::ScopedKernelTable use(*table);
    // I = 7, H = 17: layer 0's task takes 5/17 of layer 1's projection rows (stacked.cc balance)
    check_stack(cell, {20, 40, 7, 17, 2, lengths40}, 2, false, "2 layers, 2 threads, lengths");
    check_stack(cell, {20, 40, 7, 17, 2, lengths40}, 1, false, "2 layers, 1 thread");
    check_stack(cell, {20, 40, 7, 17, 2, lengths40}, 3, false, "2 layers, 3 threads");
    check_stack(cell, {20, 40, 7, 17, 2, lengths40}, 2, true, "2 layers, 2 threads, tasks inline");
    // B = 129: one step per chunk; three layers on two and on three threads
    check_stack(cell, {6, 129, 3, 9, 3, {}}, 2, false, "3 layers, 2 threads");
    check_stack(cell, {6, 129, 3, 9, 3, {}}, 3, false, "3 layers, 3 threads");
    check_stack(cell, {6, 129, 3, 9, 3, {}}, 3, true, "3 layers, 3 threads, tasks inline");
    // I > H: no hand-off at all (layer 0 is the busier task); B = 1: 128 steps a chunk, T = 600 → 5
    check_stack(cell, {600, 1, 33, 5, 2, {}}, 2, false, "I > H, B = 1");
    // one layer
    check_stack(cell, {20, 40, 7, 17, 1, lengths40}, 2, false, "1 layer");
  }
}

}  // namespace

TEST(lstm_forward_stacked_every_isa) { check_stacked_everywhere(Cell::lstm); }

TEST(gru_forward_stacked_every_isa) { check_stacked_everywhere(Cell::gru); }
