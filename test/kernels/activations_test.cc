// The vector activations and row kernels of every KernelTable against the double-precision scalar
// references (sigmoid_reference, tanh_reference, and softmax computed here in double), on ragged
// lengths and the edge values: NaN, ±0, ±Inf, denormals and the saturation bounds of sigmoid/tanh.
#include <cfloat>
#include <cstring>
#include <limits>

#include "test.h"

using namespace rnnkit_test;

namespace {

const float kNaN = std::numeric_limits<float>::quiet_NaN();
const float kInf = std::numeric_limits<float>::infinity();
const float kDenorm = std::numeric_limits<float>::denorm_min() * 1000;

// |y − ref| ≤ 4 ulp of ref, or one denormal step (results in the denormal range keep that accuracy
// instead of flushing to 0: sigmoid(-100) = 3.7e-44).
bool close_ulps(float y, float ref) {
  if (std::isnan(ref)) return std::isnan(y);
  if (std::isinf(ref)) return y == ref;
  return std::fabs(static_cast<double>(y) - ref) <=
         4 * FLT_EPSILON * std::fabs(ref) + std::numeric_limits<float>::denorm_min();
}

using ArrayFn = void (*)(float*, const float*, int64_t);

void check_array(const std::string& label, ArrayFn fn, float (*reference)(float), const std::vector<float>& x) {
  std::vector<float> y(x.size() + 1, 123.0f);  // one guard element past the end
  fn(y.data(), x.data(), static_cast<int64_t>(x.size()));
  CHECK_MSG(y.back() == 123.0f, label + ": wrote past the end");
  for (size_t i = 0; i < x.size(); ++i) {
    const float ref = reference(x[i]);
    if (!close_ulps(y[i], ref)) {
      char msg[200];
      std::snprintf(msg, sizeof msg, "%s: x[%zu] = %.9g gives %.9g, reference %.9g", label.c_str(), i, x[i], y[i], ref);
      CHECK_MSG(false, msg);
      return;
    }
  }
}

float sign_bit(float v) { return std::signbit(v) ? -1.0f : 1.0f; }

}  // namespace

TEST(activations_match_reference_on_ragged_lengths_every_isa) {
  for (const auto* table : usable_tables()) {
    Rng rng(3);
    for (int64_t n : {1, 3, 7, 8, 9, 15, 16, 17, 31, 33, 129, 1000}) {
      std::vector<float> x = rng.floats(n, 12.0);
      const std::string isa = std::string(table->name) + " n=" + std::to_string(n);
      check_array(isa + " tanh", table->tanh, rnnkit::tanh_reference, x);
      check_array(isa + " sigmoid", table->sigmoid, rnnkit::sigmoid_reference, x);
    }
    // Dense sweep across the tanh branch point (0.625), the exp range reduction and saturation.
    std::vector<float> sweep;
    for (float v = -100.0f; v <= 100.0f; v += 0.0137f) sweep.push_back(v);
    for (float v = -1.0f; v <= 1.0f; v += 0.000731f) sweep.push_back(v);
    check_array(std::string(table->name) + " tanh sweep", table->tanh, rnnkit::tanh_reference, sweep);
    check_array(std::string(table->name) + " sigmoid sweep", table->sigmoid, rnnkit::sigmoid_reference, sweep);
  }
}

TEST(activations_edge_values_every_isa) {
  const std::vector<float> x = {kNaN, 0.0f, -0.0f, kInf, -kInf, kDenorm, -kDenorm, 1e-30f, -1e-30f,
                                9.0f, -9.0f, 44.0f, -44.0f, 88.5f, -88.5f, 100.0f, -100.0f, 1e30f, -1e30f};
  for (const auto* table : usable_tables()) {
    const std::string isa = table->name;
    check_array(isa + " tanh edges", table->tanh, rnnkit::tanh_reference, x);
    check_array(isa + " sigmoid edges", table->sigmoid, rnnkit::sigmoid_reference, x);
    std::vector<float> y(x.size());
    table->tanh(y.data(), x.data(), static_cast<int64_t>(x.size()));
    CHECK_MSG(std::isnan(y[0]), isa + ": tanh(NaN) must be NaN");
    CHECK_MSG(y[1] == 0.0f && sign_bit(y[1]) > 0 && y[2] == 0.0f && sign_bit(y[2]) < 0, isa + ": tanh keeps ±0");
    CHECK_MSG(y[3] == 1.0f && y[4] == -1.0f, isa + ": tanh(±Inf) = ±1");
    CHECK_MSG(y[15] == 1.0f && y[16] == -1.0f, isa + ": tanh saturates exactly to ±1");
    table->sigmoid(y.data(), x.data(), static_cast<int64_t>(x.size()));
    CHECK_MSG(std::isnan(y[0]), isa + ": sigmoid(NaN) must be NaN");
    CHECK_MSG(y[1] == 0.5f && y[2] == 0.5f, isa + ": sigmoid(±0) = 0.5");
    CHECK_MSG(y[3] == 1.0f && y[4] == 0.0f, isa + ": sigmoid(+Inf) = 1, sigmoid(-Inf) = 0");
    CHECK_MSG(y[15] == 1.0f && y[16] > 0.0f && y[16] < 1e-38f, isa + ": sigmoid(-100) is a denormal, not 0");
    // in place (out aliases x)
    std::vector<float> inplace = x;
    table->tanh(inplace.data(), inplace.data(), static_cast<int64_t>(inplace.size()));
    table->tanh(y.data(), x.data(), static_cast<int64_t>(x.size()));
    CHECK_MSG(std::memcmp(inplace.data(), y.data(), y.size() * sizeof(float)) == 0, isa + ": tanh in place");
  }
}

