// Fused LSTM layer, one direction, whole sequence: forward and BPTT backward. Mirrors
// lib/backend/js/lstm.ts (same names, argument order and workspace layout); the contract (lengths,
// reverse, accumulation, null buffers) is in kernels.h.
//
// Dimension letters: T steps, B batch, I input, H hidden; the 4H gate columns are PyTorch's i, f, g, o
// (torch.nn.LSTM):
//   i = σ(W_ii x + b_ii + W_hi h + b_hi)   f = σ(…f…)   g = tanh(…g…)   o = σ(…o…)
//   c' = f ⊙ c + i ⊙ g                     h' = o ⊙ tanh(c')
//
// Structure (cuDNN's and every fast RNN's): forward does the input projection of all T·B rows as one
// GEMM before the time loop, then per step one recurrent GEMM into the same gate rows and the fused
// gate math (gates.inl, dispatched). Backward runs the fused gate gradients and one GEMM per step for
// dh, then the weight gradients as GEMMs over all T·B rows after the loop. The per-step GEMMs use
// W_hh packed once per call (StepGemm, gemm.h; at batch ≤ 4 it is read in place by the small-M
// kernels instead). Allocations: that packing, and in forward-only mode one chunk of gates (both
// once per call); nothing is allocated inside the time loop.
//
// The streaming call (forward only, T = 1, B ≤ kSmallM: LSTMCell one step at a time) has a path of
// its own, lstm_step_small_batch: it is a matrix-vector product over 4H·(I + H) weights (2 MB at
// I = H = 256, more than a 1 MB L2), so its time is the time to stream the weights once. Both products
// (W_ih x and W_hh h) read the weights in place through the small-M kernels, and each thread walks its
// weights in the opposite order on every other call, so a call starts on the weights the previous one
// read last, which are still in L2 (about half of them at one thread). On one thread each matrix is
// read whole, as one sequential stream, before the gate math; with more threads the hidden units are
// split into blocks, one contiguous range per thread (each core streams its share of the weights, from
// its own L2 where it fits), and each block takes both products, the biases and the gate math in one
// pass, so the threads never wait for each other.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "dispatch.h"
#include "gemm.h"
#include "inference_layer.h"
#include "kernels.h"
#include "recurrent.h"
#include "threads.h"

namespace rnnkit {

int64_t lstm_workspace_size(int64_t T, int64_t B, int64_t H) { return 7 * T * B * H; }

int64_t lstm_backward_workspace_size(int64_t T, int64_t B, int64_t H) { return 4 * T * B * H + 2 * B * H; }

namespace {

// Forward without a workspace (kernels.h), a chunk of steps at a time (InferenceLayer): the gate
// pre-activations exist for one chunk only, the cell state lives in cN, nothing is saved for backward.
class LstmInference final : public InferenceLayer {
 public:
  LstmInference(const RecurrentForwardArgs& a, int64_t chunk_steps, int64_t slots)
      : InferenceLayer(a, 4 * a.H, chunk_steps, slots),
        kt_(kernels()),
        bias_(aligned_floats(4 * a.H)),
        has_bias_(a.bIh != nullptr || a.bHh != nullptr),
        recurrent_(true, a.B, 4 * a.H, a.H, a.wHh, a.H) {  // op(W) = wHhᵀ [H, 4H], packed once here
    // bIh + bHh, added to each row after its step's GEMM (the row is in L1 then) instead of written
    // into every row before the input GEMM (a pass over T·B·4H floats of memory, on one thread).
    fill_bias_rows(bias_.get(), 1, 4 * a.H, 0, 4 * a.H, a.bIh, a.bHh);
    const int64_t BH = a.B * a.H;
    std::memmove(a.hN, a.h0, BH * sizeof(float));
    if (a.c0 == nullptr) {
      std::memset(a.cN, 0, BH * sizeof(float));
    } else {
      std::memmove(a.cN, a.c0, BH * sizeof(float));
    }
  }

