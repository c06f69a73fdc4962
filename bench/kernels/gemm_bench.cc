// SGEMM and fused-recurrent microbenchmark, outside Node: times rnnkit::sgemm on the shapes the
// bench cases issue (bench/cases.ts) and the fused LSTM/GRU kernels, for the A/B comparison of
// kernel changes (also under `perf stat`, where instruction and cycle counts are stable on a busy
// machine). Build: sh bench/kernels/build.sh. Run: ./build/bench-kernels/gemm_bench [filter];
// two builds side by side, alternating: npm run bench:ab (bench/kernels/ab.ts).
// RNNKIT_SIMD and RNNKIT_NUM_THREADS apply as in the addon. Prints the best and median of the reps.
#include <algorithm>
#include <ctime>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "bench_data.h"
#include "gemm.h"
#include "kernels.h"

namespace {

// CPU time of the calling thread, ms: on a machine shared with other jobs this leaves out the time
// the thread sat descheduled (wall time is printed too; with threads > 1 only wall time is meaningful).
double thread_ms() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

using bench::filled;
using bench::wall_ms;

// Best and median of 15 samples after 2 warm-ups, each sample at least ~20 ms of calls.
void time_it(const std::string& name, double flops, const std::function<void()>& fn, const char* filter) {
  if (filter != nullptr && name.find(filter) == std::string::npos) return;
  fn();
  fn();
  double t0 = thread_ms();
  fn();
  const double once = thread_ms() - t0;
  const int inner = std::max(1, static_cast<int>(20.0 / std::max(once, 1e-3)));
  std::vector<double> cpu, wall;
  for (int r = 0; r < 15; ++r) {
    const double w0 = wall_ms();
    t0 = thread_ms();
    for (int i = 0; i < inner; ++i) fn();
    cpu.push_back((thread_ms() - t0) / inner);
    wall.push_back((wall_ms() - w0) / inner);
  }
  std::sort(cpu.begin(), cpu.end());
  std::sort(wall.begin(), wall.end());
  std::printf("%-36s cpu best %9.4f median %9.4f ms  wall best %9.4f ms  %6.1f GFLOP/s (cpu best)\n", name.c_str(),
              cpu[0], cpu[cpu.size() / 2], wall[0], flops / cpu[0] / 1e6);
}

void gemm_case(const char* name, bool tA, bool tB, int64_t M, int64_t N, int64_t K, float beta, const char* filter) {
  std::vector<float> A = filled(M * K, 1), B = filled(K * N, 2), C = filled(M * N, 3);
  const int64_t lda = tA ? M : K, ldb = tB ? K : N;
  time_it(name, 2.0 * M * N * K,
          [&] { rnnkit::sgemm(tA, tB, M, N, K, 1.0f, A.data(), lda, B.data(), ldb, beta, C.data(), N); }, filter);
}

// The per-step product of a recurrent loop: op(W) packed once (StepGemm), A new each call.
void step_case(const char* name, bool transW, int64_t M, int64_t N, int64_t K, const char* filter) {
  std::vector<float> A = filled(M * K, 1), W = filled(K * N, 2), C = filled(M * N, 3);
  const rnnkit::StepGemm step(transW, M, N, K, W.data(), transW ? K : N);
  time_it(name, 2.0 * M * N * K, [&] { step.run(A.data(), K, 1.0f, C.data(), N); }, filter);
}

// pack_b alone (the transposing case is pack_a's too): ns per float packed.
void pack_case(const char* name, bool transB, int64_t K, int64_t N, const char* filter) {
  std::vector<float> B = filled(K * N, 2);
  const rnnkit::KernelTable& kt = rnnkit::kernels();
  std::vector<float> packed(rnnkit::packed_b_size(kt, K, N));
  time_it(name, 2.0 * K * N, [&] { rnnkit::pack_b(kt, transB, K, N, B.data(), transB ? K : N, packed.data()); }, filter);
}

enum class Cell { lstm, gru };

void recurrent_case(const char* name, Cell cell, int64_t T, int64_t B, int64_t I, int64_t H, bool train,
                    const char* filter, bool forward_only = false, int64_t weight_offset = 0) {
  const int64_t G = (cell == Cell::lstm ? 4 : 3) * H;
  std::vector<float> x = filled(T * B * I, 1), h0(B * H, 0.0f), c0(B * H, 0.0f);
  // The weights start weight_offset floats past a 64-byte boundary (a Float32Array's sit where V8's
  // allocator put them: 16 bytes past a page for large arrays).
  std::vector<float> wIhAlloc = filled(G * I + 16, 2), wHhAlloc = filled(G * H + 16, 3);
  const std::vector<float> bIh = filled(G, 4), bHh = filled(G, 5);
  for (auto& w : wIhAlloc) w *= 0.1f;
  for (auto& w : wHhAlloc) w *= 0.1f;
  const auto placed = [weight_offset](std::vector<float>& v) {
    const auto misalignment = static_cast<int64_t>(reinterpret_cast<uintptr_t>(v.data()) % 64 / sizeof(float));
    return v.data() + (16 - misalignment + weight_offset) % 16;
  };
  float* const wIh = placed(wIhAlloc);
  float* const wHh = placed(wHhAlloc);
  std::vector<float> out(T * B * H), hN(B * H), cN(B * H);
  const int64_t ws = cell == Cell::lstm ? rnnkit::lstm_workspace_size(T, B, H) : rnnkit::gru_workspace_size(T, B, H);
  const int64_t bws =
      cell == Cell::lstm ? rnnkit::lstm_backward_workspace_size(T, B, H) : rnnkit::gru_backward_workspace_size(T, B, H);
  std::vector<float> workspace(ws), scratch(bws), dOut = filled(T * B * H, 6), dX(T * B * I), dWIh(G * I),
      dWHh(G * H), dBIh(G), dBHh(G);
  const rnnkit::RecurrentForwardArgs fa{out.data(), hN.data(), cell == Cell::lstm ? cN.data() : nullptr,
                                        workspace.data(), x.data(), h0.data(),
                                        cell == Cell::lstm ? c0.data() : nullptr, wIh, wHh,
                                        bIh.data(), bHh.data(), nullptr, false, T, B, I, H};
  const rnnkit::RecurrentBackwardArgs ba{dX.data(), nullptr, nullptr, dWIh.data(), dWHh.data(), dBIh.data(),
                                         dBHh.data(), scratch.data(), dOut.data(), nullptr, nullptr, x.data(),
                                         h0.data(), cell == Cell::lstm ? c0.data() : nullptr, wIh,
                                         wHh, out.data(), workspace.data(), nullptr, false, T, B, I, H};
  rnnkit::RecurrentForwardArgs fo = fa;
  if (forward_only) fo.workspace = nullptr;  // inference: nothing saved (kernels.h)
  auto forward = [&] { cell == Cell::lstm ? rnnkit::lstm_forward(fo) : rnnkit::gru_forward(fo); };
  auto backward = [&] { cell == Cell::lstm ? rnnkit::lstm_backward(ba) : rnnkit::gru_backward(ba); };
  const double fwd = 2.0 * T * B * G * (I + H);
  if (!train) {
    time_it(name, fwd, forward, filter);
    return;
  }
  forward();
  // The backward's four GEMMs: dH (per step, dGates · W_hh), dX (dGates · W_ih), dW_ih and dW_hh, each
  // as large as one of the forward's two products: 2 · fwd. (Until 2026-12 this also added 2·T·B·G·I,
  // overstating the backward's GFLOP/s by I / (2·(I + H)), a quarter at I = H.)
  time_it(std::string(name) + " backward", 2.0 * fwd, backward, filter);
}

// Forward-only pass of `layers` stacked layers (the bench case lstm-2l-h512-infer and its GRU twin):
// one lstm_forward_stacked call (a wavefront at 2+ threads), and the same layers one call each.
void stacked_case(const char* name, Cell cell, int64_t layers, int64_t T, int64_t B, int64_t I, int64_t H,
                  const char* filter) {
  const bench::StackedLayers stack(cell == Cell::lstm, layers, T, B, I, H);
  const int64_t G = (cell == Cell::lstm ? 4 : 3) * H;
  const double flops = 2.0 * T * B * G * (I + H + (layers - 1) * 2 * H);
  time_it(std::string(name) + " stacked", flops, [&] { stack.run_stacked(); }, filter);
  time_it(std::string(name) + " layer by layer", flops, [&] { stack.run_layer_by_layer(); }, filter);
}

}  // namespace

