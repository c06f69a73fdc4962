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

// acc[i][j] = Σ_p a_packed[p·MR + i] · b_packed[p·NR + j·kWidth ...]: the kc loop.
template <int MR, int NV>
static inline void micro_accumulate(int64_t kc, const float* a_packed, const float* b_packed, vf (&acc)[MR][NV]) {
  constexpr int NR = NV * kWidth;
  for (int i = 0; i < MR; ++i)
    for (int j = 0; j < NV; ++j) acc[i][j] = vzero();
  const float* ap = a_packed;
  const float* bp = b_packed;
  // kc ≥ 1 (gemm.cc never calls with an empty panel): a do-while lets GCC keep acc in registers from
  // the zeroing to the stores (with a loop that may not run it spilled all of acc to the stack).
  int64_t p = kc;
  do {
    vf b[NV];
    for (int j = 0; j < NV; ++j) b[j] = vload(bp + j * kWidth);
    for (int i = 0; i < MR; ++i) {
      const vf a = vset1(ap[i]);
      for (int j = 0; j < NV; ++j) acc[i][j] = vfmadd(a, b[j], acc[i][j]);
    }
    ap += MR;
    bp += NR;
  } while (--p > 0);
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
  micro_accumulate<MR, NV>(kc, a_packed, b_packed, acc);
  for (int i = 0; i < MR; ++i)
    for (int j = 0; j < NV; ++j) {
      float* cij = c + i * ldc + j * kWidth;
      vstore(cij, Store ? acc[i][j] : vadd(vload(cij), acc[i][j]));
    }
}

// An edge tile (m < MR or n < NR): through a stack buffer, C touched only inside [m, n].
template <int MR, int NV, bool Store>
static RNNKIT_NOINLINE void micro_tile_edge(int64_t kc, const float* a_packed, const float* b_packed, float* c,
                                            int64_t ldc, int64_t m, int64_t n) {
  constexpr int NR = NV * kWidth;
  vf acc[MR][NV];
  micro_accumulate<MR, NV>(kc, a_packed, b_packed, acc);
  float tile[MR * NR];
  for (int i = 0; i < MR; ++i)
    for (int j = 0; j < NV; ++j) vstore(tile + i * NR + j * kWidth, acc[i][j]);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) c[i * ldc + j] = Store ? tile[i * NR + j] : c[i * ldc + j] + tile[i * NR + j];
}

template <int MR, int NV, bool Store>
static void gemm_micro_tile(int64_t kc, const float* a_packed, const float* b_packed, float* c, int64_t ldc,
                            int64_t m, int64_t n) {
  if (m == MR && n == NV * kWidth) return micro_tile_full<MR, NV, Store>(kc, a_packed, b_packed, c, ldc);
  micro_tile_edge<MR, NV, Store>(kc, a_packed, b_packed, c, ldc, m, n);
}
