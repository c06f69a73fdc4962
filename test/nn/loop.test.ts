/**
 * The time loop's semantics, with weights chosen so every expected value is computed by hand:
 *
 * - RNN relu, I = H = 1, W_ih = W_hh = 1, no bias: h_t = relu(x_t + h_{t−1}), a running sum for
 *   positive inputs. Forward outputs are prefix sums, reverse outputs suffix sums over each row's
 *   valid steps; padded steps are 0; hN is the last valid state.
 * - GRU with all-zero weights: r = z = σ(0) = ½, n = tanh(0) = 0, so h' = ½h.
 * - LSTM with all-zero weights: i = f = o = ½, g = 0, so c' = ½c and h' = ½·tanh(c').
 *
 * These pin down lengths, reverse direction start points, state carry across calls, stacking and
 * batchFirst independently of the fixtures.
 */
import { expect, it } from 'vitest';
import { GRU, LSTM, RNN, Tensor, tensor } from '../../lib/index.js';
import { describeEachBackend } from '../helpers/backends.js';

/** x [T, B, 1] from per-row sequences (all rows padded to the longest). */
function timeMajor(rows: number[][]): Tensor {
  const T = Math.max(...rows.map((r) => r.length));
  const B = rows.length;
  const data = new Float32Array(T * B);
  rows.forEach((r, b) => r.forEach((v, t) => (data[t * B + b] = v)));
  return tensor(data, [T, B, 1]);
}

/** out [T, B, F] → per-row lists of feature f. */
function rowsOf(out: Tensor, f = 0): number[][] {
  const [T, B, F] = out.shape as [number, number, number];
  return Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => out.data[(t * B + b) * F + f]!));
}

function summingRnn(options: { numLayers?: number; bidirectional?: boolean; batchFirst?: boolean } = {}): RNN {
  const rnn = new RNN({ inputSize: 1, hiddenSize: 1, nonlinearity: 'relu', bias: false, ...options });
  // Every weight 1: weight_ih_l1 of a bidirectional stack is [1, 2] = [1, 1], i.e. fwd + rev.
  for (const p of rnn.parameters()) p.data.fill(1);
  return rnn;
}

