/**
 * Dates to ISO 8601: an encoder–decoder with attention (many-to-many, unaligned) reads a date
 * written by a person, one character at a time, and writes it as YYYY-MM-DD.
 *
 *   "3rd of March 1998", "March 3, 1998", "Tue 3 Mar 1998", "1998-3-3", "19980303" → 1998-03-03
 *   "03/04/98" → 1998-03-04 (slashes: month first)     "03.04.98" → 1998-04-03 (dots: day first)
 *   two-digit years fall in 1950–2049: "98" → 1998, "07" → 2007
 *
 * Every day from 1950-01-01 to 2049-12-31 is assigned, by a seeded draw, to training (80%),
 * validation (10%) or test (10%), so no test date (in any format) was seen in training. The model is
 * Seq2Seq: character embeddings → bidirectional LSTM encoder → LSTM decoder with Luong 'general'
 * attention over the encoder outputs, trained with teacher forcing; decoding is greedy (batched) and
 * beam search (one source at a time). The metric is exact match of the whole ISO string.
 *
 *   npm run example:dates
 *   npm run example:dates -- --attention additive --hidden 64
 *   npm run example:dates -- --steps 20          (a smoke run)
 */
import {
  Seq2Seq, CharTokenizer, DataLoader, Adam, CosineAnnealingLR, fit, padSequences, sequenceLengths, sequenceCrossEntropy, manualSeed, Rng,
  getBackend, BOS_ID, EOS_ID, PAD_ID,
} from 'rnnkit';
import type { Tensor, Seq2SeqAttention } from 'rnnkit';
import { parseOptions, percent, stopwatch } from './common.js';

const opts = parseOptions('dates: a sequence-to-sequence model with attention turns human-written dates into ISO 8601', {
  train: { value: 40000, help: 'training examples (a date and a format each)', int: true },
  test: { value: 2000, help: 'test examples, on held-out days', int: true },
  embedding: { value: 32, help: 'character embedding size', int: true },
  hidden: { value: 128, help: 'LSTM hidden units (the encoder has this many per direction)', int: true },
  attention: { value: 'general', help: 'none, dot, general (Luong) or additive (Bahdanau); dot needs a one-directional encoder' },
  epochs: { value: 3, help: 'training epochs', int: true },
  steps: { value: 0, help: 'stop after this many optimizer steps (0: no limit)', int: true },
  batch: { value: 64, help: 'examples per batch', int: true },
  lr: { value: 3e-3, help: 'Adam learning rate (cosine decay to 0 over the epochs)' },
  beam: { value: 4, help: 'beam width', int: true },
  seed: { value: 1, help: 'seed of the day split, the formats, the weights and the batch order', int: true },
});
const attention = opts.attention as Seq2SeqAttention;
if (!['none', 'dot', 'general', 'additive'].includes(attention)) throw new RangeError(`--attention must be none, dot, general or additive, got ${JSON.stringify(opts.attention)}`);

