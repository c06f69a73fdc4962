// SGEMM register-tile microkernel, written once against simd.h and compiled per ISA by isa/*.cc
// (included inside that file's anonymous namespace). The BLIS/GotoBLAS inner kernel: an MR × NR tile
// of C lives in MR·NV vector registers for the whole kc loop; each step loads NV vectors of packed B,
// broadcasts MR values of packed A and issues MR·NV fused multiply-adds.
//
// Packed layouts (gemm.cc packs them): a_packed [kc, MR] (alpha folded in, zero-padded rows),
// b_packed [kc, NR] with NR = NV·kWidth (zero-padded columns). The tile is ADDED to C (gemm.cc has
// applied beta already), or with Store it is written over C without reading it (the first K panel
// of a beta = 0 product: C is then never zero-filled first nor read); edge tiles (m < MR or n < NR)
// go through a small stack buffer so C is only touched inside [m, n].

#if defined(__GNUC__)
#define RNNKIT_NOINLINE __attribute__((noinline))
#elif defined(_MSC_VER)
#define RNNKIT_NOINLINE __declspec(noinline)
#else
#define RNNKIT_NOINLINE
#endif

constexpr int kFloatsPerLine = 16;  // 64-byte cache lines

// Independent accumulator chains the FMA units need to stay busy: two FMA pipes, each with a 4-cycle
// latency, on the x86 and Arm cores we target. A full tile has MR·NV ≥ 8 chains; an edge tile of a few
// rows has fewer, so it keeps several partial sums per accumulator (see micro_accumulate).
constexpr int kFmaChains = 8;

// Partial sums per accumulator for a tile of Rows × NV vectors (at most 4: registers run out).
constexpr int partial_sums(int Rows, int NV) {
  const int sums = (kFmaChains + Rows * NV - 1) / (Rows * NV);
  return sums < 1 ? 1 : sums > 4 ? 4 : sums;
}

// One k step: acc[i][j] += ap[i] · bp[j·kWidth ...] for the first Rows rows.
template <int Rows, int NV>
static inline void micro_step(const float* ap, const float* bp, vf (&acc)[Rows][NV]) {
  vf b[NV];
  for (int j = 0; j < NV; ++j) b[j] = vload(bp + j * kWidth);
  for (int i = 0; i < Rows; ++i) {
    const vf a = vset1(ap[i]);
    for (int j = 0; j < NV; ++j) acc[i][j] = vfmadd(a, b[j], acc[i][j]);
  }
}

// acc[i][j] = Σ_p a_packed[p·MR + i] · b_packed[p·NR + j·kWidth ...] for the first Rows rows of the
// packed A strip: the kc loop.
template <int Rows, int NV, int MR>
static inline void micro_accumulate(int64_t kc, const float* a_packed, const float* b_packed, vf (&acc)[Rows][NV]) {
  constexpr int NR = NV * kWidth;
  constexpr int Sums = partial_sums(Rows, NV);
  const float* ap = a_packed;
  const float* bp = b_packed;
  if constexpr (Sums == 1) {
    for (int i = 0; i < Rows; ++i)
      for (int j = 0; j < NV; ++j) acc[i][j] = vzero();
    // kc ≥ 1 (gemm.cc never calls with an empty panel): a do-while lets GCC keep acc in registers from
    // the zeroing to the stores (with a loop that may not run it spilled all of acc to the stack).
    int64_t p = kc;
    do {
      micro_step<Rows, NV>(ap, bp, acc);
      ap += MR;
      bp += NR;
    } while (--p > 0);
  } else {
    // An edge tile (Rows < MR): Sums consecutive k steps go to separate partial sums, so that
    // Rows·NV·Sums chains are in flight (with one sum per accumulator, a 2-row tile waited on the
    // FMA latency and cost as much as a full tile: bench/kernels "packed step NT 32x2048x512"
    // took as long as 36 rows).
    vf part[Sums][Rows][NV];
    for (int s = 0; s < Sums; ++s)
      for (int i = 0; i < Rows; ++i)
        for (int j = 0; j < NV; ++j) part[s][i][j] = vzero();
    int64_t p = kc;
    for (; p >= Sums; p -= Sums) {
      for (int s = 0; s < Sums; ++s) {
        micro_step<Rows, NV>(ap, bp, part[s]);
        ap += MR;
        bp += NR;
      }
    }
    for (int s = 0; s < p; ++s) {  // the last kc mod Sums steps
      micro_step<Rows, NV>(ap, bp, part[s]);
      ap += MR;
      bp += NR;
    }
    for (int i = 0; i < Rows; ++i)
      for (int j = 0; j < NV; ++j) {
        vf sum = part[0][i][j];
        for (int s = 1; s < Sums; ++s) sum = vadd(sum, part[s][i][j]);
        acc[i][j] = sum;
      }
  }
}

