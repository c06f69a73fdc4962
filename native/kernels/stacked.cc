// Forward-only pass of stacked unidirectional layers (kernels.h lstm_forward_stacked,
// gru_forward_stacked): layer by layer, or, with threads to spare, as a wavefront.
//
// Layer by layer, every step's recurrent GEMM (B rows: 32 × 2048 × 512 at H = 512) is split among
// the threads, which meet twice a step (after the GEMM, after the gate math); at 2 threads a 2-layer
// LSTM I=128 H=512 T=100 B=32 ran only 1.5× faster than at 1. The wavefront gives each layer a thread
// of its own instead (one pool task per layer, every GEMM inside it single-threaded): layer k steps
// chunk c as soon as layer k − 1 has produced it, so the threads only ever wait on the layer below,
// once per chunk, and the time is the busiest task's work plus one chunk of pipeline fill. Measured
// at 2 threads, paired in one process (bench/kernels/paired.cc "stack", 20 pairs a run, Zen 3): layer
// by layer took 1.04–1.16× the wavefront's time on that LSTM in four runs, 0.98–1.16× on the GRU.
// It is not 2×: each thread then streams its own layer's weights (4 MB of W_hh a step at H = 512)
// from L3, and the two threads each ran ~15-20% slower than one alone (clocks around the phases,
// not committed); with weights that fit in L2 (H = 128) 2 threads took 0.54× the time of 1.
//
// Balance: layer 0 has the cheap projection (I = 128 against H = 512), so its task also computes the
// first rows of layer 1's projection of each chunk it produces, as many as even out the two tasks'
// multiply-adds (layer_costs below); the next layer's task computes the other rows at the same time.
// That hand-off never blocks the lower layer: it takes the rows only when the upper layer's slot for
// the chunk is free (the slots are a ring of kSlots chunks), and otherwise leaves the whole
// projection to the upper layer. A task therefore waits only for lower-numbered tasks, which
// parallel_for has already started (threads.h), and the wavefront cannot deadlock, even when the pool
// is busy and runs the tasks one after another on the calling thread.
#include <algorithm>
#include <atomic>
#include <memory>
#include <vector>

#include "dispatch.h"
#include "inference_layer.h"
#include "kernels.h"
#include "threads.h"

