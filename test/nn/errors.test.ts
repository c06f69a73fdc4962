/**
 * Bad input to the recurrent layers and cells: each throws a TypeError or RangeError whose message
 * names the argument, the expected and the given value (STYLE rule 6), before any kernel runs.
 */
import { describe, expect, it } from 'vitest';
import { GRU, GRUCell, LSTM, LSTMCell, RNN, RNNCell, Tensor, tensor, zeros } from '../../lib/index.js';

const T = 5;
const B = 3;
const I = 4;
const H = 2;

function expectError(fn: () => unknown, type: typeof TypeError | typeof RangeError, message: RegExp): void {
  expect(fn).toThrow(type);
  expect(fn).toThrow(message);
}

describe('layer options', () => {
  it('sizes must be positive integers', () => {
    expectError(() => new LSTM({ inputSize: I, hiddenSize: -3 }), RangeError, /hiddenSize must be a positive integer, got -3/);
    expectError(() => new LSTM({ inputSize: I, hiddenSize: 2.5 }), RangeError, /hiddenSize must be a positive integer, got 2.5/);
    expectError(() => new GRU({ inputSize: 0, hiddenSize: 2 }), RangeError, /inputSize must be a positive integer, got 0/);
    expectError(() => new GRU({ inputSize: '4' as unknown as number, hiddenSize: 2 }), TypeError, /inputSize must be a positive integer, got "4"/);
    expectError(() => new RNN({ inputSize: 1, hiddenSize: 1, numLayers: 0 }), RangeError, /numLayers must be a positive integer, got 0/);
    expectError(() => new LSTM({ hiddenSize: 2 } as never), TypeError, /inputSize must be a positive integer, got undefined/);
  });

  it('unknown option keys are rejected, naming the key', () => {
    expectError(() => new LSTM({ inputSize: I, hiddenSize: H, hiddenSzie: 3 } as never), RangeError, /LSTM options has an unknown option "hiddenSzie"/);
    expectError(() => new GRU({ inputSize: I, hiddenSize: H, nonlinearity: 'tanh' } as never), RangeError, /unknown option "nonlinearity"/);
    expectError(() => new LSTMCell({ inputSize: I, hiddenSize: H, numLayers: 2 } as never), RangeError, /LSTMCell options has an unknown option "numLayers"/);
  });

  it('dropout must be in [0, 1]; flags must be booleans; nonlinearity tanh or relu', () => {
    expectError(() => new LSTM({ inputSize: I, hiddenSize: H, dropout: 1.5 }), RangeError, /dropout must be a number in \[0, 1\], got 1.5/);
    expectError(() => new LSTM({ inputSize: I, hiddenSize: H, dropout: -0.1 }), RangeError, /dropout must be a number in \[0, 1\], got -0.1/);
    expectError(() => new LSTM({ inputSize: I, hiddenSize: H, bidirectional: 1 as unknown as boolean }), TypeError, /bidirectional must be a boolean, got 1/);
    expectError(() => new GRU({ inputSize: I, hiddenSize: H, batchFirst: 'yes' as unknown as boolean }), TypeError, /batchFirst must be a boolean/);
    expectError(() => new RNN({ inputSize: I, hiddenSize: H, nonlinearity: 'sigmoid' as never }), RangeError, /nonlinearity must be one of "tanh", "relu", got "sigmoid"/);
    expectError(() => new RNNCell({ inputSize: I, hiddenSize: H, nonlinearity: 'sigmoid' as never }), RangeError, /nonlinearity must be one of "tanh", "relu", got "sigmoid"/);
    expectError(() => new RNN({ inputSize: I, hiddenSize: H, rng: Math as never }), TypeError, /rng must be an Rng/);
    expectError(() => new RNN(undefined as never), TypeError, /inputSize/);
    expectError(() => new RNN(5 as never), TypeError, /options must be an options object, got 5/);
  });
});