// ---- the formats: a day → one way a person writes it ----
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
interface Day { year: number; month: number; day: number; weekday: number } // month 1..12, weekday 0 = Sunday
const two = (n: number): string => String(n % 100).padStart(2, '0');
const ordinal = (d: number): string => `${d}${d % 10 === 1 && d !== 11 ? 'st' : d % 10 === 2 && d !== 12 ? 'nd' : d % 10 === 3 && d !== 13 ? 'rd' : 'th'}`;
const month = (d: Day): string => MONTHS[d.month - 1]!;
const mon = (d: Day): string => month(d).slice(0, 3);
const FORMATS: ((d: Day) => string)[] = [
  (d) => `${ordinal(d.day)} of ${month(d)} ${d.year}`, // 3rd of March 1998
  (d) => `${month(d)} ${d.day}, ${d.year}`, // March 3, 1998
  (d) => `${mon(d)} ${d.day} ${d.year}`, // Mar 3 1998
  (d) => `${d.day} ${month(d)} ${d.year}`, // 3 March 1998
  (d) => `${WEEKDAYS[d.weekday]!.slice(0, 3)} ${d.day} ${mon(d)} ${d.year}`, // Tue 3 Mar 1998
  (d) => `${WEEKDAYS[d.weekday]!}, ${month(d)} ${ordinal(d.day)}, ${d.year}`, // Tuesday, March 3rd, 1998
  (d) => `${month(d).toUpperCase()} ${d.day} ${d.year}`, // MARCH 3 1998
  (d) => `${d.day} ${mon(d).toLowerCase()} ${two(d.year)}`, // 3 mar 98
  (d) => `${two(d.month)}/${two(d.day)}/${two(d.year)}`, // 03/03/98 (month first)
  (d) => `${d.month}/${d.day}/${d.year}`, // 3/3/1998
  (d) => `${d.year}-${d.month}-${d.day}`, // 1998-3-3
  (d) => `${d.day}.${d.month}.${d.year}`, // 3.3.1998 (day first)
  (d) => `${two(d.day)}.${two(d.month)}.${two(d.year)}`, // 03.03.98
  (d) => `${d.year}${two(d.month)}${two(d.day)}`, // 19980303
];
const iso = (d: Day): string => `${d.year}-${two(d.month)}-${two(d.day)}`;

// Every day of 1950–2049, split at random into train / validation / test days.
const days: Day[] = [];
for (let t = Date.UTC(1950, 0, 1); t <= Date.UTC(2049, 11, 31); t += 86_400_000) {
  const date = new Date(t);
  days.push({ year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate(), weekday: date.getUTCDay() });
}
const rng = new Rng(opts.seed);
rng.shuffle(days);
const split = { train: days.slice(0, Math.floor(0.8 * days.length)), val: days.slice(Math.floor(0.8 * days.length), Math.floor(0.9 * days.length)), test: days.slice(Math.floor(0.9 * days.length)) };
interface Example { text: string; iso: string }
const examples = (pool: Day[], n: number): Example[] => Array.from({ length: n }, () => {
  const d = pool[rng.int(pool.length)]!;
  return { text: FORMATS[rng.int(FORMATS.length)]!(d), iso: iso(d) };
});
const trainSet = examples(split.train, opts.train);
const valSet = examples(split.val, 500);
const testSet = examples(split.test, opts.test);

// ---- characters → ids (0..3 are <pad> <unk> <bos> <eos>), and batches ----
const source = new CharTokenizer().fit(FORMATS.flatMap((f) => days.slice(0, 400).map(f))); // every character the formats use
const target = new CharTokenizer().fit('0123456789-');
interface Pair { src: Int32Array; tgt: Int32Array }
interface Batch { src: Tensor; srcLengths: Int32Array; tgtIn: Tensor; tgtOut: Tensor }
const encode = (set: Example[]): Pair[] => set.map((e) => ({ src: source.encode(e.text), tgt: target.encode(e.iso) }));
/** Teacher forcing: the decoder reads BOS y1 … y10 and must write y1 … y10 EOS. */
function collate(items: Pair[]): Batch {
  const srcs = items.map((p) => p.src);
  return {
    src: padSequences(srcs, { paddingValue: PAD_ID }), // [S, B]
    srcLengths: sequenceLengths(srcs), // [B]
    tgtIn: padSequences(items.map((p) => [BOS_ID, ...p.tgt])), // [11, B]
    tgtOut: padSequences(items.map((p) => [...p.tgt, EOS_ID])), // [11, B]
  };
}
const trainLoader = new DataLoader(encode(trainSet), {
  batchSize: opts.batch, shuffle: true, seed: opts.seed, collate, bucketBy: (p: Pair) => p.src.length,
});

