/**
 * Scalar and array sigmoid/tanh for the js backend; mirrors native/kernels/activations.cc, whose
 * scalar versions are the oracle and tail path of the SIMD ones.
 *
 * Numerical traps handled here:
 * - sigmoid must not overflow: 1 / (1 + exp(-x)) is fine for x ≥ 0, but for very negative x,
 *   exp(-x) overflows to Infinity (the result 0 is still right, yet the native version must not
 *   rely on that), so negative x uses exp(x) / (1 + exp(x)), whose exp never overflows.
 * - NaN propagates: the x ≥ 0 test is false for NaN, and exp(NaN) / (1 + exp(NaN)) is NaN.
 * - Math.tanh saturates to ±1 without overflow and keeps -0.
 * These functions compute in float64 and are rounded once when stored into a Float32Array.
 */

/** 1 / (1 + e^-x), overflow-free for every x. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** Hyperbolic tangent (saturates at ±1, keeps ±0, propagates NaN). */
export function tanh(x: number): number {
  return Math.tanh(x);
}

/** out[i] = sigmoid(x[i]) for i < x.length; out may alias x. */
export function sigmoidArray(out: Float32Array, x: Float32Array): void {
  const n = x.length;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    if (v >= 0) {
      out[i] = 1 / (1 + Math.exp(-v));
    } else {
      const e = Math.exp(v);
      out[i] = e / (1 + e);
    }
  }
}

/** out[i] = tanh(x[i]) for i < x.length; out may alias x. */
export function tanhArray(out: Float32Array, x: Float32Array): void {
  const n = x.length;
  for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]);
}
