/**
 * Dropout module, PyTorch's `nn.Dropout`: in training mode zeroes each element with probability p
 * and scales the rest by 1/(1−p) (the `dropout` op, seeded RNG); in eval mode it is the identity.
 */
import { Module } from './module.js';
import { Tensor } from '../tensor/tensor.js';
import { dropout } from '../tensor/ops/dropout.js';
import { defaultRng, type Rng } from '../data/rng.js';
import { checkInRange, checkKnownOptions, checkOptions } from '../util/check.js';

export interface DropoutOptions {
  /** Probability of zeroing an element, in [0, 1] (default 0.5). */
  p?: number;
  /** Generator for the masks (default: defaultRng). */
  rng?: Rng;
}

export class Dropout extends Module {
  readonly p: number;
  private readonly rng: Rng;

  constructor(options?: DropoutOptions) {
    super();
    const opts = checkOptions('options', options);
    checkKnownOptions('Dropout options', opts, ['p', 'rng']);
    this.p = checkInRange('p', opts.p ?? 0.5, 0, 1);
    this.rng = opts.rng ?? defaultRng;
  }

  /** x [...] → same shape */
  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training, this.rng);
  }
}
