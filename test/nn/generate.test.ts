/**
 * sample / sampleRows: temperature 0, topK 1 and a tiny topP are argmax; a seed reproduces the draws;
 * top-k / top-p never emit an excluded token; the empirical distribution of many draws matches the
 * softmax (with temperature, after top-k, after top-p renormalisation) worked out by hand.
 * generate: streams maxTokens tokens, feeds the prompt once and then one token per call (no prefix
 * recomputation), and its carried-state logits equal a full-sequence recomputation; stops at EOS;
 * restores training mode; yields to the event loop between tokens.
 */
import { describe, expect, it } from 'vitest';
import { LanguageModel, Tensor, generate, sample, sampleRows, tensor, type StreamingModel } from '../../lib/index.js';
import type { RecurrentState } from '../../lib/index.js';
import { Rng } from '../../lib/data/rng.js';
import { expectClose } from '../helpers/close.js';
import { randomData } from '../helpers/shapes.js';

const LOGITS = [1.0, 2.5, -0.5, 2.0, 0.3]; // order by size: 1, 3, 0, 4, 2

function softmax(values: number[], temperature = 1): number[] {
  const max = Math.max(...values);
  const e = values.map((v) => Math.exp((v - max) / temperature));
  const total = e.reduce((a, v) => a + v, 0);
  return e.map((v) => v / total);
}

function frequencies(draw: () => number, V: number, n: number): number[] {
  const counts = new Array<number>(V).fill(0);
  for (let i = 0; i < n; i++) counts[draw()]!++;
  return counts.map((c) => c / n);
}

/** Each empirical frequency within 4 standard errors of p (and exactly 0 where p is 0). */
function expectDistribution(freq: number[], p: number[], n: number): void {
  p.forEach((pi, v) => {
    if (pi === 0) expect(freq[v], `token ${v} is excluded`).toBe(0);
    else expect(Math.abs(freq[v]! - pi), `token ${v}: freq ${freq[v]} vs p ${pi}`).toBeLessThan(4 * Math.sqrt((pi * (1 - pi)) / n) + 1e-9);
  });
}

