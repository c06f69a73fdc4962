/**
 * Dropout: the module (identity in eval mode, masks in training mode) and dropout between stacked
 * recurrent layers (active only in training, never after the last layer).
 */
import { describe, expect, it } from 'vitest';
import { Dropout, GRU, LSTM, tensor } from '../../lib/index.js';
import { Rng } from '../../lib/data/rng.js';
import { randomData } from '../helpers/shapes.js';

describe('Dropout module', () => {
  it('training: zeroes some elements and scales the rest by 1/(1−p); eval: identity', () => {
    const x = tensor(new Float32Array(1000).fill(1), [10, 100]);
    const drop = new Dropout({ p: 0.25, rng: new Rng(3) });
    const y = drop.forward(x);
    const values = new Set(Array.from(y.data));
    expect([...values].sort()).toEqual([0, 1 / 0.75].map(Math.fround).sort());
    const zeroCount = y.data.filter((v) => v === 0).length;
    expect(zeroCount).toBeGreaterThan(150);
    expect(zeroCount).toBeLessThan(350);
    drop.eval();
    expect(Array.from(drop.forward(x).data)).toEqual(Array.from(x.data));
  });

  it('checks p', () => {
    expect(() => new Dropout({ p: 1.5 })).toThrow(/p must be a number in \[0, 1\], got 1.5/);
    expect(() => new Dropout({ q: 0.1 } as never)).toThrow(/unknown option "q"/);
  });
});

describe('dropout between recurrent layers', () => {
  const make = (dropout: number): LSTM => new LSTM({ inputSize: 3, hiddenSize: 8, numLayers: 2, dropout, rng: new Rng(5) });
  const x = tensor(randomData(new Rng(6), 4 * 2 * 3), [4, 2, 3]);

  it('training mode with dropout 0.5 changes the output; eval mode matches dropout 0', () => {
    const withDropout = make(0.5);
    const without = make(0);
    expect(withDropout.stateDict()).toEqual(without.stateDict()); // same seed, same weights
    const [reference] = without.forward(x);
    const [trained] = withDropout.forward(x);
    expect(Array.from(trained.data)).not.toEqual(Array.from(reference.data));
    withDropout.eval();
    const [evaluated] = withDropout.forward(x);
    expect(Array.from(evaluated.data)).toEqual(Array.from(reference.data));
  });

  it('a single layer has nothing to drop between layers: training output equals dropout 0', () => {
    const one = new GRU({ inputSize: 3, hiddenSize: 4, dropout: 0.9, rng: new Rng(9) });
    const plain = new GRU({ inputSize: 3, hiddenSize: 4, rng: new Rng(9) });
    expect(Array.from(one.forward(x)[0].data)).toEqual(Array.from(plain.forward(x)[0].data));
  });
});
