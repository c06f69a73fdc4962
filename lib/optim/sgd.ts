/**
 * Stochastic gradient descent with momentum, dampening, Nesterov and weight decay: the update of
 * torch.optim.SGD (PyTorch 1.13), including its first-step rule (the momentum buffer starts as the
 * gradient itself, undamped).
 */
import type { Tensor } from '../tensor/tensor.js';
import { Optimizer, buffer, type ParamGroupSpec, type ParamState } from './optimizer.js';
import { checkBoolean, checkFiniteNumber, checkOptions, rangeError } from '../util/check.js';

export interface SGDOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
}

const NAMES = ['lr', 'momentum', 'dampening', 'weightDecay', 'nesterov', 'maximize'] as const;

export class SGD extends Optimizer<SGDOptions> {
  constructor(params: Iterable<Tensor> | Iterable<ParamGroupSpec<SGDOptions>>, options: Partial<SGDOptions> & { lr: number }) {
    const opts = checkOptions('options', options);
    if (opts.lr === undefined) throw rangeError('options.lr', 'a learning rate (SGD has no default, as in PyTorch)', undefined);
    super(params, { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, ...opts }, NAMES);
  }

  protected checkGroupOptions(o: SGDOptions, where: string): void {
    if (checkFiniteNumber(`${where}.lr`, o.lr) < 0) throw rangeError(`${where}.lr`, 'a non-negative number', o.lr);
    if (checkFiniteNumber(`${where}.momentum`, o.momentum) < 0) throw rangeError(`${where}.momentum`, 'a non-negative number', o.momentum);
    checkFiniteNumber(`${where}.dampening`, o.dampening);
    if (checkFiniteNumber(`${where}.weightDecay`, o.weightDecay) < 0) throw rangeError(`${where}.weightDecay`, 'a non-negative number', o.weightDecay);
    checkBoolean(`${where}.nesterov`, o.nesterov);
    checkBoolean(`${where}.maximize`, o.maximize);
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      throw new RangeError(`${where}.nesterov needs momentum > 0 and dampening 0, got momentum ${o.momentum}, dampening ${o.dampening}`);
    }
  }

  protected updateParameter(param: Float32Array, grad: Float32Array, state: ParamState, o: SGDOptions): void {
    const { lr, momentum, dampening, weightDecay, nesterov, maximize } = o;
    const sign = maximize ? -1 : 1;
    const first = state.momentumBuffer === undefined;
    const buf = momentum !== 0 ? buffer(state, 'momentumBuffer', param.length) : null;
    for (let i = 0; i < param.length; i++) {
      let d = sign * grad[i]! + weightDecay * param[i]!;
      if (buf !== null) {
        buf[i] = first ? d : momentum * buf[i]! + (1 - dampening) * d;
        d = nesterov ? d + momentum * buf[i]! : buf[i]!;
      }
      param[i]! -= lr * d;
    }
  }
}
