// gru_forward / gru_backward on every KernelTable: forward and workspace against the double
// reference, every gradient against finite differences (recurrent_check.h).
#include "recurrent_check.h"

using namespace rnnkit_test;

TEST(gru_forward_backward_every_isa) { check_cell_everywhere(Cell::gru); }

TEST(gru_packed_recurrent_weights_every_isa) { check_cell_packed_weights(Cell::gru); }

TEST(gru_single_bias_gradient_every_isa) { check_single_bias_gradient(Cell::gru); }

TEST(gru_forward_only_chunks_every_isa) { check_forward_only_chunks(Cell::gru); }

TEST(gru_forward_only_threaded_every_isa) { check_forward_only_threaded(Cell::gru); }
