/**
 * The non-finite guard of `fit`: finds the first parameter whose gradient holds NaN or ±Infinity
 * (one bad batch, a learning rate too high, an exploding recurrence), so fit can skip the update or
 * stop with a message naming the step and the parameter instead of spreading NaN into every weight.
 */
import type { Tensor } from '../tensor/tensor.js';

export interface NonFiniteGradient {
  param: Tensor;
  /** First non-finite index and its value. */
  index: number;
  value: number;
  /** How many values of this gradient are non-finite. */
  count: number;
}

/** The first parameter (in the given order) with a non-finite gradient value, or null. */
export function firstNonFinite(params: readonly Tensor[]): NonFiniteGradient | null {
  for (const param of params) {
    const g = param.grad?.data;
    if (g === undefined) continue;
    let index = -1;
    let count = 0;
    for (let i = 0; i < g.length; i++) {
      // v - v is 0 for finite v and NaN for NaN and ±Infinity: one test per element.
      if (g[i]! - g[i]! !== 0) {
        if (index < 0) index = i;
        count++;
      }
    }
    if (index >= 0) return { param, index, value: g[index]!, count };
  }
  return null;
}

/** Thrown by fit when the loss or a gradient is not finite (nonFinite: 'stop'). */
export class NonFiniteError extends Error {
  override readonly name = 'NonFiniteError';
  constructor(
    message: string,
    /** The 1-based global step that failed. */
    readonly step: number,
    /** 0-based epoch. */
    readonly epoch: number,
    /** The parameter whose gradient was not finite, or null when the loss itself was. */
    readonly parameter: string | null,
  ) {
    super(message);
  }
}
