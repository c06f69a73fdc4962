/**
 * The Backend interface: the only place where rnnkit does heavy arithmetic. It is implemented twice,
 * by the C++ addon (`native.ts`) and in pure TypeScript (`js/`), and both pass the same tests.
 * Everything above it (tensors, autograd, layers, optimizers, data) exists once.
 *
 * Conventions for every method:
 * - Buffers are row-major `Float32Array`s (subarray views are fine; they need not be aligned).
 * - Outputs come first, inputs after, sizes last (sgemm keeps the BLAS order).
 * - Backward methods ACCUMULATE into gradient buffers (`+=`); the caller zeroes them.
 * - Workspaces are owned by the caller and sized by the matching `*WorkspaceSize` method.
 * - Arguments are validated by the caller (the layer or op); a backend may assume sizes are
 *   consistent. The native backend checks again because JavaScript can call the addon directly.
 *
 * Dimension letters: T steps, B batch, I input features, H hidden units, G gates per cell
 * (RNN 1, GRU 3, LSTM 4).
 */

/** The recurrent cell a fused kernel runs. Gate order and equations follow PyTorch exactly. */
export type CellKind = 'rnn_tanh' | 'rnn_relu' | 'lstm' | 'gru';

/** Gates per cell kind: the weight matrices hold G*H rows. */
export const GATES: Readonly<Record<CellKind, number>> = { rnn_tanh: 1, rnn_relu: 1, lstm: 4, gru: 3 };

/**
 * One layer, one direction, a whole sequence.
 *
 * Time order and lengths: with `reverse` false the kernel visits t = 0 … T-1, otherwise t = T-1 … 0.
 * Batch row b is active at step t iff t < lengths[b] (every row is active when `lengths` is null).
 * An inactive row keeps its state unchanged and gets out[t, b, :] = 0. So the forward direction
 * freezes a row after its last valid step, and the reverse direction holds a row at its initial
 * state until its last valid step: it starts there, as PyTorch's packed sequences do.
 * Padded inputs x[t, b, :] with t >= lengths[b] are never read into a result.
 */
export interface RecurrentForwardArgs {
  // outputs
  /** [T, B, H] hidden state after each step; zero at inactive (padded) positions. */
  out: Float32Array;
  /** [B, H] final hidden state (the state after each row's last active step). */
  hN: Float32Array;
  /** [B, H] final cell state; LSTM only (null otherwise). */
  cN: Float32Array | null;
  /**
   * [recurrentWorkspaceSize(cell, T, B, H)] what backward needs, written by forward. Layout (each
   * part contiguous, in this order; values at inactive positions are 0):
   * - rnn_*: hPrev [T, B, H]
   * - lstm:  gates [T, B, 4H] (activated i, f, g, o), cells [T, B, H] (c after the step),
   *          hPrev [T, B, H], cPrev [T, B, H]
   * - gru:   gates [T, B, 3H] (activated r, z, n), hnPre [T, B, H] (W_hn h + b_hn, before r ⊙),
   *          hPrev [T, B, H]
   * `hPrev[t]` / `cPrev[t]` hold the state that step t consumed.
   * null means forward only (no backward will follow), on a backend whose `forwardOnly` is true: the
   * kernels then save nothing and keep only a chunk of steps' pre-activations, memory O(chunk)
   * instead of O(T·B·G·H).
   */
  workspace: Float32Array | null;
  // inputs
  /** [T, B, I] */
  x: Float32Array;
  /** [B, H] initial hidden state. */
  h0: Float32Array;
  /** [B, H] initial cell state; LSTM only (null otherwise). */
  c0: Float32Array | null;
  /** [G*H, I] PyTorch's weight_ih_l{k}: gate blocks stacked in PyTorch order. */
  wIh: Float32Array;
  /** [G*H, H] PyTorch's weight_hh_l{k}. */
  wHh: Float32Array;
  /** [G*H] or null when the layer has no bias. */
  bIh: Float32Array | null;
  /** [G*H] or null when the layer has no bias. */
  bHh: Float32Array | null;
  /** [B] valid steps per row, each in 1..T; null means all T. */
  lengths: Int32Array | null;
  reverse: boolean;
  T: number;
  B: number;
  I: number;
  H: number;
}

/**
 * Backpropagation through time for the call of `recurrentForward` that filled `workspace` (same
 * inputs, weights, lengths and direction). Gradients accumulate.
 */
export interface RecurrentBackwardArgs {
  // gradient outputs (accumulated into)
  /** [T, B, I] or null when the input needs no gradient. */
  dX: Float32Array | null;
  /** [B, H] or null. */
  dH0: Float32Array | null;
  /** [B, H] LSTM only, or null. */
  dC0: Float32Array | null;
  /** [G*H, I] */
  dWIh: Float32Array;
  /** [G*H, H] */
  dWHh: Float32Array;
  /** [G*H] or null (no bias). */
  dBIh: Float32Array | null;
  /** [G*H] or null (no bias). */
  dBHh: Float32Array | null;
  /** [recurrentBackwardWorkspaceSize(cell, T, B, H)] scratch, contents undefined on entry. */
  scratch: Float32Array;
  // upstream gradients (null means zero)
  /** [T, B, H] dLoss/dOut. Values at inactive positions are ignored. */
  dOut: Float32Array | null;
  /** [B, H] dLoss/dhN. */
  dHN: Float32Array | null;
  /** [B, H] dLoss/dcN, LSTM only. */
  dCN: Float32Array | null;
  // what forward saw and saved
  x: Float32Array;
  h0: Float32Array;
  c0: Float32Array | null;
  wIh: Float32Array;
  wHh: Float32Array;
  /** [T, B, H] forward's `out`. */
  out: Float32Array;
  /** forward's workspace, unchanged. */
  workspace: Float32Array;
  lengths: Int32Array | null;
  reverse: boolean;
  T: number;
  B: number;
  I: number;
  H: number;
}

