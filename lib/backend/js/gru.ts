/**
 * Fused GRU layer, one direction, whole sequence: forward and BPTT backward. Mirrors
 * native/kernels/gru.cc (same names, argument order and workspace layout); the contract is on
 * RecurrentForwardArgs / RecurrentBackwardArgs in ../backend.ts.
 *
 * Dimension letters: T steps, B batch, I input, H hidden; the 3H gate columns are PyTorch's r, z, n
 * (torch.nn.GRU):
 *   r = σ(W_ir x + b_ir + W_hr h + b_hr)     z = σ(W_iz x + b_iz + W_hz h + b_hz)
 *   n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))      h' = (1 − z) ⊙ n + z ⊙ h
 * Porting note: b_hn sits inside r ⊙ (…), so only b_ih and the r, z parts of b_hh can be folded into
 * the input projection; W_hn h + b_hn is kept apart (workspace `hnPre`). char-rnn's GRU applies r
 * before the projection; that is not this layout.
 *
 * Structure as in lstm.ts: one input GEMM over all T·B rows before the loop; per step the recurrent
 * GEMM split in two (r, z columns accumulate into the gate rows, the n part goes to hnPre) and the
 * fused gate math; backward per step gate gradients + one GEMM for dh, weight gradients after.
 */
import type { RecurrentBackwardArgs, RecurrentForwardArgs } from '../backend.js';
import { sgemmAt, stepGemm } from './gemm.js';
import { sigmoid } from './activations.js';
import { accumulateInputGradients, addColumnSums, addFloats, copyFloats, fillBiasRows, isActive } from './recurrent.js';

/** Workspace floats: gates [T, B, 3H] (activated r, z, n), hnPre [T, B, H], hPrev [T, B, H]. */
export function gruWorkspaceSize(T: number, B: number, H: number): number {
  return 5 * T * B * H;
}

/**
 * Backward scratch floats: dGatesHidden [T, B, 3H] (gradients of the pre-activations W_h· h + b_h·:
 * r, z, and r ⊙ dn for n), dnInput [T, B, H] (gradient of W_in x + b_in), dh [B, H].
 */
export function gruBackwardWorkspaceSize(T: number, B: number, H: number): number {
  return 4 * T * B * H + B * H;
}

export function gruForward(args: RecurrentForwardArgs): void {
  const { out, hN, workspace, x, h0, wIh, wHh, bIh, bHh, lengths, reverse, T, B, I, H } = args;
  // workspace null (forward only): this backend does not advertise forwardOnly, so the layers never
  // pass it; a direct caller gets the full workspace allocated here (the native kernels chunk instead).
  const ws = workspace ?? new Float32Array(gruWorkspaceSize(T, B, H));
  const G = 3 * H;
  const BH = B * H;
  const TBH = T * BH;
  const gatesOff = 0; //        [T, B, 3H]
  const hnPreOff = 3 * TBH; //  [T, B, H]  W_hn h + b_hn
  const hPrevOff = 4 * TBH; //  [T, B, H]

  // gates = [b_ir + b_hr, b_iz + b_hz, b_in] + x · wIhᵀ for all T·B rows   [T·B, 3H]
  fillBiasRows(ws, gatesOff, T * B, G, 0, 2 * H, bIh, bHh);
  fillBiasRows(ws, gatesOff, T * B, G, 2 * H, H, bIh, null);
  sgemmAt(false, true, T * B, G, I, 1, x, 0, I, wIh, 0, I, 1, ws, gatesOff, G);

  copyFloats(hN, 0, h0, 0, BH); // hN carries the running state
  const bhnOff = 2 * H; // b_hn = bHh[2H : 3H]

  // op(W) packed once here: wHh[0:2H]ᵀ [H, 2H] (r, z) and wHh[2H:3H]ᵀ [H, H] (n)
  const recurrentRz = stepGemm(true, B, 2 * H, H, wHh, 0, H);
  const recurrentN = stepGemm(true, B, H, H, wHh, 2 * H * H, H);
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    const gt = gatesOff + t * B * G;
    const hnt = hnPreOff + t * BH;
    const hp = hPrevOff + t * BH;
    const ot = t * BH;
    copyFloats(ws, hp, hN, 0, BH);
    // gates[t][:, 0:2H] += hPrev[t] · wHh[0:2H]ᵀ     [B, H] · [H, 2H]
    recurrentRz(ws, hp, H, 1, ws, gt, G);
    // hnPre[t] = hPrev[t] · wHh[2H:3H]ᵀ (+ b_hn below)   [B, H] · [H, H]
    recurrentN(ws, hp, H, 0, ws, hnt, H);

    for (let b = 0; b < B; b++) {
      const g = gt + b * G;
      const hb = b * H;
      if (!isActive(lengths, t, b)) {
        ws.fill(0, g, g + G);
        ws.fill(0, hnt + hb, hnt + hb + H);
        ws.fill(0, hp + hb, hp + hb + H);
        out.fill(0, ot + hb, ot + hb + H);
        continue;
      }
      for (let u = 0; u < H; u++) {
        const r = sigmoid(ws[g + u]);
        const z = sigmoid(ws[g + H + u]);
        const hn = ws[hnt + hb + u] + (bHh === null ? 0 : bHh[bhnOff + u]);
        const n = Math.tanh(ws[g + 2 * H + u] + r * hn);
        const h = (1 - z) * n + z * ws[hp + hb + u];
        ws[g + u] = r;
        ws[g + H + u] = z;
        ws[g + 2 * H + u] = n;
        ws[hnt + hb + u] = hn;
        hN[hb + u] = h;
        out[ot + hb + u] = h;
      }
    }
  }
}

