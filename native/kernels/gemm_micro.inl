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

template <int MR, int NV, bool Store>
static void gemm_micro_tile(int64_t kc, const float* a_packed, const float* b_packed, float* c, int64_t ldc,
                            int64_t m, int64_t n) {
  constexpr int NR = NV * kWidth;
  // The C tile is read once, after the kc loop; ask for its lines now so that they arrive meanwhile
  // (C of a large product lives in L3 or memory: without this, 2048³ ran at 83% of peak).
  if (!Store) {
    for (int i = 0; i < MR; ++i) {
      vprefetch(c + i * ldc);
      vprefetch(c + i * ldc + NR - 1);
    }
  }
  vf acc[MR][NV];
  for (int i = 0; i < MR; ++i)
    for (int j = 0; j < NV; ++j) acc[i][j] = vzero();

  const float* ap = a_packed;
  const float* bp = b_packed;
  for (int64_t p = 0; p < kc; ++p) {
    vf b[NV];
    for (int j = 0; j < NV; ++j) b[j] = vload(bp + j * kWidth);
    for (int i = 0; i < MR; ++i) {
      const vf a = vset1(ap[i]);
      for (int j = 0; j < NV; ++j) acc[i][j] = vfmadd(a, b[j], acc[i][j]);
    }
    ap += MR;
    bp += NR;
  }

  if (m == MR && n == NR) {
    for (int i = 0; i < MR; ++i)
      for (int j = 0; j < NV; ++j) {
        float* cij = c + i * ldc + j * kWidth;
        vstore(cij, Store ? acc[i][j] : vadd(vload(cij), acc[i][j]));
      }
    return;
  }
  float tile[MR * NR];
  for (int i = 0; i < MR; ++i)
    for (int j = 0; j < NV; ++j) vstore(tile + i * NR + j * kWidth, acc[i][j]);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) c[i * ldc + j] = Store ? tile[i * NR + j] : c[i * ldc + j] + tile[i * NR + j];
}
