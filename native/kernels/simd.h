// Thin per-ISA vector wrappers, ggml-style: the vector bodies (gemm_micro.inl, activations.inl,
// gates.inl) are written once against these names and compiled once per ISA by isa/*.cc.
//
// Included ONLY by isa/*.cc, INSIDE an anonymous namespace of that file, after <immintrin.h>,
// <cstring> and <cstdint>: everything here must get internal linkage, or the linker could merge an
// AVX2-compiled inline function into the scalar path (an ODR trap that crashes old CPUs). For the same
// reason these bodies avoid inline std:: helpers (std::min, std::floor, ...).
//
// The ISA is chosen by the macro the including file defines: RNNKIT_SIMD_AVX512, RNNKIT_SIMD_AVX2,
// RNNKIT_SIMD_SSE2, RNNKIT_SIMD_NEON (neon.cc includes <arm_neon.h> instead of <immintrin.h>), or none
// (the scalar "vector" of width 1, the plain path).
//
// NaN rule for vmax/vmin: like x86 maxps/minps, vmax(a, b) = a > b ? a : b returns b when either is
// NaN. Clamps are therefore written vmin(hi, vmax(lo, x)) with x second, so NaN passes through. NEON's
// own fmax propagates any NaN, so the NEON section builds this rule from a compare and a select.
//
// vfmadd is fused (one rounding) on AVX2, AVX-512 and NEON, and a multiply then an add (two roundings)
// on SSE2 and scalar: results of the two kinds differ in the last bits, within the tests' tolerances.
//
// vload_partial / vstore_partial touch only the first n floats (the tail of an array may end at a page
// boundary), and vload_from_lane(p, first) only lanes first.. (the head of an array may start just
// after one): AVX uses masked moves; SSE2 and NEON, which have none, move 1, 2 or 3 floats piecewise.
// vkeep_lanes(v, first, end) zeroes every lane outside [first, end) (NaN and Inf too: a mask, not a
// multiply).

#if defined(RNNKIT_SIMD_AVX512)