// ---- the model ----
manualSeed(opts.seed);
const model = new Seq2Seq({
  srcVocabSize: source.vocabSize, tgtVocabSize: target.vocabSize, embeddingDim: opts.embedding, hiddenSize: opts.hidden,
  bidirectional: attention !== 'dot', attention, bosId: BOS_ID, eosId: EOS_ID, paddingIdx: PAD_ID,
});

/** Exact-match accuracy of greedy (batched) or beam decoding over `set`; also returns the outputs. */
function exactMatch(set: Example[], how: 'greedy' | 'beam'): { accuracy: number; outputs: string[] } {
  const outputs: string[] = [];
  for (let start = 0; start < set.length; start += 250) {
    const batch = collate(encode(set.slice(start, start + 250)));
    const options = { srcLengths: batch.srcLengths, maxLength: 12 };
    const hypotheses = how === 'greedy' ? model.greedyDecode(batch.src, options) : model.beamDecode(batch.src, { ...options, beamWidth: opts.beam });
    for (const h of hypotheses) outputs.push(target.decode(h.tokens));
  }
  return { accuracy: outputs.filter((o, i) => o === set[i]!.iso).length / set.length, outputs };
}

console.log(`backend ${getBackend().name}; ${trainSet.length} training examples on ${split.train.length} days, ${FORMATS.length} formats; test on ${split.test.length} other days`);
console.log(`Seq2Seq: ${attention === 'dot' ? '' : 'bidirectional '}LSTM(${opts.hidden}) encoder, LSTM decoder, attention '${attention}'; Adam lr ${opts.lr}, batch ${opts.batch}`);
const elapsed = stopwatch();
const optimizer = new Adam(model.parameters(), { lr: opts.lr });
const history = await fit(model, {
  data: trainLoader,
  epochs: opts.epochs,
  optimizer,
  scheduler: new CosineAnnealingLR(optimizer, { tMax: opts.epochs }),
  loss: (m: Seq2Seq, b: Batch) => ({
    loss: sequenceCrossEntropy(m.forward(b.src, b.tgtIn, { srcLengths: b.srcLengths }), b.tgtOut), // logits [11, B, V]
    count: b.srcLengths.length,
  }),
  gradClipNorm: 5,
  ...(opts.steps > 0 ? { maxSteps: opts.steps } : {}),
  progress: false,
  callbacks: [{
    onEpochEnd: (_, log) => {
      const val = exactMatch(valSet, 'greedy').accuracy;
      console.log(`epoch ${log.epoch + 1}  loss ${log.loss!.toFixed(4)} per character  validation exact match ${percent(val)} (greedy)  (${elapsed().toFixed(0)} s)`);
    },
  }],
});
console.log(`trained ${history.step} steps in ${elapsed().toFixed(1)} s`);

// ---- held-out days: exact match, greedy and beam ----
const decodeTime = stopwatch();
const greedy = exactMatch(testSet, 'greedy');
const greedySeconds = decodeTime();
const beam = exactMatch(testSet, 'beam');
const beamSeconds = decodeTime() - greedySeconds;
console.log(`\nheld-out days (${testSet.length} examples):`);
console.log(`  greedy            exact match ${percent(greedy.accuracy)}  (${greedySeconds.toFixed(1)} s)`);
console.log(`  beam (width ${opts.beam})    exact match ${percent(beam.accuracy)}  (${beamSeconds.toFixed(1)} s)`);
const show = (i: number, output: string): void =>
  console.log(`  ${testSet[i]!.text.padEnd(36)} → ${output}${output === testSet[i]!.iso ? '' : `   (expected ${testSet[i]!.iso})`}`);
console.log('\nsome test dates (greedy):');
for (let i = 0; i < 8; i++) show(i, greedy.outputs[i]!);
const misses = testSet.map((_, i) => i).filter((i) => beam.outputs[i] !== testSet[i]!.iso);
if (misses.length > 0) console.log(`beam search misses (${misses.length}${misses.length > 8 ? ', the first 8' : ''}):`);
for (const i of misses.slice(0, 8)) show(i, beam.outputs[i]!);
