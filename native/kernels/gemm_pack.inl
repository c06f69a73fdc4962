// GEMM packing (the panel layouts gemm_micro.inl reads, described in gemm.cc), compiled per ISA by
// isa/*.cc with the micro-tile's MR and NR as constants. Two of the four cases are copies (op(A) = Aᵀ
// and op(B) = B read rows of the panel contiguously); the other two are transposes: op(A) = A (a
// strip of MR rows, each contiguous along K, becomes [kc, MR]) and op(B) = Bᵀ (NR rows of B become
// [kc, NR]). Those go through 8 × 8 in-register transposes on the AVX paths (unpack / shuffle /
// permute2f128, 24 shuffles per 64 floats), about 8× faster than element by element (measured:
// bench/kernels/gemm_bench, pack_b of a transposed 3200 × 2048). Edges (fewer than 8 rows or
// depths) take the plain loop. Padding rows/columns are written as 0.

#if defined(RNNKIT_SIMD_AVX512) || defined(RNNKIT_SIMD_AVX2)
// dst[p·ldd + r] = scale · src[r·ld + p] for r < rows (≤ 8), p < 8; rows past `rows` read as 0 and,
// when rows < 8, only the first `rows` lanes of each output row are stored.
static inline void transpose8x8(const float* src, int64_t ld, int rows, float scale, float* dst, int64_t ldd) {
  const __m256 s = _mm256_set1_ps(scale);
  __m256 r[8];
  for (int i = 0; i < 8; ++i) r[i] = i < rows ? _mm256_mul_ps(s, _mm256_loadu_ps(src + i * ld)) : _mm256_setzero_ps();
  const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
  const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
  const __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
  const __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
  const __m256 u0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 u1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
  const __m256 u2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 u3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
  const __m256 u4 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 u5 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(3, 2, 3, 2));
  const __m256 u6 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 u7 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(3, 2, 3, 2));
  const __m256 o[8] = {
      _mm256_permute2f128_ps(u0, u4, 0x20), _mm256_permute2f128_ps(u1, u5, 0x20),
      _mm256_permute2f128_ps(u2, u6, 0x20), _mm256_permute2f128_ps(u3, u7, 0x20),
      _mm256_permute2f128_ps(u0, u4, 0x31), _mm256_permute2f128_ps(u1, u5, 0x31),
      _mm256_permute2f128_ps(u2, u6, 0x31), _mm256_permute2f128_ps(u3, u7, 0x31),
  };
  if (rows == 8) {
    for (int p = 0; p < 8; ++p) _mm256_storeu_ps(dst + p * ldd, o[p]);
  } else {
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(rows), lane);
    for (int p = 0; p < 8; ++p) _mm256_maskstore_ps(dst + p * ldd, mask, o[p]);
  }
}
constexpr bool kVectorTranspose = true;
#else
static inline void transpose8x8(const float*, int64_t, int, float, float*, int64_t) {}
constexpr bool kVectorTranspose = false;
#endif

// dst[p·R + r] = scale · src[r·ld + p] for r < rows (≤ R, the rest of each R-wide row is zeroed),
// p < depth: the transposing case of both packs (R = MR for A, NR for B).
template <int R>
static void pack_transposed(const float* src, int64_t ld, int64_t rows, int64_t depth, float scale, float* dst) {
  int64_t p = 0;
  if (kVectorTranspose) {
    for (; p + 8 <= depth; p += 8) {
      for (int64_t r0 = 0; r0 < rows; r0 += 8) {
        const int n = static_cast<int>(rows - r0 < 8 ? rows - r0 : 8);
        transpose8x8(src + r0 * ld + p, ld, n, scale, dst + p * R + r0, R);
      }
    }
  }
  for (; p < depth; ++p)
    for (int64_t r = 0; r < rows; ++r) dst[p * R + r] = scale * src[r * ld + p];
  if (rows < R) {
    for (int64_t q = 0; q < depth; ++q)
      for (int64_t r = rows; r < R; ++r) dst[q * R + r] = 0.0f;
  }
}

