/**
 * Named-entity tagging: many-to-many (aligned) sequence labelling with a bidirectional LSTM.
 *
 * Generated sentences mention people, places and organisations from small lists inside context
 * phrases ("Grace Okafor flew to Buenos Aires on Monday ."), tagged per word in the BIO scheme:
 * B-PER I-PER B-LOC I-LOC B-ORG I-ORG, O elsewhere. Some names are several types ("Jordan",
 * "Paris", "Washington" are people and places; "Bank of Lagos" is an organisation), so the tag comes
 * from the context on both sides, which is what the bidirectional encoder reads; some sentences are
all lower case and some names have a title before them (tagged O). A fifth of every
 * list is held out of training: in test sentences such names are unknown words (<unk>) and only the
 * context can tag them; training sentences replace a few entity words by <unk> so the model learns
 * to use it.
 *
 * Reported on held-out sentences: token accuracy, and entity-level precision / recall / F1 with
 * exact span match (an entity counts only if its type, first and last word are all right, as
 * conlleval and seqeval score it).
 *
 *   npm run example:tagger
 *   npm run example:tagger -- --bidirectional false     (left context only: the first word of "Jordan joined …" is a guess)
 *   npm run example:tagger -- --steps 20          (a smoke run)
 */
import {
  SequenceTagger, WordTokenizer, DataLoader, collateSequences, Adam, fit, noGrad, manualSeed, Rng, getBackend, PAD_ID, UNK,
} from 'rnnkit';
import type { SequenceBatch } from 'rnnkit';
import { parseOptions, percent, stopwatch } from './common.js';

const opts = parseOptions('tagger: a bidirectional LSTM tags people, places and organisations (BIO) in generated sentences', {
  train: { value: 8000, help: 'training sentences', int: true },
  test: { value: 2000, help: 'held-out test sentences', int: true },
  embedding: { value: 32, help: 'word embedding size', int: true },
  hidden: { value: 64, help: 'LSTM hidden units per direction', int: true },
  epochs: { value: 6, help: 'training epochs', int: true },
  steps: { value: 0, help: 'stop after this many optimizer steps (0: no limit)', int: true },
  batch: { value: 32, help: 'sentences per batch', int: true },
  lr: { value: 3e-3, help: 'Adam learning rate' },
  bidirectional: { value: true, help: 'read each sentence in both directions (false: left to right only)' },
  unk: { value: 0.1, help: 'fraction of entity words replaced by <unk> in training sentences' },
  seed: { value: 1, help: 'seed of the sentences, the held-out names, the weights and the batch order', int: true },
});

// ---- the lists and the context phrases ----
const FIRST = ['Anna', 'Ben', 'Carla', 'David', 'Elena', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kofi', 'Lena', 'Marco', 'Nadia',
  'Omar', 'Priya', 'Rosa', 'Sven', 'Tara', 'Yusuf', 'Jordan', 'Paris', 'Georgia', 'Austin', 'Florence', 'Chelsea'];
const LAST = ['Smith', 'Garcia', 'Chen', 'Okafor', 'Novak', 'Rossi', 'Tanaka', 'Kim', 'Silva', 'Dubois', 'Larsen', 'Patel', 'Cohen',
  'Ivanova', 'Moreau', 'Washington', 'Lincoln', 'Jackson', 'Mensah', 'Haddad'];
const PLACES = ['Paris', 'Berlin', 'Lagos', 'Tokyo', 'Lima', 'Oslo', 'Cairo', 'Quito', 'Jordan', 'Georgia', 'Florence', 'Austin',
  'Chelsea', 'Washington', 'New York', 'Buenos Aires', 'Hong Kong', 'San Francisco', 'Cape Town', 'Rio de Janeiro', 'Nairobi', 'Hanoi'];
const ORGS = ['Acme Corp', 'United Nations', 'Red Cross', 'Globex', 'Initech', 'Umbrella Group', 'Stark Industries', 'Oxfam',
  'World Bank', 'Bank of Lagos', 'University of Tokyo', 'Jackson Foods', 'Nile Airways', 'Blue Harbor Bank', 'Delta Labs'];
