/**
 * The autograd node of one recurrent layer in one direction over a whole sequence (DESIGN.md:
 * "recurrent layers are single autograd nodes"). Forward is one `backend.recurrentForward` call that
 * fills a workspace; the node keeps that workspace, and backward is one `backend.recurrentBackward`
 * call (the whole BPTT loop). Layers (base.ts) and cells (cells.ts, T = 1) both go through here, so
 * the gate math exists only in the backend kernels.
 *
 * `recurrentLayers` runs several independent layer calls (the two directions of a bidirectional
 * layer) as ONE node when the backend has the batch entry points (the native one): forward and
 * backward are then one `recurrentForwardBatch` / `recurrentBackwardBatch` call each, which runs the
 * directions concurrently on the kernel thread pool (setNumThreads > 1). Otherwise it is one node per
 * direction, as `recurrentLayer`.
 *
 * Dimension letters: T steps, B batch, I input features, H hidden units, G gates (RNN 1, GRU 3,
 * LSTM 4). Arguments are validated by the caller (the module); this file trusts the sizes.
 */
import { getBackend } from '../../backend/index.js';
import { GATES, type Backend, type CellKind, type RecurrentBackwardArgs, type RecurrentForwardArgs } from '../../backend/backend.js';
import { isGradEnabled, leafGradTarget, record } from '../../tensor/autograd.js';
import { Tensor } from '../../tensor/tensor.js';
import { giveBack, takeBack, takeBuffer } from './workspace_pool.js';

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

/** Whether a node over these inputs will be recorded (and so must keep its workspace for backward). */
function willRecord(inputsList: readonly RecurrentNodeInputs[]): boolean {
  return isGradEnabled() && inputsList.some(({ x, h0, c0, wIh, wHh, bIh, bHh }) =>
    [x, h0, c0, wIh, wHh, bIh, bHh].some((t) => t?.requiresGrad === true));
}

/** One layer/direction call: its sizes, output buffers and forward arguments. */
interface LayerCall {
  inputs: RecurrentNodeInputs;
  T: number;
  B: number;
  I: number;
  H: number;
  out: Float32Array; // [T, B, H]
  hN: Float32Array; // [B, H]
  cN: Float32Array | null; // [B, H] (LSTM)
  forward: RecurrentForwardArgs;
  /** This call's node inputs, in order; backwardCall returns gradients in the same order. */
  nodeInputs: Tensor[];
}

/**
 * Allocates a call's outputs and forward arguments; `workspace` of recurrentWorkspaceSize floats or
 * more, or null for a forward-only call on a backend that supports it.
 */
function prepareCall(cell: CellKind, inputs: RecurrentNodeInputs, workspace: Float32Array | null): LayerCall {
  const { x, h0, c0, wIh, wHh, bIh, bHh, lengths, reverse } = inputs;
  const [T, B, I] = x.shape as [number, number, number];
  const H = wHh.shape[1]!;
  const out = new Float32Array(T * B * H);
  const hN = new Float32Array(B * H);
  const cN = cell === 'lstm' ? new Float32Array(B * H) : null;
  const forward: RecurrentForwardArgs = {
    out, hN, cN, workspace,
    x: x.data, h0: h0.data, c0: c0?.data ?? null,
    wIh: wIh.data, wHh: wHh.data, bIh: bIh?.data ?? null, bHh: bHh?.data ?? null,
    lengths, reverse, T, B, I, H,
  };
  const nodeInputs: Tensor[] = [x, h0, ...(c0 ? [c0] : []), wIh, wHh, ...(bIh && bHh ? [bIh, bHh] : [])];
  return { inputs, T, B, I, H, out, hN, cN, forward, nodeInputs };
}

/** The call's outputs as `record` wants them: out [T, B, H], hN [B, H], cN [B, H] (LSTM). */
function callOutputs(call: LayerCall): { data: Float32Array; shape: number[] }[] {
  const { T, B, H } = call;
  return [
    { data: call.out, shape: [T, B, H] },
    { data: call.hN, shape: [B, H] },
    ...(call.cN ? [{ data: call.cN, shape: [B, H] }] : []),
  ];
}