// d[0 : R] = scale · s[0 : R], vector by vector when R is a multiple of the width.
template <int R>
static inline void copy_scaled(float* __restrict d, const float* __restrict s, float scale) {
  if (R % kWidth == 0) {
    const vf f = vset1(scale);
    for (int c = 0; c < R; c += kWidth) vstore(d + c, vmul(f, vload(s + c)));
  } else {
    for (int c = 0; c < R; ++c) d[c] = scale * s[c];
  }
}

// The copying case of both packs: strips of R columns of src [depth, ld] (columns [0, cols)), strip t
// at dst + t·depth·R holding dst[p·R + c] = scale · src[p·ld + t·R + c], columns past cols 0. Rows go
// in groups small enough that the group's source rows stay in L1 (~16 KiB) while every strip takes
// its part of them: each source line is read from memory once, and each strip receives a contiguous
// run of `group` rows. (Row by row, the strips' rows — depth·R floats apart, often a multiple of 4 KiB —
// all fell into one L1 set and evicted each other at every row; strip by strip, every source row's
// page was revisited once per strip.) The next group is prefetched meanwhile.
template <int R>
static void pack_rows(const float* src, int64_t ld, int64_t cols, int64_t depth, float scale, float* dst) {
  const int64_t full = cols / R, rest = cols - full * R, strip = depth * R;
  int64_t group = 4096 / (cols + 1);
  group = group < 1 ? 1 : group > 16 ? 16 : group;
  for (int64_t p0 = 0; p0 < depth; p0 += group) {
    const int64_t p1 = p0 + group < depth ? p0 + group : depth;
    const int64_t ahead_end = p1 + group < depth ? p1 + group : depth;
    for (int64_t p = p1; p < ahead_end; ++p)
      for (int64_t c = 0; c < cols; c += 16) vprefetch(src + p * ld + c);
    for (int64_t t = 0; t < full; ++t)
      for (int64_t p = p0; p < p1; ++p) copy_scaled<R>(dst + t * strip + p * R, src + p * ld + t * R, scale);
    if (rest > 0) {
      for (int64_t p = p0; p < p1; ++p) {
        float* dt = dst + full * strip + p * R;
        const float* st = src + p * ld + full * R;
        for (int64_t c = 0; c < rest; ++c) dt[c] = scale * st[c];
        for (int64_t c = rest; c < R; ++c) dt[c] = 0.0f;
      }
    }
  }
}

// out = alpha · op(A)[i0 : i0+mc, p0 : p0+kc] as strips of MR rows: strip s is [kc, MR], rows past mc 0.
template <int MR>
static void pack_a_impl(bool transA, const float* A, int64_t lda, int64_t i0, int64_t mc, int64_t p0, int64_t kc,
                        float alpha, float* out) {
  if (transA) return pack_rows<MR>(A + p0 * lda + i0, lda, mc, kc, alpha, out);
  for (int64_t s = 0; s < mc; s += MR) {
    const int64_t m = mc - s < MR ? mc - s : MR;
    pack_transposed<MR>(A + (i0 + s) * lda + p0, lda, m, kc, alpha, out + s * kc);
  }
}

// out = op(B)[p0 : p0+kc, j0 : j0+nc] as strips of NR columns: strip s is [kc, NR], columns past nc 0.
template <int NR>
static void pack_b_impl(bool transB, const float* B, int64_t ldb, int64_t p0, int64_t kc, int64_t j0, int64_t nc,
                        float* out) {
  if (!transB) return pack_rows<NR>(B + p0 * ldb + j0, ldb, nc, kc, 1.0f, out);
  for (int64_t s = 0; s < nc; s += NR) {
    const int64_t n = nc - s < NR ? nc - s : NR;
    pack_transposed<NR>(B + (j0 + s) * ldb + p0, ldb, n, kc, 1.0f, out + s * kc);
  }
}
