// Fused GRU layer, one direction, whole sequence: forward and BPTT backward. Mirrors
// lib/backend/js/gru.ts (same names, argument order and workspace layout); contract in kernels.h.
//
// Dimension letters: T steps, B batch, I input, H hidden; the 3H gate columns are PyTorch's r, z, n
// (torch.nn.GRU):
//   r = σ(W_ir x + b_ir + W_hr h + b_hr)     z = σ(W_iz x + b_iz + W_hz h + b_hz)
//   n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))      h' = (1 − z) ⊙ n + z ⊙ h
// Porting note: b_hn sits inside r ⊙ (…), so only b_ih and the r, z parts of b_hh can be folded into
// the input projection; W_hn h + b_hn is kept apart (workspace hnPre). char-rnn's GRU applies r
// before the projection; that is not this layout.
//
// Structure as in lstm.cc: one input GEMM over all T·B rows before the loop; per step the recurrent
// GEMM split in two (r, z columns accumulate into the gate rows, the n part goes to hnPre) and the
// fused gate math; backward: per step fused gate gradients + one GEMM for dh, weight gradients after.
#include <cstring>
#include <memory>

#include "dispatch.h"
#include "gemm.h"
#include "inference_layer.h"
#include "kernels.h"
#include "recurrent.h"

namespace rnnkit {

int64_t gru_workspace_size(int64_t T, int64_t B, int64_t H) { return 5 * T * B * H; }

int64_t gru_backward_workspace_size(int64_t T, int64_t B, int64_t H) { return 4 * T * B * H + B * H; }

namespace {

// Forward without a workspace (kernels.h), a chunk of steps at a time (InferenceLayer): gate
// pre-activations for one chunk, W_hn h of the current step only, nothing saved for backward.
class GruInference final : public InferenceLayer {
 public:
  GruInference(const RecurrentForwardArgs& a, int64_t chunk_steps, int64_t slots)
      : InferenceLayer(a, 3 * a.H, chunk_steps, slots),
        kt_(kernels()),
        buffer_(aligned_floats(a.B * a.H + 3 * a.H)),
        has_bias_(a.bIh != nullptr || a.bHh != nullptr),
        recurrentRz_(true, a.B, 2 * a.H, a.H, a.wHh, a.H),
        recurrentN_(true, a.B, a.H, a.H, a.wHh + 2 * a.H * a.H, a.H) {
    const int64_t H = a.H;
    // [b_ir + b_hr, b_iz + b_hz, b_in], added to each row after its step's GEMM (the row is in L1 then)
    // instead of written into every row before the input GEMM (a pass over T·B·3H floats of memory).
    float* bias = buffer_.get() + a.B * H;
    fill_bias_rows(bias, 1, 3 * H, 0, 2 * H, a.bIh, a.bHh);
    fill_bias_rows(bias, 1, 3 * H, 2 * H, H, a.bIh, nullptr);
    std::memmove(a.hN, a.h0, a.B * H * sizeof(float));
  }

 private:
  void step(int64_t t, float* gates) override {  // gates [B, 3H]
    const RecurrentForwardArgs& a = args_;
    const int64_t H = a.H, G = 3 * H;
    const size_t row_bytes = static_cast<size_t>(H) * sizeof(float);
    const float* bHn = a.bHh == nullptr ? nullptr : a.bHh + 2 * H;
    float* hn = buffer_.get();  // [B, H] W_hn h + b_hn of this step
    const float* bias = hn + a.B * H;
    float* ot = a.out + t * a.B * H;
    recurrentRz_.run(a.hN, H, 1.0f, gates, G);  // gates[t][:, 0:2H] += h · wHh[0:2H]ᵀ
    recurrentN_.run(a.hN, H, 0.0f, hn, H);      // hn = h · wHh[2H:3H]ᵀ
    for_step_rows(a.B, H, [&](int64_t b0, int64_t b1) {
      for (int64_t b = b0; b < b1; ++b) {
        const int64_t hb = b * H;
        if (!is_active(a.lengths, t, b)) {
          std::memset(ot + hb, 0, row_bytes);
          continue;
        }
        if (has_bias_) kt_.axpy(gates + b * G, 1.0f, bias, G);
        kt_.gru_cell_forward(gates + b * G, ot + hb, hn + hb, bHn, a.hN + hb, H);
        std::memcpy(a.hN + hb, ot + hb, row_bytes);
      }
    });
  }

