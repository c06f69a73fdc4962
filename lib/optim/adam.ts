/**
 * Adam (Kingma & Ba, 2015) and AdamW (Loshchilov & Hutter, 2019), with PyTorch 1.13's exact update:
 *   m ← β1·m + (1−β1)·g,  v ← β2·v + (1−β2)·g²
 *   p ← p − (lr / (1−β1ᵗ)) · m / (√v / √(1−β2ᵗ) + eps)
 * Adam adds weightDecay·p to g (L2); AdamW instead shrinks p by (1 − lr·weightDecay) before the step.
 * amsgrad keeps the running maximum of v in the denominator.
 */
import type { Tensor } from '../tensor/tensor.js';
import { Optimizer, buffer, type ParamGroupSpec, type ParamState } from './optimizer.js';
import { checkBoolean, checkFiniteNumber, checkInRange, checkOptions, rangeError, typeError } from '../util/check.js';

export interface AdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}

const NAMES = ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad', 'maximize'] as const;

abstract class AdamBase extends Optimizer<AdamOptions> {
  /** Whether weight decay is decoupled from the gradient (AdamW). */
  protected abstract readonly decoupled: boolean;

  protected checkGroupOptions(o: AdamOptions, where: string): void {
    if (checkFiniteNumber(`${where}.lr`, o.lr) < 0) throw rangeError(`${where}.lr`, 'a non-negative number', o.lr);
    if (!Array.isArray(o.betas) || o.betas.length !== 2) throw typeError(`${where}.betas`, 'a pair [beta1, beta2]', o.betas);
    checkInRange(`${where}.betas[0]`, o.betas[0], 0, 1, true);
    checkInRange(`${where}.betas[1]`, o.betas[1], 0, 1, true);
    if (checkFiniteNumber(`${where}.eps`, o.eps) < 0) throw rangeError(`${where}.eps`, 'a non-negative number', o.eps);
    if (checkFiniteNumber(`${where}.weightDecay`, o.weightDecay) < 0) throw rangeError(`${where}.weightDecay`, 'a non-negative number', o.weightDecay);
    checkBoolean(`${where}.amsgrad`, o.amsgrad);
    checkBoolean(`${where}.maximize`, o.maximize);
  }

  protected updateParameter(param: Float32Array, grad: Float32Array, state: ParamState, o: AdamOptions): void {
    const { lr, eps, weightDecay, amsgrad, maximize } = o;
    const [beta1, beta2] = o.betas;
    const step = ((state.step as number | undefined) ?? 0) + 1;
    state.step = step;
    const expAvg = buffer(state, 'expAvg', param.length);
    const expAvgSq = buffer(state, 'expAvgSq', param.length);
    const maxExpAvgSq = amsgrad ? buffer(state, 'maxExpAvgSq', param.length) : null;
    const stepSize = lr / (1 - beta1 ** step);
    const sqrtBias2 = Math.sqrt(1 - beta2 ** step);
    const sign = maximize ? -1 : 1;
    const shrink = this.decoupled ? 1 - lr * weightDecay : 1;
    const l2 = this.decoupled ? 0 : weightDecay;
    for (let i = 0; i < param.length; i++) {
      const p = param[i]! * shrink;
      const g = sign * grad[i]! + l2 * p;
      const m = (expAvg[i] = beta1 * expAvg[i]! + (1 - beta1) * g);
      let v = (expAvgSq[i] = beta2 * expAvgSq[i]! + (1 - beta2) * g * g);
      if (maxExpAvgSq !== null) v = maxExpAvgSq[i] = Math.max(maxExpAvgSq[i]!, v);
      param[i] = p - (stepSize * m) / (Math.sqrt(v) / sqrtBias2 + eps);
    }
  }
}

export class Adam extends AdamBase {
  protected readonly decoupled = false;
  constructor(params: Iterable<Tensor> | Iterable<ParamGroupSpec<AdamOptions>>, options: Partial<AdamOptions> = {}) {
    super(params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, ...checkOptions('options', options) }, NAMES);
  }
}

export class AdamW extends AdamBase {
  protected readonly decoupled = true;
  constructor(params: Iterable<Tensor> | Iterable<ParamGroupSpec<AdamOptions>>, options: Partial<AdamOptions> = {}) {
    super(params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false, maximize: false, ...checkOptions('options', options) }, NAMES);
  }
}
