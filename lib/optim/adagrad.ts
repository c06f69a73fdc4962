/**
 * Adagrad (Duchi et al., 2011) with PyTorch 1.13's update:
 *   clr = lr / (1 + (t−1)·lrDecay);  s ← s + g²;  p ← p − clr · g / (√s + eps)
 */
import type { Tensor } from '../tensor/tensor.js';
import { Optimizer, buffer, type ParamGroupSpec, type ParamState } from './optimizer.js';
import { checkBoolean, checkFiniteNumber, checkOptions, rangeError } from '../util/check.js';

export interface AdagradOptions {
  lr: number;
  lrDecay: number;
  weightDecay: number;
  initialAccumulatorValue: number;
  eps: number;
  maximize: boolean;
}

const NAMES = ['lr', 'lrDecay', 'weightDecay', 'initialAccumulatorValue', 'eps', 'maximize'] as const;

export class Adagrad extends Optimizer<AdagradOptions> {
  constructor(params: Iterable<Tensor> | Iterable<ParamGroupSpec<AdagradOptions>>, options: Partial<AdagradOptions> = {}) {
    super(params, { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false, ...checkOptions('options', options) }, NAMES);
  }

  protected checkGroupOptions(o: AdagradOptions, where: string): void {
    for (const name of ['lr', 'lrDecay', 'weightDecay', 'initialAccumulatorValue', 'eps'] as const) {
      if (checkFiniteNumber(`${where}.${name}`, o[name]) < 0) throw rangeError(`${where}.${name}`, 'a non-negative number', o[name]);
    }
    checkBoolean(`${where}.maximize`, o.maximize);
  }

  protected updateParameter(param: Float32Array, grad: Float32Array, state: ParamState, o: AdagradOptions): void {
    const { lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize } = o;
    const step = ((state.step as number | undefined) ?? 0) + 1;
    state.step = step;
    const sum = buffer(state, 'sum', param.length, initialAccumulatorValue);
    const clr = lr / (1 + (step - 1) * lrDecay);
    const sign = maximize ? -1 : 1;
    for (let i = 0; i < param.length; i++) {
      const g = sign * grad[i]! + weightDecay * param[i]!;
      sum[i]! += g * g;
      param[i]! -= (clr * g) / (Math.sqrt(sum[i]!) + eps);
    }
  }
}