 private:
  void step(int64_t t, float* gates) override {  // gates [B, 4H]
    const RecurrentForwardArgs& a = args_;
    const int64_t H = a.H, G = 4 * H;
    const size_t row_bytes = static_cast<size_t>(H) * sizeof(float);
    float* ot = a.out + t * a.B * H;           // out[t] [B, H]
    recurrent_.run(a.hN, H, 1.0f, gates, G);  // gates[t] += h · wHhᵀ
    for_step_rows(a.B, H, [&](int64_t b0, int64_t b1) {
      for (int64_t b = b0; b < b1; ++b) {
        const int64_t hb = b * H;
        if (!is_active(a.lengths, t, b)) {
          std::memset(ot + hb, 0, row_bytes);  // padded step: state unchanged, output zero
          continue;
        }
        if (has_bias_) kt_.axpy(gates + b * G, 1.0f, bias_.get(), G);
        kt_.lstm_cell_forward(gates + b * G, a.cN + hb, ot + hb, a.cN + hb, H);  // c updated in place
        std::memcpy(a.hN + hb, ot + hb, row_bytes);
      }
    });
  }

  const KernelTable& kt_;
  AlignedFloats bias_;  // [4H]
  bool has_bias_;
  StepGemm recurrent_;
};

// Hidden units per block of the streaming step: 4·32 rows of W_ih and of W_hh (256 KiB at
// I = H = 256), small against L2, so reversing the block order every other call (above) keeps the
// most recently read quarter of the weights hot.
constexpr int64_t kStepUnits = 32;
// Multiply-adds from which the streaming step is split among the pool threads (H = I = 64 has 2^15):
// below it a task is a few hundred ns and waking a worker costs as much.
constexpr int64_t kStepParallelMinWork = int64_t{1} << 17;

bool overlaps(const float* a, int64_t na, const float* b, int64_t nb) {
  if (a == nullptr || b == nullptr) return false;
  const auto a0 = reinterpret_cast<uintptr_t>(a), b0 = reinterpret_cast<uintptr_t>(b);
  return a0 < b0 + static_cast<uintptr_t>(nb) * sizeof(float) && b0 < a0 + static_cast<uintptr_t>(na) * sizeof(float);
}

// Whether the streaming path can take this call: one step, a few rows, forward only, and outputs that
// do not overlap the inputs the blocks read (each block reads all of x and h0 while writing its own
// units; cN may be c0 itself, which is read and written unit by unit).
bool is_small_step(const RecurrentForwardArgs& a) {
  if (a.workspace != nullptr || a.T != 1 || a.B > kSmallM) return false;
  const int64_t BH = a.B * a.H, BI = a.B * a.I;
  for (const float* output : {a.out, a.hN}) {
    if (overlaps(output, BH, a.x, BI) || overlaps(output, BH, a.h0, BH) || overlaps(output, BH, a.c0, BH)) return false;
  }
  if (overlaps(a.out, BH, a.hN, BH) && a.out != a.hN) return false;
  if (overlaps(a.cN, BH, a.x, BI) || overlaps(a.cN, BH, a.h0, BH) || overlaps(a.cN, BH, a.out, BH) ||
      overlaps(a.cN, BH, a.hN, BH)) {
    return false;
  }
  return !overlaps(a.cN, BH, a.c0, BH) || a.cN == a.c0;
}

// The streaming step's gate math for units [v0, v0 + n) of every batch row: gates holds row b's
// pre-activations at b · 4n (i, f, g, o, n each); c and h of those units, and out when it is not hN.
void step_cells(const KernelTable& kt, const RecurrentForwardArgs& a, float* gates, int64_t v0, int64_t n) {
  for (int64_t b = 0; b < a.B; ++b) {
    const int64_t u = b * a.H + v0;
    float* c = a.cN + u;
    const float* cPrev = c;
    if (a.c0 == nullptr) {
      std::memset(c, 0, static_cast<size_t>(n) * sizeof(float));
    } else {
      cPrev = a.c0 + u;
    }
    kt.lstm_cell_forward(gates + b * 4 * n, c, a.hN + u, cPrev, n);
    if (a.out != a.hN) std::memcpy(a.out + u, a.hN + u, static_cast<size_t>(n) * sizeof(float));
  }
}

// Units [v0, v0 + n) (n ≤ kStepUnits) of every row: gates = bIh + bHh + x · wIhᵀ + h0 · wHhᵀ for those
// units' rows of the four gate blocks, then c and h.
void lstm_step_block(const KernelTable& kt, const RecurrentForwardArgs& a, int64_t v0, int64_t n) {
  const int64_t B = a.B, I = a.I, H = a.H;
  float gates[kSmallM * 4 * kStepUnits];  // [B, 4, n]: row b's i, f, g, o of these units
  for (int64_t b = 0; b < B; ++b) {
    for (int64_t g = 0; g < 4; ++g) {
      float* row = gates + (b * 4 + g) * n;
      const int64_t r0 = g * H + v0;
      for (int64_t j = 0; j < n; ++j) {
        row[j] = (a.bIh == nullptr ? 0.0f : a.bIh[r0 + j]) + (a.bHh == nullptr ? 0.0f : a.bHh[r0 + j]);
      }
    }
  }
  for (int64_t g = 0; g < 4; ++g) {
    const int64_t r0 = g * H + v0;  // first weight row of gate g for these units
    kt.gemm_small_m(true, B, n, I, 1.0f, a.x, I, a.wIh + r0 * I, I, gates + g * n, 4 * n);
    kt.gemm_small_m(true, B, n, H, 1.0f, a.h0, H, a.wHh + r0 * H, H, gates + g * n, 4 * n);
  }
  step_cells(kt, a, gates, v0, n);
}

// Flips on every streaming call on this thread: the direction its weights are walked in (header).
thread_local bool step_reversed = false;

// Blocks [first, last) of kStepUnits units, in this thread's current direction.
void lstm_step_blocks(const KernelTable& kt, const RecurrentForwardArgs& a, int64_t first, int64_t last) {
  step_reversed = !step_reversed;
  for (int64_t k = 0; k < last - first; ++k) {
    const int64_t block = step_reversed ? last - 1 - k : first + k;
    const int64_t v0 = block * kStepUnits;
    lstm_step_block(kt, a, v0, a.H - v0 < kStepUnits ? a.H - v0 : kStepUnits);
  }
}

// The streaming step on one thread: gates = bIh + bHh + x · wIhᵀ + h0 · wHhᵀ with each matrix read
// whole, row after row, as one sequential stream (the pattern the hardware prefetchers follow best;
// per-unit blocks touch 8 separate regions per block and measured ~1 µs slower), then the gate math
// over all units. The order alternates between calls as for the blocks: W_ih then W_hh ascending,
// next call W_hh then W_ih descending (at B = 1 gemv_rows; at B = 2..4 chunks of
// kStreamChunkBytes in reverse), so each call starts on the weights the previous one read last.
void lstm_step_one_thread(const KernelTable& kt, const RecurrentForwardArgs& a) {
  const int64_t B = a.B, I = a.I, H = a.H, G = 4 * H;
  thread_local std::vector<float> buffer;  // grows once per thread to the largest B · 4H seen
  if (buffer.size() < static_cast<size_t>(B * G)) buffer.resize(static_cast<size_t>(B * G));
  float* gates = buffer.data();  // [B, 4H]
  fill_bias_rows(gates, B, G, 0, G, a.bIh, a.bHh);
  step_reversed = !step_reversed;
  // gates += A · Wᵀ for A [B, K], W [4H, K] in this call's direction: at B = 1 row by row, every
  // address reversed on reversed calls (gemv_rows); at B = 2..4 chunk by chunk
  auto add_product = [&](const float* A, const float* W, int64_t K) {
    if (B == 1) return kt.gemv_rows(G, K, A, W, K, gates, step_reversed);
    const int64_t rows = std::max<int64_t>(1, kStreamChunkBytes / (K * static_cast<int64_t>(sizeof(float))));
    const int64_t chunks = (G + rows - 1) / rows;
    for (int64_t k = 0; k < chunks; ++k) {
      const int64_t r0 = (step_reversed ? chunks - 1 - k : k) * rows;
      kt.gemm_small_m(true, B, std::min(rows, G - r0), K, 1.0f, A, K, W + r0 * K, K, gates + r0, G);
    }
  };
  if (step_reversed) {
    add_product(a.h0, a.wHh, H);
    add_product(a.x, a.wIh, I);
  } else {
    add_product(a.x, a.wIh, I);
    add_product(a.h0, a.wHh, H);
  }
  step_cells(kt, a, gates, 0, H);
}

// The streaming step (is_small_step): blocks split into one contiguous range per pool thread, so a
// thread keeps streaming the same part of the weights from call to call.
void lstm_step_small_batch(const RecurrentForwardArgs& a) {
  const KernelTable& kt = kernels();  // the caller's table, also on the pool's threads
  const int64_t blocks = (a.H + kStepUnits - 1) / kStepUnits;
  const int64_t work = 4 * a.H * (a.I + a.H) * a.B;
  const int64_t tasks = work < kStepParallelMinWork ? 1 : std::min<int64_t>(usable_threads(), blocks);
  if (tasks <= 1) return lstm_step_one_thread(kt, a);
  parallel_for(tasks, [&](int64_t task) {
    lstm_step_blocks(kt, a, blocks * task / tasks, blocks * (task + 1) / tasks);
  });
}

}  // namespace

std::unique_ptr<InferenceLayer> lstm_inference_layer(const RecurrentForwardArgs& a, int64_t chunk_steps, int64_t slots) {
  return std::make_unique<LstmInference>(a, chunk_steps, slots);
}

void lstm_forward(const RecurrentForwardArgs& a) {
  if (is_small_step(a)) return lstm_step_small_batch(a);
  if (a.workspace == nullptr) {
    LstmInference layer(a, inference_chunk_steps(a.T, a.B, a.I, 4 * a.H), 1);
    return layer.run();
  }
  const KernelTable& kt = kernels();
  const int64_t T = a.T, B = a.B, I = a.I, H = a.H, G = 4 * H, BH = B * H, TBH = T * BH;
  const size_t row_bytes = static_cast<size_t>(H) * sizeof(float);
  float* gates = a.workspace;          // [T, B, 4H]
  float* cells = a.workspace + 4 * TBH;  // [T, B, H]
  float* hPrev = a.workspace + 5 * TBH;  // [T, B, H]
  float* cPrev = a.workspace + 6 * TBH;  // [T, B, H]

  // Pre-activations of every step at once: gates = bIh + bHh + x · wIhᵀ   [T·B, 4H]
  fill_bias_rows(gates, T * B, G, 0, G, a.bIh, a.bHh);
  sgemm(false, true, T * B, G, I, 1.0f, a.x, I, a.wIh, I, 1.0f, gates, G);

  // hN and cN carry the running state; inactive rows simply keep theirs.
  std::memmove(a.hN, a.h0, BH * sizeof(float));
  if (a.c0 == nullptr) {
    std::memset(a.cN, 0, BH * sizeof(float));
  } else {
    std::memmove(a.cN, a.c0, BH * sizeof(float));
  }

  const StepGemm recurrent(true, B, G, H, a.wHh, H);  // op(W) = wHhᵀ [H, 4H], packed once here
  for (int64_t s = 0; s < T; ++s) {
    const int64_t t = a.reverse ? T - 1 - s : s;
    float* gt = gates + t * B * G;  // gates[t]  [B, 4H]
    float* hp = hPrev + t * BH;     // hPrev[t]  [B, H]
    float* cp = cPrev + t * BH;
    float* ct = cells + t * BH;
    float* ot = a.out + t * BH;     // out[t]    [B, H]
    std::memcpy(hp, a.hN, BH * sizeof(float));
    std::memcpy(cp, a.cN, BH * sizeof(float));
    // gates[t] += hPrev[t] · wHhᵀ   [B, H] · [H, 4H]
    recurrent.run(hp, H, 1.0f, gt, G);

    for (int64_t b = 0; b < B; ++b) {
      const int64_t hb = b * H;
      if (!is_active(a.lengths, t, b)) {
        // Padded step: state unchanged, output and saved values zero (the layout contract).
        std::memset(gt + b * G, 0, G * sizeof(float));
        std::memset(ct + hb, 0, row_bytes);
        std::memset(hp + hb, 0, row_bytes);
        std::memset(cp + hb, 0, row_bytes);
        std::memset(ot + hb, 0, row_bytes);
        continue;
      }
      kt.lstm_cell_forward(gt + b * G, ct + hb, ot + hb, cp + hb, H);
      std::memcpy(a.cN + hb, ct + hb, row_bytes);
      std::memcpy(a.hN + hb, ot + hb, row_bytes);
    }
  }
}

void lstm_backward(const RecurrentBackwardArgs& a) {
  const KernelTable& kt = kernels();
  const int64_t T = a.T, B = a.B, I = a.I, H = a.H, G = 4 * H, BH = B * H, TBH = T * BH;
  const float* gates = a.workspace;
  const float* cells = a.workspace + 4 * TBH;
  const float* hPrev = a.workspace + 5 * TBH;
  const float* cPrev = a.workspace + 6 * TBH;
  float* dGates = a.scratch;             // [T, B, 4H] dLoss / d pre-activation of i, f, g, o
  float* dh = a.scratch + 4 * TBH;       // [B, H] gradient reaching the current step's hidden state
  float* dc = dh + BH;                   // [B, H] same for the cell state

  if (a.dHN == nullptr) {
    std::memset(dh, 0, BH * sizeof(float));
  } else {
    std::memmove(dh, a.dHN, BH * sizeof(float));
  }
  if (a.dCN == nullptr) {
    std::memset(dc, 0, BH * sizeof(float));
  } else {
    std::memmove(dc, a.dCN, BH * sizeof(float));
  }

  const StepGemm recurrent(false, B, H, G, a.wHh, H);  // op(W) = wHh [4H, H], packed once here
  for (int64_t s = 0; s < T; ++s) {
    const int64_t t = a.reverse ? s : T - 1 - s;  // steps in the opposite order of forward
    float* dgt = dGates + t * B * G;
    for (int64_t b = 0; b < B; ++b) {
      const int64_t o = t * BH + b * H, hb = b * H;
      if (!is_active(a.lengths, t, b)) {
        // The state passed through unchanged: dh and dc flow on, nothing reaches the gates.
        std::memset(dgt + b * G, 0, G * sizeof(float));
        continue;
      }
      kt.lstm_cell_backward(dgt + b * G, dc + hb, dh + hb, a.dOut == nullptr ? nullptr : a.dOut + o,
                            gates + t * B * G + b * G, cells + o, cPrev + o, H);
    }
    // dh (active rows, zeroed above) += dGates[t] · wHh   [B, 4H] · [4H, H]; inactive rows add zero.
    recurrent.run(dgt, G, 1.0f, dh, H);
  }

  if (a.dH0 != nullptr) kt.axpy(a.dH0, 1.0f, dh, BH);
  if (a.dC0 != nullptr) kt.axpy(a.dC0, 1.0f, dc, BH);

  // Weight gradients over all T·B rows at once.
  // dWHh += dGatesᵀ · hPrev   [4H, T·B] · [T·B, H]   (both zero at inactive rows)
  sgemm(true, false, G, H, T * B, 1.0f, dGates, G, hPrev, H, 1.0f, a.dWHh, H);
  accumulate_input_gradients(a.dWIh, a.dX, dGates, G, G, a.x, a.wIh, a.lengths, T, B, I);
  // dBIh and dBHh both += the column sums of dGates, computed once.
  if (a.dBIh != nullptr || a.dBHh != nullptr) {
    add_column_sums(a.dBIh != nullptr ? a.dBIh : a.dBHh, a.dBIh != nullptr ? a.dBHh : nullptr, dGates, T * B, G, G);
  }
}

}  // namespace rnnkit
