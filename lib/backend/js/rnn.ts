/**
 * Fused simple RNN layer (tanh or relu), one direction, whole sequence: forward and BPTT backward.
 * Mirrors native/kernels/rnn.cc (same names, argument order and workspace layout); the contract is
 * on RecurrentForwardArgs / RecurrentBackwardArgs in ../backend.ts.
 *
 * Dimension letters: T steps, B batch, I input, H hidden (torch.nn.RNN):
 *   h' = act(W_ih x + b_ih + W_hh h + b_hh),  act = tanh | relu
 * The pre-activations are built in `out` itself (input GEMM for all steps, then one recurrent GEMM
 * per step) and activated in place, so the workspace only keeps hPrev.
 * relu's derivative at exactly 0 is taken as 0 (PyTorch: gradient where the output is > 0).
 */
import type { RecurrentBackwardArgs, RecurrentForwardArgs } from '../backend.js';
import { sgemmAt, stepGemm } from './gemm.js';
import { accumulateInputGradients, addColumnSums, addFloats, copyFloats, fillBiasRows, isActive } from './recurrent.js';

export type RnnActivation = 'tanh' | 'relu';

/** Workspace floats: hPrev [T, B, H]. */
export function rnnWorkspaceSize(T: number, B: number, H: number): number {
  return T * B * H;
}

/** Backward scratch floats: dPre [T, B, H] (pre-activation gradients), dh [B, H]. */
export function rnnBackwardWorkspaceSize(T: number, B: number, H: number): number {
  return T * B * H + B * H;
}

export function rnnForward(activation: RnnActivation, args: RecurrentForwardArgs): void {
  const { out, hN, workspace, x, h0, wIh, wHh, bIh, bHh, lengths, reverse, T, B, I, H } = args;
  // workspace null (forward only): this backend does not advertise forwardOnly, so the layers never
  // pass it; a direct caller gets the full workspace allocated here (the native kernels chunk instead).
  const ws = workspace ?? new Float32Array(rnnWorkspaceSize(T, B, H));
  const BH = B * H;
  const relu = activation === 'relu';

  // out = bIh + bHh + x · wIhᵀ for all T·B rows   [T·B, H] (pre-activations, activated per step)
  fillBiasRows(out, 0, T * B, H, 0, H, bIh, bHh);
  sgemmAt(false, true, T * B, H, I, 1, x, 0, I, wIh, 0, I, 1, out, 0, H);

  copyFloats(hN, 0, h0, 0, BH); // hN carries the running state
  const recurrent = stepGemm(true, B, H, H, wHh, 0, H); // op(W) = wHhᵀ, packed once here
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    const hp = t * BH; // hPrev[t] in the workspace, out[t] in out: same offsets
    copyFloats(ws, hp, hN, 0, BH);
    // out[t] += hPrev[t] · wHhᵀ   [B, H] · [H, H]
    recurrent(ws, hp, H, 1, out, hp, H);
    for (let b = 0; b < B; b++) {
      const o = hp + b * H;
      const hb = b * H;
      if (!isActive(lengths, t, b)) {
        out.fill(0, o, o + H);
        ws.fill(0, o, o + H);
        continue;
      }
      for (let u = 0; u < H; u++) {
        const pre = out[o + u];
        // Math.max keeps NaN (NaN must propagate); `pre > 0 ? pre : 0` would turn it into 0.
        const h = relu ? Math.max(0, pre) : Math.tanh(pre);
        out[o + u] = h;
        hN[hb + u] = h;
      }
    }
  }
}

export function rnnBackward(activation: RnnActivation, args: RecurrentBackwardArgs): void {
  const {
    dX, dH0, dWIh, dWHh, dBIh, dBHh, scratch, dOut, dHN,
    x, wIh, wHh, out, workspace: ws, lengths, reverse, T, B, I, H,
  } = args;
  const BH = B * H;
  const TBH = T * BH;
  const relu = activation === 'relu';
  const dPreOff = 0; //     [T, B, H]
  const dhOff = TBH; //     [B, H]

  if (dHN === null) scratch.fill(0, dhOff, dhOff + BH);
  else copyFloats(scratch, dhOff, dHN, 0, BH);

  const recurrent = stepGemm(false, B, H, H, wHh, 0, H); // op(W) = wHh, packed once here
  for (let s = 0; s < T; s++) {
    const t = reverse ? s : T - 1 - s;
    const ot = t * BH;
    for (let b = 0; b < B; b++) {
      const o = ot + b * H;
      const hb = b * H;
      if (!isActive(lengths, t, b)) {
        scratch.fill(0, dPreOff + o, dPreOff + o + H);
        continue;
      }
      for (let u = 0; u < H; u++) {
        const dh = scratch[dhOff + hb + u] + (dOut === null ? 0 : dOut[o + u]);
        const h = out[o + u];
        scratch[dPreOff + o + u] = relu ? (h > 0 ? dh : 0) : dh * (1 - h * h);
        scratch[dhOff + hb + u] = 0; // replaced by the GEMM below
      }
    }
    // dh (active rows) = dPre[t] · wHh   [B, H] · [H, H]
    recurrent(scratch, dPreOff + ot, H, 1, scratch, dhOff, H);
  }

  if (dH0 !== null) addFloats(dH0, 0, scratch, dhOff, BH);

  // dWHh += dPreᵀ · hPrev   [H, T·B] · [T·B, H]
  sgemmAt(true, false, H, H, T * B, 1, scratch, dPreOff, H, ws, 0, H, 1, dWHh, 0, H);
  accumulateInputGradients(dWIh, dX, scratch, dPreOff, H, H, 0, x, wIh, lengths, T, B, I);
  const dB1 = dBIh ?? dBHh; // both += the column sums of dPre, computed once
  if (dB1 !== null) addColumnSums(dB1, 0, scratch, dPreOff, T * B, H, H, dBIh !== null ? dBHh : null);
}