// A full MR × NR tile: the accumulators go straight to C (no stack round trip).
template <int MR, int NV, bool Store>
static void micro_tile_full(int64_t kc, const float* a_packed, const float* b_packed, float* c, int64_t ldc) {
  constexpr int NR = NV * kWidth;
  // The C tile is read once, after the kc loop; ask for its lines now so that they arrive meanwhile
  // (C of a large product lives in L3 or memory: without this, 2048³ ran at 83% of peak). Every line
  // of each row: a row of C off a line boundary (a Float32Array's start is 16 bytes past one) spans
  // one line more than when aligned; missing the middle one cost 6% at 2048³ on an Intel Xeon.
  if (!Store) {
    for (int i = 0; i < MR; ++i) {
      for (int j = 0; j < NR; j += kFloatsPerLine) vprefetch(c + i * ldc + j);
      vprefetch(c + i * ldc + NR - 1);
    }
  }
  vf acc[MR][NV];
  micro_accumulate<MR, NV, MR>(kc, a_packed, b_packed, acc);
  for (int i = 0; i < MR; ++i)
    for (int j = 0; j < NV; ++j) {
      float* cij = c + i * ldc + j * kWidth;
      vstore(cij, Store ? acc[i][j] : vadd(vload(cij), acc[i][j]));
    }
}

// An edge tile of Rows ≤ MR rows (m ≤ Rows, n ≤ NR): only Rows rows are computed, through a stack
// buffer, and C is touched only inside [m, n].
template <int Rows, int MR, int NV, bool Store>
static RNNKIT_NOINLINE void micro_tile_edge(int64_t kc, const float* a_packed, const float* b_packed, float* c,
                                            int64_t ldc, int64_t m, int64_t n) {
  constexpr int NR = NV * kWidth;
  vf acc[Rows][NV];
  micro_accumulate<Rows, NV, MR>(kc, a_packed, b_packed, acc);
  float tile[Rows * NR];
  for (int i = 0; i < Rows; ++i)
    for (int j = 0; j < NV; ++j) vstore(tile + i * NR + j * kWidth, acc[i][j]);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) c[i * ldc + j] = Store ? tile[i * NR + j] : c[i * ldc + j] + tile[i * NR + j];
}

// The edge tile for m rows: the kernel of Rows = m, found by counting down from MR.
template <int Rows, int MR, int NV, bool Store>
static void micro_tile_edge_rows(int64_t kc, const float* a_packed, const float* b_packed, float* c, int64_t ldc,
                                 int64_t m, int64_t n) {
  if constexpr (Rows > 1) {
    if (m < Rows) return micro_tile_edge_rows<Rows - 1, MR, NV, Store>(kc, a_packed, b_packed, c, ldc, m, n);
  }
  micro_tile_edge<Rows, MR, NV, Store>(kc, a_packed, b_packed, c, ldc, m, n);
}

template <int MR, int NV, bool Store>
static void gemm_micro_tile(int64_t kc, const float* a_packed, const float* b_packed, float* c, int64_t ldc,
                            int64_t m, int64_t n) {
  if (m == MR && n == NV * kWidth) return micro_tile_full<MR, NV, Store>(kc, a_packed, b_packed, c, ldc);
  micro_tile_edge_rows<MR, MR, NV, Store>(kc, a_packed, b_packed, c, ldc, m, n);
}
