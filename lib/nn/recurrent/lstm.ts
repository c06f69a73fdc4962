/**
 * LSTM, PyTorch's `nn.LSTM`: gates i, f, g, o (in that order in the weight rows),
 * c' = f ⊙ c + i ⊙ g, h' = o ⊙ tanh(c'). Only chooses the cell kind over RNNBase; the state is
 * [h, c]. (char-rnn's i,f,o,g order is not ours; PyTorch's is.)
 */
import { RNNBase, type RNNBaseOptions } from './base.js';
import type { Tensor } from '../../tensor/tensor.js';

export type LSTMOptions = RNNBaseOptions;

export class LSTM extends RNNBase<[Tensor, Tensor]> {
  constructor(options: LSTMOptions) {
    super('lstm', options);
  }
}