TEST(axpy_matches_definition_every_isa) {
  for (const auto* table : usable_tables()) {
    Rng rng(5);
    for (int64_t n : {1, 3, 17, 129}) {
      std::vector<float> x = rng.floats(n), y = rng.floats(n + 1);
      std::vector<double> expected(n);
      for (int64_t i = 0; i < n; ++i) expected[i] = static_cast<double>(y[i]) + static_cast<double>(-0.75f * x[i]);
      const float guard = y[n];
      table->axpy(y.data(), -0.75f, x.data(), n);
      CHECK_CLOSE(std::string(table->name) + " axpy n=" + std::to_string(n), y.data(), expected.data(), n, 1e-7);
      CHECK_MSG(y[n] == guard, std::string(table->name) + ": axpy wrote past the end");
    }
  }
}

TEST(mul_is_the_exact_product_every_isa) {
  for (const auto* table : usable_tables()) {
    Rng rng(6);
    for (int64_t n : {1, 3, 17, 129}) {
      std::vector<float> a = rng.floats(n), b = rng.floats(n), out(n + 1, 42.0f);
      table->mul(out.data(), a.data(), b.data(), n);
      bool exact = true;
      for (int64_t i = 0; i < n; ++i) exact = exact && out[i] == a[i] * b[i];  // one rounding, as the js twin
      CHECK_MSG(exact, std::string(table->name) + " mul n=" + std::to_string(n));
      CHECK_MSG(out[n] == 42.0f, std::string(table->name) + ": mul wrote past the end");
      table->mul(a.data(), a.data(), b.data(), n);
      CHECK_MSG(std::memcmp(a.data(), out.data(), n * sizeof(float)) == 0, std::string(table->name) + ": mul in place");
    }
  }
}

namespace {

// softmax and log-softmax of one row in double, PyTorch's NaN rules.
void reference_softmax(const float* x, int64_t n, double* soft, double* logsoft) {
  double max = -INFINITY;
  bool nan = false;
  for (int64_t i = 0; i < n; ++i) {
    if (std::isnan(x[i])) nan = true;
    max = std::max(max, static_cast<double>(x[i]));
  }
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) sum += std::exp(x[i] - max);
  for (int64_t i = 0; i < n; ++i) {
    soft[i] = nan ? NAN : std::exp(x[i] - max) / sum;
    logsoft[i] = nan ? NAN : x[i] - max - std::log(sum);
  }
}

void check_rows(const rnnkit::KernelTable& table, const std::string& label, const std::vector<float>& x,
                int64_t rows, int64_t cols) {
  std::vector<double> soft(x.size()), logsoft(x.size());
  for (int64_t r = 0; r < rows; ++r) reference_softmax(&x[r * cols], cols, &soft[r * cols], &logsoft[r * cols]);
  std::vector<float> y(x.size());
  rnnkit::ScopedKernelTable use(table);
  rnnkit::softmax_rows(y.data(), x.data(), rows, cols);
  CHECK_CLOSE(label + " softmax", y.data(), soft.data(), rows * cols, 1e-6);
  rnnkit::log_softmax_rows(y.data(), x.data(), rows, cols);
  CHECK_CLOSE(label + " log_softmax", y.data(), logsoft.data(), rows * cols, 1e-6);
  std::vector<float> inplace = x;  // out aliases x
  rnnkit::softmax_rows(inplace.data(), inplace.data(), rows, cols);
  CHECK_CLOSE(label + " softmax in place", inplace.data(), soft.data(), rows * cols, 1e-6);
}

}  // namespace

TEST(softmax_rows_match_reference_every_isa) {
  for (const auto* table : usable_tables()) {
    Rng rng(11);
    for (int64_t cols : {1, 3, 17, 129}) {
      for (int64_t rows : {1, 3}) {
        check_rows(*table, std::string(table->name) + " " + std::to_string(rows) + "x" + std::to_string(cols),
                   rng.floats(rows * cols, 30.0), rows, cols);
      }
    }
    // masked logits (-Inf get 0 / -Inf), a NaN row, an all -Inf row (NaN, as PyTorch), huge values
    const std::vector<float> x = {1, -kInf, 3, 0.5f, 2, -kInf, 7, -kInf, 1000, -1000, 0, 88,
                                  1, kNaN, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
                                  -kInf, -kInf, -kInf, -kInf, -kInf, -kInf, -kInf, -kInf, -kInf, -kInf, -kInf, -kInf};
    check_rows(*table, std::string(table->name) + " edges", x, 3, 12);
  }
}
