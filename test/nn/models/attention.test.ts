/**
 * Attention: for each score ('dot', 'general', 'additive') the weights are exactly 0 at padded source
 * positions and sum to 1 over the valid ones; weights and context equal a float64 computation by
 * hand from the definitions (softmax of the scores over valid positions, context = Σ w·memory);
 * gradcheck w.r.t. queries, memory and parameters with padding; bad options.
 */
import { describe, expect, it } from 'vitest';
import { Attention, Tensor } from '../../../lib/index.js';
import { Rng } from '../../../lib/data/rng.js';
import { gradcheck } from '../../helpers/gradcheck.js';
import { expectClose } from '../../helpers/close.js';
import { randomData } from '../../helpers/shapes.js';

const B = 3; const S = 4; const Tq = 2; const H = 3;
const LENGTHS = [4, 2, 1];

/** Score of query q [Hq] against key k [E] by the definitions, in float64. */
function scoreByHand(att: Attention, q: ArrayLike<number>, k: ArrayLike<number>): number {
  const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => Array.from(a).reduce((s, v, i) => s + v * b[i]!, 0);
  const matvec = (w: Tensor, x: ArrayLike<number>): number[] => {
    const [rows, cols] = w.shape as [number, number];
    return Array.from({ length: rows }, (_, r) => dot(w.data.subarray(r * cols, (r + 1) * cols), x));
  };
  if (att.kind === 'dot') return dot(q, k);
  if (att.kind === 'general') return dot(q, matvec(att.keyLayer!.weight, k));
  const wq = matvec(att.queryLayer!.weight, q);
  const wk = matvec(att.keyLayer!.weight, k);
  return dot(att.energyLayer!.weight.data, wq.map((v, i) => Math.tanh(v + wk[i]!)));
}

describe('Attention', () => {
  for (const kind of ['dot', 'general', 'additive'] as const) {
    it(`${kind}: masked weights (exactly 0 at padding, sum 1) and context match a hand computation`, () => {
      const E = kind === 'dot' ? H : 5;
      const att = new Attention({ kind, queryDim: H, keyDim: E, attentionDim: 4, rng: new Rng(1) });
      const rng = new Rng(2);
      const query = new Tensor(randomData(rng, B * Tq * H, 2), [B, Tq, H]);
      const memory = new Tensor(randomData(rng, S * B * E, 2), [S, B, E]);
      const { context, weights } = att.forward(query, memory, LENGTHS);
      expect(weights.shape).toEqual([B, Tq, S]);
      expect(context.shape).toEqual([B, Tq, E]);
      const expectedWeights: number[] = [];
      const expectedContext: number[] = [];
      for (let b = 0; b < B; b++) {
        for (let t = 0; t < Tq; t++) {
          const q = query.data.subarray((b * Tq + t) * H, (b * Tq + t + 1) * H);
          const key = (s: number): Float32Array => memory.data.subarray((s * B + b) * E, (s * B + b + 1) * E);
          const scores = Array.from({ length: LENGTHS[b]! }, (_, s) => scoreByHand(att, q, key(s)));
          const max = Math.max(...scores);
          const exps = scores.map((v) => Math.exp(v - max));
          const total = exps.reduce((a, v) => a + v, 0);
          const w = Array.from({ length: S }, (_, s) => (s < LENGTHS[b]! ? exps[s]! / total : 0));
          expectedWeights.push(...w);
          for (let e = 0; e < E; e++) expectedContext.push(w.reduce((acc, ws, s) => acc + ws * key(s)[e]!, 0));

          const row = weights.data.subarray((b * Tq + t) * S, (b * Tq + t + 1) * S);
          for (let s = LENGTHS[b]!; s < S; s++) expect(row[s]).toBe(0);
          expect(Math.abs(row.reduce((a, v) => a + v, 0) - 1)).toBeLessThan(1e-6);
        }
      }
      expectClose(weights.data, expectedWeights, `${kind} weights`);
      expectClose(context.data, expectedContext, `${kind} context`);
    });

    it(`${kind}: gradcheck w.r.t. query, memory and parameters, with padding`, () => {
      const E = kind === 'dot' ? H : 2;
      const att = new Attention({ kind, queryDim: H, keyDim: E, attentionDim: 2, rng: new Rng(3) });
      const rng = new Rng(4);
      const query = new Tensor(randomData(rng, B * Tq * H), [B, Tq, H], { requiresGrad: true });
      const memory = new Tensor(randomData(rng, S * B * E), [S, B, E], { requiresGrad: true });
      gradcheck(() => {
        const { context, weights } = att.forward(query, memory, LENGTHS);
        return [context, weights];
      }, [query, memory, ...att.parameters()]);
      // Padded memory positions receive no gradient at all.
      for (let b = 0; b < B; b++) {
        for (let s = LENGTHS[b]!; s < S; s++) {
          expect([...memory.grad!.data.subarray((s * B + b) * E, (s * B + b + 1) * E)]).toEqual(new Array(E).fill(0));
        }
      }
    });
  }

  it('names its parameters after the annotated encoder-decoder', () => {
    expect(new Attention({ kind: 'additive', queryDim: 3, keyDim: 4, attentionDim: 5 }).namedParameters().map(([n, p]) => `${n}:${p.shape}`))
      .toEqual(['queryLayer.weight:5,3', 'keyLayer.weight:5,4', 'energyLayer.weight:1,5']);
    expect(new Attention({ kind: 'general', queryDim: 3, keyDim: 4 }).namedParameters().map(([n, p]) => `${n}:${p.shape}`))
      .toEqual(['keyLayer.weight:3,4']);
    expect(new Attention({ kind: 'dot', queryDim: 3, keyDim: 3 }).numParameters()).toBe(0);
  });

  it('rejects bad options and shapes', () => {
    expect(() => new Attention({ kind: 'dot', queryDim: 3, keyDim: 4 })).toThrow(/keyDim must be equal to queryDim \(3\) for 'dot' attention/);
    expect(() => new Attention({ kind: 'concat' as never, queryDim: 3, keyDim: 4 })).toThrow(/kind must be one of "dot", "general", "additive"/);
    const att = new Attention({ kind: 'general', queryDim: 3, keyDim: 4 });
    const memory = new Tensor(new Float32Array(2 * 2 * 4), [2, 2, 4]);
    expect(() => att.forward(new Tensor(new Float32Array(2 * 3), [2, 1, 3]), new Tensor(new Float32Array(8), [2, 2, 2]))).toThrow(/memory must have shape \[\*, \*, 4\]/);
    expect(() => att.forward(new Tensor(new Float32Array(3 * 3), [3, 1, 3]), memory)).toThrow(/query must have shape \[2, \*, 3\], got \[3, 1, 3\]/);
    expect(() => att.forward(new Tensor(new Float32Array(2 * 3), [2, 1, 3]), memory, [3, 1])).toThrow(/lengths\[0\] must be an integer in \[1, 2\]/);
  });
});
