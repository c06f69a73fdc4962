/**
 * Sentiment where word order matters: many-to-one classification of generated review sentences, an
 * LSTM against a bag-of-words baseline that sees which words occur but not in what order.
 *
 * Sentences come from a small grammar of clauses "<subject> <verb> [not|never] [very|…] <adjective>":
 *   plain      "the plot was very clever"                          → positive
 *   negation   "the acting was not good"                            → negative ("not bad" → positive)
 *   contrast   "the movie was good but the ending was boring"      → the clause after "but" decides
 *              "the script felt slow but charming"                  → positive
 *              "although the cast was great , the story was dull"   → the main (second) clause decides
 *              "the film was dull , even though the cast was great" → the main (first) clause decides
 * The clauses of a contrast always disagree, so "A but B" and "B but A" hold the same words with
 * opposite labels, and a negated adjective flips its sign whichever it is: no weighting of word
 * counts can get both right. The bag-of-words model (logistic regression on word counts, one Linear
 * layer) follows the adjectives: right on plain sentences, wrong on nearly every negated one, at
 * chance on contrasts. The LSTM reads in order and gets all three. Test sentences never occur in the
 * training set.
 *
 *   npm run example:sentiment
 *   npm run example:sentiment -- --train 40000 --hidden 128 --epochs 8
 *   npm run example:sentiment -- --steps 20          (a smoke run)
 */
import {
  SequenceClassifier, Linear, WordTokenizer, DataLoader, collateSequences, Adam, crossEntropy, fit, noGrad, manualSeed, tensor, Rng, getBackend, PAD_ID,
} from 'rnnkit';
import type { SequenceBatch, Tensor } from 'rnnkit';
import { parseOptions, percent, stopwatch } from './common.js';

const opts = parseOptions('sentiment: an LSTM classifies sentences whose meaning depends on word order, against bag-of-words', {
  train: { value: 20000, help: 'training sentences', int: true },
  test: { value: 3000, help: 'held-out test sentences (none of them in the training set)', int: true },
  embedding: { value: 32, help: 'word embedding size', int: true },
  hidden: { value: 64, help: 'LSTM hidden units', int: true },
  epochs: { value: 6, help: 'training epochs', int: true },
  steps: { value: 0, help: 'stop after this many optimizer steps (0: no limit)', int: true },
  batch: { value: 32, help: 'sentences per batch', int: true },
  lr: { value: 3e-3, help: 'Adam learning rate' },
  seed: { value: 1, help: 'seed of the sentences, the initial weights and the batch order', int: true },
});

// ---- the grammar ----
const SUBJECTS = ['the movie', 'the film', 'the plot', 'the acting', 'the ending', 'the script', 'the soundtrack', 'the cast', 'this show', 'the story'];
const VERBS = ['was', 'is', 'felt', 'seemed'];
const POSITIVE = ['good', 'great', 'brilliant', 'funny', 'moving', 'charming', 'clever', 'beautiful', 'gripping', 'fresh'];
const NEGATIVE = ['bad', 'boring', 'dull', 'awful', 'terrible', 'predictable', 'slow', 'weak', 'bland', 'tedious'];
const INTENSIFIERS = ['very', 'really', 'quite', 'truly', 'rather'];
const NEGATORS = ['not', 'never'];
type Kind = 'plain' | 'negation' | 'contrast';
interface Example { text: string; label: number; kind: Kind } // label 1 = positive

const pick = <T>(rng: Rng, list: readonly T[]): T => list[rng.int(list.length)]!;
/** "[not] [very] adjective" with the given sentiment (+1 / −1). */
function predicate(rng: Rng, sentiment: number, negate: boolean): string {
  const adjective = pick(rng, sentiment * (negate ? -1 : 1) > 0 ? POSITIVE : NEGATIVE);
  const intensifier = rng.random() < 0.4 ? `${pick(rng, INTENSIFIERS)} ` : '';
  return `${negate ? `${pick(rng, NEGATORS)} ` : ''}${intensifier}${adjective}`;
}
const clause = (rng: Rng, sentiment: number, negate: boolean): string =>
  `${pick(rng, SUBJECTS)} ${pick(rng, VERBS)} ${predicate(rng, sentiment, negate)}`;

function sentence(rng: Rng): Example {
  const sentiment = rng.random() < 0.5 ? 1 : -1; // the label
  const label = sentiment > 0 ? 1 : 0;
  const r = rng.random();
  if (r < 0.4) return { text: clause(rng, sentiment, false), label, kind: 'plain' };
  if (r < 0.7) return { text: clause(rng, sentiment, true), label, kind: 'negation' };
  // Contrast: the deciding clause has the label's sentiment, the other clause the opposite one.
  const negate = (): boolean => rng.random() < 0.25;
  const decides = clause(rng, sentiment, negate());
  const other = clause(rng, -sentiment, negate());
  const form = rng.int(4);
  const text = form === 0 ? `${other} but ${decides}`
    : form === 1 ? `${pick(rng, SUBJECTS)} ${pick(rng, VERBS)} ${predicate(rng, -sentiment, false)} but ${predicate(rng, sentiment, false)}`
    : form === 2 ? `although ${other} , ${decides}`
    : `${decides} , even though ${other}`;
  return { text, label, kind: 'contrast' };
}

const rng = new Rng(opts.seed);
const trainSet: Example[] = Array.from({ length: opts.train }, () => sentence(rng));
const seen = new Set(trainSet.map((e) => e.text));
const testSet: Example[] = [];
while (testSet.length < opts.test) {
  const e = sentence(rng);
  if (!seen.has(e.text)) testSet.push(e);
}