int main(int argc, char** argv) {
  const char* filter = argc > 1 ? argv[1] : nullptr;
  std::printf("isa %s, %d thread(s)\n", rnnkit::active_isa_name(), rnnkit::thread_count());
  gemm_case("sgemm-2048 NN", false, false, 2048, 2048, 2048, 0.0f, filter);
  gemm_case("sgemm-2000 NN", false, false, 2000, 2000, 2000, 0.0f, filter);
  gemm_case("sgemm-2048x2048x256 NN", false, false, 2048, 2048, 256, 0.0f, filter);
  gemm_case("sgemm-2048x2048x256 NN beta1", false, false, 2048, 2048, 256, 1.0f, filter);
  gemm_case("sgemm-2048x2048x512 NN", false, false, 2048, 2048, 512, 0.0f, filter);
  gemm_case("step-m1 NT 1x2048x512", false, true, 1, 2048, 512, 1.0f, filter);
  gemm_case("step-m4 NT 4x2048x512", false, true, 4, 2048, 512, 1.0f, filter);
  gemm_case("step-m8 NT 8x2048x512", false, true, 8, 2048, 512, 1.0f, filter);
  gemm_case("step-m32 NT 32x2048x512", false, true, 32, 2048, 512, 1.0f, filter);
  gemm_case("step-m64 NT 64x4096x1024", false, true, 64, 4096, 1024, 1.0f, filter);
  gemm_case("step-m256 NT 256x2048x512", false, true, 256, 2048, 512, 1.0f, filter);
  gemm_case("step-bwd-m1 NN 1x512x2048", false, false, 1, 512, 2048, 1.0f, filter);
  gemm_case("step-bwd-m32 NN 32x512x2048", false, false, 32, 512, 2048, 0.0f, filter);
  gemm_case("input-proj NT 3200x2048x512", false, true, 3200, 2048, 512, 0.0f, filter);
  gemm_case("input-proj NT 3200x2048x128", false, true, 3200, 2048, 128, 0.0f, filter);
  gemm_case("wgrad-hh TN 2048x512x3200", true, false, 2048, 512, 3200, 1.0f, filter);
  gemm_case("dx NN 3200x512x2048", false, false, 3200, 512, 2048, 1.0f, filter);
  step_case("packed step NT 8x2048x512", true, 8, 2048, 512, filter);
  step_case("packed step NT 32x2048x512", true, 32, 2048, 512, filter);
  // 30 and 36 rows are whole 6-row tiles (AVX2); 32 ends in a 2-row edge tile: its cost between them
  step_case("packed step NT 30x2048x512", true, 30, 2048, 512, filter);
  step_case("packed step NT 36x2048x512", true, 36, 2048, 512, filter);
  step_case("packed step NT 64x4096x1024", true, 64, 4096, 1024, filter);
  step_case("packed step NT 256x2048x512", true, 256, 2048, 512, filter);
  step_case("packed step NN 32x512x2048", false, 32, 512, 2048, filter);
  step_case("packed step NT 32x1024x256", true, 32, 1024, 256, filter);
  step_case("packed step NT 256x1024x256", true, 256, 1024, 256, filter);
  pack_case("pack_b NN 3200x2048 (GFLOP/s = 2x Gfloat/s)", false, 3200, 2048, filter);
  pack_case("pack_b NT 3200x2048 (transposing)", true, 3200, 2048, filter);
  pack_case("pack_b NT 512x2048 (transposing, L2)", true, 512, 2048, filter);
  recurrent_case("lstm fwd T100 B32 I512 H512", Cell::lstm, 100, 32, 512, 512, false, filter);
  recurrent_case("lstm T100 B32 I512 H512", Cell::lstm, 100, 32, 512, 512, true, filter);
  recurrent_case("gru fwd T100 B32 I512 H512", Cell::gru, 100, 32, 512, 512, false, filter);
  recurrent_case("gru T100 B32 I512 H512", Cell::gru, 100, 32, 512, 512, true, filter);
  recurrent_case("lstm fwd T25 B64 I1024 H1024", Cell::lstm, 25, 64, 1024, 1024, false, filter);
  recurrent_case("lstm T25 B64 I1024 H1024", Cell::lstm, 25, 64, 1024, 1024, true, filter);
  recurrent_case("lstm fwd T50 B256 I256 H256", Cell::lstm, 50, 256, 256, 256, false, filter);
  recurrent_case("lstm infer T25 B64 I1024 H1024", Cell::lstm, 25, 64, 1024, 1024, false, filter, true);
  recurrent_case("lstm infer T50 B256 I256 H256", Cell::lstm, 50, 256, 256, 256, false, filter, true);
  recurrent_case("lstm infer T100 B32 I512 H512", Cell::lstm, 100, 32, 512, 512, false, filter, true);
  // the layers of the bench cases lstm-2l-h512-infer (I = 128, then 512) and bilstm-h256-infer (one direction)
  recurrent_case("lstm infer T100 B32 I128 H512", Cell::lstm, 100, 32, 128, 512, false, filter, true);
  recurrent_case("lstm infer T100 B32 I256 H256", Cell::lstm, 100, 32, 256, 256, false, filter, true);
  stacked_case("infer 2L lstm T100 B32 I128 H512", Cell::lstm, 2, 100, 32, 128, 512, filter);
  stacked_case("infer 2L gru T100 B32 I128 H512", Cell::gru, 2, 100, 32, 128, 512, filter);
  recurrent_case("lstm stream T1 B1 I256 H256", Cell::lstm, 1, 1, 256, 256, false, filter, true);
  recurrent_case("lstm stream unaligned T1 B1 I256 H256", Cell::lstm, 1, 1, 256, 256, false, filter, true, 4);
  recurrent_case("lstm infer T1 B1 I256 H256", Cell::lstm, 1, 1, 256, 256, false, filter, true);
  step_case("matvec NT 1x1024x256 (1 MB)", true, 1, 1024, 256, filter);
  recurrent_case("lstm fwd T1 B1 I256 H256", Cell::lstm, 1, 1, 256, 256, false, filter);
  return 0;
}
