/**
 * The autograd node of one recurrent layer in one direction over a whole sequence (DESIGN.md:
 * "recurrent layers are single autograd nodes"). Forward is one `backend.recurrentForward` call that
 * fills a workspace; the node keeps that workspace, and backward is one `backend.recurrentBackward`
 * call (the whole BPTT loop). Layers (base.ts) and cells (cells.ts, T = 1) both go through here, so
 * the gate math exists only in the backend kernels.
 *
 * Dimension letters: T steps, B batch, I input features, H hidden units, G gates (RNN 1, GRU 3,
 * LSTM 4). Arguments are validated by the caller (the module); this file trusts the sizes.
 */
import { getBackend } from '../../backend/index.js';
import { GATES, type CellKind } from '../../backend/backend.js';
import { isGradEnabled, record } from '../../tensor/autograd.js';
import type { Tensor } from '../../tensor/tensor.js';

export interface RecurrentNodeInputs {
  /** [T, B, I] */
  x: Tensor;
  /** B·H values, e.g. [B, H] or [1, B, H]: the initial hidden state. */
  h0: Tensor;
  /** B·H values (LSTM), else null. */
  c0: Tensor | null;
  /** [G·H, I] */
  wIh: Tensor;
  /** [G·H, H] */
  wHh: Tensor;
  /** [G·H] or null (no bias); both biases are present or both absent. */
  bIh: Tensor | null;
  bHh: Tensor | null;
  /** [B] valid steps per row in 1..T, or null for all T. */
  lengths: Int32Array | null;
  reverse: boolean;
}

export interface RecurrentNodeOutputs {
  /** [T, B, H] state after each step; 0 at padded positions. */
  out: Tensor;
  /** [B, H] state after each row's last valid step. */
  hN: Tensor;
  /** [B, H] (LSTM) or null. */
  cN: Tensor | null;
}

/**
 * The scratch workspace of forward-only calls: one buffer (per thread) serves them all, since a
 * recurrent call is synchronous and the kernels accept a workspace longer than they need. It grows
 * to the largest size asked for up to SHARED_WORKSPACE_MAX floats (4 MiB); bigger calls allocate
 * their own, whose cost is small next to their work, so a large inference does not pin its scratch.
 * Streaming one step at a time (B = 1, H = 256) allocated 7·B·H floats per step here before.
 */
const SHARED_WORKSPACE_MAX = 1 << 20;
let sharedWorkspace = new Float32Array(0);

function inferenceWorkspace(size: number): Float32Array {
  if (size > SHARED_WORKSPACE_MAX) return new Float32Array(size);
  if (sharedWorkspace.length < size) sharedWorkspace = new Float32Array(size);
  return sharedWorkspace;
}

/** Runs one layer/direction and records it as one node on the tape. */
export function recurrentLayer(cell: CellKind, inputs: RecurrentNodeInputs): RecurrentNodeOutputs {
  const { x, h0, c0, wIh, wHh, bIh, bHh, lengths, reverse } = inputs;
  const [T, B, I] = x.shape as [number, number, number];
  const H = wHh.shape[1]!;
  const isLstm = cell === 'lstm';
  // Captured so backward reads the workspace with the layout of the backend that wrote it.
  const backend = getBackend();

  const out = new Float32Array(T * B * H); // [T, B, H]
  const hN = new Float32Array(B * H); // [B, H]
  const cN = isLstm ? new Float32Array(B * H) : null; // [B, H]
  const workspaceSize = backend.recurrentWorkspaceSize(cell, T, B, H);
  // Only a node that will run backward keeps its workspace; a forward-only call (noGrad, or no input
  // needs a gradient: inference, streaming) writes into one shared scratch instead of allocating.
  const keepsWorkspace = isGradEnabled() && [x, h0, c0, wIh, wHh, bIh, bHh].some((t) => t?.requiresGrad === true);
  const workspace = keepsWorkspace ? new Float32Array(workspaceSize) : inferenceWorkspace(workspaceSize);
  backend.recurrentForward(cell, {
    out, hN, cN, workspace,
    x: x.data, h0: h0.data, c0: c0?.data ?? null,
    wIh: wIh.data, wHh: wHh.data, bIh: bIh?.data ?? null, bHh: bHh?.data ?? null,
    lengths, reverse, T, B, I, H,
  });

  // Input order of the node; backward returns gradients in the same order.
  const nodeInputs: Tensor[] = [x, h0, ...(c0 ? [c0] : []), wIh, wHh, ...(bIh && bHh ? [bIh, bHh] : [])];
  const outputs = [
    { data: out, shape: [T, B, H] },
    { data: hN, shape: [B, H] },
    ...(cN ? [{ data: cN, shape: [B, H] }] : []),
  ];
  const G = GATES[cell];

  const tensors = record(`${cell}${reverse ? '_reverse' : ''}`, outputs, nodeInputs, (gradOutputs) => {
    const [dOut = null, dHN = null, dCN = null] = gradOutputs;
    // Buffers the kernel accumulates into: zeroed here (style rule 1: the caller zeroes).
    const dX = x.requiresGrad ? new Float32Array(T * B * I) : null; // [T, B, I]
    const dH0 = h0.requiresGrad ? new Float32Array(B * H) : null; // [B, H]
    const dC0 = c0?.requiresGrad ? new Float32Array(B * H) : null; // [B, H]
    const dWIh = new Float32Array(G * H * I); // [G·H, I]
    const dWHh = new Float32Array(G * H * H); // [G·H, H]
    const dBIh = bIh ? new Float32Array(G * H) : null; // [G·H]
    const dBHh = bHh ? new Float32Array(G * H) : null; // [G·H]
    backend.recurrentBackward(cell, {
      dX, dH0, dC0, dWIh, dWHh, dBIh, dBHh,
      scratch: new Float32Array(backend.recurrentBackwardWorkspaceSize(cell, T, B, H)),
      dOut, dHN, dCN: isLstm ? dCN : null,
      x: x.data, h0: h0.data, c0: c0?.data ?? null, wIh: wIh.data, wHh: wHh.data,
      out, workspace, lengths, reverse, T, B, I, H,
    });
    return [
      dX, dH0, ...(c0 ? [dC0] : []),
      wIh.requiresGrad ? dWIh : null, wHh.requiresGrad ? dWHh : null,
      ...(bIh && bHh ? [bIh.requiresGrad ? dBIh : null, bHh.requiresGrad ? dBHh : null] : []),
    ];
  });
  return { out: tensors[0]!, hN: tensors[1]!, cN: isLstm ? tensors[2]! : null };
}