describe('layer forward arguments', () => {
  const lstm = new LSTM({ inputSize: I, hiddenSize: H, numLayers: 2 });
  const gru = new GRU({ inputSize: I, hiddenSize: H, bidirectional: true });
  const x = zeros([T, B, I]);
  const state = (shape: number[]): Tensor => zeros(shape);

  it('x must be a Tensor of rank 3 (or 2) with inputSize features', () => {
    expectError(() => gru.forward(new Float32Array(60) as never), TypeError, /x must be a Tensor, got Float32Array\(60\)/);
    expectError(() => gru.forward(zeros([T, B, I, 1])), RangeError, /x must be a 3-D tensor \[T, B, I\] or a 2-D unbatched tensor \[T, I\], got Tensor of shape \[5, 3, 4, 1\]/);
    expectError(() => gru.forward(zeros([I])), RangeError, /x must be .*got Tensor of shape \[4\]/);
    expectError(() => gru.forward(zeros([T, B, I + 1])), RangeError, /x must have shape \[\*, \*, 4\], got \[5, 3, 5\]/);
    expectError(() => gru.forward(zeros([T, I + 1])), RangeError, /x must have shape \[\*, 4\], got \[5, 5\]/);
    expectError(() => gru.forward(zeros([0, B, I])), RangeError, /x must be at least one time step and one batch row/);
  });

  it('h0 / c0 must match [L·D, B, H]', () => {
    expectError(() => gru.forward(x, state([1, B, H])), RangeError, /h0 must have shape \[2, 3, 2\], got \[1, 3, 2\]/);
    expectError(() => gru.forward(x, state([2, B + 1, H])), RangeError, /h0 must have shape \[2, 3, 2\], got \[2, 4, 2\]/);
    expectError(() => gru.forward(x, new Float32Array(12) as never), TypeError, /h0 must be a Tensor of shape \[2, 3, 2\]/);
    expectError(() => lstm.forward(x, state([2, B, H]) as never), TypeError, /hx must be an array \[h0, c0\] of two Tensors/);
    expectError(() => lstm.forward(x, [state([2, B, H]), state([2, B, 3])]), RangeError, /c0 must have shape \[2, 3, 2\], got \[2, 3, 3\]/);
    expectError(() => lstm.forward(x, [state([1, B, H]), state([2, B, H])]), RangeError, /h0 must have shape \[2, 3, 2\]/);
    expectError(() => lstm.forward(zeros([T, I]), [state([2, B, H]), state([2, B, H])]), RangeError, /h0 must have shape \[2, 2\], got \[2, 3, 2\]/);
  });

  it('lengths must hold B integers in 1..T', () => {
    expectError(() => gru.forward(x, null, { lengths: [5, NaN, 2] }), RangeError, /lengths\[1\] must be an integer in \[1, 5\] \(T = 5\), got NaN/);
    expectError(() => gru.forward(x, null, { lengths: [5, 0, 2] }), RangeError, /lengths\[1\] must be an integer in \[1, 5\].*got 0/);
    expectError(() => gru.forward(x, null, { lengths: [5, 6, 2] }), RangeError, /lengths\[1\] must be an integer in \[1, 5\].*got 6/);
    expectError(() => gru.forward(x, null, { lengths: [5, 2.5, 2] }), RangeError, /lengths\[1\].*got 2.5/);
    expectError(() => gru.forward(x, null, { lengths: [5, 2] }), RangeError, /lengths must have 3 entries \(one per batch row\), got 2/);
    expectError(() => gru.forward(x, null, { lengths: new Int32Array([1, 2, 3, 4]) }), RangeError, /lengths must have 3 entries/);
    expectError(() => gru.forward(x, null, { lengths: '532' as never }), TypeError, /lengths must be a number\[\] or Int32Array of 3 integers in \[1, 5\], got "532"/);
    expectError(() => gru.forward(x, null, { lengths: ['5', 1, 1] as never }), RangeError, /lengths\[0\].*got "5"/);
    expectError(() => gru.forward(x, null, { lenghts: [5, 5, 5] } as never), RangeError, /forward options has an unknown option "lenghts"/);
  });
});

describe('cell forward arguments', () => {
  const cell = new LSTMCell({ inputSize: I, hiddenSize: H });
  const rnnCell = new RNNCell({ inputSize: I, hiddenSize: H });
  const gruCell = new GRUCell({ inputSize: I, hiddenSize: H });

  it('x must be [B, I] or [I]', () => {
    expectError(() => rnnCell.forward(zeros([1, B, I])), RangeError, /x must be a 2-D tensor \[B, I\] or a 1-D unbatched tensor \[I\], got Tensor of shape \[1, 3, 4\]/);
    expectError(() => gruCell.forward(zeros([B, I + 2])), RangeError, /x must have shape \[\*, 4\], got \[3, 6\]/);
    expectError(() => gruCell.forward([1, 2, 3, 4] as never), TypeError, /x must be a Tensor/);
  });

  it('states must be [B, H] (LSTMCell: [h, c])', () => {
    expectError(() => gruCell.forward(zeros([B, I]), zeros([B, H + 1])), RangeError, /h must have shape \[3, 2\], got \[3, 3\]/);
    expectError(() => cell.forward(zeros([B, I]), zeros([B, H]) as never), TypeError, /hx must be an array \[h, c\]/);
    expectError(() => cell.forward(zeros([B, I]), [zeros([B, H]), tensor([1, 2])]), RangeError, /c must have shape \[3, 2\], got \[2\]/);
  });
});