/**
 * The buffer the kernel accumulates the gradient of weight or bias `t` into: its `.grad` itself when
 * `t` is a leaf and `direct` (no other call of the node adds into it; then nothing is returned for
 * it), else a fresh zeroed one, returned.
 */
function weightGradBuffer(t: Tensor, direct: boolean): { buffer: Float32Array; returned: boolean } {
  const target = direct ? leafGradTarget(t) : null;
  return target === null ? { buffer: new Float32Array(t.size), returned: true } : { buffer: target, returned: false };
}

/**
 * The backward arguments of a call for the upstream gradients of its outputs, with the gradient
 * buffers the kernels accumulate into (fresh zeroed ones, or a weight's own `.grad`: weightGradBuffer),
 * and the gradients to return, in nodeInputs order. `direct`: whether this call's weights and biases
 * are its own (no other call in the node shares them), so their `.grad` can be added into in place.
 */
function backwardCall(
  backend: Backend, cell: CellKind, call: LayerCall, gradOutputs: (Float32Array | null)[], direct = true,
): { args: RecurrentBackwardArgs; grads: (Float32Array | null)[] } {
  const { x, h0, c0, wIh, wHh, bIh, bHh, lengths, reverse } = call.inputs;
  const { T, B, I, H } = call;
  const G = GATES[cell];
  const [dOut = null, dHN = null, dCN = null] = gradOutputs;
  // Buffers the kernel accumulates into: zeroed here (style rule 1: the caller zeroes).
  const dX = x.requiresGrad ? new Float32Array(T * B * I) : null; // [T, B, I]
  const dH0 = h0.requiresGrad ? new Float32Array(B * H) : null; // [B, H]
  const dC0 = c0?.requiresGrad ? new Float32Array(B * H) : null; // [B, H]
  const gWIh = weightGradBuffer(wIh, direct); // [G·H, I]
  const gWHh = weightGradBuffer(wHh, direct); // [G·H, H]
  const gBIh = bIh ? weightGradBuffer(bIh, direct) : null; // [G·H]
  const gBHh = bHh ? weightGradBuffer(bHh, direct) : null; // [G·H]
  const args: RecurrentBackwardArgs = {
    dX, dH0, dC0, dWIh: gWIh.buffer, dWHh: gWHh.buffer, dBIh: gBIh?.buffer ?? null, dBHh: gBHh?.buffer ?? null,
    scratch: takeBuffer(backend.recurrentBackwardWorkspaceSize(cell, T, B, H)), // given back after the call
    dOut, dHN, dCN: cell === 'lstm' ? dCN : null,
    x: x.data, h0: h0.data, c0: c0?.data ?? null, wIh: wIh.data, wHh: wHh.data,
    out: call.out, workspace: call.forward.workspace!, lengths, reverse, T, B, I, H, // recorded: kept
  };
  const grads = [
    dX, dH0, ...(c0 ? [dC0] : []),
    returnedGrad(wIh, gWIh), returnedGrad(wHh, gWHh),
    ...(bIh && bHh ? [returnedGrad(bIh, gBIh!), returnedGrad(bHh, gBHh!)] : []),
  ];
  return { args, grads };
}

/**
 * The saved workspace of a recorded node: it goes back to the pool once its backward has run, and a
 * second backward through the node takes it back if no other call has reused it since (else the
 * saved state is gone, as in PyTorch without retain_graph, and it throws).
 */
class SavedWorkspace {
  private token: number | null = null;
  constructor(readonly name: string, readonly buffer: Float32Array) {}

  /** Before each backward: the workspace, still holding what forward saved. */
  use(): Float32Array {
    if (this.token !== null && !takeBack(this.buffer, this.token)) {
      throw new Error(`backward through ${this.name} a second time: its saved workspace was reused by a later call ` +
        'after the first backward; run forward again for another backward');
    }
    this.token = null;
    return this.buffer;
  }

