/**
 * The shared helpers of the sequence models: choosing the recurrent layer, reading [T, B] token ids,
 * the top layer's state, and selecting batch rows (beam search's reorder) with its gradient.
 */
import { describe, expect, it } from 'vitest';
import { GRU, LSTM, RNN, Tensor, tensor } from '../../../lib/index.js';
import { checkTokens, createRecurrent, selectRows, selectStateRows, topHidden } from '../../../lib/nn/models/common.js';

describe('models/common', () => {
  it('createRecurrent picks the layer by name', () => {
    expect(createRecurrent('lstm', { inputSize: 2, hiddenSize: 3 })).toBeInstanceOf(LSTM);
    expect(createRecurrent('gru', { inputSize: 2, hiddenSize: 3 })).toBeInstanceOf(GRU);
    const rnn = createRecurrent('rnn', { inputSize: 2, hiddenSize: 3 });
    expect(rnn).toBeInstanceOf(RNN);
    expect((rnn as RNN).nonlinearity).toBe('tanh');
  });

  it('checkTokens reads [T, B] ids and checks their range', () => {
    expect(checkTokens('x', tensor([[1, 2, 3], [4, 5, 0]]), 6)).toEqual({ ids: Int32Array.from([1, 2, 3, 4, 5, 0]), T: 2, B: 3 });
    expect(() => checkTokens('x', [[1, 6]], 6)).toThrow(/x must hold token ids in \[0, 5\], got 6 at flat index 1/);
    expect(() => checkTokens('x', tensor([0.5]), 6)).toThrow(/x must hold integer values/);
    expect(() => checkTokens('x', [1, 2], 6)).toThrow(/x must have shape \[T, B\] with T, B >= 1, got \[2\]/);
  });

  it('topHidden is the last layer of h, [B, H]', () => {
    const h = new Tensor(Float32Array.from({ length: 2 * 3 * 2 }, (_, i) => i), [2, 3, 2]);
    expect([...topHidden(h).data]).toEqual([6, 7, 8, 9, 10, 11]);
    expect(topHidden([h, h]).shape).toEqual([3, 2]);
  });

  it('selectRows gathers batch rows (repeats allowed) and scatters the gradient back', () => {
    const state = new Tensor(Float32Array.from({ length: 2 * 3 * 2 }, (_, i) => i), [2, 3, 2], { requiresGrad: true });
    const picked = selectRows(state, [2, 2, 0]);
    expect(picked.shape).toEqual([2, 3, 2]);
    expect([...picked.data]).toEqual([4, 5, 4, 5, 0, 1, 10, 11, 10, 11, 6, 7]);
    picked.sum().backward();
    expect([...state.grad!.data]).toEqual([1, 1, 0, 0, 2, 2, 1, 1, 0, 0, 2, 2]);
    const [h, c] = selectStateRows([state.detach(), state.detach()] as [Tensor, Tensor], [1]);
    expect(h.shape).toEqual([2, 1, 2]);
    expect([...c.data]).toEqual([2, 3, 8, 9]);
    // Along dim 0 (a batch-major [B, S, E] attention memory).
    expect([...selectRows(new Tensor(Float32Array.from([1, 2, 3, 4]), [2, 1, 2]), [1, 1, 0], 0).data]).toEqual([3, 4, 3, 4, 1, 2]);
  });
});
