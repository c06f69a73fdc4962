/**
 * Inverted dropout (Srivastava et al. 2014, scaled at training time as PyTorch does): each element
 * is kept with probability 1 − p and scaled by 1 / (1 − p), so evaluation needs no rescaling.
 * The mask comes from the seeded RNG (lib/data/rng.ts), so the same seed drops the same elements.
 * Backward multiplies by the same scaled mask.
 */
import { record1 } from '../autograd.js';
import type { Tensor } from '../tensor.js';
import { defaultRng, Rng } from '../../data/rng.js';
import { checkTensor } from './args.js';
import { checkInRange, typeError } from '../../util/check.js';

/**
 * Zeroes each element of x with probability p and scales the rest by 1/(1−p). With p = 0 or
 * `training` false it returns x itself; with p = 1 every element (and gradient) is zero.
 */
export function dropout(x: Tensor, p: number, training = true, rng: Rng = defaultRng): Tensor {
  checkTensor('x', x);
  checkInRange('p', p, 0, 1);
  if (typeof training !== 'boolean') throw typeError('training', 'a boolean', training);
  if (!(rng instanceof Rng)) throw typeError('rng', 'an Rng', rng);
  if (p === 0 || !training) return x;
  const n = x.size;
  const mask = new Float32Array(n); // [n] 0 or 1/(1−p)
  if (p < 1) {
    const keepScale = 1 / (1 - p);
    for (let i = 0; i < n; i++) mask[i] = rng.random() >= p ? keepScale : 0;
  }
  const out = new Float32Array(n); // p = 1: all zeros, even where x is ±Infinity or NaN
  if (p < 1) for (let i = 0; i < n; i++) out[i] = x.data[i]! * mask[i]!;
  return record1('dropout', out, x.shape.slice(), [x], (g) => {
    const dx = new Float32Array(n);
    for (let i = 0; i < n; i++) dx[i] = g[i]! * mask[i]!;
    return [dx];
  });
}
