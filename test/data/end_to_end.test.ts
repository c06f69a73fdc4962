/**
 * End to end, through the public API only: a text file → CharTokenizer → batches (languageModelBatches
 * with a hidden state carried across batches, and DataLoader with padding, lengths and a mask) →
 * Embedding + LSTM + Linear → crossEntropy → Adam. The loss must fall clearly within 50 steps: the
 * mean of the last 10 steps below the mean of the first 10 by a margin (nats per character).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Adam, CharTokenizer, DataLoader, Embedding, LSTM, Linear, Rng, TextLineDataset, crossEntropy, languageModelBatches,
  readTextChunks, type Tensor,
} from '../../lib/index.js';

let dir: string;
let path: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rnnkit-e2e-'));
  path = join(dir, 'corpus.txt');
  const lines = [
    'the quick brown fox jumps over the lazy dog',
    'a stitch in time saves nine 𝔘',
    'all that glitters is not gold',
    '',
    'to be or not to be, that is the question 😀',
  ];
  writeFileSync(path, Array.from({ length: 30 }, (_, i) => lines[i % lines.length]).join('\n') + '\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;

/** A char model: ids [T, B] → logits [T·B, V]. */
function charModel(V: number, rng: Rng) {
  const embed = new Embedding({ numEmbeddings: V, embeddingDim: 16, rng });
  const lstm = new LSTM({ inputSize: 16, hiddenSize: 48, rng });
  const head = new Linear({ inFeatures: 48, outFeatures: V, rng });
  const params = [...embed.parameters(), ...lstm.parameters(), ...head.parameters()];
  return { embed, lstm, head, params };
}

describe('text file → tokenizer → batches → LSTM → loss decreasing', () => {
  it('languageModelBatches with the state carried (detached) across batches', async () => {
    let text = '';
    for await (const chunk of readTextChunks(path)) text += chunk;
    const tok = await new CharTokenizer().fitAsync(readTextChunks(path)); // streamed, '\n' included
    const ids = tok.encode(text);
    expect(ids.length).toBe([...text].length); // one id per code point (𝔘 and 😀 are two UTF-16 units)
    expect(ids.includes(tok.vocab.unkId)).toBe(false);
    const V = tok.vocabSize;
    const batches = languageModelBatches(ids, 8, 16);
    const { embed, lstm, head, params } = charModel(V, new Rng(1));
    const opt = new Adam(params, { lr: 0.01 });
    const losses: number[] = [];
    let state: [Tensor, Tensor] | null = null;
    for (let step = 0; step < 50; step++) {
      const k = step % batches.length;
      if (k === 0) state = null; // a new pass over the text starts from a zero state
      const { x, y } = batches.get(k);
      const [T, B] = x.shape as [number, number];
      opt.zeroGrad();
      const [out, [hN, cN]] = lstm.forward(embed.forward(x), state);
      const logits = head.forward(out).reshape([T * B, V]);
      const loss = crossEntropy(logits, y.reshape([T * B]));
      loss.backward();
      opt.step();
      state = [hN.detach(), cN.detach()];
      losses.push(loss.item());
    }
    const first = mean(losses.slice(0, 10));
    const last = mean(losses.slice(-10));
    console.log(`LM batches: loss first-10 mean ${first.toFixed(3)}, last-10 mean ${last.toFixed(3)} (ln V = ${Math.log(V).toFixed(3)})`);
    expect(last).toBeLessThan(first - 0.5);
  });

  it('DataLoader of lines: padded [T, B] batches, lengths into the LSTM, padded targets ignored', async () => {
    const tok = await new CharTokenizer().fitAsync(new TextLineDataset(path));
    // example per line: x = <bos> line, y = line <eos>; the empty line gives a one-token example
    const examples: { x: Int32Array; y: Int32Array }[] = [];
    for await (const line of new TextLineDataset(path)) {
      const ids = tok.encode(line, { addBos: true, addEos: true });
      examples.push({ x: ids.subarray(0, -1), y: ids.subarray(1) });
    }
    const loader = new DataLoader(examples, { batchSize: 10, shuffle: true, seed: 3, bucketBy: true, targetPaddingValue: -100 });
    const V = tok.vocabSize;
    const { embed, lstm, head, params } = charModel(V, new Rng(2));
    const opt = new Adam(params, { lr: 0.01 });
    const losses: number[] = [];
    while (losses.length < 50) {
      for (const { x, y, lengths, mask } of loader) {
        if (losses.length === 50) break;
        const [T, B] = x.shape as [number, number];
        expect(mask.shape).toEqual([T, B]);
        opt.zeroGrad();
        const [out] = lstm.forward(embed.forward(x), null, { lengths });
        const loss = crossEntropy(head.forward(out).reshape([T * B, V]), y!.reshape([T * B]), { ignoreIndex: -100 });
        loss.backward();
        opt.step();
        losses.push(loss.item());
      }
    }
    const first = mean(losses.slice(0, 10));
    const last = mean(losses.slice(-10));
    console.log(`DataLoader: loss first-10 mean ${first.toFixed(3)}, last-10 mean ${last.toFixed(3)}`);
    expect(last).toBeLessThan(first - 0.5);
  });
});