  /** After each backward. */
  release(): void {
    this.token = giveBack(this.buffer);
  }
}

/** What backward returns for a weight or bias: its gradient, or null when not wanted or already added in place. */
function returnedGrad(t: Tensor, g: { buffer: Float32Array; returned: boolean }): Float32Array | null {
  return t.requiresGrad && g.returned ? g.buffer : null;
}

function nodeOutputs(tensors: Tensor[], offset: number, cell: CellKind): RecurrentNodeOutputs {
  return { out: tensors[offset]!, hN: tensors[offset + 1]!, cN: cell === 'lstm' ? tensors[offset + 2]! : null };
}

/**
 * Runs stacked unidirectional layers forward only as ONE backend call (`recurrentForwardStack`: the
 * native backend's wavefront, one thread per layer), layer k's x being layer k − 1's out; `layers`
 * are the layers' inputs without x. Null when that path does not apply, and the caller then runs one
 * node per layer: a backend without the call, a cell without it (rnn), or inputs that will be recorded
 * (backward needs each layer's workspace). Nothing is recorded: the outputs are plain tensors.
 */
export function recurrentStack(
  cell: CellKind, x: Tensor, layers: Omit<RecurrentNodeInputs, 'x'>[],
): RecurrentNodeOutputs[] | null {
  const backend = getBackend();
  const stack = backend.recurrentForwardStack?.bind(backend);
  if (stack === undefined || backend.forwardOnly !== true || (cell !== 'lstm' && cell !== 'gru')) return null;
  if (willRecord(layers.map((layer) => ({ ...layer, x })))) return null;
  let input = x; // [T, B, I_k]
  const calls = layers.map((layer) => {
    const call = prepareCall(cell, { ...layer, x: input }, null);
    input = new Tensor(call.out, [call.T, call.B, call.H]);
    return call;
  });
  stack(cell, calls.map((call) => call.forward));
  return calls.map((call) => {
    const [out, hN, cN] = callOutputs(call).map(({ data, shape }) => new Tensor(data, shape));
    return { out: out!, hN: hN!, cN: cN ?? null };
  });
}

/** Runs one layer/direction and records it as one node on the tape. */
export function recurrentLayer(cell: CellKind, inputs: RecurrentNodeInputs): RecurrentNodeOutputs {
  // Captured so backward reads the workspace with the layout of the backend that wrote it.
  const backend = getBackend();
  const [T, B] = inputs.x.shape as [number, number, number];
  const workspaceSize = backend.recurrentWorkspaceSize(cell, T, B, inputs.wHh.shape[1]!);
  // Only a node that will run backward keeps its workspace. A forward-only call (noGrad, or no input
  // needs a gradient: inference, streaming) passes none where the backend allows (the native kernels
  // then save nothing and chunk the input projection), else writes into one shared scratch.
  const keeps = willRecord([inputs]);
  const workspace = keeps ? takeBuffer(workspaceSize)
    : backend.forwardOnly === true ? null : inferenceWorkspace(workspaceSize);
  const call = prepareCall(cell, inputs, workspace);
  const name = `${cell}${inputs.reverse ? '_reverse' : ''}`;
  const saved = keeps ? new SavedWorkspace(name, workspace!) : null;
  backend.recurrentForward(cell, call.forward);
  const tensors = record(name, callOutputs(call), call.nodeInputs, (gradOutputs) => {
    saved!.use(); // recorded only when keeps
    const { args, grads } = backwardCall(backend, cell, call, gradOutputs);
    backend.recurrentBackward(cell, args);
    giveBack(args.scratch);
    saved!.release();
    return grads;
  });
  return nodeOutputs(tensors, 0, cell);
}

