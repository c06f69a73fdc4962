/**
 * The benchmark cases as data: every shape the bench measures, and the arithmetic that turns a time
 * into tokens/s and GFLOP/s. Each driver (drivers/js.ts, drivers/native.ts, drivers/torch.py) receives
 * one case as JSON on its command line, so this file is the only list of shapes; torch.py never
 * repeats it.
 *
 * Dimension letters: T steps, B batch, I input features, H hidden units, G gates per cell (RNN 1,
 * GRU 3, LSTM 4), D directions (1 or 2), L layers. Tensors are time-major [T, B, I], as in PyTorch.
 *
 * FLOPs are counted analytically, GEMMs only (2·M·N·K each), per iteration; the gate
 * nonlinearities and elementwise work are left out (they are O(T·B·G·H), a few percent at these
 * sizes). So GFLOP/s here is "useful matrix work per second", comparable across drivers because
 * every driver is credited with the same count.
 */

export type Cell = 'rnn' | 'lstm' | 'gru';

/** Gates per cell: the weight matrices hold G·H rows. */
export const GATES_PER_CELL: Readonly<Record<Cell, number>> = { rnn: 1, lstm: 4, gru: 3 };

/**
 * A whole-sequence recurrent layer stack. 'train' = forward + backward of loss = Σ out ⊙ R (R a fixed
 * random [T, B, D·H] tensor), with every parameter's gradient and the input needing none; 'infer' =
 * forward only, without the tape (noGrad / torch.no_grad()).
 */
export interface RecurrentCase {
  kind: 'recurrent';
  id: string;
  title: string;
  cell: Cell;
  inputSize: number; // I
  hiddenSize: number; // H
  numLayers: number; // L
  bidirectional: boolean;
  T: number;
  B: number;
  pass: 'train' | 'infer';
}

/**
 * Streaming inference: an LSTMCell (B rows) fed one step at a time, carrying [h, c] from step to
 * step, without the tape. One iteration is `steps` consecutive calls; the table shows µs per step.
 */
export interface StreamCase {
  kind: 'stream';
  id: string;
  title: string;
  cell: 'lstm';
  inputSize: number; // I
  hiddenSize: number; // H
  B: number;
  steps: number;
}

/**
 * One SGEMM C = op(A)·op(B) + beta·C, row-major, op(A) [M, K], op(B) [K, N], C [M, N], buffers
 * allocated once outside the timed loop.
 */
export interface GemmCase {
  kind: 'gemm';
  id: string;
  title: string;
  transA: boolean;
  transB: boolean;
  M: number;
  N: number;
  K: number;
  beta: 0 | 1;
}

export type BenchCase = RecurrentCase | StreamCase | GemmCase;

function recurrent(
  id: string, title: string, cell: Cell,
  shape: { I: number; H: number; L?: number; bidirectional?: boolean; T: number; B: number },
  pass: 'train' | 'infer',
): RecurrentCase {
  return {
    kind: 'recurrent', id, title, cell, inputSize: shape.I, hiddenSize: shape.H, numLayers: shape.L ?? 1,
    bidirectional: shape.bidirectional ?? false, T: shape.T, B: shape.B, pass,
  };
}

function gemm(id: string, title: string, M: number, N: number, K: number,
  options: { transA?: boolean; transB?: boolean; beta?: 0 | 1 } = {}): GemmCase {
  return {
    kind: 'gemm', id, title, M, N, K,
    transA: options.transA ?? false, transB: options.transB ?? false, beta: options.beta ?? 0,
  };
}

/** The id of the SGEMM case whose GFLOP/s (best of torch.mm and native) is the machine's ceiling. */
export const CEILING_CASE_ID = 'sgemm-2048';

// Recurrent-GEMM shapes at H = 512 (the 2-layer case: G·H = 2048, T·B = 3200).
const H512 = 512;
const G4H = 4 * H512;
const TB = 100 * 32;

