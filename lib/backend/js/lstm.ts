/**
 * Fused LSTM layer, one direction, whole sequence: forward and BPTT backward. Mirrors
 * native/kernels/lstm.cc (same names, argument order and workspace layout); the contract (lengths,
 * reverse, accumulation, null buffers) is documented on RecurrentForwardArgs / RecurrentBackwardArgs
 * in ../backend.ts.
 *
 * Dimension letters: T steps, B batch, I input, H hidden; the 4H gate columns are PyTorch's i, f, g, o
 * (torch.nn.LSTM):
 *   i = σ(W_ii x + b_ii + W_hi h + b_hi)   f = σ(…f…)   g = tanh(…g…)   o = σ(…o…)
 *   c' = f ⊙ c + i ⊙ g                     h' = o ⊙ tanh(c')
 *
 * Structure (the native port copies it): forward does the input projection of all T·B rows as one
 * GEMM before the time loop, then per step one recurrent GEMM into the same gate rows and the fused
 * gate math. Backward runs the per-step gate gradients and one GEMM per step for dh, then the weight
 * gradients as GEMMs over all T·B rows after the loop. No allocation inside the loops.
 */
import type { RecurrentBackwardArgs, RecurrentForwardArgs } from '../backend.js';
import { sgemmAt, stepGemm } from './gemm.js';
import { sigmoid } from './activations.js';
import { accumulateInputGradients, addColumnSums, addFloats, copyFloats, fillBiasRows, isActive } from './recurrent.js';

/** Workspace floats: gates [T, B, 4H], cells [T, B, H], hPrev [T, B, H], cPrev [T, B, H]. */
export function lstmWorkspaceSize(T: number, B: number, H: number): number {
  return 7 * T * B * H;
}

/** Backward scratch floats: dGates [T, B, 4H] (pre-activation gradients), dh [B, H], dc [B, H]. */
export function lstmBackwardWorkspaceSize(T: number, B: number, H: number): number {
  return 4 * T * B * H + 2 * B * H;
}

export function lstmForward(args: RecurrentForwardArgs): void {
  const { out, hN, cN, workspace, x, h0, c0, wIh, wHh, bIh, bHh, lengths, reverse, T, B, I, H } = args;
  // workspace null (forward only): this backend does not advertise forwardOnly, so the layers never
  // pass it; a direct caller gets the full workspace allocated here (the native kernels chunk instead).
  const ws = workspace ?? new Float32Array(lstmWorkspaceSize(T, B, H));
  if (cN === null) throw new TypeError('cN must be a Float32Array for an LSTM, got null');
  const G = 4 * H;
  const BH = B * H;
  const TBH = T * BH;
  // workspace parts, each contiguous
  const gatesOff = 0; //            [T, B, 4H]
  const cellsOff = 4 * TBH; //      [T, B, H]
  const hPrevOff = 5 * TBH; //      [T, B, H]
  const cPrevOff = 6 * TBH; //      [T, B, H]

  // Pre-activations of every step at once: gates = bIh + bHh + x · wIhᵀ   [T·B, 4H]
  fillBiasRows(ws, gatesOff, T * B, G, 0, G, bIh, bHh);
  sgemmAt(false, true, T * B, G, I, 1, x, 0, I, wIh, 0, I, 1, ws, gatesOff, G);

  // hN and cN carry the running state; inactive rows simply keep theirs.
  copyFloats(hN, 0, h0, 0, BH);
  if (c0 === null) cN.fill(0, 0, BH);
  else copyFloats(cN, 0, c0, 0, BH);

  const recurrent = stepGemm(true, B, G, H, wHh, 0, H); // op(W) = wHhᵀ [H, 4H], packed once here
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    const gt = gatesOff + t * B * G; // gates[t]  [B, 4H]
    const hp = hPrevOff + t * BH; //    hPrev[t]  [B, H]
    const cp = cPrevOff + t * BH;
    const ct = cellsOff + t * BH;
    const ot = t * BH; //               out[t]    [B, H]
    copyFloats(ws, hp, hN, 0, BH);
    copyFloats(ws, cp, cN, 0, BH);
    // gates[t] += hPrev[t] · wHhᵀ   [B, H] · [H, 4H]
    recurrent(ws, hp, H, 1, ws, gt, G);

    for (let b = 0; b < B; b++) {
      const g = gt + b * G;
      const hb = b * H;
      if (!isActive(lengths, t, b)) {
        // Padded step: state unchanged, output and saved values zero (backend.ts layout contract).
        ws.fill(0, g, g + G);
        ws.fill(0, ct + hb, ct + hb + H);
        ws.fill(0, hp + hb, hp + hb + H);
        ws.fill(0, cp + hb, cp + hb + H);
        out.fill(0, ot + hb, ot + hb + H);
        continue;
      }
      for (let u = 0; u < H; u++) {
        const ig = sigmoid(ws[g + u]);
        const fg = sigmoid(ws[g + H + u]);
        const gg = Math.tanh(ws[g + 2 * H + u]);
        const og = sigmoid(ws[g + 3 * H + u]);
        const c = fg * ws[cp + hb + u] + ig * gg;
        const h = og * Math.tanh(c);
        ws[g + u] = ig;
        ws[g + H + u] = fg;
        ws[g + 2 * H + u] = gg;
        ws[g + 3 * H + u] = og;
        ws[ct + hb + u] = c;
        cN[hb + u] = c;
        hN[hb + u] = h;
        out[ot + hb + u] = h;
      }
    }
  }
}

