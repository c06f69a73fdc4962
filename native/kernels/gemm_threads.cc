// How sgemm and sgemm_packed share a product among the pool threads (threads.h), on top of the serial
// pieces in gemm.cc. Five schedules (blocked_schedule picks among sgemm's):
//   - shared op(B) panels (sgemm with many row blocks, on more than kStaticSplitMaxThreads threads):
//     the threads pack each [kKC, kNC] panel of op(B) together, into one of two buffers, then take row
//     blocks of it; op(B) is packed once, not once per thread, and whoever is free takes the next block;
//   - two ends (sgemm split by rows on 2 threads): the same shared panels, packed in two pieces, and
//     their kMC-row blocks taken from the top by one thread and from the bottom by the other;
//   - whole op(B) (sgemm with many row blocks, several K panels, a C too big for the caches and an
//     op(B) that fits them: the input projection over a whole sequence): the threads pack all of op(B)
//     together, then take row blocks, each through every K panel while its C rows are in cache;
//   - shared op(A) (sgemm_packed, op(B) already packed, with few row blocks: the recurrent step and
//     the chunked input projection): the threads pack all of op(A) together, once, then take column
//     ranges; with many row blocks, row blocks are simply shared out (each packs its own A block);
//   - column (or row) ranges of whole tiles, one per thread, each running the serial algorithm with
//     its own pack buffers: the small-M kernels, sgemm with few row blocks, and sgemm split by columns
//     on at most kStaticSplitMaxThreads threads (gemm_blocks.h: measured faster than sharing there).
// Every schedule is one parallel_for. parallel_for starts tasks in index order (threads.h), so a task
// may wait (spin_until) for a lower-numbered one: that one is already running, or done; run_two_ended
// waits only for work a running thread has claimed.
#include <algorithm>
#include <atomic>

#include "gemm_blocks.h"
#include "kernels.h"
#include "threads.h"

