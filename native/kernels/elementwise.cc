// The few elementwise and row kernels the Backend exposes (axpy, mul, row softmax / log-softmax); the
// vector bodies are in activations.inl, dispatched through the KernelTable. Mirrors
// lib/backend/js/elementwise.ts. Dimension letters: rows × cols, row-major.
//
// Porting note: the js twin sums the exponentials in float64; here the sum is float32 vector lanes
// (a tree of kWidth partial sums), which agrees to ~1e-7 relative on rows of thousands of columns.
#include "dispatch.h"
#include "kernels.h"

namespace rnnkit {

void axpy(float* y, float alpha, const float* x, int64_t n) { kernels().axpy(y, alpha, x, n); }

void mul(float* out, const float* a, const float* b, int64_t n) { kernels().mul(out, a, b, n); }

void softmax_rows(float* out, const float* x, int64_t rows, int64_t cols) {
  const KernelTable& kt = kernels();
  for (int64_t r = 0; r < rows; ++r) kt.softmax_row(out + r * cols, x + r * cols, cols);
}

void log_softmax_rows(float* out, const float* x, int64_t rows, int64_t cols) {
  const KernelTable& kt = kernels();
  for (int64_t r = 0; r < rows; ++r) kt.log_softmax_row(out + r * cols, x + r * cols, cols);
}

}  // namespace rnnkit