const TEMPLATES = [
  '{PER} works for {ORG} in {LOC} .', '{PER} flew to {LOC} on Monday .', '{PER} met {PER} in {LOC} .',
  '{ORG} opened an office in {LOC} .', '{ORG} hired {PER} last year .', 'yesterday {PER} joined {ORG} .',
  'the mayor of {LOC} thanked {PER} .', '{PER} moved from {LOC} to {LOC} .', '{ORG} and {ORG} signed a deal in {LOC} .',
  'according to {PER} , {ORG} will expand to {LOC} .', '{PER} visited {LOC} with {PER} .', 'shares of {ORG} rose after {PER} spoke in {LOC} .',
  'it rained in {LOC} all week .', 'a spokesperson for {ORG} said {PER} had resigned .', 'we drove through {LOC} to see {PER} .',
  '{PER} , who lives in {LOC} , now runs {ORG} .', 'in {LOC} , {ORG} and {PER} launched a new product .', '{LOC} welcomed {PER} of {ORG} .',
];
const TITLES = ['Dr.', 'Ms.', 'Mr.', 'President', 'coach']; // before a name, tagged O (as CoNLL does)
const TAGS = ['O', 'B-PER', 'I-PER', 'B-LOC', 'I-LOC', 'B-ORG', 'I-ORG'];
const tagId = new Map(TAGS.map((t, i) => [t, i]));

// Hold out a fifth of each list: those names appear only in test sentences.
const rng = new Rng(opts.seed);
const heldOut = new Set<string>();
for (const list of [FIRST, LAST, PLACES, ORGS]) rng.shuffle(list.slice()).slice(0, Math.ceil(list.length / 5)).forEach((n) => heldOut.add(n));
const trainable = (list: string[]): string[] => list.filter((n) => !heldOut.has(n));

interface Sentence { words: string[]; tags: string[]; unseen: Set<string> } // unseen: spans "TYPE:first:end" of held-out names
function sentence(forTest: boolean): Sentence {
  const from = (list: string[]): string => { const names = forTest ? list : trainable(list); return names[rng.int(names.length)]!; };
  const words: string[] = [];
  const tags: string[] = [];
  const unseen = new Set<string>();
  for (const piece of TEMPLATES[rng.int(TEMPLATES.length)]!.split(' ')) {
    const slot = /^\{(PER|LOC|ORG)\}$/.exec(piece)?.[1];
    if (slot === 'PER' && rng.random() < 0.2) {
      words.push(TITLES[rng.int(TITLES.length)]!);
      tags.push('O');
    }
    if (slot === undefined) {
      words.push(piece);
      tags.push('O');
      continue;
    }
    const names = slot === 'PER' ? [from(FIRST), ...(rng.random() < 0.7 ? [from(LAST)] : [])] : [from(slot === 'LOC' ? PLACES : ORGS)];
    const parts = names.join(' ').split(' ');
    if (names.some((n) => heldOut.has(n))) unseen.add(`${slot}:${words.length}:${words.length + parts.length}`);
    parts.forEach((word, k) => {
      // Training sentences: some entity words become <unk>, so unknown names are not new at test time.
      words.push(!forTest && rng.random() < opts.unk ? UNK : word);
      tags.push(`${k === 0 ? 'B' : 'I'}-${slot}`);
    });
  }
  // Some text comes without capitals, so capitalisation is a cue, not the answer.
  return { words: rng.random() < 0.15 ? words.map((w) => (w === UNK ? w : w.toLowerCase())) : words, tags, unseen };
}
const trainSet = Array.from({ length: opts.train }, () => sentence(false));
const testSet = Array.from({ length: opts.test }, () => sentence(true));

// ---- tokens and batches: x [T, B] word ids, y [T, B] tag ids (−100 at padding: no loss there) ----
const tokenizer = new WordTokenizer().fit(trainSet.map((s) => s.words.join(' '))); // held-out names are not in it
const encode = (set: Sentence[]) => set.map((s) => ({ x: tokenizer.encode(s.words.join(' ')), y: Int32Array.from(s.tags, (t) => tagId.get(t)!) }));
const collate = { paddingValue: PAD_ID, targetPaddingValue: -100 };
const trainLoader = new DataLoader(encode(trainSet), { batchSize: opts.batch, shuffle: true, bucketBy: true, seed: opts.seed, ...collate });

