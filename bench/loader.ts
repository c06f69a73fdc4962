/**
 * Loader benchmark: is the data pipeline ever the bottleneck of the char-LSTM configuration?
 *
 * Measures, on tinyshakespeare (../shared/data/tinyshakespeare.txt) with B = 64, T = 100:
 *   - tokenisation: CharTokenizer fit + encode of the whole corpus (chars/s);
 *   - batches/s of languageModelBatches (the truncated-BPTT layout char-rnn trains on);
 *   - batches/s of DataLoader over shuffled 100-char chunks ({x, y} examples, default collate:
 *     padding, lengths, mask), iterated synchronously and asynchronously (prefetch 1);
 *   - training steps/s of the char-LSTM itself (Embedding 64 → LSTM H = 256, 1 layer → Linear → 
 *     crossEntropy → backward → Adam) on the chosen backend (default js);
 * and prints the ratio. The loader is not the bottleneck when it makes batches many times faster
 * than the model consumes them.
 *
 * `npm run bench` runs it after the table (in a fresh process; --no-loader skips it). Alone, after
 * `npm run bench` has compiled it: node bench/.out/bench/loader.js [--steps 5] [--backend js|native] [--data path]
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import {
  Adam, CharTokenizer, DataLoader, Embedding, LSTM, Linear, Rng, crossEntropy, getBackend, languageModelBatches, setBackend,
  type SequenceBatch, type Tensor,
} from 'rnnkit';

const B = 64;
const T = 100;
const EMBED = 64;
const HIDDEN = 256;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1]! : fallback;
}

/** The repository root: the nearest directory above this file whose package.json is rnnkit's. */
function findRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'rnnkit') return dir;
    if (dirname(dir) === dir) throw new Error(`cannot find rnnkit's package.json above ${start}`);
  }
}

/** Runs `fn` repeatedly for at least `minMs` (after one warm-up call); returns calls per second. */
async function rate(fn: () => unknown | Promise<unknown>, minMs: number): Promise<{ perSecond: number; calls: number }> {
  await fn();
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < minMs) {
    await fn();
    calls++;
    elapsed = performance.now() - start;
  }
  return { perSecond: (calls * 1000) / elapsed, calls };
}

async function main(): Promise<void> {
  const root = findRoot(dirname(fileURLToPath(import.meta.url)));
  const dataPath = resolve(arg('data', join(root, '..', 'shared', 'data', 'tinyshakespeare.txt')));
  const steps = Number(arg('steps', '5'));
  const backendName = arg('backend', 'js') as 'js' | 'native';
  setBackend(backendName);
  const text = readFileSync(dataPath, 'utf8');

  // ---- tokenisation ----
  let t0 = performance.now();
  const tok = new CharTokenizer().fit(text);
  const ids = tok.encode(text);
  const tokenizeMs = performance.now() - t0;
  const V = tok.vocabSize;

  // ---- languageModelBatches: one full epoch, repeated ----
  const lm = languageModelBatches(ids, B, T);
  let k = 0;
  const lmRate = await rate(() => lm.get(k++ % lm.length), 500);

  // ---- DataLoader over shuffled 100-char chunks ----
  const chunks: { x: Int32Array; y: Int32Array }[] = [];
  for (let i = 0; i + T + 1 <= ids.length; i += T) chunks.push({ x: ids.subarray(i, i + T), y: ids.subarray(i + 1, i + T + 1) });
  const loader = new DataLoader(chunks, { batchSize: B, shuffle: true, seed: 0, dropLast: true });
  let syncBatches = 0;
  t0 = performance.now();
  while (performance.now() - t0 < 1000) for (const _ of loader) syncBatches++;
  const syncRate = (syncBatches * 1000) / (performance.now() - t0);
  let asyncBatches = 0;
  t0 = performance.now();
  while (performance.now() - t0 < 1000) for await (const _ of loader) asyncBatches++;
  const asyncRate = (asyncBatches * 1000) / (performance.now() - t0);

  // ---- the char-LSTM training step ----
  const rng = new Rng(0);
  const embed = new Embedding({ numEmbeddings: V, embeddingDim: EMBED, rng });
  const lstm = new LSTM({ inputSize: EMBED, hiddenSize: HIDDEN, rng });
  const head = new Linear({ inFeatures: HIDDEN, outFeatures: V, rng });
  const opt = new Adam([...embed.parameters(), ...lstm.parameters(), ...head.parameters()], { lr: 2e-3 });
  let state: [Tensor, Tensor] | null = null;
  let lastLoss = NaN;
  let b = 0;
  const trainStep = (batch: { x: Tensor; y: Tensor }): void => {
    opt.zeroGrad();
    const [out, [hN, cN]] = lstm.forward(embed.forward(batch.x), state);
    const loss = crossEntropy(head.forward(out).reshape([T * B, V]), batch.y.reshape([T * B]));
    loss.backward();
    opt.step();
    state = [hN.detach(), cN.detach()];
    lastLoss = loss.item();
  };
  trainStep(lm.get(b++)); // warm-up
  t0 = performance.now();
  for (let s = 0; s < steps; s++) trainStep(lm.get(b++ % lm.length));
  const stepMs = (performance.now() - t0) / steps;
  const stepRate = 1000 / stepMs;

  const sample: SequenceBatch = [...new DataLoader(chunks.slice(0, B), { batchSize: B })][0]!;
  const rows: [string, string, string][] = [
    ['tokenize (fit + encode)', `${((text.length / tokenizeMs) * 1000 / 1e6).toFixed(1)} M chars/s`, `${tokenizeMs.toFixed(0)} ms for ${(text.length / 1e6).toFixed(2)} M chars, V = ${V}`],
    ['languageModelBatches', `${lmRate.perSecond.toFixed(0)} batches/s`, `[T, B] = [${T}, ${B}], ${lm.length} batches/epoch`],
    ['DataLoader sync', `${syncRate.toFixed(0)} batches/s`, `shuffled {x, y} chunks, x ${JSON.stringify(sample.x.shape)} + lengths + mask`],
    ['DataLoader async', `${asyncRate.toFixed(0)} batches/s`, 'for await, prefetch 1'],
    [`train step (${getBackend().name})`, `${stepRate.toFixed(2)} steps/s`, `${stepMs.toFixed(0)} ms/step, E ${EMBED}, H ${HIDDEN}, ${steps} steps, loss ${lastLoss.toFixed(3)}`],
  ];
  console.log(`loader vs char-LSTM training, ${dataPath}`);
  for (const [name, value, note] of rows) console.log(`  ${name.padEnd(26)} ${value.padStart(20)}   ${note}`);
  const slowest = Math.min(lmRate.perSecond, syncRate, asyncRate);
  console.log(`  loader / model: the slowest loader path makes ${(slowest / stepRate).toFixed(0)}× more batches per second than the model trains on;`);
  console.log(`  making one batch costs ${((1000 / slowest) / stepMs * 100).toFixed(3)}% of a training step`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