/**
 * Runs independent layer calls (the directions of a bidirectional layer: same x, their own weights and
 * states) and records them as ONE node when the backend can run them as a batch, which it does
 * concurrently with more than one kernel thread; else one node per call (recurrentLayer). Outputs in
 * the order of `inputsList`.
 */
export function recurrentLayers(cell: CellKind, inputsList: RecurrentNodeInputs[]): RecurrentNodeOutputs[] {
  const backend = getBackend();
  const forwardBatch = backend.recurrentForwardBatch?.bind(backend);
  const backwardBatch = backend.recurrentBackwardBatch?.bind(backend);
  if (inputsList.length === 1 || forwardBatch === undefined || backwardBatch === undefined) {
    return inputsList.map((inputs) => recurrentLayer(cell, inputs));
  }
  // One workspace region per call: each kept when the node will be recorded, else slices of the
  // shared scratch (the calls may run at the same time, so they cannot share one region).
  const sizes = inputsList.map(({ x, wHh }) => backend.recurrentWorkspaceSize(cell, x.shape[0]!, x.shape[1]!, wHh.shape[1]!));
  const keeps = willRecord(inputsList);
  const none = !keeps && backend.forwardOnly === true; // forward only: no workspace at all
  const scratch = keeps || none ? null : inferenceWorkspace(sizes.reduce((a, b) => a + b, 0));
  let offset = 0;
  const calls = inputsList.map((inputs, i) => {
    const size = sizes[i]!;
    const workspace = none ? null : scratch === null ? takeBuffer(size) : scratch.subarray(offset, offset + size);
    offset += size;
    return prepareCall(cell, inputs, workspace);
  });
  forwardBatch(cell, calls.map((c) => c.forward));

  // The node's inputs: every call's inputs, each tensor once (the calls share x); slot[i][j] is where
  // input j of call i sits.
  const nodeInputs: Tensor[] = [];
  const slots = calls.map((c) => c.nodeInputs.map((t) => {
    let at = nodeInputs.indexOf(t);
    if (at < 0) at = nodeInputs.push(t) - 1;
    return at;
  }));
  const outputCounts = calls.map((c) => callOutputs(c).length);
  // Whether a call's weights and biases are used by no other call (slot 0.. of nodeInputs that only it
  // has): then their .grad can take the kernel's accumulation in place, which would race between
  // calls running concurrently.
  const users = nodeInputs.map((_, at) => slots.filter((s) => s.includes(at)).length);
  const exclusive = calls.map((c, i) => c.nodeInputs.every((t, j) => t === c.inputs.x || t === c.inputs.h0 ||
    t === c.inputs.c0 || users[slots[i]![j]!] === 1));
  const name = `${cell}_x${calls.length}`;
  const saved = keeps ? calls.map((c) => new SavedWorkspace(name, c.forward.workspace!)) : [];
  const tensors = record(name, calls.flatMap(callOutputs), nodeInputs, (gradOutputs) => {
    for (const s of saved) s.use();
    let first = 0;
    const parts = calls.map((call, i) => {
      const part = backwardCall(backend, cell, call, gradOutputs.slice(first, first + outputCounts[i]!), exclusive[i]!);
      first += outputCounts[i]!;
      return part;
    });
    backwardBatch(cell, parts.map((p) => p.args));
    for (const p of parts) giveBack(p.args.scratch);
    for (const s of saved) s.release();
    // A shared input (x) gets the sum of its calls' gradients.
    const grads: (Float32Array | null)[] = nodeInputs.map(() => null);
    parts.forEach((part, i) => part.grads.forEach((g, j) => {
      if (g === null) return;
      const at = slots[i]![j]!;
      const sum = grads[at];
      if (sum === null || sum === undefined) {
        grads[at] = g;
      } else {
        for (let k = 0; k < sum.length; k++) sum[k] = sum[k]! + g[k]!;
      }
    }));
    return grads;
  });
  let at = 0;
  return calls.map((_, i) => {
    const outputs = nodeOutputs(tensors, at, cell);
    at += outputCounts[i]!;
    return outputs;
  });
}