  const KernelTable& kt_;
  AlignedFloats buffer_;  // hn [B, H], then the bias row [3H]
  bool has_bias_;
  StepGemm recurrentRz_, recurrentN_;
};

}  // namespace

std::unique_ptr<InferenceLayer> gru_inference_layer(const RecurrentForwardArgs& a, int64_t chunk_steps, int64_t slots) {
  return std::make_unique<GruInference>(a, chunk_steps, slots);
}

void gru_forward(const RecurrentForwardArgs& a) {
  if (a.workspace == nullptr) {
    GruInference layer(a, inference_chunk_steps(a.T, a.B, a.I, 3 * a.H), 1);
    return layer.run();
  }
  const KernelTable& kt = kernels();
  const int64_t T = a.T, B = a.B, I = a.I, H = a.H, G = 3 * H, BH = B * H, TBH = T * BH;
  const size_t row_bytes = static_cast<size_t>(H) * sizeof(float);
  float* gates = a.workspace;            // [T, B, 3H]
  float* hnPre = a.workspace + 3 * TBH;  // [T, B, H]  W_hn h + b_hn
  float* hPrev = a.workspace + 4 * TBH;  // [T, B, H]
  const float* bHn = a.bHh == nullptr ? nullptr : a.bHh + 2 * H;

  // gates = [b_ir + b_hr, b_iz + b_hz, b_in] + x · wIhᵀ for all T·B rows   [T·B, 3H]
  fill_bias_rows(gates, T * B, G, 0, 2 * H, a.bIh, a.bHh);
  fill_bias_rows(gates, T * B, G, 2 * H, H, a.bIh, nullptr);
  sgemm(false, true, T * B, G, I, 1.0f, a.x, I, a.wIh, I, 1.0f, gates, G);

  std::memmove(a.hN, a.h0, BH * sizeof(float));  // hN carries the running state

  // op(W) packed once here: wHh[0:2H]ᵀ [H, 2H] (r, z) and wHh[2H:3H]ᵀ [H, H] (n)
  const StepGemm recurrentRz(true, B, 2 * H, H, a.wHh, H);
  const StepGemm recurrentN(true, B, H, H, a.wHh + 2 * H * H, H);
  for (int64_t s = 0; s < T; ++s) {
    const int64_t t = a.reverse ? T - 1 - s : s;
    float* gt = gates + t * B * G;
    float* hnt = hnPre + t * BH;
    float* hp = hPrev + t * BH;
    float* ot = a.out + t * BH;
    std::memcpy(hp, a.hN, BH * sizeof(float));
    // gates[t][:, 0:2H] += hPrev[t] · wHh[0:2H]ᵀ     [B, H] · [H, 2H]
    recurrentRz.run(hp, H, 1.0f, gt, G);
    // hnPre[t] = hPrev[t] · wHh[2H:3H]ᵀ (+ b_hn in the fused step)   [B, H] · [H, H]
    recurrentN.run(hp, H, 0.0f, hnt, H);

    for (int64_t b = 0; b < B; ++b) {
      const int64_t hb = b * H;
      if (!is_active(a.lengths, t, b)) {
        std::memset(gt + b * G, 0, G * sizeof(float));
        std::memset(hnt + hb, 0, row_bytes);
        std::memset(hp + hb, 0, row_bytes);
        std::memset(ot + hb, 0, row_bytes);
        continue;
      }
      kt.gru_cell_forward(gt + b * G, ot + hb, hnt + hb, bHn, hp + hb, H);
      std::memcpy(a.hN + hb, ot + hb, row_bytes);
    }
  }
}

void gru_backward(const RecurrentBackwardArgs& a) {
  const KernelTable& kt = kernels();
  const int64_t T = a.T, B = a.B, I = a.I, H = a.H, G = 3 * H, BH = B * H, TBH = T * BH;
  const float* gates = a.workspace;
  const float* hnPre = a.workspace + 3 * TBH;
  const float* hPrev = a.workspace + 4 * TBH;
  float* dGh = a.scratch;             // [T, B, 3H] d/d (W_hr h + b_hr), (W_hz h + b_hz), (W_hn h + b_hn)
  float* dnIn = a.scratch + 3 * TBH;  // [T, B, H]  d/d (W_in x + b_in)
  float* dh = a.scratch + 4 * TBH;    // [B, H]

  if (a.dHN == nullptr) {
    std::memset(dh, 0, BH * sizeof(float));
  } else {
    std::memmove(dh, a.dHN, BH * sizeof(float));
  }

  const StepGemm recurrent(false, B, H, G, a.wHh, H);  // op(W) = wHh [3H, H], packed once here
  for (int64_t s = 0; s < T; ++s) {
    const int64_t t = a.reverse ? s : T - 1 - s;
    float* dgt = dGh + t * B * G;
    for (int64_t b = 0; b < B; ++b) {
      const int64_t o = t * BH + b * H, hb = b * H;
      if (!is_active(a.lengths, t, b)) {
        std::memset(dgt + b * G, 0, G * sizeof(float));
        std::memset(dnIn + o, 0, H * sizeof(float));
        continue;
      }
      kt.gru_cell_backward(dgt + b * G, dnIn + o, dh + hb, a.dOut == nullptr ? nullptr : a.dOut + o,
                           gates + t * B * G + b * G, hnPre + o, hPrev + o, H);
    }
    // dh (active rows: dh ⊙ z from the fused step) += dGh[t] · wHh   [B, 3H] · [3H, H]
    recurrent.run(dgt, G, 1.0f, dh, H);
  }

  if (a.dH0 != nullptr) kt.axpy(a.dH0, 1.0f, dh, BH);

  // dWHh += dGhᵀ · hPrev   [3H, T·B] · [T·B, H]
  sgemm(true, false, G, H, T * B, 1.0f, dGh, G, hPrev, H, 1.0f, a.dWHh, H);
  // Input side: r, z share their pre-activation gradients with the hidden side; n has its own.
  accumulate_input_gradients(a.dWIh, a.dX, dGh, G, 2 * H, a.x, a.wIh, a.lengths, T, B, I);
  accumulate_input_gradients(a.dWIh + 2 * H * I, a.dX, dnIn, H, H, a.x, a.wIh + 2 * H * I, a.lengths, T, B, I);
  // r, z: dBIh and dBHh both += the column sums of dGh[:, 0:2H] (one pass); n: dBHh from dGh's n
  // part, dBIh from dnIn.
  float* rz1 = a.dBIh != nullptr ? a.dBIh : a.dBHh;
  float* rz2 = a.dBIh != nullptr ? a.dBHh : nullptr;
  if (rz1 != nullptr) add_column_sums(rz1, rz2, dGh, T * B, G, 2 * H);
  if (a.dBHh != nullptr) add_column_sums(a.dBHh + 2 * H, nullptr, dGh + 2 * H, T * B, G, H);
  if (a.dBIh != nullptr) add_column_sums(a.dBIh + 2 * H, nullptr, dnIn, T * B, H, H);
}

}  // namespace rnnkit
