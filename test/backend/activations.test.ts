/**
 * Scalar sigmoid/tanh of lib/backend/js/activations.ts and the array kernels behind
 * Backend.sigmoid / Backend.tanh: hand-computed values (from the closed forms, in float64) and the
 * edge values ±0, NaN, ±Infinity, ±100, ±1000 and denormals.
 */
import { describe, expect, it } from 'vitest';
import { getBackend } from '../../lib/backend/index.js';
import { sigmoid, tanh } from '../../lib/backend/js/activations.js';
import { describeEachBackend } from '../helpers/backends.js';
import { expectAllClose } from '../helpers/close.js';

const DENORMAL = 1e-40; // below float32's smallest normal (1.18e-38)

describe('scalar sigmoid', () => {
  it('matches 1 / (1 + e^-x) on ordinary values', () => {
    expect(sigmoid(0)).toBe(0.5);
    expect(sigmoid(1)).toBeCloseTo(0.7310585786300049, 15);
    expect(sigmoid(-1)).toBeCloseTo(0.2689414213699951, 15);
    expect(sigmoid(2.5)).toBeCloseTo(0.9241418199787566, 15);
    expect(sigmoid(-2.5)).toBeCloseTo(0.07585818002124355, 15);
  });

  it('saturates without overflow and keeps tiny tails', () => {
    expect(sigmoid(100)).toBe(1);
    expect(sigmoid(-100) / 3.720075976020836e-44).toBeCloseTo(1, 12); // e^-100, not 0 and not NaN
    expect(sigmoid(-1000)).toBe(0);
    expect(sigmoid(Infinity)).toBe(1);
    expect(sigmoid(-Infinity)).toBe(0);
  });

  it('±0 and denormals give 0.5, NaN propagates', () => {
    expect(sigmoid(-0)).toBe(0.5);
    expect(sigmoid(DENORMAL)).toBe(0.5);
    expect(sigmoid(-DENORMAL)).toBe(0.5);
    expect(sigmoid(NaN)).toBeNaN();
  });
});

describe('scalar tanh', () => {
  it('matches (e^2x − 1) / (e^2x + 1) on ordinary values', () => {
    expect(tanh(0.5)).toBeCloseTo(0.46211715726000974, 15);
    expect(tanh(-2)).toBeCloseTo(-0.9640275800758169, 15);
  });

  it('saturates at ±1, keeps ±0 and denormals, propagates NaN', () => {
    expect(tanh(100)).toBe(1);
    expect(tanh(-100)).toBe(-1);
    expect(tanh(Infinity)).toBe(1);
    expect(tanh(-Infinity)).toBe(-1);
    expect(Object.is(tanh(0), 0)).toBe(true);
    expect(Object.is(tanh(-0), -0)).toBe(true);
    expect(tanh(DENORMAL)).toBe(DENORMAL);
    expect(tanh(NaN)).toBeNaN();
  });
});

describeEachBackend('Backend.sigmoid / Backend.tanh arrays', () => {
  const x = new Float32Array([0, -0, 1, -1, 2.5, -2.5, 100, -100, 1000, -1000, Infinity, -Infinity, DENORMAL, NaN]);
  const f = Math.fround;

  it('sigmoid, elementwise and with NaN kept', () => {
    const out = new Float32Array(x.length).fill(7);
    getBackend().sigmoid(out, x);
    const expected = [0.5, 0.5, 0.7310585786300049, 0.2689414213699951, 0.9241418199787566, 0.07585818002124355,
      1, f(3.720075976020836e-44), 1, 0, 1, 0, 0.5, NaN];
    expectAllClose(out, expected, 'sigmoid', 0, 1e-6);
    expect(out[7]).toBeGreaterThan(0); // e^-100 survives as a float32 denormal on the js backend's path
  });

  it('tanh, elementwise, keeping -0 and NaN', () => {
    const out = new Float32Array(x.length).fill(7);
    getBackend().tanh(out, x);
    const expected = [0, -0, 0.7615941559557649, -0.7615941559557649, 0.9866142981514303, -0.9866142981514303,
      1, -1, 1, -1, 1, -1, f(DENORMAL), NaN];
    expectAllClose(out, expected, 'tanh', 0, 1e-6);
    expect(Object.is(out[1], -0)).toBe(true);
  });

  it('out may alias x', () => {
    const a = new Float32Array([0, 1, -1]);
    getBackend().sigmoid(a, a);
    expectAllClose(a, [0.5, 0.7310585786300049, 0.2689414213699951], 'sigmoid in place', 0, 1e-6);
    const b = new Float32Array([0.5, -2]);
    getBackend().tanh(b, b);
    expectAllClose(b, [0.46211715726000974, -0.9640275800758169], 'tanh in place', 0, 1e-6);
  });
});