namespace rnnkit {
namespace gemm_detail {
namespace {

// Whether a split into whole-tile ranges cuts the rows of C (more row tiles than column tiles), not
// its columns: run_split's choice, which blocked_schedule refines on 2 threads.
bool cuts_rows(int64_t M, int64_t N, int64_t MR, int64_t NR) { return (M + MR - 1) / MR > (N + NR - 1) / NR; }

// This thread's two op(B) panel buffers ([kKC, kNC] rounded up to NR each) and one progress counter
// per row block (panels finished by each), zeroed: what both shared-panel schedules start from.
struct PanelBuffers {
  float* panels[2];
  std::atomic<int64_t>* block_progress;  // [row_blocks]: panels finished by each row block
};

// The threaded blocked product with op(B) panels shared by all threads. One parallel_for runs a flat
// task list, panel after panel (jc outer, pc inner); panel P's tasks are first `pack_tasks` that pack
// groups of its NR-wide strips into buffer P % 2, then one per row block (kMC rows of op(A)) that packs
// that A block into its thread's buffer and multiplies it by the whole panel. parallel_for starts
// tasks in index order (threads.h), so every wait below is for a task that is already running:
//   pack of P     waits until every row block has finished panel P − 2 (the buffer's last user);
//   row block of P waits until panel P is packed, and until the same block has finished panel P − 1
//                 (both add into the same C rows).
// Whoever is free takes the next task, so a thread the OS deschedules for a while only delays the
// blocks it had claimed; and the next panel is packed while the last blocks of the current one run.
struct SharedPanels {
  const GemmProblem* g;
  int64_t pc_count;         // K panels per column block
  int64_t strips_per_pack;  // NR-wide strips one pack task packs
  int64_t pack_tasks, row_blocks, tasks_per_panel;
  PanelBuffers shared;
  std::atomic<int64_t> packs_done[2];     // pack tasks finished, over all panels using the buffer
  std::atomic<int64_t> blocks_done[2];    // row blocks finished, likewise
};

// Row block `block` (kMC rows of op(A)) against the packed panel `panel` of both shared-panel
// schedules: waits until the block has finished the panel before (both add into the same C rows),
// packs its A, multiplies, and records the panel as finished.
void shared_panel_block(const GemmProblem& g, std::atomic<int64_t>* block_progress, int64_t block, int64_t panel,
                        int64_t jc, int64_t pc, int64_t nc, int64_t kc, const float* b_panel) {
  spin_until([&] { return block_progress[block].load(std::memory_order_acquire) >= panel; });
  const int64_t ic = block * kMC, mc = std::min(kMC, g.M - ic);
  float* a_packed = a_pack_buffer(*g.kt, mc, kc);
  g.kt->pack_a(g.transA, g.A, g.lda, ic, mc, pc, kc, g.alpha, a_packed);
  macro_kernel(*g.kt, mc, nc, kc, a_packed, b_panel, g.C + ic * g.ldc + jc, g.ldc, g.overwrite && pc == 0);
  block_progress[block].store(panel + 1, std::memory_order_release);
}

void shared_panel_task(SharedPanels& s, int64_t task) {
  const GemmProblem& g = *s.g;
  const int64_t panel = task / s.tasks_per_panel, j = task % s.tasks_per_panel;
  const int64_t jc = panel / s.pc_count * kNC, pc = panel % s.pc_count * kKC;
  const int64_t nc = std::min(kNC, g.N - jc), kc = std::min(kKC, g.K - pc);
  const int slot = static_cast<int>(panel & 1);
  const int64_t earlier = panel >> 1;  // panels before this one that used the same buffer
  float* b_panel = s.shared.panels[slot];
  if (j < s.pack_tasks) {
    spin_until([&] { return s.blocks_done[slot].load(std::memory_order_acquire) >= earlier * s.row_blocks; });
    const int64_t c0 = j * s.strips_per_pack * g.kt->gemm_nr;
    if (c0 < nc) {
      const int64_t c1 = std::min(nc, c0 + s.strips_per_pack * g.kt->gemm_nr);
      g.kt->pack_b(g.transB, g.B, g.ldb, pc, kc, jc + c0, c1 - c0, b_panel + c0 * kc);
    }
    s.packs_done[slot].fetch_add(1, std::memory_order_release);
    return;
  }
  const int64_t block = j - s.pack_tasks;
  spin_until([&] { return s.packs_done[slot].load(std::memory_order_acquire) >= (earlier + 1) * s.pack_tasks; });
  shared_panel_block(g, s.shared.block_progress, block, panel, jc, pc, nc, kc, b_panel);
  s.blocks_done[slot].fetch_add(1, std::memory_order_release);
}

// Grows this thread's panel buffers and progress counters for row_blocks row blocks, and zeroes the counters.
PanelBuffers shared_panel_buffers(const GemmProblem& g, int64_t row_blocks) {
  const int64_t NR = g.kt->gemm_nr;
  const int64_t nc_max = (std::min(kNC, g.N) + NR - 1) / NR * NR;  // as in gemm_block_range
  const int64_t panel_floats = std::min(kKC, g.K) * nc_max;
  PackBuffers& buffers = pack_buffers();
  if (buffers.panels.size() < static_cast<size_t>(2 * panel_floats)) buffers.panels.resize(2 * panel_floats);
  if (buffers.block_progress_size < row_blocks) {
    buffers.block_progress.reset(new std::atomic<int64_t>[static_cast<size_t>(row_blocks)]);
    buffers.block_progress_size = row_blocks;
  }
  for (int64_t b = 0; b < row_blocks; ++b) buffers.block_progress[b].store(0, std::memory_order_relaxed);
  return {{buffers.panels.data(), buffers.panels.data() + panel_floats}, buffers.block_progress.get()};
}

void run_shared_panels(const GemmProblem& g) {
  const int64_t NR = g.kt->gemm_nr;
  const int64_t strips = (std::min(kNC, g.N) + NR - 1) / NR;
  SharedPanels s;
  s.g = &g;
  s.pc_count = (g.K + kKC - 1) / kKC;
  // About 4 pack tasks per thread and panel: small enough to share out, big enough to be worth a claim.
  s.strips_per_pack = std::max<int64_t>(1, (strips + 4 * usable_threads() - 1) / (4 * usable_threads()));
  s.pack_tasks = (strips + s.strips_per_pack - 1) / s.strips_per_pack;
  s.row_blocks = (g.M + kMC - 1) / kMC;
  s.tasks_per_panel = s.pack_tasks + s.row_blocks;
  s.shared = shared_panel_buffers(g, s.row_blocks);
  for (int slot = 0; slot < 2; ++slot) {
    s.packs_done[slot].store(0, std::memory_order_relaxed);
    s.blocks_done[slot].store(0, std::memory_order_relaxed);
  }
  const int64_t panels = (g.N + kNC - 1) / kNC * s.pc_count;
  parallel_for(panels * s.tasks_per_panel, [&](int64_t task) { shared_panel_task(s, task); });
}

// Two threads, C cut by rows, with the cut found while running: every K panel of op(B) is packed by
// the two together (two pieces, claimed), then its row blocks (kMC rows) are claimed from both ends,
// task 0 from the top and task 1 from the bottom, until they meet. Each thread thus keeps about the
// same C rows from panel to panel, as with a fixed cut (gemm_blocks.h: C blocks handed to whoever
// is free cost more), while the faster one takes more of them: on this project's VM one vCPU is at
// times 10–15% slower than the other for minutes, and a fixed half then waits for it. No barrier between panels: a block waits only for its own previous
// panel, and a pack into a buffer for the blocks of the panel that used it last. Every wait is for
// work already claimed by a running thread, so a caller that runs both tasks inline, one after the
// other (threads.h), simply does all the work in the first.
constexpr int64_t kTwoEndedPackPieces = 2;  // each panel packed in two pieces, one per thread

struct TwoEnded {
  const GemmProblem* g;
  int64_t pc_count, panels, row_blocks, strips_per_pack;
  PanelBuffers shared;
  PackBuffers::PanelClaims* claims;  // [panels]
};

// The next row block of `claims` from the front (end 0) or the back (end 1), or −1 when none is left.
int64_t claim_block(PackBuffers::PanelClaims& claims, int end, int64_t row_blocks) {
  uint64_t ends = claims.ends.load(std::memory_order_relaxed);
  for (;;) {
    const int64_t front = static_cast<int64_t>(ends & 0xffffffffu), back = static_cast<int64_t>(ends >> 32);
    if (front + back >= row_blocks) return -1;
    const uint64_t next = end == 0 ? ends + 1 : ends + (uint64_t{1} << 32);
    if (claims.ends.compare_exchange_weak(ends, next, std::memory_order_relaxed)) {
      return end == 0 ? front : row_blocks - 1 - back;
    }
  }
}

void two_ended_task(TwoEnded& s, int end) {
  const GemmProblem& g = *s.g;
  const int64_t NR = g.kt->gemm_nr;
  for (int64_t panel = 0; panel < s.panels; ++panel) {
    const int64_t jc = panel / s.pc_count * kNC, pc = panel % s.pc_count * kKC;
    const int64_t nc = std::min(kNC, g.N - jc), kc = std::min(kKC, g.K - pc);
    float* b_panel = s.shared.panels[panel & 1];
    PackBuffers::PanelClaims& claims = s.claims[panel];
    for (int64_t piece; (piece = claims.packs_claimed.fetch_add(1, std::memory_order_relaxed)) < kTwoEndedPackPieces;) {
      if (panel >= 2) {  // the buffer's last user
        const auto& before = s.claims[panel - 2].blocks_done;
        spin_until([&] { return before.load(std::memory_order_acquire) >= s.row_blocks; });
      }
      const int64_t c0 = piece * s.strips_per_pack * NR, c1 = std::min(nc, c0 + s.strips_per_pack * NR);
      if (c0 < c1) g.kt->pack_b(g.transB, g.B, g.ldb, pc, kc, jc + c0, c1 - c0, b_panel + c0 * kc);
      claims.packs_done.fetch_add(1, std::memory_order_release);
    }
    spin_until([&] { return claims.packs_done.load(std::memory_order_acquire) >= kTwoEndedPackPieces; });
    for (int64_t block; (block = claim_block(claims, end, s.row_blocks)) >= 0;) {
      shared_panel_block(g, s.shared.block_progress, block, panel, jc, pc, nc, kc, b_panel);
      claims.blocks_done.fetch_add(1, std::memory_order_release);
    }
  }
}

void run_two_ended(const GemmProblem& g) {
  const int64_t NR = g.kt->gemm_nr;
  TwoEnded s;
  s.g = &g;
  s.pc_count = (g.K + kKC - 1) / kKC;
  s.panels = (g.N + kNC - 1) / kNC * s.pc_count;
  s.row_blocks = (g.M + kMC - 1) / kMC;
  const int64_t strips = (std::min(kNC, g.N) + NR - 1) / NR;  // of the widest panel
  s.strips_per_pack = (strips + kTwoEndedPackPieces - 1) / kTwoEndedPackPieces;
  s.shared = shared_panel_buffers(g, s.row_blocks);
  PackBuffers& buffers = pack_buffers();
  if (buffers.panel_claims_size < s.panels) {
    buffers.panel_claims.reset(new PackBuffers::PanelClaims[static_cast<size_t>(s.panels)]);
    buffers.panel_claims_size = s.panels;
  }
  s.claims = buffers.panel_claims.get();
  for (int64_t p = 0; p < s.panels; ++p) {
    s.claims[p].packs_claimed.store(0, std::memory_order_relaxed);
    s.claims[p].packs_done.store(0, std::memory_order_relaxed);
    s.claims[p].blocks_done.store(0, std::memory_order_relaxed);
    s.claims[p].ends.store(0, std::memory_order_relaxed);
  }
  parallel_for(2, [&](int64_t task) { two_ended_task(s, static_cast<int>(task)); });
}

// Runs range(m0, m1, n0, n1) over C [M, N], split among the pool's threads when the product is big
// enough: the dimension with more tiles is cut into whole-tile ranges, one per thread.
// `allow_row_split` false keeps every range at full M (the small-M kernels and the packed path at small M).
template <class Range>
void run_split(const GemmProblem& g, bool allow_row_split, const Range& range) {
  const int threads = usable_threads();
  const int64_t MR = g.kt->gemm_mr, NR = g.kt->gemm_nr;
  const int64_t row_tiles = allow_row_split ? (g.M + MR - 1) / MR : 1, col_tiles = (g.N + NR - 1) / NR;
  if (threads <= 1 || g.M * g.N * g.K < kParallelMinWork || std::max(row_tiles, col_tiles) < 2) {
    range(0, g.M, 0, g.N);
    return;
  }
  const bool split_columns = !allow_row_split || !cuts_rows(g.M, g.N, MR, NR);
  const int64_t tiles = split_columns ? col_tiles : row_tiles;
  const int64_t tasks = std::min<int64_t>(threads, tiles);
  parallel_for(tasks, [&](int64_t task) {
    const int64_t first = tiles * task / tasks, last = tiles * (task + 1) / tasks;
    if (split_columns) {
      range(0, g.M, first * NR, std::min(g.N, last * NR));
    } else {
      range(first * MR, std::min(g.M, last * MR), 0, g.N);
    }
  });
}

// sgemm_packed with few row blocks. Tasks: first one per [kMC, kKC] block of op(A), packing it into
// the caller's buffer (panel pc at pc · m_padded floats, block ic at ic · kc within it: the strips
// pack_a writes, so each panel is one [kc, m_padded] strip sequence); then one per range of columns,
// which waits until all of op(A) is packed and runs every A block against its columns of every
// pre-packed op(B) panel (K panels outer: its C block stays in L2 between them).
struct SharedA {
  const GemmProblem* g;
  const PackedB* packed;
  int64_t m_padded, row_blocks, pack_tasks, strips_per_task;
  float* a_all;                      // [K, m_padded] as above
  std::atomic<int64_t> packs_done;
};

void shared_a_task(SharedA& s, int64_t task) {
  const GemmProblem& g = *s.g;
  if (task < s.pack_tasks) {
    const int64_t pc = task / s.row_blocks * kKC, ic = task % s.row_blocks * kMC;
    const int64_t kc = std::min(kKC, g.K - pc), mc = std::min(kMC, g.M - ic);
    g.kt->pack_a(g.transA, g.A, g.lda, ic, mc, pc, kc, g.alpha, s.a_all + pc * s.m_padded + ic * kc);
    s.packs_done.fetch_add(1, std::memory_order_release);
    return;
  }
  spin_until([&] { return s.packs_done.load(std::memory_order_acquire) >= s.pack_tasks; });
  const int64_t NR = g.kt->gemm_nr, n_padded = (g.N + NR - 1) / NR * NR;
  const int64_t n0 = (task - s.pack_tasks) * s.strips_per_task * NR;
  const int64_t n1 = std::min(g.N, n0 + s.strips_per_task * NR);
  for (int64_t pc = 0; pc < g.K; pc += kKC) {
    const int64_t kc = std::min(kKC, g.K - pc);
    for (int64_t ic = 0; ic < g.M; ic += kMC) {
      const int64_t mc = std::min(kMC, g.M - ic);
      macro_kernel_prepacked(*g.kt, mc, n1 - n0, kc, s.a_all + pc * s.m_padded + ic * kc,
                             s.packed->data + pc * n_padded + n0 * kc, g.C + ic * g.ldc + n0, g.ldc,
                             g.overwrite && pc == 0);
    }
  }
}

void run_shared_a(const GemmProblem& g, const PackedB& packed) {
  const int64_t MR = g.kt->gemm_mr, NR = g.kt->gemm_nr;
  const int64_t strips = (g.N + NR - 1) / NR;
  SharedA s;
  s.g = &g;
  s.packed = &packed;
  s.m_padded = (g.M + MR - 1) / MR * MR;
  s.row_blocks = (g.M + kMC - 1) / kMC;
  s.pack_tasks = (g.K + kKC - 1) / kKC * s.row_blocks;
  // About 4 column ranges per thread: the last ones even out a thread that started late.
  s.strips_per_task = std::max<int64_t>(1, (strips + 4 * usable_threads() - 1) / (4 * usable_threads()));
  PackBuffers& buffers = pack_buffers();
  if (buffers.shared_a.size() < static_cast<size_t>(s.m_padded * g.K)) buffers.shared_a.resize(s.m_padded * g.K);
  s.a_all = buffers.shared_a.data();
  s.packs_done.store(0, std::memory_order_relaxed);
  const int64_t column_tasks = (strips + s.strips_per_task - 1) / s.strips_per_task;
  parallel_for(s.pack_tasks + column_tasks, [&](int64_t task) { shared_a_task(s, task); });
}

// All of op(B) packed once by the threads together (the PackedB layout, each K panel at
// pc · n_padded), then row blocks shared out, each taking its C rows through every K panel in turn
// (gemm_packed_range). Tasks: first the pack tasks (K panel by K panel, groups of NR-wide strips),
// then one per row block, which waits until all of op(B) is packed (parallel_for starts tasks in
// order, so the packs are all claimed by then).
struct WholeB {
  const GemmProblem* g;
  int64_t n_padded, strips_per_pack, packs_per_panel, pack_tasks;
  float* data;  // [K, n_padded] packed
  std::atomic<int64_t> packs_done;
};

void whole_b_task(WholeB& s, int64_t task) {
  const GemmProblem& g = *s.g;
  const int64_t NR = g.kt->gemm_nr;
  if (task < s.pack_tasks) {
    const int64_t pc = task / s.packs_per_panel * kKC, kc = std::min(kKC, g.K - pc);
    const int64_t c0 = task % s.packs_per_panel * s.strips_per_pack * NR;
    const int64_t c1 = std::min(g.N, c0 + s.strips_per_pack * NR);
    g.kt->pack_b(g.transB, g.B, g.ldb, pc, kc, c0, c1 - c0, s.data + pc * s.n_padded + c0 * kc);
    s.packs_done.fetch_add(1, std::memory_order_release);
    return;
  }
  spin_until([&] { return s.packs_done.load(std::memory_order_acquire) >= s.pack_tasks; });
  const int64_t ic = (task - s.pack_tasks) * kMC;
  gemm_packed_range(g, PackedB{g.kt, g.K, g.N, s.data}, ic, std::min(g.M, ic + kMC), 0, g.N);
}

}  // namespace

BlockedSchedule blocked_schedule(int64_t M, int64_t N, int64_t K, int64_t MR, int64_t NR, int threads) {
  const int64_t row_blocks = (M + kMC - 1) / kMC;
  if (threads <= 1 || M * N * K < kParallelMinWork) return BlockedSchedule::serial;
  // On 2 threads a cut through the rows is made at run time, the op(B) panels packed together (even
  // with few row blocks: at 300×64×4096, three blocks, medians of 0.62–0.69 ms in five runs against
  // 0.72 in three as row ranges each packing all of op(B), separate processes).
  if (threads == 2 && cuts_rows(M, N, MR, NR)) return BlockedSchedule::two_ended;
  // Shared op(B) pays off once there are enough row blocks to share out (each thread then packs only
  // part of op(B), not all of it) and threads enough that packing all of op(B) in each would cost
  // more than C moving between caches (kStaticSplitMaxThreads); else run_split.
  if (row_blocks < 2 * threads || threads <= kStaticSplitMaxThreads) return BlockedSchedule::split;
  const int64_t n_padded = (N + NR - 1) / NR * NR;
  if (K > kKC && M * N > kCachedMaxC && K * n_padded <= kWholeBMaxFloats) return BlockedSchedule::whole_b;
  return BlockedSchedule::shared_panels;
}

void run_whole_b(const GemmProblem& g) {
  const int64_t NR = g.kt->gemm_nr, strips = (g.N + NR - 1) / NR;
  const int64_t panels = (g.K + kKC - 1) / kKC;
  WholeB s;
  s.g = &g;
  s.n_padded = strips * NR;
  // About 4 pack tasks per thread over all of op(B), at most one panel's strips each.
  s.strips_per_pack =
      std::min(strips, std::max<int64_t>(1, (strips * panels + 4 * usable_threads() - 1) / (4 * usable_threads())));
  s.packs_per_panel = (strips + s.strips_per_pack - 1) / s.strips_per_pack;
  s.pack_tasks = panels * s.packs_per_panel;
  PackBuffers& buffers = pack_buffers();
  if (buffers.panels.size() < static_cast<size_t>(g.K * s.n_padded)) buffers.panels.resize(g.K * s.n_padded);
  s.data = buffers.panels.data();
  s.packs_done.store(0, std::memory_order_relaxed);
  const int64_t row_blocks = (g.M + kMC - 1) / kMC;
  parallel_for(s.pack_tasks + row_blocks, [&](int64_t task) { whole_b_task(s, task); });
}

void run_blocked(const GemmProblem& g) {
  const BlockedSchedule schedule =
      blocked_schedule(g.M, g.N, g.K, g.kt->gemm_mr, g.kt->gemm_nr, usable_threads());
  if (schedule == BlockedSchedule::whole_b) return run_whole_b(g);
  if (schedule == BlockedSchedule::shared_panels) return run_shared_panels(g);
  if (schedule == BlockedSchedule::two_ended) return run_two_ended(g);
  run_split(g, true, [&](int64_t m0, int64_t m1, int64_t n0, int64_t n1) { gemm_block_range(g, m0, m1, n0, n1); });
}

void run_packed(const GemmProblem& g, const PackedB& packed) {
  const int threads = usable_threads();
  if (threads <= 1 || g.M * g.N * g.K < kParallelMinWork) return gemm_packed_range(g, packed, 0, g.M, 0, g.N);
  const int64_t row_blocks = (g.M + kMC - 1) / kMC;
  if (row_blocks < 2 * threads) return run_shared_a(g, packed);
  // Many rows: row blocks shared out as they come (op(B) needs no packing, so nothing is done twice).
  parallel_for(row_blocks, [&](int64_t block) {
    gemm_packed_range(g, packed, block * kMC, std::min(g.M, (block + 1) * kMC), 0, g.N);
  });
}

void run_small(const GemmProblem& g) {
  run_split(g, false, [&](int64_t, int64_t, int64_t n0, int64_t n1) { gemm_small_range(g, n0, n1); });
}

}  // namespace gemm_detail
}  // namespace rnnkit
