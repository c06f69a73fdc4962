/**
 * A recurrent kernel call, prepared: random (or given) inputs and weights for one layer and
 * direction, the buffers a forward/backward pair needs, and the float64 loss
 * L = Σ out·R + Σ hN·Rh (+ Σ cN·Rc for the LSTM) whose upstream gradients are R, Rh, Rc, the same
 * loss the PyTorch fixtures use. Shared by the recurrent backend tests.
 */
import type { Backend, CellKind } from '../../lib/backend/backend.js';
import { GATES } from '../../lib/backend/backend.js';
import { Rng } from '../../lib/data/rng.js';

export interface CaseSizes {
  T: number;
  B: number;
  I: number;
  H: number;
}

export interface RecurrentCase extends CaseSizes {
  cell: CellKind;
  x: Float32Array; //      [T, B, I]
  h0: Float32Array; //     [B, H]
  c0: Float32Array | null; // [B, H] LSTM only
  wIh: Float32Array; //    [G*H, I]
  wHh: Float32Array; //    [G*H, H]
  bIh: Float32Array | null; // [G*H]
  bHh: Float32Array | null;
  lengths: Int32Array | null; // [B]
  reverse: boolean;
  R: Float32Array; //      [T, B, H] dLoss/dOut
  Rh: Float32Array; //     [B, H]
  Rc: Float32Array | null; // [B, H]
}

export interface ForwardResult {
  out: Float32Array;
  hN: Float32Array;
  cN: Float32Array | null;
  workspace: Float32Array;
}

export interface Gradients {
  dX: Float32Array | null;
  dH0: Float32Array | null;
  dC0: Float32Array | null;
  dWIh: Float32Array;
  dWHh: Float32Array;
  dBIh: Float32Array | null;
  dBHh: Float32Array | null;
}

const uniform = (rng: Rng, n: number, scale: number): Float32Array => rng.fillUniform(new Float32Array(n), -scale, scale);

/** Random inputs with PyTorch's init scale U(±1/√H) for the weights. */
export function randomCase(
  cell: CellKind, sizes: CaseSizes, options: { seed: number; bias?: boolean; reverse?: boolean; lengths?: number[] | null },
): RecurrentCase {
  const { T, B, I, H } = sizes;
  const G = GATES[cell];
  const rng = new Rng(options.seed);
  const k = 1 / Math.sqrt(H);
  const bias = options.bias ?? true;
  const lstm = cell === 'lstm';
  return {
    cell, T, B, I, H,
    x: uniform(rng, T * B * I, 1),
    h0: uniform(rng, B * H, 0.5),
    c0: lstm ? uniform(rng, B * H, 0.5) : null,
    wIh: uniform(rng, G * H * I, k),
    wHh: uniform(rng, G * H * H, k),
    bIh: bias ? uniform(rng, G * H, k) : null,
    bHh: bias ? uniform(rng, G * H, k) : null,
    lengths: options.lengths ? Int32Array.from(options.lengths) : null,
    reverse: options.reverse ?? false,
    R: uniform(rng, T * B * H, 1),
    Rh: uniform(rng, B * H, 1),
    Rc: lstm ? uniform(rng, B * H, 1) : null,
  };
}

export function runForward(backend: Backend, c: RecurrentCase): ForwardResult {
  const { T, B, H } = c;
  const result: ForwardResult = {
    out: new Float32Array(T * B * H).fill(NaN), // forward must write every element
    hN: new Float32Array(B * H).fill(NaN),
    cN: c.cell === 'lstm' ? new Float32Array(B * H).fill(NaN) : null,
    workspace: new Float32Array(backend.recurrentWorkspaceSize(c.cell, T, B, H)).fill(NaN),
  };
  backend.recurrentForward(c.cell, {
    ...result, x: c.x, h0: c.h0, c0: c.c0, wIh: c.wIh, wHh: c.wHh, bIh: c.bIh, bHh: c.bHh,
    lengths: c.lengths, reverse: c.reverse, T, B, I: c.I, H,
  });
  return result;
}

/** Zeroed gradient buffers; `omit` leaves the named optional ones null. */
export function zeroGradients(c: RecurrentCase, omit: ('dX' | 'dH0' | 'dC0')[] = []): Gradients {
  const { T, B, I, H } = c;
  const GH = GATES[c.cell] * H;
  return {
    dX: omit.includes('dX') ? null : new Float32Array(T * B * I),
    dH0: omit.includes('dH0') ? null : new Float32Array(B * H),
    dC0: c.cell === 'lstm' && !omit.includes('dC0') ? new Float32Array(B * H) : null,
    dWIh: new Float32Array(GH * I),
    dWHh: new Float32Array(GH * H),
    dBIh: c.bIh === null ? null : new Float32Array(GH),
    dBHh: c.bHh === null ? null : new Float32Array(GH),
  };
}

/** Backward with R, Rh, Rc as upstream gradients, accumulating into `grads`. */
export function runBackward(
  backend: Backend, c: RecurrentCase, fwd: ForwardResult, grads: Gradients,
  upstream: { dOut: Float32Array | null; dHN: Float32Array | null; dCN: Float32Array | null } = { dOut: c.R, dHN: c.Rh, dCN: c.Rc },
): void {
  const { T, B, I, H } = c;
  const scratch = new Float32Array(backend.recurrentBackwardWorkspaceSize(c.cell, T, B, H)).fill(NaN);
  backend.recurrentBackward(c.cell, {
    ...grads, scratch, ...upstream,
    x: c.x, h0: c.h0, c0: c.c0, wIh: c.wIh, wHh: c.wHh, out: fwd.out, workspace: fwd.workspace,
    lengths: c.lengths, reverse: c.reverse, T, B, I, H,
  });
}

/** L = Σ out·R + Σ hN·Rh (+ Σ cN·Rc), summed in float64. */
export function loss(c: RecurrentCase, fwd: ForwardResult): number {
  let s = 0;
  for (let i = 0; i < fwd.out.length; i++) s += fwd.out[i]! * c.R[i]!;
  for (let i = 0; i < fwd.hN.length; i++) s += fwd.hN[i]! * c.Rh[i]!;
  if (fwd.cN !== null && c.Rc !== null) for (let i = 0; i < fwd.cN.length; i++) s += fwd.cN[i]! * c.Rc[i]!;
  return s;
}

/** Central differences of `loss` with respect to every element of `buffer` (perturbed in place). */
export function numericGradient(backend: Backend, c: RecurrentCase, buffer: Float32Array, eps: number): Float64Array {
  const g = new Float64Array(buffer.length);
  for (let i = 0; i < buffer.length; i++) {
    const saved = buffer[i]!;
    buffer[i] = saved + eps;
    const plus = loss(c, runForward(backend, c));
    buffer[i] = saved - eps;
    const minus = loss(c, runForward(backend, c));
    buffer[i] = saved;
    // The step actually taken, after float32 rounding of saved ± eps.
    g[i] = (plus - minus) / (Math.fround(saved + eps) - Math.fround(saved - eps));
  }
  return g;
}
