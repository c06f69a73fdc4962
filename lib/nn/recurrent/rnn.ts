/**
 * RNN: Elman network h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (or relu), PyTorch's `nn.RNN`. Only
 * chooses the cell kind over RNNBase (base.ts has the options, parameters and layer loop).
 */
import { RNNBase, type RNNBaseOptions } from './base.js';
import type { Tensor } from '../../tensor/tensor.js';
import { checkOneOf, checkOptions } from '../../util/check.js';

export interface RNNOptions extends RNNBaseOptions {
  /** 'tanh' (default) or 'relu'. */
  nonlinearity?: 'tanh' | 'relu';
}

export class RNN extends RNNBase<Tensor> {
  readonly nonlinearity: 'tanh' | 'relu';

  constructor(options: RNNOptions) {
    super(`rnn_${rnnNonlinearity(options)}`, options, ['nonlinearity']);
    this.nonlinearity = this.cell === 'rnn_relu' ? 'relu' : 'tanh';
  }
}

/** Checked `nonlinearity` option (shared with RNNCell). */
export function rnnNonlinearity(options: { nonlinearity?: unknown } | undefined): 'tanh' | 'relu' {
  return checkOneOf('nonlinearity', checkOptions('options', options).nonlinearity ?? 'tanh', ['tanh', 'relu']);
}
