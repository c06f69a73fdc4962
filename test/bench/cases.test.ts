/**
 * bench/cases.ts: the FLOP and token counts the bench divides by (checked against sums done by hand
 * in the comments), the --quick shrink and the --cases filter.
 */
import { describe, expect, it } from 'vitest';
import { CASES, CEILING_CASE_ID, caseById, caseFlops, caseTokens, quickCase, selectCases, type BenchCase } from '../../bench/cases.js';

function byId(id: string): BenchCase {
  const c = caseById(id);
  if (!c) throw new Error(`no case ${id}`);
  return c;
}

describe('bench cases', () => {
  it('has unique ids and the shapes issue 7 asks for', () => {
    expect(new Set(CASES.map((c) => c.id)).size).toBe(CASES.length);
    expect(byId(CEILING_CASE_ID)).toMatchObject({ kind: 'gemm', M: 2048, N: 2048, K: 2048 });
    expect(byId('rnn-h64-b1-infer')).toMatchObject({ cell: 'rnn', inputSize: 32, hiddenSize: 64, T: 100, B: 1, pass: 'infer' });
    expect(byId('lstm-2l-h512-train')).toMatchObject({ cell: 'lstm', inputSize: 128, hiddenSize: 512, numLayers: 2, T: 100, B: 32 });
    expect(byId('gru-2l-h512-infer')).toMatchObject({ cell: 'gru', numLayers: 2, pass: 'infer' });
    expect(byId('lstm-h1024-train')).toMatchObject({ inputSize: 1024, hiddenSize: 1024, T: 25, B: 64 });
    expect(byId('bilstm-h256-train')).toMatchObject({ bidirectional: true, hiddenSize: 256, T: 100, B: 32 });
    expect(byId('stream-lstm-h256')).toMatchObject({ kind: 'stream', hiddenSize: 256, B: 1 });
    expect(byId('lstm-h256-b256-infer')).toMatchObject({ hiddenSize: 256, B: 256, T: 50 });
    expect(CASES.filter((c) => c.id.startsWith('gemm-step-m')).map((c) => (c.kind === 'gemm' ? c.M : 0))).toEqual([1, 32, 256]);
  });

  it('counts GEMM FLOPs per iteration', () => {
    // 2·2048³
    expect(caseFlops(byId('sgemm-2048'))).toBe(17_179_869_184);
    // RNN inference: 2·T·B·H·(I + H) = 2·100·64·96
    expect(caseFlops(byId('rnn-h64-b1-infer'))).toBe(1_228_800);
    // RNN training, T·B = 6400: forward 2·6400·64·96 = 78 643 200, weight grads the same, dh 2·6400·64·64 = 52 428 800
    expect(caseFlops(byId('rnn-h64-b64-train'))).toBe(209_715_200);
    // 2-layer LSTM training, T·B = 3200, 4H = 2048:
    //   layer 0 (I = 128): 2 × 2·3200·2048·640 + 2·3200·2048·512 = 23 488 102 400
    //   layer 1 (I = 512): 2 × 2·3200·2048·1024 + 2·3200·2048·512 (dh) + 2·3200·2048·512 (dX) = 40 265 318 400
    expect(caseFlops(byId('lstm-2l-h512-train'))).toBe(63_753_420_800);
    // bidirectional inference: 2 directions × 2·3200·1024·512
    expect(caseFlops(byId('bilstm-h256-infer'))).toBe(6_710_886_400);
    // streaming: 100 steps × 2·1·1024·512
    expect(caseFlops(byId('stream-lstm-h256'))).toBe(104_857_600);
  });

  it('counts tokens as steps × rows, none for a bare GEMM', () => {
    expect(caseTokens(byId('rnn-h64-b64-train'))).toBe(6400);
    expect(caseTokens(byId('stream-lstm-h256'))).toBe(100);
    expect(caseTokens(byId('gemm-step-m32'))).toBeNull();
  });

  it('shrinks cases for --quick, keeping ids', () => {
    expect(quickCase(byId('lstm-2l-h512-train'))).toMatchObject({ id: 'lstm-2l-h512-train', T: 4, B: 32, hiddenSize: 512 });
    expect(quickCase(byId('lstm-h1024-train'))).toMatchObject({ T: 2 });
    expect(quickCase(byId('stream-lstm-h256'))).toMatchObject({ steps: 10 });
    expect(quickCase(byId('gemm-wgrad-hh'))).toMatchObject({ M: 512, N: 128, K: 800 });
    expect(quickCase(byId('gemm-step-m32'))).toMatchObject({ M: 32, N: 512, K: 128 });
    expect(quickCase(byId('rnn-h64-b1-infer')).title).toContain('[quick: T=4]');
  });

  it('selects cases by comma-separated substrings of the id', () => {
    expect(selectCases([]).length).toBe(CASES.length);
    expect(selectCases(['lstm-2l', 'sgemm']).map((c) => c.id)).toEqual(['lstm-2l-h512-train', 'lstm-2l-h512-infer', 'sgemm-2048']);
    expect(selectCases(['no-such-case'])).toEqual([]);
  });
});
