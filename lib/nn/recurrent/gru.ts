/**
 * GRU, PyTorch's `nn.GRU`: gates r, z, n with n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)) and
 * h' = (1 − z) ⊙ n + z ⊙ h. Only chooses the cell kind over RNNBase. (char-rnn's GRU applies r
 * before the projection; that is not our layout.)
 */
import { RNNBase, type RNNBaseOptions } from './base.js';
import type { Tensor } from '../../tensor/tensor.js';

export type GRUOptions = RNNBaseOptions;

export class GRU extends RNNBase<Tensor> {
  constructor(options: GRUOptions) {
    super('gru', options);
  }
}
