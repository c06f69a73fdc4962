// rnnkit kernels: the whole public C++ kernel API (the mlas.h of rnnkit).
//
// Plain C++17, no Node headers, no exceptions: pointers and sizes in, results written through
// pointers. Preconditions (consistent sizes, non-null required buffers) are the caller's job and are
// only asserted in debug builds (check.h); the Node binding validates everything before calling.
// Every function here has a pure-TypeScript twin of the same name in lib/backend/js/ (camelCase
// there), with the same argument order and the same workspace layout, so a reader can find the
// other half and the parity test can compare them.
//
// Dimension letters: T steps, B batch, I input features, H hidden units, G gates per cell
// (RNN 1, GRU 3, LSTM 4); M, N, K for GEMM. Buffers are row-major float32 and need not be aligned.
// Backward functions ACCUMULATE into gradient buffers (+=); the caller zeroes them.
#pragma once

#include <cstddef>
#include <cstdint>

namespace rnnkit {

// ---------------------------------------------------------------------------------------------
// GEMM (gemm.cc)
// ---------------------------------------------------------------------------------------------

// C = alpha · op(A) · op(B) + beta · C, row-major, op(X) = X or Xᵀ (BLAS argument order).
// op(A) is [M, K] (A itself is [M, lda] or, transposed, [K, lda]); op(B) is [K, N]; C is [M, ldc].
// beta == 0 stores without reading C (NaN in C does not propagate), alpha == 0 reads neither A nor B.
// Packed, cache-blocked, register-tiled through the dispatched microkernel; threaded on big sizes.
void sgemm(bool transA, bool transB, int64_t M, int64_t N, int64_t K, float alpha,
           const float* A, int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc);

// The oracle: the definition, each dot product summed in double. Same contract as sgemm.
void sgemm_reference(bool transA, bool transB, int64_t M, int64_t N, int64_t K, float alpha,
                     const float* A, int64_t lda, const float* B, int64_t ldb, float beta, float* C,
                     int64_t ldc);

// ---------------------------------------------------------------------------------------------
// Activations (activations.cc): scalar references (oracle and tail path) and dispatched arrays.
// NaN propagates, ±0 keeps its sign through tanh, large |x| saturates without overflow.
// ---------------------------------------------------------------------------------------------

float sigmoid_reference(float x);  // 1 / (1 + e^-x), computed in double
float tanh_reference(float x);     // std::tanh in double

void tanh_array(float* out, const float* x, int64_t n);     // out[i] = tanh(x[i]); out may alias x
void sigmoid_array(float* out, const float* x, int64_t n);  // out[i] = sigmoid(x[i]); out may alias x

// ---------------------------------------------------------------------------------------------
// Elementwise and row kernels (elementwise.cc)
// ---------------------------------------------------------------------------------------------

void axpy(float* y, float alpha, const float* x, int64_t n);  // y[i] += alpha · x[i]
void mul(float* out, const float* a, const float* b, int64_t n);  // out[i] = a[i] · b[i]; out may alias a or b
// out[r, :] = softmax(x[r, :]) for x [rows, cols], max-subtracted; out may alias x.
// A row holding NaN or +Inf, or entirely -Inf, becomes NaN (as PyTorch); -Inf entries get 0.
void softmax_rows(float* out, const float* x, int64_t rows, int64_t cols);
// out[r, :] = x[r, :] − logsumexp(x[r, :]) for x [rows, cols]; out may alias x.
void log_softmax_rows(float* out, const float* x, int64_t rows, int64_t cols);

// ---------------------------------------------------------------------------------------------
// Fused recurrent layers (rnn.cc, lstm.cc, gru.cc): one layer, one direction, a whole sequence.
//
// Time order and lengths: with reverse false the kernel visits t = 0 … T-1, otherwise T-1 … 0.
// Row b is active at step t iff t < lengths[b] (always when lengths is null). An inactive row keeps
// its state and gets out[t, b, :] = 0, so the reverse direction holds a row at its initial state
// until its last valid step (PyTorch's packed sequences). Padded x[t, b, :] never reaches a result.
//
// Forward workspace layout (each part contiguous, in this order; 0 at inactive positions):
//   rnn:  hPrev [T, B, H]
//   lstm: gates [T, B, 4H] (activated i, f, g, o), cells [T, B, H] (c after the step),
//         hPrev [T, B, H], cPrev [T, B, H]
//   gru:  gates [T, B, 3H] (activated r, z, n), hnPre [T, B, H] (W_hn h + b_hn, before r ⊙),
//         hPrev [T, B, H]
// hPrev[t] / cPrev[t] hold the state that step t consumed. The layout is part of the Backend
// contract (lib/backend/backend.ts) and identical in the js backend.
// A null workspace means forward only: out, hN, cN as always, nothing saved for backward; LSTM and
// GRU then project the input a chunk of steps at a time (recurrent.h inference_chunk_steps) into a
// buffer of their own, so inference touches O(chunk·B·G·H) memory instead of O(T·B·G·H).
// ---------------------------------------------------------------------------------------------

enum class RnnActivation { tanh, relu };

struct RecurrentForwardArgs {
  // outputs
  float* out;        // [T, B, H] hidden state after each step; 0 at inactive positions
  float* hN;         // [B, H] final hidden state
  float* cN;         // [B, H] final cell state, LSTM only (nullptr otherwise)
  float* workspace;  // [*_workspace_size(T, B, H)] what backward needs (layout above), or nullptr:
                     // forward only (inference), nothing saved, memory O(chunk) instead of O(T·B·H)
  // inputs
  const float* x;    // [T, B, I]
  const float* h0;   // [B, H]
  const float* c0;   // [B, H] LSTM only; nullptr means zeros
  const float* wIh;  // [G*H, I] PyTorch's weight_ih_l{k}
  const float* wHh;  // [G*H, H] PyTorch's weight_hh_l{k}
  const float* bIh;  // [G*H] or nullptr (no bias)
  const float* bHh;  // [G*H] or nullptr (no bias)
  const int32_t* lengths;  // [B] each in 1..T, or nullptr (all T)
  bool reverse;
  int64_t T, B, I, H;
};

struct RecurrentBackwardArgs {
  // gradient outputs (accumulated into)
  float* dX;    // [T, B, I] or nullptr
  float* dH0;   // [B, H] or nullptr
  float* dC0;   // [B, H] LSTM only, or nullptr
  float* dWIh;  // [G*H, I]
  float* dWHh;  // [G*H, H]
  float* dBIh;  // [G*H] or nullptr
  float* dBHh;  // [G*H] or nullptr
  float* scratch;  // [*_backward_workspace_size(T, B, H)], contents undefined on entry
  // upstream gradients (nullptr means zero)
  const float* dOut;  // [T, B, H]; values at inactive positions are ignored
  const float* dHN;   // [B, H]
  const float* dCN;   // [B, H] LSTM only
  // what forward saw and saved
  const float* x;
  const float* h0;
  const float* c0;
  const float* wIh;
  const float* wHh;
  const float* out;        // [T, B, H] forward's out
  const float* workspace;  // forward's workspace, unchanged
  const int32_t* lengths;
  bool reverse;
  int64_t T, B, I, H;
};

// rnn.cc: h' = act(W_ih x + b_ih + W_hh h + b_hh), act = tanh or relu.
int64_t rnn_workspace_size(int64_t T, int64_t B, int64_t H);           // T·B·H
int64_t rnn_backward_workspace_size(int64_t T, int64_t B, int64_t H);  // dPre [T,B,H], dh [B,H]
void rnn_forward(RnnActivation activation, const RecurrentForwardArgs& args);
void rnn_backward(RnnActivation activation, const RecurrentBackwardArgs& args);

// lstm.cc: gates i, f, g, o; c' = f ⊙ c + i ⊙ g; h' = o ⊙ tanh(c').
int64_t lstm_workspace_size(int64_t T, int64_t B, int64_t H);           // 7·T·B·H
// dGates [T,B,4H], dh [B,H], dc [B,H]
int64_t lstm_backward_workspace_size(int64_t T, int64_t B, int64_t H);
void lstm_forward(const RecurrentForwardArgs& args);
void lstm_backward(const RecurrentBackwardArgs& args);

// gru.cc: gates r, z, n; n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)); h' = (1 − z) ⊙ n + z ⊙ h.
int64_t gru_workspace_size(int64_t T, int64_t B, int64_t H);           // 5·T·B·H
// dGh [T,B,3H] (hidden-side pre-activation gradients), dnIn [T,B,H] (of W_in x + b_in), dh [B,H]
int64_t gru_backward_workspace_size(int64_t T, int64_t B, int64_t H);
void gru_forward(const RecurrentForwardArgs& args);
void gru_backward(const RecurrentBackwardArgs& args);

// stacked.cc: the forward-only pass of count ≥ 1 stacked unidirectional layers of one cell, as the
// layer loop of torch.nn.LSTM / GRU without dropout: layers[k].x is layers[k − 1].out (so I of layer
// k is H of layer k − 1), and every layer has workspace nullptr, reverse false, the same T, B and
// lengths. Results as lstm_forward / gru_forward called on each layer in turn. With 2 ≤
// thread_count() ≤ count the layers run as a wavefront, one thread each (stacked.cc explains).
void lstm_forward_stacked(const RecurrentForwardArgs* layers, int64_t count);
void gru_forward_stacked(const RecurrentForwardArgs* layers, int64_t count);

// ---------------------------------------------------------------------------------------------
// Introspection (dispatch.cc, threads.cc)
// ---------------------------------------------------------------------------------------------

const char* active_isa_name();  // "scalar" | "avx2" | "avx512": the KernelTable in use
int thread_count();             // threads parallel_for uses (the caller included)
// Sets thread_count() (clamped to 1..256) for every later call, process-wide: one pool serves the
// main thread and every worker_thread. Waits for a parallel_for in flight to finish.
void set_thread_count(int threads);

}  // namespace rnnkit
