// Paired A/B of two code paths inside ONE process: variant 0 and variant V alternate sample by sample
// (each sample ≥ ~20 ms of calls, the order flipped every pair), and the per-pair ratios are reported
// (median, quartiles, how many pairs V won). The neighbour's bursts on this shared machine last
// seconds; two samples a few tens of milliseconds apart see the same one, so a pair's ratio is the
// change and not the burst: ±2% resolution here, where separate processes (ab.ts) were at ±8%.
//
// Use: for an experiment, give the kernel file a weak definition of the switch and branch on it,
//   namespace rnnkit { __attribute__((weak)) int experiment_variant = 0; }
//   ...   if (experiment_variant != 0) { new } else { old }
// (this file's definition replaces the weak one here; gemm_bench and the addon keep the weak 0, so
// they still link), rebuild (sh bench/kernels/build.sh) and run
//   RNNKIT_NUM_THREADS=1 ./build/bench-kernels/paired 1 "step 32x"
// (argument 1: the value V the new path sees; argument 2: a case-name filter). With no kernel
// branching on it, both variants run the same code: an A/A run, the noise floor.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "bench_data.h"
#include "gemm.h"
#include "kernels.h"

namespace rnnkit {
int experiment_variant = 0;  // the switch an experiment's kernel code reads (header): replaces its weak 0
}

namespace {

using bench::filled;

void paired(const std::string& name, int variant, int pairs, const std::function<void()>& fn) {
  rnnkit::experiment_variant = 0;
  fn();
  fn();
  const double t0 = bench::wall_ms();
  fn();
  const int inner = std::max(1, static_cast<int>(20.0 / std::max(bench::wall_ms() - t0, 1e-3)));
  std::vector<double> ratios, base;
  int wins = 0;
  for (int p = 0; p < pairs; ++p) {
    double ms[2];
    for (int k = 0; k < 2; ++k) {
      const int which = p % 2 == 0 ? k : 1 - k;
      rnnkit::experiment_variant = which == 1 ? variant : 0;
      const double start = bench::wall_ms();
      for (int i = 0; i < inner; ++i) fn();
      ms[which] = (bench::wall_ms() - start) / inner;
    }
    ratios.push_back(ms[1] / ms[0]);
    base.push_back(ms[0]);
    wins += ms[1] < ms[0];
  }
  rnnkit::experiment_variant = 0;
  std::sort(ratios.begin(), ratios.end());
  std::sort(base.begin(), base.end());
  std::printf("%-34s variant %d / 0: median %.3f (quartiles %.3f-%.3f), faster in %d of %d pairs; variant 0 %.4f ms\n",
              name.c_str(), variant, ratios[pairs / 2], ratios[pairs / 4], ratios[3 * pairs / 4], wins, pairs,
              base[pairs / 2]);
}

}  // namespace