export function lstmBackward(args: RecurrentBackwardArgs): void {
  const {
    dX, dH0, dC0, dWIh, dWHh, dBIh, dBHh, scratch, dOut, dHN, dCN,
    x, wIh, wHh, workspace: ws, lengths, reverse, T, B, I, H,
  } = args;
  const G = 4 * H;
  const BH = B * H;
  const TBH = T * BH;
  const gatesOff = 0;
  const cellsOff = 4 * TBH;
  const hPrevOff = 5 * TBH;
  const cPrevOff = 6 * TBH;
  // scratch parts
  const dGatesOff = 0; //          [T, B, 4H] d loss / d pre-activation of i, f, g, o
  const dhOff = 4 * TBH; //        [B, H] gradient reaching the hidden state of the current step
  const dcOff = dhOff + BH; //     [B, H] same for the cell state

  if (dHN === null) scratch.fill(0, dhOff, dhOff + BH);
  else copyFloats(scratch, dhOff, dHN, 0, BH);
  if (dCN === null) scratch.fill(0, dcOff, dcOff + BH);
  else copyFloats(scratch, dcOff, dCN, 0, BH);

  const recurrent = stepGemm(false, B, H, G, wHh, 0, H); // op(W) = wHh [4H, H], packed once here
  // Steps in the opposite order of forward.
  for (let s = 0; s < T; s++) {
    const t = reverse ? s : T - 1 - s;
    const gt = gatesOff + t * B * G;
    const dgt = dGatesOff + t * B * G;
    const ct = cellsOff + t * BH;
    const cp = cPrevOff + t * BH;
    const ot = t * BH;
    for (let b = 0; b < B; b++) {
      const g = gt + b * G;
      const dg = dgt + b * G;
      const hb = b * H;
      if (!isActive(lengths, t, b)) {
        // The state passed through unchanged: dh and dc flow on, nothing reaches the gates.
        scratch.fill(0, dg, dg + G);
        continue;
      }
      for (let u = 0; u < H; u++) {
        const dh = scratch[dhOff + hb + u] + (dOut === null ? 0 : dOut[ot + hb + u]);
        const ig = ws[g + u];
        const fg = ws[g + H + u];
        const gg = ws[g + 2 * H + u];
        const og = ws[g + 3 * H + u];
        const tc = Math.tanh(ws[ct + hb + u]);
        const dc = scratch[dcOff + hb + u] + dh * og * (1 - tc * tc);
        scratch[dg + u] = dc * gg * ig * (1 - ig);
        scratch[dg + H + u] = dc * ws[cp + hb + u] * fg * (1 - fg);
        scratch[dg + 2 * H + u] = dc * ig * (1 - gg * gg);
        scratch[dg + 3 * H + u] = dh * tc * og * (1 - og);
        scratch[dcOff + hb + u] = dc * fg;
        scratch[dhOff + hb + u] = 0; // replaced by the GEMM below
      }
    }
    // dh (active rows) = dGates[t] · wHh   [B, 4H] · [4H, H]; inactive rows add zero and keep theirs.
    recurrent(scratch, dgt, G, 1, scratch, dhOff, H);
  }

  if (dH0 !== null) addFloats(dH0, 0, scratch, dhOff, BH);
  if (dC0 !== null) addFloats(dC0, 0, scratch, dcOff, BH);

  // Weight gradients over all T·B rows at once.
  // dWHh += dGatesᵀ · hPrev   [4H, T·B] · [T·B, H]   (both zero at inactive rows)
  sgemmAt(true, false, G, H, T * B, 1, scratch, dGatesOff, G, ws, hPrevOff, H, 1, dWHh, 0, H);
  accumulateInputGradients(dWIh, dX, scratch, dGatesOff, G, G, 0, x, wIh, lengths, T, B, I);
  // dBIh and dBHh both += the column sums of dGates, computed once.
  const dB1 = dBIh ?? dBHh;
  if (dB1 !== null) addColumnSums(dB1, 0, scratch, dGatesOff, T * B, G, G, dBIh !== null ? dBHh : null);
}
