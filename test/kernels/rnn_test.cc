// rnn_forward / rnn_backward (tanh and relu) on every KernelTable: forward and workspace against the
// double reference, every gradient against finite differences (recurrent_check.h).
#include "recurrent_check.h"

using namespace rnnkit_test;

TEST(rnn_tanh_forward_backward_every_isa) { check_cell_everywhere(Cell::rnn_tanh); }

TEST(rnn_relu_forward_backward_every_isa) { check_cell_everywhere(Cell::rnn_relu); }

TEST(rnn_forward_only_chunks_every_isa) {
  check_forward_only_chunks(Cell::rnn_tanh);
  check_forward_only_chunks(Cell::rnn_relu);
}

TEST(rnn_single_bias_gradient_every_isa) {
  check_single_bias_gradient(Cell::rnn_tanh);
  check_single_bias_gradient(Cell::rnn_relu);
}

TEST(rnn_packed_recurrent_weights_every_isa) {
  check_cell_packed_weights(Cell::rnn_tanh);
  check_cell_packed_weights(Cell::rnn_relu);
}

TEST(rnn_relu_propagates_nan_and_zeroes_negative) {
  // One step, I = H = 1, no bias, weights 1: out = relu(x + h0).
  for (const auto* table : usable_tables()) {
    rnnkit::ScopedKernelTable use(*table);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    float x[3] = {nan, -2.0f, 0.5f}, h0[3] = {0, 0, 0}, w[1] = {1.0f}, out[3], hN[3], ws[3];
    rnnkit::RecurrentForwardArgs a{out, hN, nullptr, ws, x, h0, nullptr, w, w, nullptr, nullptr, nullptr, false,
                                   1, 3, 1, 1};
    rnnkit::rnn_forward(rnnkit::RnnActivation::relu, a);
    CHECK_MSG(std::isnan(out[0]) && out[1] == 0.0f && out[2] == 0.5f,
              std::string(table->name) + ": relu(NaN) = NaN, relu(-2) = 0, relu(0.5) = 0.5");
  }
}
