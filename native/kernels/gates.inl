// Fused per-step gate math for one batch row of H units, forward and backward, written once against
// simd.h (and activations.inl) and compiled per ISA by isa/*.cc. The equations are PyTorch's
// (torch.nn.LSTM / GRU / RNN docs); lstm.cc, gru.cc and rnn.cc call these after each step's GEMM.
// Contracts are in dispatch.h (KernelTable). Gate blocks are H apart: LSTM i, f, g, o; GRU r, z, n.

static inline int64_t lanes(int64_t H, int64_t u) { return H - u < kWidth ? H - u : kWidth; }
static inline vf vld(const float* p, int64_t n) { return n == kWidth ? vload(p) : vload_partial(p, n); }
static inline void vst(float* p, vf v, int64_t n) {
  if (n == kWidth) {
    vstore(p, v);
  } else {
    vstore_partial(p, v, n);
  }
}

// (dh + dOut) for lanes [u, u + n), dOut optional.
static inline vf total_grad(const float* dh, const float* dOut, int64_t u, int64_t n) {
  const vf d = vld(dh + u, n);
  return dOut == nullptr ? d : vadd(d, vld(dOut + u, n));
}

// dPre = dh ⊙ act'(pre), written through the output h = act(pre): tanh' = 1 − h², relu' = [h > 0].
static void rnn_cell_backward_impl(float* dPre, float* dh, const float* dOut, const float* h, int64_t H,
                                   bool relu) {
  const vf one = vset1(1.0f);
  for (int64_t u = 0; u < H; u += kWidth) {
    const int64_t n = lanes(H, u);
    const vf hv = vld(h + u, n), d = total_grad(dh, dOut, u, n);
    const vf grad = relu ? vselect(vgt(hv, vzero()), d, vzero()) : vmul(d, vfnmadd(hv, hv, one));
    vst(dPre + u, grad, n);
    vst(dh + u, vzero(), n);
  }
}

// i, f, o = σ(.), g = tanh(.), c = f ⊙ cPrev + i ⊙ g, h = o ⊙ tanh(c).
static void lstm_cell_forward_impl(float* gates, float* c, float* h, const float* cPrev, int64_t H) {
  for (int64_t u = 0; u < H; u += kWidth) {
    const int64_t n = lanes(H, u);
    const vf i = vsigmoid(vld(gates + u, n));
    const vf f = vsigmoid(vld(gates + H + u, n));
    const vf g = vtanh(vld(gates + 2 * H + u, n));
    const vf o = vsigmoid(vld(gates + 3 * H + u, n));
    const vf cNew = vfmadd(f, vld(cPrev + u, n), vmul(i, g));
    vst(gates + u, i, n);
    vst(gates + H + u, f, n);
    vst(gates + 2 * H + u, g, n);
    vst(gates + 3 * H + u, o, n);
    vst(c + u, cNew, n);
    vst(h + u, vmul(o, vtanh(cNew)), n);
  }
}

// With dh the step's total output gradient and dc the total dLoss/dc (incoming dc + dh ⊙ o ⊙ tanh'(c)):
//   dPre_i = dc ⊙ g ⊙ i(1−i)   dPre_f = dc ⊙ cPrev ⊙ f(1−f)   dPre_g = dc ⊙ i ⊙ (1−g²)
//   dPre_o = dh ⊙ tanh(c) ⊙ o(1−o)   and dcPrev = dc ⊙ f (written back into dc).
static void lstm_cell_backward_impl(float* dGates, float* dc, float* dh, const float* dOut, const float* gates,
                                    const float* c, const float* cPrev, int64_t H) {
  const vf one = vset1(1.0f);
  for (int64_t u = 0; u < H; u += kWidth) {
    const int64_t n = lanes(H, u);
    const vf i = vld(gates + u, n), f = vld(gates + H + u, n);
    const vf g = vld(gates + 2 * H + u, n), o = vld(gates + 3 * H + u, n);
    const vf d = total_grad(dh, dOut, u, n);
    const vf tc = vtanh(vld(c + u, n));
    const vf dcTotal = vfmadd(vmul(d, o), vfnmadd(tc, tc, one), vld(dc + u, n));
    vst(dGates + u, vmul(vmul(dcTotal, g), vmul(i, vsub(one, i))), n);
    vst(dGates + H + u, vmul(vmul(dcTotal, vld(cPrev + u, n)), vmul(f, vsub(one, f))), n);
    vst(dGates + 2 * H + u, vmul(vmul(dcTotal, i), vfnmadd(g, g, one)), n);
    vst(dGates + 3 * H + u, vmul(vmul(d, tc), vmul(o, vsub(one, o))), n);
    vst(dc + u, vmul(dcTotal, f), n);
    vst(dh + u, vzero(), n);
  }
}

