// Vectorized exp, sigmoid and tanh, written once against simd.h and compiled per ISA by isa/*.cc.
// The scalar references they are tested against are in activations.cc (sigmoid_reference,
// tanh_reference, computed in double).
//
// exp: Cephes expf (S. Moshier): n = round(x·log2 e), r = x − n·ln 2 in two parts (Cody–Waite),
// e^r by a degree-6 polynomial, times 2^n. About 1 ulp on the normal range. Inputs are clamped to
// [-104, ln FLT_MAX] first, and 2^n is applied as 2^⌊n/2⌋ · 2^(n−⌊n/2⌋), two exact power-of-two
// factors that are each a normal float, so results down in the denormal range (e^-100 = 3.7e-44,
// which sigmoid(-100) returns) round correctly instead of flushing to 0, and e^88.7 stays finite.
// sigmoid: 1/(1+e^-|x|) for x ≥ 0 and e^-|x|/(1+e^-|x|) for x < 0: the exp argument is never
// positive, so it never overflows, and tiny results keep their relative precision (no 1 − ... ).
//
// tanh: Cephes tanhf on a = |x|: a + a·a²·P(a²) for a < 0.625 (no cancellation near 0), else
// 1 − 2/(e^{2a} + 1), saturating to 1; the sign of x is put back last, so tanh(−0) = −0.
// NaN propagates through every path (the clamps keep x as the second operand, see simd.h).

static inline vf vexp(vf x) {
  x = vmin(vset1(88.72283935546875f), vmax(vset1(-104.0f), x));
  const vf n = vfloor(vfmadd(x, vset1(1.44269504088896341f), vset1(0.5f)));  // in [-150, 128]
  vf r = vfnmadd(n, vset1(0.693359375f), x);
  r = vfnmadd(n, vset1(-2.12194440e-4f), r);
  const vf r2 = vmul(r, r);
  vf y = vset1(1.9875691500e-4f);
  y = vfmadd(y, r, vset1(1.3981999507e-3f));
  y = vfmadd(y, r, vset1(8.3334519073e-3f));
  y = vfmadd(y, r, vset1(4.1665795894e-2f));
  y = vfmadd(y, r, vset1(1.6666665459e-1f));
  y = vfmadd(y, r, vset1(5.0000001201e-1f));
  y = vadd(vfmadd(y, r2, r), vset1(1.0f));
  const vf half = vfloor(vmul(n, vset1(0.5f)));  // in [-75, 64]: 2^half and 2^(n−half) are normal
  return vmul(vmul(y, vpow2i(half)), vpow2i(vsub(n, half)));
}

static inline vf vsigmoid(vf x) {
  const vf e = vexp(vsub(vzero(), vabs(x)));  // e^-|x| in (0, 1]
  const vf r = vdiv(vset1(1.0f), vadd(vset1(1.0f), e));
  return vselect(vgt(vzero(), x), vmul(e, r), r);
}

static inline vf vtanh(vf x) {
  const vf a = vabs(x);
  const vf a2 = vmul(a, a);
  vf p = vset1(-5.70498872745e-3f);
  p = vfmadd(p, a2, vset1(2.06390887954e-2f));
  p = vfmadd(p, a2, vset1(-5.37397155531e-2f));
  p = vfmadd(p, a2, vset1(1.33314422036e-1f));
  p = vfmadd(p, a2, vset1(-3.33332819422e-1f));
  const vf small = vfmadd(vmul(p, a2), a, a);
  const vf e = vexp(vadd(a, a));  // +Inf for a > 44: then 2/(Inf+1) = 0 and the result is exactly 1
  const vf large = vsub(vset1(1.0f), vdiv(vset1(2.0f), vadd(e, vset1(1.0f))));
  return vwith_sign(vselect(vgt(a, vset1(0.625f)), large, small), x);
}

// Applies op to n floats of x into out (out may alias x); the tail goes through masked loads/stores.
template <class Op>
static inline void map_array(float* out, const float* x, int64_t n, Op op) {
  int64_t i = 0;
  for (; i + kWidth <= n; i += kWidth) vstore(out + i, op(vload(x + i)));
  if (i < n) vstore_partial(out + i, op(vload_partial(x + i, n - i)), n - i);
}

