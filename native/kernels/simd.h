// Thin per-ISA vector wrappers, ggml-style: the vector bodies (gemm_micro.inl, activations.inl,
// gates.inl) are written once against these names and compiled once per ISA by isa/*.cc.
//
// Included ONLY by isa/*.cc, INSIDE an anonymous namespace of that file, after <immintrin.h>,
// <cstring> and <cstdint>: everything here must get internal linkage, or the linker could merge an
// AVX2-compiled inline function into the scalar path (an ODR trap that crashes old CPUs). For the same
// reason these bodies avoid inline std:: helpers (std::min, std::floor, ...).
//
// The ISA is chosen by the macro the including file defines: RNNKIT_SIMD_AVX512, RNNKIT_SIMD_AVX2, or
// neither (the scalar "vector" of width 1, the plain path).
//
// NaN rule for vmax/vmin: like x86 maxps/minps, vmax(a, b) = a > b ? a : b returns b when either is
// NaN. Clamps are therefore written vmin(hi, vmax(lo, x)) with x second, so NaN passes through.

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

#else  // scalar: a "vector" of one float, so the same bodies are the plain path

using vf = float;
using vmask = bool;
constexpr int kWidth = 1;
static inline vf vload(const float* p) { return *p; }
static inline void vstore(float* p, vf v) { *p = v; }
static inline vf vload_partial(const float* p, int64_t n) { return n > 0 ? *p : 0.0f; }
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