namespace rnnkit {

namespace {

// Rows of a wavefront chunk (4 steps at B = 32): small, so the pipeline fills in a few percent of
// the sequence, and enough rows for an efficient projection GEMM. Paired against 128 at 2 threads
// (bench/kernels/paired.cc "stack"): 32 rows 1.04–1.05×, 64 rows 1.02–1.04×, 256 rows 1.02–1.05×.
constexpr int64_t kChunkRows = 128;

int64_t wavefront_chunk_steps(int64_t B) { return std::max<int64_t>(1, kChunkRows / B); }
// Fewer chunks than this and the fill (one chunk per layer) outweighs the gain: layer by layer.
constexpr int64_t kMinChunks = 4;
// Chunks a layer's projection ring holds: the layer below may run this far ahead and still hand off.
constexpr int64_t kSlots = 3;

// What a layer's projection rows of chunk c hold, as set by the layer below (its producer).
enum HandOff : int { kConsumerOnly = 0, kProducerClaimed = 1, kProducerDone = 2 };

using LayerFactory = std::unique_ptr<InferenceLayer> (*)(const RecurrentForwardArgs&, int64_t, int64_t);

// Fraction of each layer's projection rows its producer (the layer below) computes, so that the
// tasks' multiply-adds per row, G·(I_k + H_k) for layer k, come out as even as the layers allow.
// Greedy from the bottom: each task takes from the layer above what it lacks of the mean.
std::vector<double> producer_fractions(const RecurrentForwardArgs* layers, int64_t count) {
  double total = 0;
  for (int64_t k = 0; k < count; ++k) total += static_cast<double>(layers[k].I + layers[k].H);
  const double target = total / static_cast<double>(count);
  std::vector<double> fractions(static_cast<size_t>(count), 0.0);
  double below = static_cast<double>(layers[0].I + layers[0].H);  // load of the task below layer k
  for (int64_t k = 1; k < count; ++k) {
    const double projection = static_cast<double>(layers[k].I);
    const double moved = std::clamp(target - below, 0.0, projection);
    fractions[static_cast<size_t>(k)] = moved / projection;
    below = static_cast<double>(layers[k].H) + projection - moved;
  }
  return fractions;
}

// One task per layer (header). produced[k]: chunks layer k has finished stepping (its out rows and
// state are final); handoff[k · chunks + c]: HandOff of layer k's chunk c.
void run_wavefront(const RecurrentForwardArgs* layers, int64_t count, LayerFactory make) {
  const int64_t chunk_steps = wavefront_chunk_steps(layers[0].B);
  std::vector<std::unique_ptr<InferenceLayer>> stack;
  for (int64_t k = 0; k < count; ++k) stack.push_back(make(layers[k], chunk_steps, kSlots));
  const int64_t chunks = stack[0]->chunks();
  const std::vector<double> fractions = producer_fractions(layers, count);
  std::unique_ptr<std::atomic<int64_t>[]> produced(new std::atomic<int64_t>[static_cast<size_t>(count)]);
  std::unique_ptr<std::atomic<int>[]> handoff(new std::atomic<int>[static_cast<size_t>(count * chunks)]);
  for (int64_t k = 0; k < count; ++k) produced[k].store(0);
  for (int64_t i = 0; i < count * chunks; ++i) handoff[i].store(kConsumerOnly);
  // Rows [0, producer_rows) of layer k's chunk c are the producer's when it claims them.
  auto producer_rows = [&](int64_t k, int64_t c) {
    const int64_t rows = stack[static_cast<size_t>(k)]->chunk_rows(c);
    return std::min(rows, static_cast<int64_t>(fractions[static_cast<size_t>(k)] * static_cast<double>(rows) + 0.5));
  };

  const KernelTable& table = kernels();  // the caller's, also on the pool's threads
  parallel_for(count, [&](int64_t k) {
    const ScopedKernelTable use(table);
    InferenceLayer& layer = *stack[static_cast<size_t>(k)];
    for (int64_t c = 0; c < chunks; ++c) {
      const int64_t rows = layer.chunk_rows(c);
      if (k == 0) {
        layer.project(c, 0, rows);
      } else {
        spin_until([&] { return produced[k - 1].load(std::memory_order_acquire) > c; });
        std::atomic<int>& state = handoff[k * chunks + c];
        const bool shared = state.load(std::memory_order_acquire) != kConsumerOnly;  // settled before produced
        layer.project(c, shared ? producer_rows(k, c) : 0, rows);
        if (shared) spin_until([&] { return state.load(std::memory_order_acquire) == kProducerDone; });
      }
      layer.run_steps(c);
      // Claim the first rows of the next layer's chunk c if its slot is free (that layer is done with
      // chunk c − kSlots), before publishing the chunk, so the next layer sees the claim.
      const bool claim = k + 1 < count && producer_rows(k + 1, c) > 0 &&
                         produced[k + 1].load(std::memory_order_acquire) >= c - kSlots + 1;
      if (claim) handoff[(k + 1) * chunks + c].store(kProducerClaimed, std::memory_order_relaxed);
      produced[k].store(c + 1, std::memory_order_release);
      if (claim) {
        stack[static_cast<size_t>(k + 1)]->project(c, 0, producer_rows(k + 1, c));
        handoff[(k + 1) * chunks + c].store(kProducerDone, std::memory_order_release);
      }
    }
  });
}

// Wavefront with at least two threads, one per layer at most (with more threads than layers each
// layer's GEMMs can use several; which is faster there was not measured on the 2-core machine this
// was written on), and a sequence of at least kMinChunks chunks; else layer by layer.
void forward_stacked(const RecurrentForwardArgs* layers, int64_t count, LayerFactory make,
                     void (*forward)(const RecurrentForwardArgs&)) {
  const int threads = thread_count();
  const int64_t steps = wavefront_chunk_steps(layers[0].B), chunks = (layers[0].T + steps - 1) / steps;
  if (count >= 2 && threads >= 2 && threads <= count && chunks >= kMinChunks) {
    return run_wavefront(layers, count, make);
  }
  for (int64_t k = 0; k < count; ++k) forward(layers[k]);
}

}  // namespace

void lstm_forward_stacked(const RecurrentForwardArgs* layers, int64_t count) {
  forward_stacked(layers, count, lstm_inference_layer, lstm_forward);
}

void gru_forward_stacked(const RecurrentForwardArgs* layers, int64_t count) {
  forward_stacked(layers, count, gru_inference_layer, gru_forward);
}

}  // namespace rnnkit
