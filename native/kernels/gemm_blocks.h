// Internal to the SGEMM (gemm.cc, the serial blocked algorithm and the entry points; gemm_threads.cc,
// how a product is shared among the pool threads): block sizes, the problem description, the
// per-thread pack buffers and the serial pieces the threaded schedules are built from. Not part of
// kernels.h or gemm.h.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "dispatch.h"
#include "gemm.h"

namespace rnnkit {
namespace gemm_detail {

constexpr int64_t kKC = 256;   // depth of a packed panel
constexpr int64_t kMC = 144;   // rows of op(A) per packed block (a multiple of MR 4, 6 and 8)
constexpr int64_t kNC = 2048;  // columns of op(B) per packed panel (a multiple of NR 4, 16 and 32)
// Rows of op(A) up to which sgemm (op(B) not pre-packed) uses the small-M kernels, 4 rows per pass
// over B: at 8 rows two passes over B cost less than packing it (bench/kernels: 8×2048×512
// 0.41 → 0.12 ms), and at 16 still less than packing.
constexpr int64_t kUnpackedMaxM = 16;
constexpr int64_t kParallelMinWork = int64_t{1} << 20;  // multiply-adds below which one thread is faster
// Threaded sgemm packs all of op(B) at once (run_whole_b) when C has more than kCachedMaxC floats
// (16 MiB: more than the L3 keeps beside everything else, so every pass over C goes to memory) and
// packed op(B) at most kWholeBMaxFloats (8 MiB, in L3): each C row block then passes through every K
// panel while it is in cache, and C crosses memory once instead of once per K panel.
constexpr int64_t kCachedMaxC = int64_t{4} << 20;
constexpr int64_t kWholeBMaxFloats = int64_t{2} << 20;
// Up to this many threads, sgemm's packed path gives each thread one whole-tile range of C, however
// many row blocks there are, instead of handing out kMC-row blocks as they come (run_shared_panels
// with kMC rows, run_whole_b): with blocks, the row block a thread takes from one panel to the next is
// whoever is free, so C blocks move between the cores' caches. Measured paired in one process
// (bench/kernels/paired.cc "sgemm", 20 pairs, 2 threads, AMD Zen 5 with AVX-512), one range per thread
// (each packing its own op(B)) over blocks: 2048³ 0.88–0.93×, 3200×2048×512 (whole op(B) before)
// 0.90–0.91×, TN 2048×512×3200 (LSTM weight gradient) 0.84×, 3200×512×2048 (its input gradient)
// 0.83×; a whole LSTM layer's training step ("lstm train", T=100 B=32 I=H=512 and T=25 B=64
// I=H=1024, 12 pairs) 0.92×. When the ranges are rows (2 threads), the two pack each op(B) panel
// together instead of each packing all of it, and the cut between their ranges is found at run time,
// blocks taken from the two ends of C (run_two_ended, gemm_threads.cc). Packing together, with a
// fixed cut, against each packing its own: 2048³ 0.984–0.986×, 3200×2048×512 0.985×, TN
// 2048×512×3200 0.986×, 3200×512×2048 0.994×; the cut found at run time against that fixed cut
// (measured while one vCPU ran sgemm alone in 104 ms and the other in 94): 2048³ 0.978–0.984×,
// 3200×2048×512 0.955×, TN 2048×512×3200 0.984×, 3200×512×2048 0.972× (LSTM training layers
// 0.99–1.00×). Above two threads the shared blocks are kept: the duplicated packing grows with the
// thread count there, and this 2-core machine cannot measure it. Column ranges stay a static split:
// a thread the OS deschedules holds up its whole range.
constexpr int kStaticSplitMaxThreads = 2;


struct PackBuffers {
  std::vector<float> a, b;
  // The shared panels of a threaded sgemm this thread starts (run_shared_panels): two op(B) panels
  // and one progress counter per row block; or all of op(B), packed (run_whole_b).
  std::vector<float> panels;
  std::unique_ptr<std::atomic<int64_t>[]> block_progress;
  int64_t block_progress_size = 0;
  // Per K panel, for run_two_ended: pack pieces claimed and done, row blocks claimed from each end
  // and done.
  struct PanelClaims {
    std::atomic<int64_t> packs_claimed, packs_done, blocks_done;
    std::atomic<uint64_t> ends;  // blocks claimed from the front (low 32 bits) and from the back
  };
  std::unique_ptr<PanelClaims[]> panel_claims;
  int64_t panel_claims_size = 0;
  // All of op(A), packed, for a threaded sgemm_packed this thread starts (run_shared_a).
  std::vector<float> shared_a;
};

// This thread's buffers (thread_local).
PackBuffers& pack_buffers();

struct GemmProblem {
  const KernelTable* kt;
  bool transA, transB;
  int64_t M, N, K;
  float alpha;
  const float* A;
  int64_t lda;
  const float* B;
  int64_t ldb;
  float* C;
  int64_t ldc;
  // beta = 0 and C not zero-filled: the first K panel writes C instead of adding to it
  bool overwrite;
};

// C[mc, nc] += (or, with store, =) the packed A block [mc, kc] times the packed B panel [kc, nc].
void macro_kernel(const KernelTable& kt, int64_t mc, int64_t nc, int64_t kc, const float* a_packed,
                  const float* b_panel, float* C, int64_t ldc, bool store);
// The same for op(B) packed ahead (sgemm_packed), streamed from L3 or memory: prefetches the next strip.
void macro_kernel_prepacked(const KernelTable& kt, int64_t mc, int64_t nc, int64_t kc, const float* a_packed,
                            const float* b_panel, float* C, int64_t ldc, bool store);

// This thread's A pack buffer, grown to an [min(kMC, M), min(kKC, K)] block (rows rounded up to MR).
float* a_pack_buffer(const KernelTable& kt, int64_t M, int64_t K);

// The serial pieces, on the calling thread: C[m0 : m1, n0 : n1] (+)= alpha · op(A) · op(B) with op(B)
// packed panel by panel here; the same with op(B) pre-packed; and C[0 : M, n0 : n1] for
// M ≤ kUnpackedMaxM through the unpacked small-M kernels.
void gemm_block_range(const GemmProblem& g, int64_t m0, int64_t m1, int64_t n0, int64_t n1);
void gemm_packed_range(const GemmProblem& g, const PackedB& packed, int64_t m0, int64_t m1, int64_t n0, int64_t n1);
void gemm_small_range(const GemmProblem& g, int64_t n0, int64_t n1);

// How run_blocked shares sgemm's packed path among `threads` threads (gemm_threads.cc): not at all
// (one thread, or too little work); whole-tile column or row ranges, one per thread, each packing
// its own panels (too few row blocks to share out, or columns cut on at most kStaticSplitMaxThreads
// threads); on 2 threads with rows cut, the op(B) panels packed together and their kMC-row blocks
// taken from the two ends of C (run_two_ended); op(B) packed one [kKC, kNC] panel at a time, each
// panel shared by all threads, which take kMC-row blocks of it as they come (run_shared_panels); or
// all of op(B) packed first (run_whole_b, see kCachedMaxC). MR × NR is the micro-tile.
enum class BlockedSchedule { serial, split, two_ended, shared_panels, whole_b };
BlockedSchedule blocked_schedule(int64_t M, int64_t N, int64_t K, int64_t MR, int64_t NR, int threads);

// The whole-op(B) schedule itself, on the pool whatever the shape (run_blocked picks it only through
// blocked_schedule; tests run it on small odd shapes). C already scaled by beta, as below.
void run_whole_b(const GemmProblem& g);

// The whole product of each kind on the pool (gemm_threads.cc), or serially when it is small or there
// is one thread. C is already scaled by beta (or g.overwrite is set).
void run_blocked(const GemmProblem& g);
void run_packed(const GemmProblem& g, const PackedB& packed);
void run_small(const GemmProblem& g);

}  // namespace gemm_detail
}  // namespace rnnkit
