/**
 * greedySearch and beamSearch on hand-built Markov "models" (the next-token distribution depends only
 * on the last token), where every score can be worked out by hand: beam search finds a sequence greedy
 * misses, beam width 1 is greedy exactly, EOS handling (rank rule, stop, maxLength cut), length penalty.
 * That the state follows each hypothesis through `reorder` is checked in seq2seq.test.ts, where a
 * beam's reported score is recomputed by teacher forcing.
 */
import { describe, expect, it } from 'vitest';
import { beamSearch, greedySearch, type SearchStep } from '../../../lib/index.js';
import { Rng } from '../../../lib/data/rng.js';

/** A step function from a table: probs[last][next]. The state counts calls (rows are independent). */
function markov(probs: number[][]): SearchStep<number[]> {
  return (tokens, state) => {
    const V = probs[0]!.length;
    const logProbs = new Float32Array(tokens.length * V);
    tokens.forEach((last, k) => probs[last]!.forEach((p, v) => (logProbs[k * V + v] = Math.log(p))));
    return { logProbs, state };
  };
}

const reorder = (state: number[], rows: Int32Array): number[] => Array.from(rows, (r) => state[r]!);

// Tokens: 0 EOS, 1 A, 2 B, 3 C, 4 BOS. Greedy takes A (0.55), after which nothing is likely; B (0.45)
// leads to EOS with 0.95. Greedy: A EOS = 0.55·0.4 = 0.22; best: B EOS = 0.45·0.95 = 0.4275.
const TABLE = [
  [1, 0, 0, 0, 0], // after EOS (never used)
  [0.4, 0.05, 0.25, 0.3, 0], // after A
  [0.95, 0.02, 0.02, 0.01, 0], // after B
  [0.5, 0.2, 0.2, 0.1, 0], // after C
  [0, 0.55, 0.45, 0, 0], // after BOS
];

describe('greedySearch', () => {
  it('takes the most likely token each step and scores the sum of log-probabilities', () => {
    const [h] = greedySearch({ step: markov(TABLE), initialState: [0], batchSize: 1, bosId: 4, eosId: 0 });
    expect(h!.tokens).toEqual([1]);
    expect(h!.finished).toBe(true);
    expect(h!.score).toBeCloseTo(Math.log(0.55) + Math.log(0.4), 5);
  });

  it('stops at maxLength with finished false', () => {
    const loop = [[0, 0, 1], [0, 0, 1], [0, 0, 1]]; // always token 2, never EOS
    const [h] = greedySearch({ step: markov(loop), initialState: [0], batchSize: 1, bosId: 1, eosId: 0, maxLength: 3 });
    expect(h).toMatchObject({ tokens: [2, 2, 2], finished: false });
  });
});

describe('beamSearch', () => {
  it('finds a higher-scoring sequence than greedy on a constructed case', () => {
    const [best] = beamSearch({ step: markov(TABLE), reorder, initialState: [0], bosId: 4, eosId: 0, beamWidth: 2 });
    expect(best!.tokens).toEqual([2]);
    expect(best!.score).toBeCloseTo(Math.log(0.45 * 0.95), 5);
    const [greedy] = greedySearch({ step: markov(TABLE), initialState: [0], batchSize: 1, bosId: 4, eosId: 0 });
    expect(best!.score).toBeGreaterThan(greedy!.score);
  });

  it('returns up to beamWidth finished hypotheses, best first', () => {
    const all = beamSearch({ step: markov(TABLE), reorder, initialState: [0], bosId: 4, eosId: 0, beamWidth: 2 });
    expect(all.map((h) => h.tokens)).toEqual([[2], [1]]);
    expect(all.every((h) => h.finished)).toBe(true);
  });

  it('beam width 1 equals greedy on random tables', () => {
    const rng = new Rng(5);
    for (let trial = 0; trial < 30; trial++) {
      const V = 2 + rng.int(6);
      const table = Array.from({ length: V }, () => {
        const row = Array.from({ length: V }, () => rng.random() + 1e-3);
        const total = row.reduce((a, v) => a + v, 0);
        return row.map((v) => v / total);
      });
      const options = { step: markov(table), initialState: [0], bosId: V - 1, eosId: 0, maxLength: 8 };
      const [beam] = beamSearch({ ...options, reorder, beamWidth: 1 });
      const [greedy] = greedySearch({ ...options, batchSize: 1 });
      expect(beam!.tokens).toEqual(greedy!.tokens);
      expect(beam!.finished).toBe(greedy!.finished);
      expect(beam!.score).toBeCloseTo(greedy!.score, 5);
    }
  });

  it('an EOS ranked below the beam does not finish a hypothesis', () => {
    // From BOS: A 0.6, B 0.3, EOS 0.1. With width 1 the EOS candidate ranks 3rd: it must not win.
    const table = [[1, 0, 0, 0], [0.9, 0.05, 0.05, 0], [0.9, 0.05, 0.05, 0], [0.1, 0.6, 0.3, 0]];
    const [best] = beamSearch({ step: markov(table), reorder, initialState: [0], bosId: 3, eosId: 0, beamWidth: 1 });
    expect(best!.tokens).toEqual([1]);
  });

  it('lengthPenalty > 0 can prefer a longer hypothesis', () => {
    // BOS → EOS 0.5 | A 0.5; A → EOS 0.9. Raw: [] scores log 0.5 > [A] log 0.45; with α = 1, per token:
    // log 0.5 / 1 = −0.69 < log 0.45 / 2 = −0.40.
    const table = [[1, 0, 0], [0.9, 0.1, 0], [0.5, 0.5, 0]];
    const raw = beamSearch({ step: markov(table), reorder, initialState: [0], bosId: 2, eosId: 0, beamWidth: 2 });
    expect(raw[0]!.tokens).toEqual([]);
    const penalized = beamSearch({ step: markov(table), reorder, initialState: [0], bosId: 2, eosId: 0, beamWidth: 2, lengthPenalty: 1 });
    expect(penalized[0]!.tokens).toEqual([1]);
    expect(penalized[0]!.normalizedScore).toBeCloseTo(Math.log(0.45) / 2, 5);
  });

  it('rejects bad options', () => {
    const base = { step: markov(TABLE), reorder, initialState: [0], bosId: 4, eosId: 0 };
    expect(() => beamSearch({ ...base, beamWidth: 0 })).toThrow(/beamWidth must be a positive integer, got 0/);
    expect(() => beamSearch({ ...base, eosId: 9 })).toThrow(/eosId must be a token id below the vocabulary size 5, got 9/);
    expect(() => beamSearch({ ...base, beamsize: 2 } as never)).toThrow(/unknown option "beamsize"/);
    expect(() => greedySearch({ step: markov(TABLE), initialState: [0], batchSize: 0, bosId: 4, eosId: 0 })).toThrow(/batchSize must be a positive integer/);
  });
});