describe('sample', () => {
  it('temperature 0, topK 1 and a tiny topP are argmax', () => {
    const rng = new Rng(1);
    for (let trial = 0; trial < 50; trial++) {
      const logits = Array.from(randomData(rng, 1 + rng.int(20), 3));
      const best = logits.indexOf(Math.max(...logits));
      expect(sample(logits, { temperature: 0, rng })).toBe(best);
      expect(sample(logits, { topK: 1, rng })).toBe(best);
      expect(sample(logits, { topP: 1e-9, rng })).toBe(best);
      expect(sample(tensor(logits), { temperature: 0 })).toBe(best);
    }
  });

  it('is reproducible with a seed', () => {
    const draws = (seed: number): number[] => {
      const rng = new Rng(seed);
      return Array.from({ length: 40 }, () => sample(LOGITS, { rng, temperature: 1.3, topK: 4, topP: 0.95 }));
    };
    expect(draws(7)).toEqual(draws(7));
    expect(draws(7)).not.toEqual(draws(8));
  });

  const N = 40_000;
  it('matches softmax(logits / τ) empirically', () => {
    for (const temperature of [1, 0.5, 2]) {
      const rng = new Rng(2);
      expectDistribution(frequencies(() => sample(LOGITS, { rng, temperature }), 5, N), softmax(LOGITS, temperature), N);
    }
  });

  it('topK keeps exactly the k most likely tokens, renormalised', () => {
    const rng = new Rng(3);
    const p = softmax([LOGITS[1]!, LOGITS[3]!]); // top 2: tokens 1 and 3
    expectDistribution(frequencies(() => sample(LOGITS, { rng, topK: 2 }), 5, N), [0, p[0]!, 0, p[1]!, 0], N);
  });

  it('topP keeps the shortest most-likely prefix reaching p, renormalised', () => {
    const full = softmax(LOGITS); // ≈ [0.112, 0.503, 0.025, 0.305, 0.056]
    const order = [1, 3, 0, 4, 2];
    // Cumulative in that order: 0.503, 0.807, 0.919, … → topP 0.85 keeps tokens 1, 3, 0.
    expect(full[1]! + full[3]!).toBeLessThan(0.85);
    expect(full[1]! + full[3]! + full[0]!).toBeGreaterThanOrEqual(0.85);
    const keptMass = full[1]! + full[3]! + full[0]!;
    const expected = full.map((pv, v) => (order.slice(0, 3).includes(v) ? pv / keptMass : 0));
    const rng = new Rng(4);
    expectDistribution(frequencies(() => sample(LOGITS, { rng, topP: 0.85 }), 5, N), expected, N);
  });

  it('topK then topP: topP applies to the renormalised top-k distribution', () => {
    // top 3 (1, 3, 0) renormalised: token 1 ≈ 0.546, 1+3 ≈ 0.878 → topP 0.6 keeps 1 and 3.
    const top3 = softmax([LOGITS[1]!, LOGITS[3]!, LOGITS[0]!]);
    expect(top3[0]!).toBeLessThan(0.6);
    const p = softmax([LOGITS[1]!, LOGITS[3]!]);
    const rng = new Rng(5);
    expectDistribution(frequencies(() => sample(LOGITS, { rng, topK: 3, topP: 0.6 }), 5, N), [0, p[0]!, 0, p[1]!, 0], N);
  });

  it('never emits an excluded token, even with ties and extreme logits', () => {
    const rng = new Rng(6);
    const logits = [5, 5, 5, -Infinity, 80, 80, -80];
    for (let i = 0; i < 2000; i++) {
      expect([4, 5]).toContain(sample(logits, { rng, topK: 2 }));
      expect([0, 1, 2, 4, 5, 6]).toContain(sample(logits, { rng, temperature: 1e3 }));
    }
    // Ties at the top-k boundary go to the lower id: tokens 0 and 1 of three equal ones.
    for (let i = 0; i < 500; i++) expect([0, 1]).toContain(sample([1, 1, 1], { rng, topK: 2 }));
  });

  it('sampleRows draws one token per row', () => {
    const logits = new Tensor(Float32Array.from([0, 10, 0, 10, 0, 0]), [2, 3]);
    expect([...sampleRows(logits, { temperature: 0 })]).toEqual([1, 0]);
  });

  it('rejects bad options and logits', () => {
    expect(() => sample(LOGITS, { temperature: -1 })).toThrow(/temperature must be a number in \[0, Infinity\], got -1/);
    expect(() => sample(LOGITS, { topP: 0 })).toThrow(/topP must be a number in \(0, 1\], got 0/);
    expect(() => sample(LOGITS, { topK: 1.5 })).toThrow(/topK must be a non-negative integer, got 1.5/);
    expect(() => sample(LOGITS, { rng: Math.random } as never)).toThrow(/rng must be an Rng/);
    expect(() => sample([1, NaN])).toThrow(/logits must be numbers, not NaN/);
    expect(() => sample([])).toThrow(/logits must be at least one value/);
    expect(() => sample(new Tensor(new Float32Array(4), [2, 2]))).toThrow(/use sampleRows/);
  });
});

/** Records every call's input shape and the logits it returned. */
function spy(model: LanguageModel): StreamingModel & { calls: { shape: number[]; last: Float32Array }[] } {
  const calls: { shape: number[]; last: Float32Array }[] = [];
  return {
    calls,
    get training() { return model.training; },
    set training(v: boolean) { model.training = v; },
    train: (mode?: boolean) => model.train(mode),
    forward: (tokens: Tensor, state?: RecurrentState | null) => {
      const [logits, next] = model.forward(tokens, state);
      const V = logits.shape[2]!;
      calls.push({ shape: tokens.shape.slice(), last: logits.data.slice(logits.size - V) });
      return [logits, next];
    },
  };
}

async function collect(iterable: AsyncIterable<number>): Promise<number[]> {
  const out: number[] = [];
  for await (const token of iterable) out.push(token);
  return out;
}

