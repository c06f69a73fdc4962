// The contract of simd.h (its header comment) checked lane by lane, written once against its names
// and included by simd_test.cc right after simd.h for each section it can compile without ISA flags:
// scalar, and sse2 (x86-64) or neon (arm64). The wider AVX sections need their flags and are covered
// through the kernels instead (every KernelTable runs every kernel test).

// out[i] = op(x[i]) through one vector at a time (tail lanes through vload_partial/vstore_partial).
template <class Op>
static void map_lanes(const float* x, float* out, int64_t n, Op op) {
  for (int64_t i = 0; i < n; i += kWidth) {
    const int64_t m = n - i < kWidth ? n - i : kWidth;
    vstore_partial(out + i, op(vload_partial(x + i, m)), m);
  }
}

static bool same_float(float a, float b) {  // bit-exact, any NaN equal to any NaN
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return std::memcmp(&a, &b, sizeof a) == 0;
}

static void run_simd_checks(const std::string& isa) {
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();

  // vfloor = floorf bit for bit: signed zeros, halves, the int32-overflow range, ±Inf, NaN, denormals.
  const std::vector<float> floor_in = {-0.0f, 0.0f, 0.5f, -0.5f, 1.0f, -1.0f, 1.5f, -1.5f, 2.999f, -2.999f,
                                       8388607.5f, -8388607.5f, 8388608.0f, -8388609.0f, 3e9f, -3e9f, 1e30f,
                                       -1e30f, inf, -inf, nan, 1e-40f, -1e-40f, 150.7f, -150.7f, -0.25f, 127.5f};
  std::vector<float> floored(floor_in.size());
  map_lanes(floor_in.data(), floored.data(), static_cast<int64_t>(floor_in.size()), [](vf v) { return vfloor(v); });
  for (size_t i = 0; i < floor_in.size(); ++i) {
    CHECK_MSG(same_float(floored[i], std::floor(floor_in[i])),
              isa + ": vfloor(" + std::to_string(floor_in[i]) + ") = " + std::to_string(floored[i]));
  }

  // vmax / vmin: a > b ? a : b (a < b ? a : b), so b whenever either is NaN, and b for ±0 ties.
  const float lhs[] = {nan, 1.0f, 2.0f, 1.0f, 0.0f, -0.0f};
  const float rhs[] = {1.0f, nan, 1.0f, 2.0f, -0.0f, 0.0f};
  for (int i = 0; i < 6; ++i) {
    float hi, lo;
    vstore_partial(&hi, vmax(vset1(lhs[i]), vset1(rhs[i])), 1);
    vstore_partial(&lo, vmin(vset1(lhs[i]), vset1(rhs[i])), 1);
    const float want_hi = lhs[i] > rhs[i] ? lhs[i] : rhs[i], want_lo = lhs[i] < rhs[i] ? lhs[i] : rhs[i];
    CHECK_MSG(same_float(hi, want_hi) && same_float(lo, want_lo),
              isa + ": vmax/vmin NaN and zero rule at case " + std::to_string(i));
  }
  // the clamp idiom of activations.inl passes NaN through
  float clamped;
  vstore_partial(&clamped, vmin(vset1(88.0f), vmax(vset1(-104.0f), vset1(nan))), 1);
  CHECK_MSG(std::isnan(clamped), isa + ": vmin(hi, vmax(lo, NaN)) must be NaN");

  // Partial loads read only the first n floats (exactly sized heap blocks: ASan reports an overread)
  // and zero the other lanes; partial stores write only n floats.
  for (int64_t n = 0; n <= kWidth; ++n) {
    std::unique_ptr<float[]> src(new float[static_cast<size_t>(n) + (n == 0 ? 1 : 0)]);
    for (int64_t i = 0; i < n; ++i) src[i] = static_cast<float>(i + 1);
    float lanes[kWidth];
    vstore(lanes, vload_partial(src.get(), n));
    bool ok = true;
    for (int64_t i = 0; i < kWidth; ++i) ok = ok && lanes[i] == (i < n ? static_cast<float>(i + 1) : 0.0f);
    CHECK_MSG(ok, isa + ": vload_partial n=" + std::to_string(n));
    std::vector<float> dst(kWidth + 1, -7.0f);
    vstore_partial(dst.data(), vset1(3.0f), n);
    ok = true;
    for (int64_t i = 0; i <= kWidth; ++i) ok = ok && dst[i] == (i < n ? 3.0f : -7.0f);
    CHECK_MSG(ok, isa + ": vstore_partial n=" + std::to_string(n));
  }

  // vload_from_lane(p, first) reads only p[first ..] (a heap block starting there) and zeroes the lanes
  // before; vkeep_lanes zeroes the lanes outside [first, end), NaN and Inf included.
  for (int64_t first = 0; first < kWidth; ++first) {
    std::unique_ptr<float[]> src(new float[static_cast<size_t>(kWidth - first)]);
    for (int64_t i = first; i < kWidth; ++i) src[i - first] = static_cast<float>(i + 1);
    float lanes[kWidth];
    vstore(lanes, vload_from_lane(src.get() - first, first));
    bool ok = true;
    for (int64_t i = 0; i < kWidth; ++i) ok = ok && lanes[i] == (i >= first ? static_cast<float>(i + 1) : 0.0f);
    CHECK_MSG(ok, isa + ": vload_from_lane first=" + std::to_string(first));
    for (int64_t end = first; end <= kWidth; ++end) {
      float full[kWidth];
      for (int64_t i = 0; i < kWidth; ++i) full[i] = i % 3 == 0 ? nan : i % 3 == 1 ? -inf : static_cast<float>(i);
      vstore(lanes, vkeep_lanes(vload(full), first, end));
      ok = true;
      for (int64_t i = 0; i < kWidth; ++i) ok = ok && same_float(lanes[i], i >= first && i < end ? full[i] : 0.0f);
      CHECK_MSG(ok, isa + ": vkeep_lanes [" + std::to_string(first) + ", " + std::to_string(end) + ")");
    }
  }

  // reductions, compare/select, sign handling, 2^n, multiply-adds
  float ramp[kWidth];
  for (int i = 0; i < kWidth; ++i) ramp[i] = static_cast<float>(i + 1) * (i % 2 == 0 ? 1.0f : -0.5f);
  float sum = 0.0f, max = -inf;
  for (float v : ramp) {
    sum += v;
    max = v > max ? v : max;
  }
  CHECK_MSG(vreduce_add(vload(ramp)) == sum && vreduce_max(vload(ramp)) == max, isa + ": vreduce_add / vreduce_max");
  float picked;
  vstore_partial(&picked, vselect(vgt(vset1(nan), vzero()), vset1(1.0f), vset1(2.0f)), 1);
  CHECK_MSG(picked == 2.0f, isa + ": vgt(NaN, 0) must be false");
  vstore_partial(&picked, vselect(vgt(vset1(1.0f), vzero()), vset1(1.0f), vset1(2.0f)), 1);
  CHECK_MSG(picked == 1.0f, isa + ": vgt(1, 0) must be true");
  float signed_value;
  vstore_partial(&signed_value, vwith_sign(vabs(vset1(-2.5f)), vset1(-0.0f)), 1);
  CHECK_MSG(same_float(signed_value, -2.5f), isa + ": vwith_sign(vabs(-2.5), -0) = -2.5");
  vstore_partial(&signed_value, vabs(vset1(-0.0f)), 1);
  CHECK_MSG(same_float(signed_value, 0.0f), isa + ": vabs(-0) = +0");
  for (int e : {-126, -75, -1, 0, 1, 64, 127}) {
    float p;
    vstore_partial(&p, vpow2i(vset1(static_cast<float>(e))), 1);
    CHECK_MSG(p == std::ldexp(1.0f, e), isa + ": vpow2i(" + std::to_string(e) + ")");
  }
  float fma_out[2];
  vstore_partial(fma_out, vfmadd(vset1(3.0f), vset1(0.5f), vset1(1.0f)), 1);
  vstore_partial(fma_out + 1, vfnmadd(vset1(3.0f), vset1(0.5f), vset1(1.0f)), 1);
  CHECK_MSG(fma_out[0] == 2.5f && fma_out[1] == -0.5f, isa + ": vfmadd = a·b + c, vfnmadd = c − a·b");
}