// ---- tokens: whitespace-separated words; ids 0..3 are <pad> <unk> <bos> <eos> ----
const tokenizer = new WordTokenizer().fit(trainSet.map((e) => e.text));
const V = tokenizer.vocabSize;
const encode = (set: Example[]) => set.map((e) => ({ x: tokenizer.encode(e.text), y: e.label }));
// Batches of similar length (bucketBy): x [T, B] word ids padded with <pad>, lengths [B], y [B].
const trainLoader = new DataLoader(encode(trainSet), { batchSize: opts.batch, shuffle: true, bucketBy: true, seed: opts.seed, paddingValue: PAD_ID });

// ---- the LSTM: embedding → LSTM → its state at each sentence's last word → Linear → 2 logits ----
manualSeed(opts.seed);
const model = new SequenceClassifier({
  vocabSize: V, embeddingDim: opts.embedding, paddingIdx: PAD_ID, hiddenSize: opts.hidden, numClasses: 2, pooling: 'last',
});
console.log(`backend ${getBackend().name}; ${trainSet.length} training and ${testSet.length} test sentences, vocabulary ${V} words`);
console.log(`LSTM: Embedding(${V}, ${opts.embedding}) → LSTM(${opts.hidden}) → Linear(2), Adam lr ${opts.lr}, batch ${opts.batch}`);
const elapsed = stopwatch();
const history = await fit(model, {
  data: trainLoader,
  epochs: opts.epochs,
  optimizer: new Adam(model.parameters(), { lr: opts.lr }),
  loss: (m: SequenceClassifier, batch: SequenceBatch) => {
    const logits = m.forward(batch.x, { lengths: batch.lengths }); // [B, 2]
    return { loss: crossEntropy(logits, batch.y!), output: logits, target: batch.y!, count: batch.lengths.length };
  },
  metrics: ['accuracy'],
  gradClipNorm: 5,
  ...(opts.steps > 0 ? { maxSteps: opts.steps } : {}),
  progress: false,
  callbacks: [{ onEpochEnd: (_, log) => console.log(`epoch ${log.epoch + 1}  loss ${log.loss!.toFixed(4)}  train accuracy ${percent(log.accuracy!)}  (${elapsed().toFixed(0)} s)`) }],
});
console.log(`LSTM trained ${history.step} steps in ${elapsed().toFixed(1)} s`);

// ---- the baseline: logistic regression on word counts, Linear(V → 2) over a [N, V] count matrix ----
function counts(set: Example[]): Tensor {
  const matrix = new Float32Array(set.length * V); // [N, V]
  set.forEach((e, n) => tokenizer.encode(e.text).forEach((id) => matrix[n * V + id]!++));
  return tensor(matrix, [set.length, V]);
}
const bagOfWords = new Linear({ inFeatures: V, outFeatures: 2 });
const bowOptimizer = new Adam(bagOfWords.parameters(), { lr: 0.05 });
const trainCounts = counts(trainSet);
const trainLabels = Int32Array.from(trainSet, (e) => e.label);
const bowSteps = opts.steps > 0 ? Math.min(opts.steps, 300) : 300;
for (let s = 0; s < bowSteps; s++) { // full-batch: the problem is convex and small
  bowOptimizer.zeroGrad();
  crossEntropy(bagOfWords.forward(trainCounts), trainLabels).backward();
  bowOptimizer.step();
}

// ---- held-out accuracy by kind of sentence ----
const argmax2 = (logits: Tensor, b: number): number => (logits.data[2 * b + 1]! > logits.data[2 * b]! ? 1 : 0);
const predictions = noGrad(() => {
  model.eval();
  const lstm: number[] = [];
  for (let start = 0; start < testSet.length; start += 256) {
    const chunk = testSet.slice(start, start + 256);
    const batch = collateSequences(encode(chunk), { paddingValue: PAD_ID }); // x [T, 256], lengths [256]
    const logits = model.forward(batch.x, { lengths: batch.lengths });
    chunk.forEach((_, b) => lstm.push(argmax2(logits, b)));
  }
  const bowLogits = bagOfWords.forward(counts(testSet));
  return { lstm, bow: testSet.map((_, b) => argmax2(bowLogits, b)) };
});
const kinds: (Kind | 'all')[] = ['all', 'plain', 'negation', 'contrast'];
const accuracyOf = (predicted: number[], kind: Kind | 'all'): string => {
  const rows = testSet.map((e, i) => ({ e, p: predicted[i]! })).filter(({ e }) => kind === 'all' || e.kind === kind);
  return percent(rows.filter(({ e, p }) => e.label === p).length / rows.length).padStart(9);
};
console.log(`\nheld-out accuracy (${testSet.length} sentences; chance 50%):`);
console.log(`  ${'model'.padEnd(14)}${kinds.map((k) => k.padStart(9)).join('')}`);
console.log(`  ${'LSTM'.padEnd(14)}${kinds.map((k) => accuracyOf(predictions.lstm, k)).join('')}`);
console.log(`  ${'bag of words'.padEnd(14)}${kinds.map((k) => accuracyOf(predictions.bow, k)).join('')}`);
const shown = testSet.map((e, i) => ({ e, i })).filter(({ e, i }) => predictions.bow[i] !== e.label && predictions.lstm[i] === e.label).slice(0, 4);
if (shown.length > 0) console.log('\nsentences the LSTM gets right and bag-of-words does not:');
for (const { e } of shown) console.log(`  ${e.label ? 'positive' : 'negative'}  "${e.text}"`);