using vf = __m512;
using vmask = __mmask16;
constexpr int kWidth = 16;
static inline vf vload(const float* p) { return _mm512_loadu_ps(p); }
static inline void vstore(float* p, vf v) { _mm512_storeu_ps(p, v); }
static inline vf vload_partial(const float* p, int64_t n) {
  return _mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << n) - 1), p);
}
static inline void vstore_partial(float* p, vf v, int64_t n) {
  _mm512_mask_storeu_ps(p, static_cast<__mmask16>((1u << n) - 1), v);
}
static inline vf vload_from_lane(const float* p, int64_t first) {
  return _mm512_maskz_loadu_ps(static_cast<__mmask16>(0xffffu << first), p);
}
static inline vf vkeep_lanes(vf v, int64_t first, int64_t end) {
  return _mm512_maskz_mov_ps(static_cast<__mmask16>((0xffffu << first) & ((1u << end) - 1)), v);
}
static inline vf vset1(float x) { return _mm512_set1_ps(x); }
static inline vf vzero() { return _mm512_setzero_ps(); }
static inline vf vadd(vf a, vf b) { return _mm512_add_ps(a, b); }
static inline vf vsub(vf a, vf b) { return _mm512_sub_ps(a, b); }
static inline vf vmul(vf a, vf b) { return _mm512_mul_ps(a, b); }
static inline vf vdiv(vf a, vf b) { return _mm512_div_ps(a, b); }
static inline vf vfmadd(vf a, vf b, vf c) { return _mm512_fmadd_ps(a, b, c); }    // a·b + c
static inline vf vfnmadd(vf a, vf b, vf c) { return _mm512_fnmadd_ps(a, b, c); }  // c − a·b
static inline vf vmax(vf a, vf b) { return _mm512_max_ps(a, b); }
static inline vf vmin(vf a, vf b) { return _mm512_min_ps(a, b); }
static inline vf vfloor(vf x) { return _mm512_roundscale_ps(x, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC); }
static inline vf vabs(vf x) {
  return _mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(x), _mm512_set1_epi32(0x7fffffff)));
}
// Copies the sign bit of s onto the non-negative magnitude m.
static inline vf vwith_sign(vf m, vf s) {
  return _mm512_castsi512_ps(_mm512_or_si512(
      _mm512_castps_si512(m), _mm512_and_si512(_mm512_castps_si512(s), _mm512_set1_epi32(INT32_MIN))));
}
static inline vmask vgt(vf a, vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
static inline vf vselect(vmask m, vf if_true, vf if_false) { return _mm512_mask_blend_ps(m, if_false, if_true); }
// 2^n for integral n in [-126, 127]; NaN n gives a finite garbage value that the caller multiplies
// with a NaN anyway.
static inline vf vpow2i(vf n) {
  const __m512i e = _mm512_add_epi32(_mm512_cvttps_epi32(n), _mm512_set1_epi32(127));
  return _mm512_castsi512_ps(_mm512_slli_epi32(e, 23));
}
static inline float vreduce_add(vf v) { return _mm512_reduce_add_ps(v); }
static inline void vprefetch(const float* p) { _mm_prefetch(reinterpret_cast<const char*>(p), _MM_HINT_T0); }
static inline float vreduce_max(vf v) { return _mm512_reduce_max_ps(v); }

#elif defined(RNNKIT_SIMD_AVX2)

using vf = __m256;
using vmask = __m256;
constexpr int kWidth = 8;
static inline vf vload(const float* p) { return _mm256_loadu_ps(p); }
static inline void vstore(float* p, vf v) { _mm256_storeu_ps(p, v); }
static inline __m256i tail_mask(int64_t n) {
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n)), lane);
}
// Masked-out lanes are neither read nor written (vmaskmovps does not fault on them).
static inline vf vload_partial(const float* p, int64_t n) { return _mm256_maskload_ps(p, tail_mask(n)); }
static inline void vstore_partial(float* p, vf v, int64_t n) { _mm256_maskstore_ps(p, tail_mask(n), v); }
static inline vf vload_from_lane(const float* p, int64_t first) {
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_maskload_ps(p, _mm256_cmpgt_epi32(lane, _mm256_set1_epi32(static_cast<int>(first) - 1)));
}
static inline vf vkeep_lanes(vf v, int64_t first, int64_t end) {
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256i keep = _mm256_and_si256(_mm256_cmpgt_epi32(lane, _mm256_set1_epi32(static_cast<int>(first) - 1)),
                                        _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(end)), lane));
  return _mm256_and_ps(v, _mm256_castsi256_ps(keep));
}
static inline vf vset1(float x) { return _mm256_set1_ps(x); }
static inline vf vzero() { return _mm256_setzero_ps(); }
static inline vf vadd(vf a, vf b) { return _mm256_add_ps(a, b); }
static inline vf vsub(vf a, vf b) { return _mm256_sub_ps(a, b); }
static inline vf vmul(vf a, vf b) { return _mm256_mul_ps(a, b); }
static inline vf vdiv(vf a, vf b) { return _mm256_div_ps(a, b); }
static inline vf vfmadd(vf a, vf b, vf c) { return _mm256_fmadd_ps(a, b, c); }
static inline vf vfnmadd(vf a, vf b, vf c) { return _mm256_fnmadd_ps(a, b, c); }
static inline vf vmax(vf a, vf b) { return _mm256_max_ps(a, b); }
static inline vf vmin(vf a, vf b) { return _mm256_min_ps(a, b); }
static inline vf vfloor(vf x) { return _mm256_floor_ps(x); }
static inline vf vabs(vf x) { return _mm256_and_ps(x, _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff))); }
static inline vf vwith_sign(vf m, vf s) {
  return _mm256_or_ps(m, _mm256_and_ps(s, _mm256_castsi256_ps(_mm256_set1_epi32(INT32_MIN))));
}
static inline vmask vgt(vf a, vf b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
static inline vf vselect(vmask m, vf if_true, vf if_false) { return _mm256_blendv_ps(if_false, if_true, m); }
static inline vf vpow2i(vf n) {
  const __m256i e = _mm256_add_epi32(_mm256_cvttps_epi32(n), _mm256_set1_epi32(127));
  return _mm256_castsi256_ps(_mm256_slli_epi32(e, 23));
}
static inline float vreduce_add(vf v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}
static inline void vprefetch(const float* p) { _mm_prefetch(reinterpret_cast<const char*>(p), _MM_HINT_T0); }

static inline float vreduce_max(vf v) {
  __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_max_ps(s, _mm_movehl_ps(s, s));
  s = _mm_max_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

#elif defined(RNNKIT_SIMD_SSE2)

// x86-64's baseline: SSE2 only (no FMA, no SSE4.1 round/blend, no SSE3 horizontal moves).
using vf = __m128;
using vmask = __m128;
constexpr int kWidth = 4;
static inline vf vload(const float* p) { return _mm_loadu_ps(p); }
static inline void vstore(float* p, vf v) { _mm_storeu_ps(p, v); }
// movss / movq (unaligned 64-bit) moves: lanes past n are 0 and nothing past p[n − 1] is read.
static inline vf vload_partial(const float* p, int64_t n) {
  if (n >= 4) return _mm_loadu_ps(p);
  if (n == 3) return _mm_movelh_ps(_mm_castsi128_ps(_mm_loadu_si64(p)), _mm_load_ss(p + 2));
  if (n == 2) return _mm_castsi128_ps(_mm_loadu_si64(p));
  return n == 1 ? _mm_load_ss(p) : _mm_setzero_ps();
}
static inline void vstore_partial(float* p, vf v, int64_t n) {
  if (n >= 4) {
    _mm_storeu_ps(p, v);
  } else if (n >= 2) {
    _mm_storeu_si64(p, _mm_castps_si128(v));
    if (n == 3) _mm_store_ss(p + 2, _mm_movehl_ps(v, v));
  } else if (n == 1) {
    _mm_store_ss(p, v);
  }
}
// Lanes first.. of the vector at p, the rest 0; nothing before p + first is read.
static inline vf vload_from_lane(const float* p, int64_t first) {
  alignas(16) float lanes[4] = {0.0f, 0.0f, 0.0f, 0.0f};
  for (int64_t i = first; i < 4; ++i) lanes[i] = p[i];
  return _mm_load_ps(lanes);
}
static inline vf vkeep_lanes(vf v, int64_t first, int64_t end) {
  const __m128i lane = _mm_setr_epi32(0, 1, 2, 3);
  const __m128i keep = _mm_and_si128(_mm_cmpgt_epi32(lane, _mm_set1_epi32(static_cast<int>(first) - 1)),
                                     _mm_cmpgt_epi32(_mm_set1_epi32(static_cast<int>(end)), lane));
  return _mm_and_ps(v, _mm_castsi128_ps(keep));
}
static inline vf vset1(float x) { return _mm_set1_ps(x); }
static inline vf vzero() { return _mm_setzero_ps(); }
static inline vf vadd(vf a, vf b) { return _mm_add_ps(a, b); }
static inline vf vsub(vf a, vf b) { return _mm_sub_ps(a, b); }
static inline vf vmul(vf a, vf b) { return _mm_mul_ps(a, b); }
static inline vf vdiv(vf a, vf b) { return _mm_div_ps(a, b); }
static inline vf vfmadd(vf a, vf b, vf c) { return _mm_add_ps(_mm_mul_ps(a, b), c); }   // not fused
static inline vf vfnmadd(vf a, vf b, vf c) { return _mm_sub_ps(c, _mm_mul_ps(a, b)); }  // not fused
static inline vf vmax(vf a, vf b) { return _mm_max_ps(a, b); }
static inline vf vmin(vf a, vf b) { return _mm_min_ps(a, b); }
static inline vf vselect(vmask m, vf if_true, vf if_false) {
  return _mm_or_ps(_mm_and_ps(m, if_true), _mm_andnot_ps(m, if_false));
}
static inline vf vabs(vf x) { return _mm_and_ps(x, _mm_castsi128_ps(_mm_set1_epi32(0x7fffffff))); }
static inline vf vwith_sign(vf m, vf s) {
  return _mm_or_ps(m, _mm_and_ps(s, _mm_castsi128_ps(_mm_set1_epi32(INT32_MIN))));
}
// floor without SSE4.1's roundps: truncate through int32, subtract 1 where that rounded up (x < 0),
// and give back the sign bit of x (floor(−0) = −0, floor(−0.5) = −1 already negative). |x| ≥ 2^23
// (integral already), ±Inf and NaN, which int32 cannot hold, are returned as they are.
static inline vf vfloor(vf x) {
  const vf truncated = _mm_cvtepi32_ps(_mm_cvttps_epi32(x));
  const vf rounded_up = _mm_and_ps(_mm_cmpgt_ps(truncated, x), _mm_set1_ps(1.0f));
  const vf sign = _mm_and_ps(x, _mm_castsi128_ps(_mm_set1_epi32(INT32_MIN)));
  const vf floored = _mm_or_ps(_mm_sub_ps(truncated, rounded_up), sign);
  return vselect(_mm_cmplt_ps(vabs(x), _mm_set1_ps(8388608.0f)), floored, x);
}
static inline vmask vgt(vf a, vf b) { return _mm_cmpgt_ps(a, b); }  // false when either is NaN
static inline vf vpow2i(vf n) {
  const __m128i e = _mm_add_epi32(_mm_cvttps_epi32(n), _mm_set1_epi32(127));
  return _mm_castsi128_ps(_mm_slli_epi32(e, 23));
}
// (v0 + v2) + (v1 + v3)
static inline float vreduce_add(vf v) {
  const vf s = _mm_add_ps(v, _mm_movehl_ps(v, v));
  return _mm_cvtss_f32(_mm_add_ss(s, _mm_shuffle_ps(s, s, _MM_SHUFFLE(1, 1, 1, 1))));
}
static inline float vreduce_max(vf v) {
  const vf s = _mm_max_ps(v, _mm_movehl_ps(v, v));
  return _mm_cvtss_f32(_mm_max_ss(s, _mm_shuffle_ps(s, s, _MM_SHUFFLE(1, 1, 1, 1))));
}
static inline void vprefetch(const float* p) { _mm_prefetch(reinterpret_cast<const char*>(p), _MM_HINT_T0); }

#elif defined(RNNKIT_SIMD_NEON)

// AArch64 Advanced SIMD (mandatory on every AArch64 CPU): 4 floats, fused multiply-add, directed
// rounding (frintm) and bit select.
using vf = float32x4_t;
using vmask = uint32x4_t;
constexpr int kWidth = 4;
static inline vf vload(const float* p) { return vld1q_f32(p); }
static inline void vstore(float* p, vf v) { vst1q_f32(p, v); }
static inline vf vload_partial(const float* p, int64_t n) {
  const vf zero = vdupq_n_f32(0.0f);
  if (n >= 4) return vld1q_f32(p);
  if (n == 3) return vcombine_f32(vld1_f32(p), vld1_lane_f32(p + 2, vdup_n_f32(0.0f), 0));
  if (n == 2) return vcombine_f32(vld1_f32(p), vdup_n_f32(0.0f));
  return n == 1 ? vld1q_lane_f32(p, zero, 0) : zero;
}
static inline void vstore_partial(float* p, vf v, int64_t n) {
  if (n >= 4) {
    vst1q_f32(p, v);
  } else if (n >= 2) {
    vst1_f32(p, vget_low_f32(v));
    if (n == 3) vst1q_lane_f32(p + 2, v, 2);
  } else if (n == 1) {
    vst1q_lane_f32(p, v, 0);
  }
}
// Lanes first.. of the vector at p, the rest 0; nothing before p + first is read.
static inline vf vload_from_lane(const float* p, int64_t first) {
  float lanes[4] = {0.0f, 0.0f, 0.0f, 0.0f};
  for (int64_t i = first; i < 4; ++i) lanes[i] = p[i];
  return vld1q_f32(lanes);
}
static inline vf vkeep_lanes(vf v, int64_t first, int64_t end) {
  const int32_t lanes[4] = {0, 1, 2, 3};
  const int32x4_t lane = vld1q_s32(lanes);
  const uint32x4_t keep = vandq_u32(vcgeq_s32(lane, vdupq_n_s32(static_cast<int32_t>(first))),
                                    vcltq_s32(lane, vdupq_n_s32(static_cast<int32_t>(end))));
  return vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(v), keep));
}
static inline vf vset1(float x) { return vdupq_n_f32(x); }
static inline vf vzero() { return vdupq_n_f32(0.0f); }
static inline vf vadd(vf a, vf b) { return vaddq_f32(a, b); }
static inline vf vsub(vf a, vf b) { return vsubq_f32(a, b); }
static inline vf vmul(vf a, vf b) { return vmulq_f32(a, b); }
static inline vf vdiv(vf a, vf b) { return vdivq_f32(a, b); }
#if defined(__GNUC__) || defined(__clang__)
// The vector-extension form, not vfmaq_f32: GCC 12 treats that builtin as if it could touch memory,
// so the microkernel's accumulator array acc[MR][NV] was stored back to the stack on every k step
// (8 stores per 16 fmla). As plain c + a·b it is the same fmla once contracted (neon.cc is compiled
// with -ffp-contract=fast; clang contracts one expression by default), with the accumulators in
// registers and the A broadcasts folded into fmla by element.
static inline vf vfmadd(vf a, vf b, vf c) { return c + a * b; }   // c + a·b, fused
static inline vf vfnmadd(vf a, vf b, vf c) { return c - a * b; }  // c − a·b, fused
#else
static inline vf vfmadd(vf a, vf b, vf c) { return vfmaq_f32(c, a, b); }
static inline vf vfnmadd(vf a, vf b, vf c) { return vfmsq_f32(c, a, b); }
#endif
static inline vmask vgt(vf a, vf b) { return vcgtq_f32(a, b); }  // false when either is NaN
static inline vf vselect(vmask m, vf if_true, vf if_false) { return vbslq_f32(m, if_true, if_false); }
// The x86 rule (see the top), not fmax's: b when either is NaN.
static inline vf vmax(vf a, vf b) { return vbslq_f32(vcgtq_f32(a, b), a, b); }
static inline vf vmin(vf a, vf b) { return vbslq_f32(vcltq_f32(a, b), a, b); }
static inline vf vfloor(vf x) { return vrndmq_f32(x); }
static inline vf vabs(vf x) { return vabsq_f32(x); }
static inline vf vwith_sign(vf m, vf s) {
  return vreinterpretq_f32_u32(
      vorrq_u32(vreinterpretq_u32_f32(m), vandq_u32(vreinterpretq_u32_f32(s), vdupq_n_u32(0x80000000u))));
}
// fcvtzs saturates and maps NaN to 0 (defined, unlike the C++ conversion).
static inline vf vpow2i(vf n) {
  const int32x4_t e = vaddq_s32(vcvtq_s32_f32(n), vdupq_n_s32(127));
  return vreinterpretq_f32_s32(vshlq_n_s32(e, 23));
}
static inline float vreduce_add(vf v) { return vaddvq_f32(v); }
static inline float vreduce_max(vf v) { return vmaxvq_f32(v); }
#if defined(__GNUC__) || defined(__clang__)
static inline void vprefetch(const float* p) { __builtin_prefetch(p); }
#else
static inline void vprefetch(const float*) {}
#endif

