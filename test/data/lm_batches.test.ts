/**
 * languageModelBatches: the char-rnn layout. Row b of batch k+1 starts where row b of batch k ended,
 * y is x shifted by one, the last partial batch, batch-first, and argument checks. Expected values
 * follow from tokens[i] = i, so each entry's value is its position in the stream.
 */
import { describe, expect, it } from 'vitest';
import { languageModelBatches } from '../../lib/data/lm_batches.js';

const iota = (n: number) => Int32Array.from({ length: n }, (_, i) => i);
/** [T, B] tensor data → rows per batch column b: value at (t, b). */
const at = (data: Float32Array, B: number, t: number, b: number) => data[t * B + b]!;

describe('languageModelBatches', () => {
  it('lays 3 contiguous rows out time-major, targets shifted by one (hand-computed)', () => {
    // N = 20, B = 3 → L = floor(19 / 3) = 6; rows: [0..6), [6..12), [12..18); T = 4 → batches of 4 and 2 steps
    const batches = languageModelBatches(iota(20), 3, 4);
    expect(batches.rowLength).toBe(6);
    expect(batches.length).toBe(2);
    const [first, second] = [...batches];
    expect(first!.x.shape).toEqual([4, 3]);
    expect(Array.from(first!.x.data)).toEqual([0, 6, 12, 1, 7, 13, 2, 8, 14, 3, 9, 15]);
    expect(Array.from(first!.y.data)).toEqual([1, 7, 13, 2, 8, 14, 3, 9, 15, 4, 10, 16]);
    expect(second!.x.shape).toEqual([2, 3]); // the last partial batch
    expect(Array.from(second!.x.data)).toEqual([4, 10, 16, 5, 11, 17]);
    expect(Array.from(second!.y.data)).toEqual([5, 11, 17, 6, 12, 18]);
  });

  it('continues every row across batches and shifts y by one everywhere', () => {
    const tokens = iota(1000);
    const B = 7;
    const T = 9;
    const batches = languageModelBatches(tokens, B, T);
    let previous: Float32Array | null = null;
    let steps = 0;
    for (const { x, y, index } of batches) {
      const Tk = x.shape[0]!;
      for (let b = 0; b < B; b++) {
        for (let t = 0; t < Tk; t++) expect(at(y.data, B, t, b)).toBe(at(x.data, B, t, b) + 1);
        // row b of this batch starts right after row b of the previous one ended
        if (previous !== null) expect(at(x.data, B, 0, b)).toBe(at(previous, B, T - 1, b) + 1);
      }
      expect(index).toBe(steps / T);
      previous = x.data;
      steps += Tk;
    }
    expect(steps).toBe(batches.rowLength); // every row position visited once
    expect(batches.rowLength).toBe(Math.floor(999 / 7));
  });

  it('drops the last partial batch on request and supports batch-first', () => {
    const dropped = languageModelBatches(iota(20), 3, 4, { dropLast: true });
    expect(dropped.length).toBe(1);
    const bf = languageModelBatches(iota(20), 3, 4, { batchFirst: true }).get(0);
    expect(bf.x.shape).toEqual([3, 4]);
    expect(Array.from(bf.x.data)).toEqual([0, 1, 2, 3, 6, 7, 8, 9, 12, 13, 14, 15]);
    expect(Array.from(bf.y.data)).toEqual([1, 2, 3, 4, 7, 8, 9, 10, 13, 14, 15, 16]);
    // exact multiple: no partial batch either way
    expect(languageModelBatches(iota(13), 3, 2).length).toBe(2);
  });

  it('handles the smallest streams: one token per row, one step per batch', () => {
    const batches = languageModelBatches([5, 6, 7], 2, 10); // L = 1
    expect(batches.length).toBe(1);
    const { x, y } = batches.get(0);
    expect(x.shape).toEqual([1, 2]);
    expect(Array.from(x.data)).toEqual([5, 6]);
    expect(Array.from(y.data)).toEqual([6, 7]);
  });

  it('rejects bad arguments', () => {
    expect(() => languageModelBatches([1, 2], 2, 1)).toThrow(/tokens must be at least batchSize \+ 1 = 3 tokens/);
    expect(() => languageModelBatches(iota(10), 0, 1)).toThrow(/batchSize must be a positive integer, got 0/);
    expect(() => languageModelBatches(iota(10), 2, 1.5)).toThrow(/seqLen must be a positive integer, got 1.5/);
    expect(() => languageModelBatches([0, 1, -2], 1, 1)).toThrow(/tokens\[2\] must be a non-negative integer id, got -2/);
    expect(() => languageModelBatches('abc' as never, 1, 1)).toThrow(/tokens must be an Int32Array or number\[\]/);
    expect(() => languageModelBatches(iota(10), 3, 4, { dropLast: true })).toThrow(/seqLen must be at most the row length 3/);
    expect(() => languageModelBatches(iota(20), 3, 4).get(2)).toThrow(/index must be an integer in \[0, 1\], got 2/);
  });
});
