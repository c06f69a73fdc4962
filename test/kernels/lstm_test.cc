// lstm_forward / lstm_backward on every KernelTable: forward and workspace against the double
// reference, every gradient against finite differences (recurrent_check.h).
#include "recurrent_check.h"

using namespace rnnkit_test;

TEST(lstm_forward_backward_every_isa) { check_cell_everywhere(Cell::lstm); }

TEST(lstm_packed_recurrent_weights_every_isa) { check_cell_packed_weights(Cell::lstm); }

TEST(lstm_single_bias_gradient_every_isa) { check_single_bias_gradient(Cell::lstm); }

TEST(lstm_forward_only_chunks_every_isa) { check_forward_only_chunks(Cell::lstm); }

TEST(lstm_forward_only_threaded_every_isa) { check_forward_only_threaded(Cell::lstm); }

TEST(lstm_saturated_gates_stay_finite) {
  // Pre-activations of ±1e4 saturate every gate; nothing may overflow into Inf or NaN.
  for (const auto* table : usable_tables()) {
    rnnkit::ScopedKernelTable use(*table);
    const int64_t T = 2, B = 1, I = 1, H = 3;
    std::vector<float> x = {1e4f, -1e4f}, h0(H, 0.5f), c0(H, 0.5f), wIh(4 * H * I), wHh(4 * H * H, 0.0f);
    for (int64_t r = 0; r < 4 * H; ++r) wIh[r] = (r % 2 == 0) ? 1.0f : -1.0f;
    std::vector<float> out(T * B * H), hN(B * H), cN(B * H), ws(rnnkit::lstm_workspace_size(T, B, H));
    rnnkit::RecurrentForwardArgs a{out.data(), hN.data(), cN.data(), ws.data(), x.data(), h0.data(), c0.data(),
                                   wIh.data(), wHh.data(), nullptr, nullptr, nullptr, false, T, B, I, H};
    rnnkit::lstm_forward(a);
    bool finite = true;
    for (float v : out) finite = finite && std::isfinite(v);
    for (float v : ws) finite = finite && std::isfinite(v);
    CHECK_MSG(finite, std::string(table->name) + ": saturated LSTM produced a non-finite value");
  }
}

namespace {

// One streaming step (T = 1, forward only: lstm.cc's lstm_step_small_batch) against the double
// reference, called twice on fresh outputs (the second call walks the blocks the other way) with the
// buffer arrangements a caller may use: out == hN, cN == c0 (updated in place), c0 null.
void check_streaming_step(const rnnkit::KernelTable& table, int64_t B, int64_t I, int64_t H, bool bias,
                          uint64_t seed) {
  rnnkit::ScopedKernelTable use(table);
  const Shape shape{1, B, I, H, false, {}, bias};
  const Problem p = make_problem(Cell::lstm, shape, seed);
  const Forward ref = reference_forward(p);
  const std::vector<float> x = to_float(p.x), h0 = to_float(p.h0), c0 = to_float(p.c0), wIh = to_float(p.wIh),
                           wHh = to_float(p.wHh), bIh = to_float(p.bIh), bHh = to_float(p.bHh);
  const std::string label = std::string(table.name) + " streaming step B=" + std::to_string(B) + " I=" +
                            std::to_string(I) + " H=" + std::to_string(H) + (bias ? "" : " nobias") +
                            " threads=" + std::to_string(rnnkit::thread_count());
  for (int call = 0; call < 2; ++call) {
    std::vector<float> out(B * H, -7.0f), hN(B * H, -7.0f), cN(B * H, -7.0f);
    rnnkit::lstm_forward({out.data(), hN.data(), cN.data(), nullptr, x.data(), h0.data(), c0.data(), wIh.data(),
                          wHh.data(), ptr_or_null(bIh), ptr_or_null(bHh), nullptr, false, 1, B, I, H});
    CHECK_CLOSE(label + " out, call " + std::to_string(call), out.data(), ref.out.data(), B * H, 1e-5);
    CHECK_CLOSE(label + " hN", hN.data(), ref.hN.data(), B * H, 1e-5);
    CHECK_CLOSE(label + " cN", cN.data(), ref.cN.data(), B * H, 1e-5);
  }
  {  // out == hN, and c updated in place (cN == c0)
    std::vector<float> h(B * H, -7.0f), c = c0;
    rnnkit::lstm_forward({h.data(), h.data(), c.data(), nullptr, x.data(), h0.data(), c.data(), wIh.data(), wHh.data(),
                          ptr_or_null(bIh), ptr_or_null(bHh), nullptr, false, 1, B, I, H});
    CHECK_CLOSE(label + " hN (out == hN)", h.data(), ref.hN.data(), B * H, 1e-5);
    CHECK_CLOSE(label + " cN (cN == c0)", c.data(), ref.cN.data(), B * H, 1e-5);
  }
  {  // hN == h0 (the state updated in place): not the streaming path's to take; still correct
    std::vector<float> out(B * H, -7.0f), h = h0, cN(B * H, -7.0f);
    rnnkit::lstm_forward({out.data(), h.data(), cN.data(), nullptr, x.data(), h.data(), c0.data(), wIh.data(),
                          wHh.data(), ptr_or_null(bIh), ptr_or_null(bHh), nullptr, false, 1, B, I, H});
    CHECK_CLOSE(label + " hN (hN == h0)", h.data(), ref.hN.data(), B * H, 1e-5);
    CHECK_CLOSE(label + " out (hN == h0)", out.data(), ref.out.data(), B * H, 1e-5);
  }
  {  // c0 null means zeros
    Problem zero_c = p;
    std::fill(zero_c.c0.begin(), zero_c.c0.end(), 0.0);
    const Forward ref0 = reference_forward(zero_c);
    std::vector<float> out(B * H, -7.0f), hN(B * H, -7.0f), cN(B * H, -7.0f);
    rnnkit::lstm_forward({out.data(), hN.data(), cN.data(), nullptr, x.data(), h0.data(), nullptr, wIh.data(),
                          wHh.data(), ptr_or_null(bIh), ptr_or_null(bHh), nullptr, false, 1, B, I, H});
    CHECK_CLOSE(label + " hN (c0 null)", hN.data(), ref0.hN.data(), B * H, 1e-5);
    CHECK_CLOSE(label + " cN (c0 null)", cN.data(), ref0.cN.data(), B * H, 1e-5);
  }
}

}  // namespace

TEST(lstm_streaming_step_every_isa_threads_1_and_2) {
  // Sizes 1, 3, 17, 129 and 256 (more than one block of 32 units, a partial last block, a split
  // across two threads: the step goes parallel from 2^17 multiply-adds), batch 1..4 (the small-M
  // kernels), and B = 5, which takes the general forward-only path.
  const int initial = rnnkit::thread_count();
  uint64_t seed = 900;
  for (int threads : {1, 2}) {
    rnnkit::set_thread_count(threads);
    for (const auto* table : usable_tables()) {
      for (int64_t size : {1, 3, 17, 129}) {
        check_streaming_step(*table, 1, size, size, true, ++seed);
        check_streaming_step(*table, 3, 17, size, true, ++seed);
      }
      check_streaming_step(*table, 1, 129, 17, false, ++seed);
      check_streaming_step(*table, 1, 256, 256, true, ++seed);
      check_streaming_step(*table, 2, 100, 129, true, ++seed);
      check_streaming_step(*table, 4, 129, 129, true, ++seed);
      check_streaming_step(*table, 5, 17, 33, true, ++seed);
    }
  }
  rnnkit::set_thread_count(initial);
}
