// The oracle of the recurrent kernel tests: PyTorch's equations for one layer and direction written
// as plainly as possible in double (per step, per row, per unit; no GEMM, no fusion), including
// lengths, reverse order and the workspace the Backend contract specifies. Gradients come from
// central finite differences of the loss L = Σ out·R + Σ hN·Rh + Σ cN·Rc on this reference, never
// from the code under test. Shared by rnn_test.cc, lstm_test.cc and gru_test.cc.
#pragma once

#include <algorithm>
#include <cmath>
#include <functional>

#include "test.h"

namespace rnnkit_test {

enum class Cell { rnn_tanh, rnn_relu, lstm, gru };

inline int gates_of(Cell cell) { return cell == Cell::lstm ? 4 : cell == Cell::gru ? 3 : 1; }
inline const char* cell_name(Cell cell) {
  return cell == Cell::lstm ? "lstm" : cell == Cell::gru ? "gru" : cell == Cell::rnn_tanh ? "rnn_tanh" : "rnn_relu";
}

struct Shape {
  int64_t T, B, I, H;
  bool reverse;
  std::vector<int32_t> lengths;  // empty: all T
  bool bias = true;
};

// Every tensor of one problem, in double; the names and shapes of RecurrentForwardArgs.
struct Problem {
  Cell cell;
  Shape s;
  std::vector<double> x, h0, c0, wIh, wHh, bIh, bHh;  // c0 empty unless LSTM; biases empty if !bias
  std::vector<double> R, Rh, Rc;                      // upstream gradients (loss weights)
};

struct Forward {
  std::vector<double> out, hN, cN, workspace;
};

inline double sigmoid(double v) { return 1.0 / (1.0 + std::exp(-v)); }

inline Forward reference_forward(const Problem& p) {
  const Shape& s = p.s;
  const int64_t T = s.T, B = s.B, I = s.I, H = s.H, G = gates_of(p.cell), BH = B * H, TBH = T * BH;
  Forward f;
  f.out.assign(T * BH, 0.0);
  f.hN = p.h0;
  f.cN = p.cell == Cell::lstm ? p.c0 : std::vector<double>();
  const int64_t ws_size = p.cell == Cell::lstm ? 7 * TBH : p.cell == Cell::gru ? 5 * TBH : TBH;
  f.workspace.assign(ws_size, 0.0);
  std::vector<double> pre_x(G * H), pre_h(G * H);
  for (int64_t step = 0; step < T; ++step) {
    const int64_t t = s.reverse ? T - 1 - step : step;
    for (int64_t b = 0; b < B; ++b) {
      if (!s.lengths.empty() && t >= s.lengths[b]) continue;  // inactive: state kept, out and workspace 0
      double* h = &f.hN[b * H];
      for (int64_t r = 0; r < G * H; ++r) {
        double ax = s.bias ? p.bIh[r] : 0.0, ah = s.bias ? p.bHh[r] : 0.0;
        for (int64_t i = 0; i < I; ++i) ax += p.wIh[r * I + i] * p.x[(t * B + b) * I + i];
        for (int64_t k = 0; k < H; ++k) ah += p.wHh[r * H + k] * h[k];
        pre_x[r] = ax;
        pre_h[r] = ah;
      }
      const int64_t row = t * BH + b * H;
      if (p.cell == Cell::lstm) {
        double* c = &f.cN[b * H];
        for (int64_t u = 0; u < H; ++u) {
          const double i = sigmoid(pre_x[u] + pre_h[u]), fg = sigmoid(pre_x[H + u] + pre_h[H + u]);
          const double g = std::tanh(pre_x[2 * H + u] + pre_h[2 * H + u]);
          const double o = sigmoid(pre_x[3 * H + u] + pre_h[3 * H + u]);
          const double cNew = fg * c[u] + i * g;
          double* gates = &f.workspace[(t * B + b) * 4 * H];
          gates[u] = i, gates[H + u] = fg, gates[2 * H + u] = g, gates[3 * H + u] = o;
          f.workspace[4 * TBH + row + u] = cNew;
          f.workspace[5 * TBH + row + u] = h[u];
          f.workspace[6 * TBH + row + u] = c[u];
          c[u] = cNew;
          f.out[row + u] = o * std::tanh(cNew);
        }
      } else if (p.cell == Cell::gru) {
        for (int64_t u = 0; u < H; ++u) {
          const double r = sigmoid(pre_x[u] + pre_h[u]), z = sigmoid(pre_x[H + u] + pre_h[H + u]);
          const double n = std::tanh(pre_x[2 * H + u] + r * pre_h[2 * H + u]);
          double* gates = &f.workspace[(t * B + b) * 3 * H];
          gates[u] = r, gates[H + u] = z, gates[2 * H + u] = n;
          f.workspace[3 * TBH + row + u] = pre_h[2 * H + u];
          f.workspace[4 * TBH + row + u] = h[u];
          f.out[row + u] = (1 - z) * n + z * h[u];
        }
      } else {
        for (int64_t u = 0; u < H; ++u) {
          const double v = pre_x[u] + pre_h[u];
          f.workspace[row + u] = h[u];
          f.out[row + u] = p.cell == Cell::rnn_tanh ? std::tanh(v) : std::max(v, 0.0);
        }
      }
      for (int64_t u = 0; u < H; ++u) h[u] = f.out[row + u];
    }
  }
  return f;
}

inline double reference_loss(const Problem& p) {
  const Forward f = reference_forward(p);
  double loss = 0;
  for (size_t i = 0; i < f.out.size(); ++i) loss += f.out[i] * p.R[i];
  for (size_t i = 0; i < f.hN.size(); ++i) loss += f.hN[i] * p.Rh[i];
  for (size_t i = 0; i < f.cN.size(); ++i) loss += f.cN[i] * p.Rc[i];
  return loss;
}

inline Problem make_problem(Cell cell, const Shape& s, uint64_t seed) {
  Rng rng(seed);
  Problem p{cell, s, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}};
  const int64_t G = gates_of(cell), T = s.T, B = s.B, I = s.I, H = s.H;
  const double scale = 1.0 / std::sqrt(static_cast<double>(H));  // PyTorch's U(±1/√H)
  auto fill = [&](std::vector<double>& v, int64_t n, double a) {
    v.resize(n);
    for (auto& e : v) e = static_cast<float>(rng.uniform(-a, a));  // exactly representable in float
  };
  fill(p.x, T * B * I, 1.0);
  fill(p.h0, B * H, 0.5);
  if (cell == Cell::lstm) fill(p.c0, B * H, 0.5);
  fill(p.wIh, G * H * I, scale);
  fill(p.wHh, G * H * H, scale);
  if (s.bias) {
    fill(p.bIh, G * H, scale);
    fill(p.bHh, G * H, scale);
  }
  fill(p.R, T * B * H, 1.0);
  fill(p.Rh, B * H, 1.0);
  if (cell == Cell::lstm) fill(p.Rc, B * H, 1.0);
  return p;
}

inline std::vector<float> to_float(const std::vector<double>& v) { return std::vector<float>(v.begin(), v.end()); }
inline const float* ptr_or_null(const std::vector<float>& v) { return v.empty() ? nullptr : v.data(); }
inline float* ptr_or_null(std::vector<float>& v) { return v.empty() ? nullptr : v.data(); }

}  // namespace rnnkit_test
