// lstm_forward / lstm_backward on every KernelTable: forward and workspace against the double
// reference, every gradient against finite differences (recurrent_check.h).
#include "recurrent_check.h"

using namespace rnnkit_test;

TEST(lstm_forward_backward_every_isa) { check_cell_everywhere(Cell::lstm); }

TEST(lstm_packed_recurrent_weights_every_isa) { check_cell_packed_weights(Cell::lstm); }

TEST(lstm_single_bias_gradient_every_isa) { check_single_bias_gradient(Cell::lstm); }

TEST(lstm_forward_only_chunks_every_isa) { check_forward_only_chunks(Cell::lstm); }

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