manualSeed(opts.seed);
const model = new SequenceTagger({
  vocabSize: tokenizer.vocabSize, embeddingDim: opts.embedding, paddingIdx: PAD_ID, hiddenSize: opts.hidden, numTags: TAGS.length, bidirectional: opts.bidirectional,
});
console.log(`backend ${getBackend().name}; ${trainSet.length} training and ${testSet.length} test sentences, vocabulary ${tokenizer.vocabSize} words, ${heldOut.size} names held out`);
console.log(`Embedding(${opts.embedding}) → ${opts.bidirectional ? 'bidirectional ' : ''}LSTM(${opts.hidden}) → Linear(${TAGS.length} tags) per word, Adam lr ${opts.lr}, batch ${opts.batch}`);
const elapsed = stopwatch();
const history = await fit(model, {
  data: trainLoader,
  epochs: opts.epochs,
  optimizer: new Adam(model.parameters(), { lr: opts.lr }),
  loss: (m: SequenceTagger, batch: SequenceBatch) => {
    const logits = m.forward(batch.x, { lengths: batch.lengths }); // [T, B, 7]
    return { loss: m.loss(logits, batch.y!, { lengths: batch.lengths }), count: batch.lengths.reduce((a, b) => a + b, 0) };
  },
  gradClipNorm: 5,
  ...(opts.steps > 0 ? { maxSteps: opts.steps } : {}),
  progress: false,
  callbacks: [{ onEpochEnd: (_, log) => console.log(`epoch ${log.epoch + 1}  loss ${log.loss!.toFixed(4)} per word  (${elapsed().toFixed(0)} s)`) }],
});
console.log(`trained ${history.step} steps in ${elapsed().toFixed(1)} s`);

// ---- entity spans of a BIO sequence: "TYPE:first:end" (end exclusive), as conlleval reads them ----
function spans(tags: readonly string[]): Set<string> {
  const found = new Set<string>();
  let type = '';
  let start = 0;
  [...tags, 'O'].forEach((tag, i) => {
    const [prefix, kind = ''] = tag.split('-') as [string, string?];
    if (type !== '' && (prefix !== 'I' || kind !== type)) { // the open entity ends before word i
      found.add(`${type}:${start}:${i}`);
      type = '';
    }
    if (prefix === 'B' || (prefix === 'I' && type === '')) { // a stray I- starts an entity too
      type = kind;
      start = i;
    }
  });
  return found;
}

// ---- held-out scores ----
const predicted: string[][] = noGrad(() => {
  model.eval();
  const out: string[][] = [];
  for (let start = 0; start < testSet.length; start += 256) {
    const batch = collateSequences(encode(testSet.slice(start, start + 256)), collate); // x [T, ≤256]
    for (const row of model.decode(model.forward(batch.x, { lengths: batch.lengths }), batch.lengths)) out.push(row.map((t) => TAGS[t]!));
  }
  return out;
});
let words = 0;
let rightWords = 0;
const count = { tp: new Map<string, number>(), predicted: new Map<string, number>(), gold: new Map<string, number>() };
const bump = (m: Map<string, number>, k: string): void => { m.set(k, (m.get(k) ?? 0) + 1); m.set('all', (m.get('all') ?? 0) + 1); };
let unseenGold = 0;
let unseenFound = 0;
testSet.forEach((s, i) => {
  s.tags.forEach((t, w) => { words++; if (predicted[i]![w] === t) rightWords++; });
  const gold = spans(s.tags);
  const guess = spans(predicted[i]!);
  for (const g of gold) bump(count.gold, g.split(':')[0]!);
  for (const p of guess) {
    bump(count.predicted, p.split(':')[0]!);
    if (gold.has(p)) bump(count.tp, p.split(':')[0]!);
  }
  unseenGold += s.unseen.size;
  for (const g of s.unseen) if (guess.has(g)) unseenFound++;
});
console.log(`\nheld-out sentences (${testSet.length}; ${testSet.filter((s) => s.unseen.size > 0).length} mention a held-out name):`);
console.log(`  token accuracy ${percent(rightWords / words)} of ${words} words`);
console.log(`  ${'entity'.padEnd(8)}${'precision'.padStart(11)}${'recall'.padStart(9)}${'F1'.padStart(9)}${'count'.padStart(7)}`);
for (const type of ['PER', 'LOC', 'ORG', 'all']) {
  const tp = count.tp.get(type) ?? 0;
  const p = tp / Math.max(1, count.predicted.get(type) ?? 0); // 0 when nothing was predicted
  const r = tp / (count.gold.get(type) ?? 0);
  const f1 = (2 * tp) / ((count.predicted.get(type) ?? 0) + (count.gold.get(type) ?? 0));
  console.log(`  ${type.padEnd(8)}${percent(p).padStart(11)}${percent(r).padStart(9)}${percent(f1).padStart(9)}${String(count.gold.get(type) ?? 0).padStart(7)}`);
}
console.log(`  entities naming a held-out name, found exactly: ${percent(unseenFound / unseenGold)} of ${unseenGold}`);
const example = testSet.findIndex((s) => s.unseen.size > 0);
if (example >= 0) {
  console.log(`\na test sentence that names someone or something held out of training:\n  ${testSet[example]!.words.map((w, k) => (predicted[example]![k] === 'O' ? w : `${w}/${predicted[example]![k]}`)).join(' ')}`);
}