/** Every case, in table order. Ids are stable: the JSON results and --cases filters use them. */
export const CASES: readonly BenchCase[] = [
  // The seed's RNN (tanh).
  recurrent('rnn-h64-b1-infer', 'RNN I=32 H=64 T=100 B=1, inference', 'rnn', { I: 32, H: 64, T: 100, B: 1 }, 'infer'),
  recurrent('rnn-h64-b64-train', 'RNN I=32 H=64 T=100 B=64, training step', 'rnn', { I: 32, H: 64, T: 100, B: 64 }, 'train'),
  // 2-layer LSTM and GRU at H = 512.
  recurrent('lstm-2l-h512-train', '2-layer LSTM I=128 H=512 T=100 B=32, training step', 'lstm', { I: 128, H: 512, L: 2, T: 100, B: 32 }, 'train'),
  recurrent('lstm-2l-h512-infer', '2-layer LSTM I=128 H=512 T=100 B=32, inference', 'lstm', { I: 128, H: 512, L: 2, T: 100, B: 32 }, 'infer'),
  recurrent('gru-2l-h512-train', '2-layer GRU I=128 H=512 T=100 B=32, training step', 'gru', { I: 128, H: 512, L: 2, T: 100, B: 32 }, 'train'),
  recurrent('gru-2l-h512-infer', '2-layer GRU I=128 H=512 T=100 B=32, inference', 'gru', { I: 128, H: 512, L: 2, T: 100, B: 32 }, 'infer'),
  // Large LSTM.
  recurrent('lstm-h1024-train', 'LSTM I=1024 H=1024 T=25 B=64, training step', 'lstm', { I: 1024, H: 1024, T: 25, B: 64 }, 'train'),
  recurrent('lstm-h1024-infer', 'LSTM I=1024 H=1024 T=25 B=64, inference', 'lstm', { I: 1024, H: 1024, T: 25, B: 64 }, 'infer'),
  // Bidirectional LSTM.
  recurrent('bilstm-h256-train', 'bidirectional LSTM I=256 H=256 T=100 B=32, training step', 'lstm', { I: 256, H: 256, bidirectional: true, T: 100, B: 32 }, 'train'),
  recurrent('bilstm-h256-infer', 'bidirectional LSTM I=256 H=256 T=100 B=32, inference', 'lstm', { I: 256, H: 256, bidirectional: true, T: 100, B: 32 }, 'infer'),
  // Serving shapes.
  { kind: 'stream', id: 'stream-lstm-h256', title: 'streaming LSTMCell I=256 H=256 B=1, one step per call', cell: 'lstm', inputSize: 256, hiddenSize: 256, B: 1, steps: 100 },
  recurrent('lstm-h256-b256-infer', 'batch inference LSTM I=256 H=256 T=50 B=256', 'lstm', { I: 256, H: 256, T: 50, B: 256 }, 'infer'),
  // SGEMM: the ceiling, then the shapes a recurrent layer at H = 512 issues.
  gemm(CEILING_CASE_ID, 'SGEMM 2048³ (NN)', 2048, 2048, 2048),
  gemm('gemm-step-m1', 'recurrent step h·W_hhᵀ, M=B=1 N=4H K=H (H=512)', 1, G4H, H512, { transB: true, beta: 1 }),
  gemm('gemm-step-m32', 'recurrent step h·W_hhᵀ, M=B=32 N=4H K=H (H=512)', 32, G4H, H512, { transB: true, beta: 1 }),
  gemm('gemm-step-m256', 'recurrent step h·W_hhᵀ, M=B=256 N=4H K=H (H=512)', 256, G4H, H512, { transB: true, beta: 1 }),
  gemm('gemm-step-bwd-m32', 'backward step dGates·W_hh, M=B=32 N=H K=4H (H=512)', 32, H512, G4H),
  gemm('gemm-input-proj', 'input projection x·W_ihᵀ, M=T·B=3200 N=4H K=512', TB, G4H, H512, { transB: true }),
  gemm('gemm-wgrad-hh', 'weight gradient dGatesᵀ·hPrev, M=4H N=H K=T·B=3200', G4H, H512, TB, { transA: true, beta: 1 }),
];

/** Directions of a recurrent case (1 or 2). */
export function directions(c: RecurrentCase): number {
  return c.bidirectional ? 2 : 1;
}

/**
 * GEMM FLOPs of one iteration. A recurrent layer k with input width I_k (I, then D·H) and one
 * direction does, per step, x·W_ihᵀ and h·W_hhᵀ: 2·T·B·G·H·(I_k + H) forward. Backward does the
 * two weight-gradient GEMMs (same count again), the recurrent dh GEMM (2·T·B·G·H·H), and the input
 * gradient dX (2·T·B·G·H·I_k) only for layers above the first (the input itself needs none).
 */
export function caseFlops(c: BenchCase): number {
  if (c.kind === 'gemm') return 2 * c.M * c.N * c.K;
  if (c.kind === 'stream') {
    const GH = GATES_PER_CELL[c.cell] * c.hiddenSize;
    return c.steps * 2 * c.B * GH * (c.inputSize + c.hiddenSize);
  }
  const D = directions(c);
  const H = c.hiddenSize;
  const GH = GATES_PER_CELL[c.cell] * H;
  const TB = c.T * c.B;
  let flops = 0;
  for (let k = 0; k < c.numLayers; k++) {
    const Ik = k === 0 ? c.inputSize : D * H;
    const forward = 2 * TB * GH * (Ik + H);
    let layer = forward;
    if (c.pass === 'train') {
      layer += forward; // dW_ih, dW_hh
      layer += 2 * TB * GH * H; // dh through W_hh
      if (k > 0) layer += 2 * TB * GH * Ik; // dX into the layer below
    }
    flops += D * layer;
  }
  return flops;
}

/** Tokens (time steps × batch rows) one iteration processes; null for a bare GEMM. */
export function caseTokens(c: BenchCase): number | null {
  if (c.kind === 'gemm') return null;
  if (c.kind === 'stream') return c.steps * c.B;
  return c.T * c.B;
}

/**
 * The shrunken version of a case that `--quick` runs (a CI smoke test of every case × driver path,
 * not a measurement): T ÷ 25 (at least 2, so BPTT crosses a step), 10 streaming steps, GEMM
 * dimensions above 256 ÷ 4. Same id, so --cases filters alike; the title says what shrank.
 */
export function quickCase(c: BenchCase): BenchCase {
  if (c.kind === 'recurrent') {
    const T = Math.max(2, Math.ceil(c.T / 25));
    return { ...c, T, title: `${c.title} [quick: T=${T}]` };
  }
  if (c.kind === 'stream') return { ...c, steps: 10, title: `${c.title} [quick: 10 steps]` };
  const shrink = (n: number): number => (n > 256 ? n / 4 : n);
  const [M, N, K] = [shrink(c.M), shrink(c.N), shrink(c.K)];
  return { ...c, M, N, K, title: `${c.title} [quick: ${M}×${N}×${K}]` };
}

/** Cases whose id contains any of the comma-separated substrings (all cases when none given). */
export function selectCases(filters: readonly string[]): BenchCase[] {
  const wanted = filters.map((f) => f.trim()).filter((f) => f !== '');
  if (wanted.length === 0) return [...CASES];
  return CASES.filter((c) => wanted.some((f) => c.id.includes(f)));
}

/** The case with this exact id (drivers receive the whole case, this is for tools and tests). */
export function caseById(id: string): BenchCase | undefined {
  return CASES.find((c) => c.id === id);
}
