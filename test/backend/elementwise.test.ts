/**
 * Backend.mul, axpy, softmaxRows and logSoftmaxRows (lib/backend/js/elementwise.ts): hand-computed values,
 * stability on huge logits, -Infinity (masked) entries, NaN rows, aliasing and empty shapes.
 */
import { expect, it } from 'vitest';
import { getBackend } from '../../lib/backend/index.js';
import { describeEachBackend } from '../helpers/backends.js';
import { expectAllClose } from '../helpers/close.js';

// softmax([1, 2, 3]) = e^(x−3) / Σ, computed in float64 from the closed form.
const SOFTMAX_123 = [0.09003057317038046, 0.24472847105479764, 0.6652409557748219];
const LOG_SOFTMAX_123 = [-2.4076059644443806, -1.4076059644443804, -0.4076059644443803];

describeEachBackend('Backend elementwise kernels', () => {
  it('mul: out = a ⊙ b over a.length, NaN propagates, out may alias a', () => {
    const a = new Float32Array([1.5, -2, 0, NaN, 3]);
    const out = new Float32Array(5).fill(9);
    getBackend().mul(out, a, new Float32Array([2, 0.5, -1, 1, -3, 7]));
    expect(Array.from(out)).toEqual([3, -1, -0, NaN, -9]);
    getBackend().mul(a, a, a);
    expect(Array.from(a)).toEqual([2.25, 4, 0, NaN, 9]);
  });

  it('axpy: y += alpha·x, NaN propagates, alpha = 1 and 0', () => {
    const y = new Float32Array([1, 2, 3, 4]);
    getBackend().axpy(y, 2, new Float32Array([1, -1, 0.5, NaN]));
    expect(Array.from(y.subarray(0, 3))).toEqual([3, 0, 4]);
    expect(y[3]).toBeNaN();
    const z = new Float32Array([1, 2]);
    getBackend().axpy(z, 1, new Float32Array([0.25, -0.5]));
    expect(Array.from(z)).toEqual([1.25, 1.5]);
    getBackend().axpy(z, 0, new Float32Array([5, 5]));
    expect(Array.from(z)).toEqual([1.25, 1.5]);
  });

  it('softmaxRows / logSoftmaxRows: hand-computed rows, each row on its own', () => {
    // Row 2 is row 1 shifted by 100: softmax is shift-invariant.
    const x = new Float32Array([1, 2, 3, 101, 102, 103]);
    const out = new Float32Array(6);
    getBackend().softmaxRows(out, x, 2, 3);
    expectAllClose(out, [...SOFTMAX_123, ...SOFTMAX_123], 'softmax');
    getBackend().logSoftmaxRows(out, x, 2, 3);
    expectAllClose(out, [...LOG_SOFTMAX_123, ...LOG_SOFTMAX_123], 'logSoftmax');
  });

  it('huge logits do not overflow; tiny probabilities keep their log', () => {
    const x = new Float32Array([1000, 1000, -1000, 0]);
    const out = new Float32Array(4);
    getBackend().softmaxRows(out, x, 2, 2);
    expect(Array.from(out)).toEqual([0.5, 0.5, 0, 1]);
    getBackend().logSoftmaxRows(out, x, 2, 2);
    expectAllClose(out, [-Math.LN2, -Math.LN2, -1000, 0], 'logSoftmax extremes');
  });

  it('-Infinity entries get probability 0 (log −Infinity); an all −Infinity row is NaN, as in PyTorch', () => {
    const x = new Float32Array([-Infinity, 0, 0, -Infinity, -Infinity, -Infinity]);
    const out = new Float32Array(6);
    getBackend().softmaxRows(out, x, 2, 3);
    expect(Array.from(out.subarray(0, 3))).toEqual([0, 0.5, 0.5]);
    expect(Array.from(out.subarray(3)).every(Number.isNaN)).toBe(true);
    getBackend().logSoftmaxRows(out, x, 2, 3);
    expect(out[0]).toBe(-Infinity);
    expectAllClose(out.subarray(1, 3), [-Math.LN2, -Math.LN2], 'logSoftmax masked');
    expect(Array.from(out.subarray(3)).every(Number.isNaN)).toBe(true);
  });

  it('NaN in a row makes that row NaN and leaves the others alone', () => {
    const x = new Float32Array([1, NaN, 3, 1, 2, 3]);
    for (const op of ['softmaxRows', 'logSoftmaxRows'] as const) {
      const out = new Float32Array(6);
      getBackend()[op](out, x, 2, 3);
      expect(Array.from(out.subarray(0, 3)).every(Number.isNaN), op).toBe(true);
      expectAllClose(out.subarray(3), op === 'softmaxRows' ? SOFTMAX_123 : LOG_SOFTMAX_123, op);
    }
  });

  it('±0 and denormal logits are a uniform row; one column is probability 1', () => {
    const x = new Float32Array([0, -0, 1e-40, 5]);
    const out = new Float32Array(4);
    getBackend().softmaxRows(out, x, 1, 3);
    expectAllClose(out.subarray(0, 3), [1 / 3, 1 / 3, 1 / 3], 'uniform');
    getBackend().softmaxRows(out, x.subarray(3), 1, 1);
    expect(out[0]).toBe(1);
    getBackend().logSoftmaxRows(out, x.subarray(3), 1, 1);
    expect(out[0]).toBe(0);
  });

  it('out may alias x; zero rows or columns do nothing', () => {
    const x = new Float32Array([1, 2, 3]);
    getBackend().softmaxRows(x, x, 1, 3);
    expectAllClose(x, SOFTMAX_123, 'softmax in place');
    const y = new Float32Array([1, 2, 3]);
    getBackend().logSoftmaxRows(y, y, 1, 3);
    expectAllClose(y, LOG_SOFTMAX_123, 'logSoftmax in place');
    const z = new Float32Array([9]);
    getBackend().softmaxRows(z, z, 0, 1);
    getBackend().logSoftmaxRows(z, z, 1, 0);
    expect(z[0]).toBe(9);
  });
});
