/**
 * Pooling a recurrent layer's outputs over time into one vector per sequence (many-to-one), over the
 * VALID steps of each row only:
 *
 * - 'last': the output at each row's last valid step, lengths[b] − 1. For a bidirectional layer the
 *   forward half is taken there and the reverse half at step 0, where the reverse direction has read
 *   the whole row (PyTorch's packed-sequence h_n, split by direction).
 * - 'mean': the sum of the valid steps divided by lengths[b].
 * - 'max': the elementwise maximum over the valid steps; the gradient goes to the step that held it
 *   (the first one on ties), as torch.max does.
 *
 * Composed from ops (gather, mul, sum, div): 'last' and 'max' pick one step per (row, feature) with a
 * single gather, whose backward scatters into exactly those steps.
 *
 * Dimension letters: T steps, B batch rows, F features (D·H for D directions of H units).
 */
import { Tensor } from '../../tensor/tensor.js';
import { gather } from '../../tensor/ops/gather.js';
import { div, mul } from '../../tensor/ops/elementwise.js';
import { sum } from '../../tensor/ops/reduce.js';
import { reshape } from '../../tensor/ops/shape.js';
import { checkLengths } from '../recurrent/base.js';
import { checkKnownOptions, checkOneOf, checkOptions, rangeError, typeError } from '../../util/check.js';

export type Pooling = 'last' | 'mean' | 'max';
export const POOLINGS: readonly Pooling[] = ['last', 'mean', 'max'];

export interface PoolOptions {
  /** 'last' (default), 'mean' or 'max'. */
  mode?: Pooling;
  /** [B] valid steps per row, each in 1..T (default: all T). */
  lengths?: readonly number[] | Int32Array | null;
  /** 2 when `out` is [forward | reverse] of a bidirectional layer (only 'last' cares); default 1. */
  numDirections?: 1 | 2;
}

/** out [T, B, F] → [B, F], over each row's valid steps. */
export function poolSteps(out: Tensor, options?: PoolOptions): Tensor {
  if (!(out instanceof Tensor)) throw typeError('out', 'a Tensor [T, B, F]', out);
  if (out.ndim !== 3) throw rangeError('out', 'a 3-D tensor [T, B, F]', out);
  const opts = checkOptions('options', options);
  checkKnownOptions('poolSteps options', opts, ['mode', 'lengths', 'numDirections']);
  const mode = checkOneOf('mode', opts.mode ?? 'last', POOLINGS);
  const D = opts.numDirections ?? 1;
  if (D !== 1 && D !== 2) throw rangeError('numDirections', '1 or 2', D);
  const [T, B, F] = out.shape as [number, number, number];
  if (F % D !== 0) throw rangeError('out', `a last dimension divisible by numDirections (${D})`, out);
  const lengths = checkLengths(opts.lengths, B, T) ?? new Int32Array(B).fill(T); // [B]

  if (mode === 'mean') {
    const mask = new Float32Array(T * B); // [T, B, 1]: 1 at valid steps
    for (let b = 0; b < B; b++) for (let t = 0; t < lengths[b]!; t++) mask[t * B + b] = 1;
    const total = sum(mul(out, new Tensor(mask, [T, B, 1])), 0); // [B, F]
    return div(total, new Tensor(Float32Array.from(lengths), [B, 1])); // [B, F]
  }

  // 'last' and 'max': one source step per (b, f), then one gather along time.
  const step = new Int32Array(B * F); // [1, B, F]
  const H = F / D;
  for (let b = 0; b < B; b++) {
    for (let f = 0; f < F; f++) {
      if (mode === 'last') {
        step[b * F + f] = D === 2 && f >= H ? 0 : lengths[b]! - 1;
      } else {
        let best = 0;
        let bestValue = out.data[b * F + f]!;
        for (let t = 1; t < lengths[b]!; t++) {
          const v = out.data[(t * B + b) * F + f]!;
          if (v > bestValue || (Number.isNaN(v) && !Number.isNaN(bestValue))) {
            best = t;
            bestValue = v;
          }
        }
        step[b * F + f] = best;
      }
    }
  }
  return reshape(gather(out, 0, step, [1, B, F]), [B, F]);
}