// r, z = σ(.), hn += b_hn, n = tanh(x_n + r ⊙ hn), h = (1 − z) ⊙ n + z ⊙ hPrev = n + z ⊙ (hPrev − n).
static void gru_cell_forward_impl(float* gates, float* h, float* hn, const float* bHn, const float* hPrev,
                                  int64_t H) {
  for (int64_t u = 0; u < H; u += kWidth) {
    const int64_t n = lanes(H, u);
    const vf r = vsigmoid(vld(gates + u, n));
    const vf z = vsigmoid(vld(gates + H + u, n));
    vf hnv = vld(hn + u, n);
    if (bHn != nullptr) hnv = vadd(hnv, vld(bHn + u, n));
    const vf cand = vtanh(vfmadd(r, hnv, vld(gates + 2 * H + u, n)));
    const vf hp = vld(hPrev + u, n);
    vst(gates + u, r, n);
    vst(gates + H + u, z, n);
    vst(gates + 2 * H + u, cand, n);
    vst(hn + u, hnv, n);
    vst(h + u, vfmadd(z, vsub(hp, cand), cand), n);
  }
}

// With dh the step's total output gradient: dPre_n = dh ⊙ (1 − z) ⊙ (1 − n²) (gradient of
// W_in x + b_in + r ⊙ hn), dGh = [dPre_n ⊙ hn ⊙ r(1−r), dh ⊙ (hPrev − n) ⊙ z(1−z), dPre_n ⊙ r],
// dnIn = dPre_n, and dh becomes dh ⊙ z.
static void gru_cell_backward_impl(float* dGh, float* dnIn, float* dh, const float* dOut, const float* gates,
                                   const float* hn, const float* hPrev, int64_t H) {
  const vf one = vset1(1.0f);
  for (int64_t u = 0; u < H; u += kWidth) {
    const int64_t n = lanes(H, u);
    const vf r = vld(gates + u, n), z = vld(gates + H + u, n), cand = vld(gates + 2 * H + u, n);
    const vf d = total_grad(dh, dOut, u, n);
    const vf dPreN = vmul(vmul(d, vsub(one, z)), vfnmadd(cand, cand, one));
    const vf dz = vmul(d, vsub(vld(hPrev + u, n), cand));
    vst(dGh + u, vmul(vmul(dPreN, vld(hn + u, n)), vmul(r, vsub(one, r))), n);
    vst(dGh + H + u, vmul(dz, vmul(z, vsub(one, z))), n);
    vst(dGh + 2 * H + u, vmul(dPreN, r), n);
    vst(dnIn + u, dPreN, n);
    vst(dh + u, vmul(d, z), n);
  }
}

// Fills a KernelTable with this ISA's bodies; MR and NV choose the GEMM register tile.
template <int MR, int NV>
static void fill_table(KernelTable* table, const char* name) {
  table->name = name;
  table->width = kWidth;
  table->gemm_mr = MR;
  table->gemm_nr = NV * kWidth;
  table->gemm_micro = gemm_micro_tile<MR, NV, false>;
  table->gemm_micro_store = gemm_micro_tile<MR, NV, true>;
  table->gemm_small_m = gemm_small_m_impl;
  table->gemv_rows = gemv_rows_impl;
  table->pack_a = pack_a_impl<MR>;
  table->pack_b = pack_b_impl<NV * kWidth>;
  table->tanh = tanh_array_impl;
  table->sigmoid = sigmoid_array_impl;
  table->axpy = axpy_impl;
  table->mul = mul_impl;
  table->softmax_row = softmax_row_impl;
  table->log_softmax_row = log_softmax_row_impl;
  table->rnn_cell_backward = rnn_cell_backward_impl;
  table->lstm_cell_forward = lstm_cell_forward_impl;
  table->lstm_cell_backward = lstm_cell_backward_impl;
  table->gru_cell_forward = gru_cell_forward_impl;
  table->gru_cell_backward = gru_cell_backward_impl;
}