static void tanh_array_impl(float* out, const float* x, int64_t n) {
  map_array(out, x, n, [](vf v) { return vtanh(v); });
}

static void sigmoid_array_impl(float* out, const float* x, int64_t n) {
  map_array(out, x, n, [](vf v) { return vsigmoid(v); });
}

static void axpy_impl(float* y, float alpha, const float* x, int64_t n) {
  const vf a = vset1(alpha);
  int64_t i = 0;
  for (; i + kWidth <= n; i += kWidth) vstore(y + i, vfmadd(a, vload(x + i), vload(y + i)));
  if (i < n) vstore_partial(y + i, vfmadd(a, vload_partial(x + i, n - i), vload_partial(y + i, n - i)), n - i);
}

static void mul_impl(float* out, const float* a, const float* b, int64_t n) {
  int64_t i = 0;
  for (; i + kWidth <= n; i += kWidth) vstore(out + i, vmul(vload(a + i), vload(b + i)));
  if (i < n) vstore_partial(out + i, vmul(vload_partial(a + i, n - i), vload_partial(b + i, n - i)), n - i);
}

// Largest entry of x[0, n); NaN when any entry is NaN (a plain max would drop it).
static float row_max(const float* x, int64_t n) {
  vf m = vset1(-__builtin_inff());
  vf nan_seen = vzero();  // accumulates x − x: 0 for numbers, NaN for NaN and ±Inf
  int64_t i = 0;
  for (; i + kWidth <= n; i += kWidth) {
    const vf v = vload(x + i);
    m = vmax(m, v);
    nan_seen = vadd(nan_seen, vmul(vzero(), v));
  }
  float result = vreduce_max(m);
  float seen = vreduce_add(nan_seen);
  for (; i < n; ++i) {
    result = x[i] > result ? x[i] : result;
    seen += 0.0f * x[i];
  }
  // 0·x is NaN for NaN and ±Inf; ±Inf is harmless here (the max handles it), so only NaN forces NaN.
  if (!(seen == seen)) {
    for (int64_t j = 0; j < n; ++j)
      if (!(x[j] == x[j])) return x[j];
  }
  return result;
}

static void softmax_row_impl(float* out, const float* x, int64_t n) {
  const vf max = vset1(row_max(x, n));
  vf sum = vzero();
  int64_t i = 0;
  for (; i + kWidth <= n; i += kWidth) {
    const vf e = vexp(vsub(vload(x + i), max));
    vstore(out + i, e);
    sum = vadd(sum, e);
  }
  float total = vreduce_add(sum);
  if (i < n) {
    // masked lanes of the tail are 0 and must not add e^(0 − max): sum only the stored ones
    const vf e = vexp(vsub(vload_partial(x + i, n - i), max));
    vstore_partial(out + i, e, n - i);
    for (int64_t j = i; j < n; ++j) total += out[j];
  }
  const vf scale = vset1(1.0f / total);
  map_array(out, out, n, [scale](vf v) { return vmul(v, scale); });
}

static void log_softmax_row_impl(float* out, const float* x, int64_t n) {
  const float max_value = row_max(x, n);
  const vf max = vset1(max_value);
  vf sum = vzero();
  int64_t i = 0;
  for (; i + kWidth <= n; i += kWidth) sum = vadd(sum, vexp(vsub(vload(x + i), max)));
  float total = vreduce_add(sum);
  if (i < n) {
    float tail[kWidth];
    vstore_partial(tail, vexp(vsub(vload_partial(x + i, n - i), max)), n - i);
    for (int64_t j = 0; j < n - i; ++j) total += tail[j];
  }
  // (x − max) − log Σ e^(x − max): subtracting the max first keeps small differences exact.
  const vf log_total = vset1(__builtin_logf(total));
  map_array(out, x, n, [max, log_total](vf v) { return vsub(vsub(v, max), log_total); });
}
