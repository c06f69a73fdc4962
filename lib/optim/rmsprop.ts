/**
 * RMSprop (Hinton, Coursera lecture 6e) with PyTorch 1.13's update, including the centered variant
 * (divide by an estimate of the variance instead of the raw second moment) and momentum:
 *   s ← α·s + (1−α)·g²;  centered: ḡ ← α·ḡ + (1−α)·g, denom = √(s − ḡ²) + eps; else denom = √s + eps
 *   momentum: b ← μ·b + g/denom, p ← p − lr·b;  else p ← p − lr·g/denom
 */
import type { Tensor } from '../tensor/tensor.js';
import { Optimizer, buffer, type ParamGroupSpec, type ParamState } from './optimizer.js';
import { checkBoolean, checkFiniteNumber, checkInRange, checkOptions, rangeError } from '../util/check.js';

export interface RMSpropOptions {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
  maximize: boolean;
}

const NAMES = ['lr', 'alpha', 'eps', 'weightDecay', 'momentum', 'centered', 'maximize'] as const;

export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(params: Iterable<Tensor> | Iterable<ParamGroupSpec<RMSpropOptions>>, options: Partial<RMSpropOptions> = {}) {
    super(params, { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false, ...checkOptions('options', options) }, NAMES);
  }

  protected checkGroupOptions(o: RMSpropOptions, where: string): void {
    if (checkFiniteNumber(`${where}.lr`, o.lr) < 0) throw rangeError(`${where}.lr`, 'a non-negative number', o.lr);
    checkInRange(`${where}.alpha`, o.alpha, 0, 1);
    if (checkFiniteNumber(`${where}.eps`, o.eps) < 0) throw rangeError(`${where}.eps`, 'a non-negative number', o.eps);
    if (checkFiniteNumber(`${where}.weightDecay`, o.weightDecay) < 0) throw rangeError(`${where}.weightDecay`, 'a non-negative number', o.weightDecay);
    if (checkFiniteNumber(`${where}.momentum`, o.momentum) < 0) throw rangeError(`${where}.momentum`, 'a non-negative number', o.momentum);
    checkBoolean(`${where}.centered`, o.centered);
    checkBoolean(`${where}.maximize`, o.maximize);
  }

  protected updateParameter(param: Float32Array, grad: Float32Array, state: ParamState, o: RMSpropOptions): void {
    const { lr, alpha, eps, weightDecay, momentum, centered, maximize } = o;
    state.step = ((state.step as number | undefined) ?? 0) + 1;
    const squareAvg = buffer(state, 'squareAvg', param.length);
    const gradAvg = centered ? buffer(state, 'gradAvg', param.length) : null;
    const momentumBuffer = momentum > 0 ? buffer(state, 'momentumBuffer', param.length) : null;
    const sign = maximize ? -1 : 1;
    for (let i = 0; i < param.length; i++) {
      const g = sign * grad[i]! + weightDecay * param[i]!;
      const s = (squareAvg[i] = alpha * squareAvg[i]! + (1 - alpha) * g * g);
      let denom: number;
      if (gradAvg !== null) {
        const a = (gradAvg[i] = alpha * gradAvg[i]! + (1 - alpha) * g);
        denom = Math.sqrt(s - a * a) + eps;
      } else {
        denom = Math.sqrt(s) + eps;
      }
      if (momentumBuffer !== null) {
        momentumBuffer[i] = momentum * momentumBuffer[i]! + g / denom;
        param[i]! -= lr * momentumBuffer[i]!;
      } else {
        param[i]! -= (lr * g) / denom;
      }
    }
  }
}