export interface Backend {
  readonly name: 'native' | 'js';

  /**
   * C = alpha · op(A) · op(B) + beta · C, row-major, op(X) = X or Xᵀ. op(A) is [M, K], op(B) is
   * [K, N], C is [M, N]; lda/ldb/ldc are row strides in elements. With beta = 0, C is not read
   * (NaN in C does not propagate), as BLAS specifies.
   */
  sgemm(
    transA: boolean, transB: boolean, M: number, N: number, K: number,
    alpha: number, A: Float32Array, lda: number, B: Float32Array, ldb: number,
    beta: number, C: Float32Array, ldc: number,
  ): void;

  /** Floats of workspace that `recurrentForward` fills and `recurrentBackward` reads. */
  recurrentWorkspaceSize(cell: CellKind, T: number, B: number, H: number): number;
  /** Floats of scratch that `recurrentBackward` uses. */
  recurrentBackwardWorkspaceSize(cell: CellKind, T: number, B: number, H: number): number;
  recurrentForward(cell: CellKind, args: RecurrentForwardArgs): void;
  recurrentBackward(cell: CellKind, args: RecurrentBackwardArgs): void;
  /**
   * Optional: several independent recurrentForward / recurrentBackward calls at once (the directions
   * of a bidirectional layer), which a backend with threads runs concurrently. The same results as
   * one call per args; their output buffers must not overlap. lib/nn/recurrent/node.ts uses them
   * when present (the native backend has them, the js backend does not).
   */
  recurrentForwardBatch?(cell: CellKind, argsList: RecurrentForwardArgs[]): void;
  /** Optional: true when recurrentForward (and the batch) accept `workspace: null` (forward only). */
  readonly forwardOnly?: boolean;
  recurrentBackwardBatch?(cell: CellKind, argsList: RecurrentBackwardArgs[]): void;
  /**
   * Optional: stacked unidirectional layers forward only, layer after layer in ONE call ('lstm' and
   * 'gru'): argsList[k] as for recurrentForward with workspace null and reverse false, the same T, B
   * and lengths, and argsList[k].x the very array argsList[k − 1].out. The same results as one
   * recurrentForward per layer; the native backend runs the layers as a wavefront, one thread per
   * layer, when it has 2 to L threads. lib/nn/recurrent/node.ts (recurrentStack) uses it when present.
   */
  recurrentForwardStack?(cell: CellKind, argsList: RecurrentForwardArgs[]): void;
  /**
   * Optional: one forward-only step, the same as recurrentForward with T = 1, workspace and lengths
   * null, reverse false, in positional arguments (no args object to build and read: the streaming
   * cells, lib/nn/recurrent/cells.ts, call it once per step). out, hN, cN [B, H] (cN and c0 LSTM
   * only, else null); x [B, I]; h0, c0 [B, H]; c0 null means zeros.
   */
  recurrentStep?(
    cell: CellKind, out: Float32Array, hN: Float32Array, cN: Float32Array | null, x: Float32Array,
    h0: Float32Array, c0: Float32Array | null, wIh: Float32Array, wHh: Float32Array,
    bIh: Float32Array | null, bHh: Float32Array | null, B: number, I: number, H: number,
  ): void;

  /**
   * Optional: a zeroed Float32Array of `length` floats whose data starts on a 64-byte boundary (a
   * view into a slightly larger ArrayBuffer). The parameter arenas (lib/nn/parameters.ts) come from
   * here: the native kernels read weights that start on a vector boundary faster, and a large
   * ArrayBuffer sits 16 bytes past one. Without it (the js backend), `new Float32Array(length)`.
   */
  allocateAligned?(length: number): Float32Array;

  // Elementwise and row kernels used by the ops (out may alias x).
  /** out[i] = tanh(x[i]) */
  tanh(out: Float32Array, x: Float32Array): void;
  /** out[i] = sigmoid(x[i]) */
  sigmoid(out: Float32Array, x: Float32Array): void;
  /** y += alpha · x  (the gradient accumulation of every op) */
  axpy(y: Float32Array, alpha: number, x: Float32Array): void;
  /** out[i] = a[i] · b[i] for i < a.length (the elementwise product and its gradient). */
  mul(out: Float32Array, a: Float32Array, b: Float32Array): void;
  /** out[r, :] = softmax(x[r, :]) for rows × cols, max-subtracted. */
  softmaxRows(out: Float32Array, x: Float32Array, rows: number, cols: number): void;
  /** out[r, :] = x[r, :] − logsumexp(x[r, :]) for rows × cols, max-subtracted. */
  logSoftmaxRows(out: Float32Array, x: Float32Array, rows: number, cols: number): void;
}