int main(int argc, char** argv) {
  const int variant = argc > 1 ? std::atoi(argv[1]) : 1;
  const std::string filter = argc > 2 ? argv[2] : "";
  std::printf("isa %s, %d thread(s), variant %d against 0\n", rnnkit::active_isa_name(), rnnkit::thread_count(), variant);
  struct Step {
    int64_t M, N, K;
  };
  // the recurrent step h · W_hhᵀ (W_hh packed once): batch M, N = 4H, K = H
  for (const Step s : {Step{8, 2048, 512}, Step{16, 2048, 512}, Step{30, 2048, 512}, Step{32, 2048, 512},
                       Step{48, 2048, 512}, Step{32, 1024, 256}, Step{64, 4096, 1024}}) {
    const std::string name = "step " + std::to_string(s.M) + "x" + std::to_string(s.N) + "x" + std::to_string(s.K);
    if (name.find(filter) == std::string::npos) continue;
    std::vector<float> A = filled(s.M * s.K, 1), W = filled(s.K * s.N, 2), C = filled(s.M * s.N, 3);
    const rnnkit::StepGemm step(true, s.M, s.N, s.K, W.data(), s.K);
    paired(name, variant, 40, [&] { step.run(A.data(), s.K, 1.0f, C.data(), s.N); });
  }
  // whole products through sgemm (op(B) packed panel by panel as they come): the ceiling case, the
  // training forward's input projection, and the backward's weight gradient (TN, beta 1: it
  // accumulates) and input gradient of the LSTM T=100 B=32 H=512 layer
  struct Product {
    bool transA;
    int64_t M, N, K;
    float beta;
  };
  for (const Product s : {Product{false, 2048, 2048, 2048, 0.0f}, Product{false, 3200, 2048, 512, 0.0f},
                          Product{true, 2048, 512, 3200, 1.0f}, Product{false, 3200, 512, 2048, 1.0f}}) {
    const std::string name = std::string(s.transA ? "sgemm TN " : "sgemm ") + std::to_string(s.M) + "x" +
                             std::to_string(s.N) + "x" + std::to_string(s.K);
    if (name.find(filter) == std::string::npos) continue;
    std::vector<float> A = filled(s.M * s.K, 1), B = filled(s.K * s.N, 2), C = filled(s.M * s.N, 3);
    const int64_t lda = s.transA ? s.M : s.K;
    paired(name, variant, 20, [&] {
      rnnkit::sgemm(s.transA, false, s.M, s.N, s.K, 1.0f, A.data(), lda, B.data(), s.N, s.beta, C.data(), s.N);
    });
  }
  struct Layer {
    int64_t T, B, I, H;
  };
  const auto layer_name = [](const char* kind, const Layer& l) {
    return std::string("lstm ") + kind + " T" + std::to_string(l.T) + " B" + std::to_string(l.B) + " I" +
           std::to_string(l.I) + " H" + std::to_string(l.H);
  };
  // one LSTM layer's training step (forward with the saved workspace, then backward): the single
  // layer of the bench's lstm-h1024-train case and a layer of lstm-2l-h512-train at I = H
  for (const Layer l : {Layer{100, 32, 512, 512}, Layer{25, 64, 1024, 1024}}) {
    const std::string name = layer_name("train", l);
    if (name.find(filter) == std::string::npos) continue;
    const bench::LstmLayer layer(l.T, l.B, l.I, l.H);
    paired(name, variant, 12, [&] { layer.train(); });
  }
  // one LSTM layer, forward only: the layers of the bench's inference cases, and its streaming case
  // (T = 1, B = 1: lstm.cc's streaming step)
  for (const Layer l : {Layer{100, 32, 128, 512}, Layer{100, 32, 512, 512}, Layer{100, 32, 256, 256},
                        Layer{50, 256, 256, 256}, Layer{25, 64, 1024, 1024}, Layer{1, 1, 256, 256}}) {
    const std::string name = layer_name("infer", l);
    if (name.find(filter) == std::string::npos) continue;
    const bench::LstmLayer layer(l.T, l.B, l.I, l.H);
    paired(name, variant, 20, [&] { layer.infer(); });
  }
  // the streaming step as JavaScript calls it, with a little other work (1.5 µs) between two calls: at
  // 2+ threads the pool's worker waits through that gap (threads.cc, kSpinAlone)
  if (std::string("stream gap").find(filter) != std::string::npos) {
    const bench::LstmLayer layer(1, 1, 256, 256);
    paired("stream gap", variant, 30, [&] {
      layer.infer();
      for (const double t0 = bench::wall_ms(); bench::wall_ms() - t0 < 0.0015;) {
      }
    });
  }
  // two stacked layers, forward only (lstm-2l-h512-infer and its GRU twin): lstm_forward_stacked
  for (const bool lstm : {true, false}) {
    const std::string name = std::string(lstm ? "lstm" : "gru") + " stack 2L T100 B32 I128 H512";
    if (name.find(filter) == std::string::npos) continue;
    const bench::StackedLayers stack(lstm, 2, 100, 32, 128, 512);
    paired(name, variant, 20, [&] { stack.run_stacked(); });
  }
  return 0;
}