describeEachBackend('time loop (hand-computed)', () => {
  // Row 0 is 4 steps long, row 1 is 2 (its last two x values are padding and must be ignored).
  const x = timeMajor([[1, 2, 3, 4], [10, 20, 99, 99]]);
  const lengths = [4, 2];

  it('forward: prefix sums, zeros after each row ends, hN at the last valid step', () => {
    const [out, hN] = summingRnn().forward(x, null, { lengths });
    expect(rowsOf(out)).toEqual([[1, 3, 6, 10], [10, 30, 0, 0]]);
    expect(Array.from(hN.data)).toEqual([10, 30]);
    expect(hN.shape).toEqual([1, 2, 1]);
  });

  it('without lengths every step counts', () => {
    const [out, hN] = summingRnn().forward(x);
    expect(rowsOf(out)).toEqual([[1, 3, 6, 10], [10, 30, 129, 228]]);
    expect(Array.from(hN.data)).toEqual([10, 228]);
  });

  it('reverse direction starts at each row\'s last valid step: suffix sums', () => {
    const [out, hN] = summingRnn({ bidirectional: true }).forward(x, null, { lengths });
    expect(out.shape).toEqual([4, 2, 2]);
    expect(rowsOf(out, 0)).toEqual([[1, 3, 6, 10], [10, 30, 0, 0]]);
    expect(rowsOf(out, 1)).toEqual([[10, 9, 7, 4], [30, 20, 0, 0]]);
    // hN: [l0 forward, l0 reverse] × rows; the reverse state ends after t = 0.
    expect(Array.from(hN.data)).toEqual([10, 30, 10, 30]);
  });

  it('two layers: the second layer sums the first one\'s outputs; states stacked layer-major', () => {
    const [out, hN] = summingRnn({ numLayers: 2 }).forward(x, null, { lengths });
    expect(rowsOf(out)).toEqual([[1, 4, 10, 20], [10, 40, 0, 0]]);
    expect(Array.from(hN.data)).toEqual([10, 30, 20, 40]);
  });

  it('two bidirectional layers: layer 1 reads [forward | reverse] of layer 0', () => {
    const row = timeMajor([[1, 2, 3, 4]]);
    const [out, hN] = summingRnn({ numLayers: 2, bidirectional: true }).forward(row);
    // Layer 0: forward 1 3 6 10, reverse 10 9 7 4 → layer-1 input 11 12 13 14.
    expect(rowsOf(out, 0)).toEqual([[11, 23, 36, 50]]);
    expect(rowsOf(out, 1)).toEqual([[50, 39, 27, 14]]);
    expect(Array.from(hN.data)).toEqual([10, 10, 50, 50]);
  });

  it('h0 is where each row (and the reverse direction) starts', () => {
    const h0 = tensor([100, 1000, 5, 7], [2, 2, 1]);
    const [out, hN] = summingRnn({ bidirectional: true }).forward(x, h0, { lengths });
    expect(rowsOf(out, 0)).toEqual([[101, 103, 106, 110], [1010, 1030, 0, 0]]);
    expect(rowsOf(out, 1)).toEqual([[15, 14, 12, 9], [37, 27, 0, 0]]);
    expect(Array.from(hN.data)).toEqual([110, 1030, 15, 37]);
  });

  it('state carries across calls: two halves with hN passed on equal one full run', () => {
    const rnn = summingRnn();
    const full = timeMajor([[1, 2, 3, 4], [5, 6, 7, 8]]);
    const [, hHalf] = rnn.forward(full.slice(0, 0, 2));
    const [out2, hN2] = rnn.forward(full.slice(0, 2, 4), hHalf);
    expect(rowsOf(out2)).toEqual([[6, 10], [18, 26]]);
    const [, hFull] = rnn.forward(full);
    expect(Array.from(hN2.data)).toEqual(Array.from(hFull.data));
  });

  it('batchFirst: [B, T, I] in, [B, T, F] out, the transpose of time-major', () => {
    const xb = tensor([[[1], [2], [3], [4]], [[10], [20], [99], [99]]]); // [B = 2, T = 4, 1]
    const [out, hN] = summingRnn({ batchFirst: true, bidirectional: true }).forward(xb, null, { lengths });
    expect(out.shape).toEqual([2, 4, 2]);
    expect(out.toArray()).toEqual([
      [[1, 10], [3, 9], [6, 7], [10, 4]],
      [[10, 30], [30, 20], [0, 0], [0, 0]],
    ]);
    expect(hN.shape).toEqual([2, 2, 1]); // states stay [L·D, B, H]
    expect(Array.from(hN.data)).toEqual([10, 30, 10, 30]);
  });

  it('GRU with zero weights halves the state each valid step, and holds it after', () => {
    const gru = new GRU({ inputSize: 1, hiddenSize: 1 });
    for (const p of gru.parameters()) p.data.fill(0);
    const h0 = tensor([1, 8], [1, 2, 1]);
    const [out, hN] = gru.forward(x, h0, { lengths: [3, 1] });
    expect(rowsOf(out)).toEqual([[0.5, 0.25, 0.125, 0], [4, 0, 0, 0]]);
    expect(Array.from(hN.data)).toEqual([0.125, 4]);
  });

  it('LSTM with zero weights: c halves, h = ½·tanh(c); reverse starts at the last valid step', () => {
    const lstm = new LSTM({ inputSize: 1, hiddenSize: 1, bidirectional: true });
    for (const p of lstm.parameters()) p.data.fill(0);
    const h0 = tensor([0, 0, 0, 0], [2, 2, 1]);
    const c0 = tensor([1, 2, 4, 8], [2, 2, 1]); // [fwd row 0, fwd row 1, rev row 0, rev row 1]
    const [out, [hN, cN]] = lstm.forward(x, [h0, c0], { lengths: [4, 2] });
    const h = (c: number): number => 0.5 * Math.tanh(c);
    const close = (actual: number[][], expected: number[][]): void => {
      actual.forEach((r, b) => r.forEach((v, t) => expect(v).toBeCloseTo(expected[b]![t]!, 6)));
    };
    close(rowsOf(out, 0), [[h(0.5), h(0.25), h(0.125), h(0.0625)], [h(1), h(0.5), 0, 0]]);
    // Reverse: row 0 runs t = 3..0 from c = 4, row 1 runs t = 1..0 from c = 8.
    close(rowsOf(out, 1), [[h(0.25), h(0.5), h(1), h(2)], [h(2), h(4), 0, 0]]);
    close([Array.from(cN.data)], [[0.0625, 0.5, 0.25, 2]]);
    close([Array.from(hN.data)], [[h(0.0625), h(0.5), h(0.25), h(2)]]);
  });
});