export function gruBackward(args: RecurrentBackwardArgs): void {
  const {
    dX, dH0, dWIh, dWHh, dBIh, dBHh, scratch, dOut, dHN,
    x, wIh, wHh, workspace: ws, lengths, reverse, T, B, I, H,
  } = args;
  const G = 3 * H;
  const BH = B * H;
  const TBH = T * BH;
  const gatesOff = 0;
  const hnPreOff = 3 * TBH;
  const hPrevOff = 4 * TBH;
  // scratch parts
  const dGhOff = 0; //          [T, B, 3H] d/d (W_hr h + b_hr), d/d (W_hz h + b_hz), d/d (W_hn h + b_hn)
  const dnInOff = 3 * TBH; //   [T, B, H]  d/d (W_in x + b_in)
  const dhOff = 4 * TBH; //     [B, H]

  if (dHN === null) scratch.fill(0, dhOff, dhOff + BH);
  else copyFloats(scratch, dhOff, dHN, 0, BH);

  const recurrent = stepGemm(false, B, H, G, wHh, 0, H); // op(W) = wHh [3H, H], packed once here
  for (let s = 0; s < T; s++) {
    const t = reverse ? s : T - 1 - s;
    const gt = gatesOff + t * B * G;
    const dgt = dGhOff + t * B * G;
    const hnt = hnPreOff + t * BH;
    const dnt = dnInOff + t * BH;
    const hp = hPrevOff + t * BH;
    const ot = t * BH;
    for (let b = 0; b < B; b++) {
      const g = gt + b * G;
      const dg = dgt + b * G;
      const hb = b * H;
      if (!isActive(lengths, t, b)) {
        scratch.fill(0, dg, dg + G);
        scratch.fill(0, dnt + hb, dnt + hb + H);
        continue;
      }
      for (let u = 0; u < H; u++) {
        const dh = scratch[dhOff + hb + u] + (dOut === null ? 0 : dOut[ot + hb + u]);
        const r = ws[g + u];
        const z = ws[g + H + u];
        const n = ws[g + 2 * H + u];
        const dnPre = dh * (1 - z) * (1 - n * n); // d/d (W_in x + b_in + r ⊙ hn)
        const dz = dh * (ws[hp + hb + u] - n);
        scratch[dg + u] = dnPre * ws[hnt + hb + u] * r * (1 - r);
        scratch[dg + H + u] = dz * z * (1 - z);
        scratch[dg + 2 * H + u] = dnPre * r;
        scratch[dnt + hb + u] = dnPre;
        scratch[dhOff + hb + u] = dh * z; // the direct path z ⊙ h; the GEMM below adds the rest
      }
    }
    // dh += dGatesHidden[t] · wHh   [B, 3H] · [3H, H]; inactive rows add zero.
    recurrent(scratch, dgt, G, 1, scratch, dhOff, H);
  }

  if (dH0 !== null) addFloats(dH0, 0, scratch, dhOff, BH);

  // dWHh += dGatesHiddenᵀ · hPrev   [3H, T·B] · [T·B, H]
  sgemmAt(true, false, G, H, T * B, 1, scratch, dGhOff, G, ws, hPrevOff, H, 1, dWHh, 0, H);
  // Input side: r, z share their pre-activation gradients with the hidden side; n has its own.
  accumulateInputGradients(dWIh, dX, scratch, dGhOff, G, 2 * H, 0, x, wIh, lengths, T, B, I);
  accumulateInputGradients(dWIh, dX, scratch, dnInOff, H, H, 2 * H, x, wIh, lengths, T, B, I);
  // r, z: dBIh and dBHh both += the column sums of dGh[:, 0:2H] (one pass); n: dBHh from dGh's n
  // part, dBIh from dnIn.
  const rz1 = dBIh ?? dBHh;
  if (rz1 !== null) addColumnSums(rz1, 0, scratch, dGhOff, T * B, G, 2 * H, dBIh !== null ? dBHh : null);
  if (dBHh !== null) addColumnSums(dBHh, 2 * H, scratch, dGhOff + 2 * H, T * B, G, H);
  if (dBIh !== null) addColumnSums(dBIh, 2 * H, scratch, dnInOff, T * B, H, H);
}