describe('generate', () => {
  const V = 12;
  const lm = (): LanguageModel => new LanguageModel({ vocabSize: V, embeddingDim: 6, hiddenSize: 8, numLayers: 2, dropout: 0.3, rng: new Rng(9) });
  const PROMPT = [3, 1, 4, 1, 5];

  it('streams maxTokens tokens, reading the prompt once and then one token per step', async () => {
    const model = spy(lm());
    const tokens = await collect(generate(model, PROMPT, { maxTokens: 6, rng: new Rng(1) }));
    expect(tokens.length).toBe(6);
    expect(model.calls.map((c) => c.shape)).toEqual([[5, 1], [1, 1], [1, 1], [1, 1], [1, 1], [1, 1]]);
  });

  it('the carried state gives the logits of a full-sequence recomputation', async () => {
    const base = lm();
    const model = spy(base);
    const tokens = await collect(generate(model, PROMPT, { maxTokens: 5, temperature: 0.8, rng: new Rng(2) }));
    base.eval();
    for (let n = 0; n < tokens.length; n++) {
      // The logits that produced token n come after the prompt and tokens 0..n−1.
      const prefix = [...PROMPT, ...tokens.slice(0, n)];
      const [full] = base.forward(new Tensor(Float32Array.from(prefix), [prefix.length, 1]));
      expectClose(model.calls[n]!.last, full.data.slice(full.size - V), `step ${n}`);
    }
    // With temperature 0 the streamed tokens are the argmax of the full recomputation.
    const greedy = await collect(generate(base, PROMPT, { maxTokens: 5, temperature: 0 }));
    const context = [...PROMPT];
    for (const token of greedy) {
      const [full] = base.forward(new Tensor(Float32Array.from(context), [context.length, 1]));
      const last = [...full.data.slice(full.size - V)];
      expect(token).toBe(last.indexOf(Math.max(...last)));
      context.push(token);
    }
  });

  it('is reproducible with a seeded rng, and runs in eval mode then restores training mode', async () => {
    const model = lm();
    model.train();
    const a = await collect(generate(model, PROMPT, { maxTokens: 8, rng: new Rng(3), topK: 5 }));
    const b = await collect(generate(model, PROMPT, { maxTokens: 8, rng: new Rng(3), topK: 5 }));
    expect(a).toEqual(b); // dropout (p = 0.3) would make these differ if it were active
    expect(model.training).toBe(true);
  });

  it('stops at eosId without yielding it and reports why', async () => {
    const model = lm();
    model.decoder.bias!.data[7] = 50; // token 7 always wins
    const iterator = generate(model, PROMPT, { maxTokens: 4, eosId: 7 });
    const first = await iterator.next();
    expect(first.done).toBe(true);
    expect(first.value).toMatchObject({ reason: 'eos', count: 0 });
    const run = generate(model, PROMPT, { maxTokens: 3, eosId: 2 });
    const seen: number[] = [];
    let result = await run.next();
    while (!result.done) {
      seen.push(result.value);
      result = await run.next();
    }
    expect(seen).toEqual([7, 7, 7]);
    expect(result.value).toMatchObject({ reason: 'maxTokens', count: 3 });
    expect(Array.isArray(result.value.state)).toBe(true); // the LSTM's [h, c]
  });

  it('yields to the event loop between tokens', async () => {
    let ticked = false;
    setImmediate(() => (ticked = true));
    const seenAt: boolean[] = [];
    for await (const _ of generate(lm(), PROMPT, { maxTokens: 3 })) seenAt.push(ticked);
    expect(seenAt[2]).toBe(true);
  });

  it('rejects bad arguments', async () => {
    await expect(collect(generate(lm(), [], {}))).rejects.toThrow(/prompt must be a non-empty array of token ids/);
    await expect(collect(generate(lm(), [1.5]))).rejects.toThrow(/prompt\[0\] must be an integer, got 1.5/);
    await expect(collect(generate(lm(), [1], { maxTokens: -1 }))).rejects.toThrow(/maxTokens must be a non-negative integer/);
    await expect(collect(generate(lm(), [1], { maxtokens: 3 } as never))).rejects.toThrow(/unknown option "maxtokens"/);
    await expect(collect(generate({} as never, [1]))).rejects.toThrow(/model must be a model with forward/);
  });
});
