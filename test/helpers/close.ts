/**
 * The one place tolerances live. `expectClose` is DESIGN.md's criterion: relative error of the whole
 * tensor ‖a−b‖/‖b‖ ≤ 1e-4 (float32 against a float64 reference). `expectAllClose` is the elementwise
 * |a−b| ≤ atol + rtol·|b| of the fixtures' README. Failures print the worst index, the expected and
 * actual values there and the max difference. NaN matches only NaN.
 */
import { expect } from 'vitest';

export const REL_TOL = 1e-4;
export const ATOL = 1e-5;
export const RTOL = 1e-4;

type Numeric = ArrayLike<number>;

function worst(actual: Numeric, expected: Numeric): { index: number; diff: number } {
  let index = -1;
  let diff = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const d = Number.isNaN(a) || Number.isNaN(e) ? (Number.isNaN(a) && Number.isNaN(e) ? 0 : Infinity) : Math.abs(a - e);
    if (d > diff || index < 0) {
      diff = d;
      index = i;
    }
  }
  return { index, diff };
}

function report(label: string, actual: Numeric, expected: Numeric, extra: string): string {
  const { index, diff } = worst(actual, expected);
  return `${label}: ${extra}; worst at index ${index}: expected ${expected[index]}, actual ${actual[index]}, max |diff| ${diff}`;
}

/**
 * ‖actual − expected‖₂ / ‖expected‖₂ (absolute norm when expected is all zeros). Positions where both
 * are NaN agree and are left out; a NaN on one side only makes the result NaN (a failure).
 */
export function relativeError(actual: Numeric, expected: Numeric): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < expected.length; i++) {
    if (Number.isNaN(actual[i]!) && Number.isNaN(expected[i]!)) continue;
    const d = actual[i]! - expected[i]!;
    num += d * d;
    den += expected[i]! * expected[i]!;
  }
  return den === 0 ? Math.sqrt(num) : Math.sqrt(num / den);
}

/** Whole-tensor relative error within `tol` (DESIGN.md: 1e-4). */
export function expectClose(actual: Numeric, expected: Numeric, label = 'tensor', tol = REL_TOL): void {
  if (actual.length !== expected.length) {
    throw new Error(`${label}: length ${actual.length}, expected ${expected.length}`);
  }
  for (let i = 0; i < expected.length; i++) {
    if (Number.isNaN(expected[i]!) !== Number.isNaN(actual[i]!)) {
      expect.fail(report(label, actual, expected, `NaN mismatch at index ${i}`));
    }
  }
  const rel = relativeError(actual, expected);
  if (!(rel <= tol)) expect.fail(report(label, actual, expected, `relative error ${rel.toExponential(3)} > ${tol}`));
}

/** Elementwise |a − e| ≤ atol + rtol·|e|. */
export function expectAllClose(actual: Numeric, expected: Numeric, label = 'tensor', atol = ATOL, rtol = RTOL): void {
  if (actual.length !== expected.length) {
    throw new Error(`${label}: length ${actual.length}, expected ${expected.length}`);
  }
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const ok = Number.isNaN(e) ? Number.isNaN(a) : Math.abs(a - e) <= atol + rtol * Math.abs(e);
    if (!ok) expect.fail(report(label, actual, expected, `element ${i} outside atol ${atol} + rtol ${rtol}·|expected|`));
  }
}

/** Finite-difference comparisons: float32 forward passes support about 1e-2 relative. */
export const GRADCHECK_REL_TOL = 1e-2;