#else  // scalar: a "vector" of one float, so the same bodies are the plain path

using vf = float;
using vmask = bool;
constexpr int kWidth = 1;
static inline vf vload(const float* p) { return *p; }
static inline void vstore(float* p, vf v) { *p = v; }
static inline vf vload_partial(const float* p, int64_t n) { return n > 0 ? *p : 0.0f; }
static inline vf vload_from_lane(const float* p, int64_t first) { return first == 0 ? *p : 0.0f; }
static inline vf vkeep_lanes(vf v, int64_t first, int64_t end) { return first <= 0 && end > 0 ? v : 0.0f; }
static inline void vstore_partial(float* p, vf v, int64_t n) {
  if (n > 0) *p = v;
}
static inline vf vset1(float x) { return x; }
static inline vf vzero() { return 0.0f; }
static inline vf vadd(vf a, vf b) { return a + b; }
static inline vf vsub(vf a, vf b) { return a - b; }
static inline vf vmul(vf a, vf b) { return a * b; }
static inline vf vdiv(vf a, vf b) { return a / b; }
static inline vf vfmadd(vf a, vf b, vf c) { return a * b + c; }
static inline vf vfnmadd(vf a, vf b, vf c) { return c - a * b; }
static inline vf vmax(vf a, vf b) { return a > b ? a : b; }
static inline vf vmin(vf a, vf b) { return a < b ? a : b; }
static inline vf vfloor(vf x) { return __builtin_floorf(x); }
static inline uint32_t vbits(vf x) {
  uint32_t u;
  std::memcpy(&u, &x, sizeof u);
  return u;
}
static inline vf vfrom_bits(uint32_t u) {
  float x;
  std::memcpy(&x, &u, sizeof x);
  return x;
}
static inline vf vabs(vf x) { return vfrom_bits(vbits(x) & 0x7fffffffu); }
static inline vf vwith_sign(vf m, vf s) { return vfrom_bits(vbits(m) | (vbits(s) & 0x80000000u)); }
static inline vmask vgt(vf a, vf b) { return a > b; }
static inline vf vselect(vmask m, vf if_true, vf if_false) { return m ? if_true : if_false; }
static inline vf vpow2i(vf n) {
  if (!(n == n)) return n;  // NaN: converting it to int would be undefined behaviour
  return vfrom_bits(static_cast<uint32_t>(static_cast<int32_t>(n) + 127) << 23);
}
static inline float vreduce_add(vf v) { return v; }
static inline void vprefetch(const float*) {}
static inline float vreduce_max(vf v) { return v; }

#endif
