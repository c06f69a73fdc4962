// Fused simple RNN layer (tanh or relu), one direction, whole sequence: forward and BPTT backward.
// Mirrors lib/backend/js/rnn.ts (same names, argument order and workspace layout); the contract is
// in kernels.h (RecurrentForwardArgs / RecurrentBackwardArgs).
//
// Dimension letters: T steps, B batch, I input, H hidden (torch.nn.RNN):
//   h' = act(W_ih x + b_ih + W_hh h + b_hh),  act = tanh | relu
// The pre-activations are built in `out` itself (input GEMM for all steps, then one recurrent GEMM
// per step) and activated in place, so the workspace only keeps hPrev.
// relu's derivative at exactly 0 is taken as 0 (PyTorch: gradient where the output is > 0), and
// relu(NaN) is NaN (PyTorch's clamp propagates it).
#include <cstring>

#include "dispatch.h"
#include "gemm.h"
#include "kernels.h"
#include "recurrent.h"

namespace rnnkit {

int64_t rnn_workspace_size(int64_t T, int64_t B, int64_t H) { return T * B * H; }

int64_t rnn_backward_workspace_size(int64_t T, int64_t B, int64_t H) { return T * B * H + B * H; }

void rnn_forward(RnnActivation activation, const RecurrentForwardArgs& a) {
  const KernelTable& kt = kernels();
  const int64_t T = a.T, B = a.B, I = a.I, H = a.H, BH = B * H;
  const bool relu = activation == RnnActivation::relu;
  float* ws = a.workspace;  // hPrev [T, B, H]
  const size_t row_bytes = static_cast<size_t>(H) * sizeof(float);

  // out = bIh + bHh + x · wIhᵀ for all T·B rows   [T·B, H] (pre-activations, activated per step)
  fill_bias_rows(a.out, T * B, H, 0, H, a.bIh, a.bHh);
  sgemm(false, true, T * B, H, I, 1.0f, a.x, I, a.wIh, I, 1.0f, a.out, H);

  std::memmove(a.hN, a.h0, BH * sizeof(float));  // hN carries the running state
  const StepGemm recurrent(true, B, H, H, a.wHh, H);  // op(W) = wHhᵀ, packed once here
  for (int64_t s = 0; s < T; ++s) {
    const int64_t t = a.reverse ? T - 1 - s : s;
    float* outT = a.out + t * BH;  // out[t]   [B, H]
    // hPrev[t] (the workspace; without one, forward only, the state is read from hN directly)
    float* hPrev = ws == nullptr ? nullptr : ws + t * BH;
    if (hPrev != nullptr) std::memcpy(hPrev, a.hN, BH * sizeof(float));
    // out[t] += hPrev[t] · wHhᵀ   [B, H] · [H, H]
    recurrent.run(hPrev != nullptr ? hPrev : a.hN, H, 1.0f, outT, H);
    for (int64_t b = 0; b < B; ++b) {
      float* o = outT + b * H;
      if (!is_active(a.lengths, t, b)) {
        std::memset(o, 0, row_bytes);
        if (hPrev != nullptr) std::memset(hPrev + b * H, 0, row_bytes);
        continue;
      }
      if (relu) {
        for (int64_t u = 0; u < H; ++u) o[u] = o[u] > 0.0f ? o[u] : (o[u] == o[u] ? 0.0f : o[u]);
      } else {
        kt.tanh(o, o, H);
      }
      std::memcpy(a.hN + b * H, o, row_bytes);
    }
  }
}

void rnn_backward(RnnActivation activation, const RecurrentBackwardArgs& a) {
  const KernelTable& kt = kernels();
  const int64_t T = a.T, B = a.B, I = a.I, H = a.H, BH = B * H, TBH = T * BH;
  const bool relu = activation == RnnActivation::relu;
  float* dPre = a.scratch;     // [T, B, H] pre-activation gradients
  float* dh = a.scratch + TBH;  // [B, H] gradient reaching the current step's output from later steps
  const float* hPrev = a.workspace;

  if (a.dHN == nullptr) {
    std::memset(dh, 0, BH * sizeof(float));
  } else {
    std::memmove(dh, a.dHN, BH * sizeof(float));
  }

  const StepGemm recurrent(false, B, H, H, a.wHh, H);  // op(W) = wHh, packed once here
  for (int64_t s = 0; s < T; ++s) {
    const int64_t t = a.reverse ? s : T - 1 - s;  // steps in the opposite order of forward
    for (int64_t b = 0; b < B; ++b) {
      const int64_t o = t * BH + b * H;
      if (!is_active(a.lengths, t, b)) {
        std::memset(dPre + o, 0, H * sizeof(float));  // state passed through: dh flows on unchanged
        continue;
      }
      kt.rnn_cell_backward(dPre + o, dh + b * H, a.dOut == nullptr ? nullptr : a.dOut + o, a.out + o, H, relu);
    }
    // dh (active rows, zeroed above) += dPre[t] · wHh   [B, H] · [H, H]; inactive rows add zero.
    recurrent.run(dPre + t * BH, H, 1.0f, dh, H);
  }

  if (a.dH0 != nullptr) kt.axpy(a.dH0, 1.0f, dh, BH);

  // dWHh += dPreᵀ · hPrev   [H, T·B] · [T·B, H]
  sgemm(true, false, H, H, T * B, 1.0f, dPre, H, hPrev, H, 1.0f, a.dWHh, H);
  accumulate_input_gradients(a.dWIh, a.dX, dPre, H, H, a.x, a.wIh, a.lengths, T, B, I);
  if (a.dBIh != nullptr || a.dBHh != nullptr) {  // both += the column sums of dPre, computed once
    add_column_sums(a.dBIh != nullptr ? a.dBIh : a.dBHh, a.dBIh != nullptr ? a.dBHh : nullptr, dPre, T * B, H, H);
  }
}

}  // namespace rnnkit
