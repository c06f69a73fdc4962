/**
 * char-rnn: a character-level LSTM language model (Karpathy's char-rnn, in rnnkit). It trains on any
 * text file, holds out the END of the file for validation, saves a checkpoint, loads it back and
 * streams a sample one character at a time.
 *
 *   npm run demo   (or npm run example:char-rnn)
 *       trains for 2 minutes on the package's own text (its README.md and the compiled dist/**.js,
 *       the files every install has), then samples
 *   npm run example:char-rnn -- --data ../shared/data/tinyshakespeare.txt --val-fraction 0.1 \
 *       --layers 2 --hidden 512 --batch 64 --seq-len 100 --lr 2e-3 --clip 5 --minutes 20 --eval-minutes 1
 *       the documented result: validation loss in nats per character on the last 10% of the file
 *       (1.466 after 20 minutes on a 2-core machine; with --lr-decay none, PyTorch's recipe, 1.498 at
 *       16 minutes, then it overfits)
 *   npm run example:char-rnn -- --steps 5 --hidden 32     (a smoke run)
 *
 * Training is truncated BPTT over contiguous text: languageModelBatches cuts the training text into B
 * rows and serves T steps of every row per batch, and the state each batch ends with (detached by
 * fit through ctx.carry) starts the next, so the model reads the text as one stream. The budget is
 * --minutes of training time (evaluation is not counted) or --steps, whichever ends first. The
 * validation loss is the mean cross entropy over every held-out character, read as 32 contiguous
 * rows with the state carried, measured every --eval-minutes; training ends with the weights of the
 * best one (char-rnn keeps its best checkpoint the same way). Model: Embedding(E) → L stacked LSTM
 * layers of H units → Linear(V).
 */
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  LanguageModel, CharTokenizer, Adam, fit, generate, languageModelBatches, sequenceCrossEntropy, noGrad, manualSeed, Rng,
  saveCheckpoint, readCheckpoint, loadCheckpoint, tokenizerFromJSON, getBackend,
} from 'rnnkit';
import type { LanguageModelOptions, RecurrentState, LanguageModelBatch } from 'rnnkit';
import { parseOptions, stopwatch } from './common.js';

const opts = parseOptions('char-rnn: train a character-level LSTM on a text file, save it, then stream a sample', {
  data: { value: '', help: 'text file (default: the package\'s own README.md and dist/**.js)' },
  valFraction: { value: 0.1, help: 'fraction of the file, from its end, held out for validation' },
  layers: { value: 2, help: 'stacked LSTM layers', int: true },
  hidden: { value: 256, help: 'LSTM hidden units', int: true },
  embedding: { value: 64, help: 'character embedding size', int: true },
  dropout: { value: 0, help: 'dropout between layers' },
  batch: { value: 32, help: 'B: rows of text per batch', int: true },
  seqLen: { value: 64, help: 'T: characters per row per batch (backpropagation window)', int: true },
  lr: { value: 2e-3, help: 'Adam learning rate' },
  lrDecay: { value: 'cosine', help: 'cosine: the learning rate falls along a half cosine to 0 at the end of the time budget; none: constant' },
  clip: { value: 5, help: 'gradient norm clip' },
  minutes: { value: 2, help: 'training time budget in minutes (evaluation not counted)' },
  steps: { value: 0, help: 'stop after this many steps (0: only the time budget)', int: true },
  evalMinutes: { value: 2, help: 'validation every this many minutes of training' },
  keepBest: { value: true, help: 'end with the weights of the best validation (false: the last weights)' },
  out: { value: join(tmpdir(), 'rnnkit-char-rnn.safetensors'), help: 'checkpoint file written after training' },
  sample: { value: 600, help: 'characters to sample', int: true },
  prompt: { value: 'The ', help: 'text the sample continues' },
  temperature: { value: 0.8, help: 'sampling temperature (0: always the most likely character)' },
  seed: { value: 1, help: 'seed of the weights and the sample', int: true },
});

// ---- the text: a file, or what the installed package ships ----
function packageText(): { text: string; what: string } {
  const root = dirname(dirname(fileURLToPath(import.meta.resolve('rnnkit')))); // <root>/dist/index.js → <root>
  const files = [join(root, 'README.md')];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (entry.isDirectory() && entry.name !== 'cjs') walk(join(dir, entry.name)); // dist/cjs repeats dist/ as CommonJS
      else if (entry.name.endsWith('.js')) files.push(join(dir, entry.name));
    }
  };
  walk(join(root, 'dist'));
  return { text: files.map((f) => readFileSync(f, 'utf8')).join('\n'), what: `${files.length} files of the rnnkit package (${relative(process.cwd(), root) || '.'}: README.md, dist/**.js)` };
}
if (opts.lrDecay !== 'none' && opts.lrDecay !== 'cosine') throw new RangeError(`--lr-decay must be none or cosine, got ${JSON.stringify(opts.lrDecay)}`);
const { text, what } = opts.data === '' ? packageText() : { text: readFileSync(opts.data, 'utf8'), what: opts.data };
const tokenizer = new CharTokenizer().fit(text);
const V = tokenizer.vocabSize;
const ids = tokenizer.encode(text); // [N]
const valCount = Math.round(opts.valFraction * ids.length);
const trainIds = ids.subarray(0, ids.length - valCount);
const valIds = ids.subarray(ids.length - valCount); // the last valFraction of the text
if (valCount < 33) throw new RangeError(`--val-fraction must leave at least 33 held-out characters, got ${valCount}`);

// ---- model ----
manualSeed(opts.seed);
const config: LanguageModelOptions = {
  vocabSize: V, embeddingDim: opts.embedding, hiddenSize: opts.hidden, numLayers: opts.layers, dropout: opts.dropout,
};
const model = new LanguageModel(config);
const optimizer = new Adam(model.parameters(), { lr: opts.lr });
const B = opts.batch;
const T = opts.seqLen;
const trainBatches = languageModelBatches(trainIds, B, T); // x, y [T, B]; row b of batch k+1 continues row b of batch k

/** Mean cross entropy (nats per character) over all of the held-out text, 32 rows with carried state. */
function validationLoss(): number {
  return noGrad(() => {
    model.eval();
    let total = 0;
    let count = 0;
    let state: RecurrentState | null = null;
    for (const { x, y } of languageModelBatches(valIds, 32, 250)) {
      const [logits, next] = model.forward(x, state); // [T', 32, V]
      total += sequenceCrossEntropy(logits, y, { reduction: 'sum' }).item();
      count += y.size;
      state = next;
    }
    model.train();
    return total / count;
  });
}

const parameters = model.parameters().reduce((n, p) => n + p.size, 0);
console.log(`backend ${getBackend().name}; text: ${what}`);
console.log(`${ids.length.toLocaleString('en')} characters, vocabulary ${V}; training on the first ${trainIds.length.toLocaleString('en')}, validating on the last ${valCount.toLocaleString('en')}`);
console.log(`model: Embedding(${V}, ${opts.embedding}) → ${opts.layers}×LSTM(${opts.hidden}) → Linear(${V}), ${(parameters / 1e6).toFixed(2)}M parameters, dropout ${opts.dropout}`);
console.log(`training: B=${B}, T=${T}, Adam ${opts.lr}${opts.lrDecay === 'cosine' ? ' with cosine decay to 0' : ''}, clip ${opts.clip}`);
console.log(`budget: ${opts.minutes} min of training${opts.steps > 0 ? ` or ${opts.steps} steps` : ''}; one epoch is ${trainBatches.length} steps\n`);

// ---- training: fit with the state carried across batches, a clock, and validation every few minutes ----
const curve: { minutes: number; step: number; trainLoss: number; valLoss: number }[] = [];
const best = { valLoss: Infinity, step: 0, minutes: 0, weights: {} as Record<string, Float32Array> }; // the best validation so far
let trainSeconds = 0; // time spent in training steps only
let stepStart = performance.now();
let lossSum = 0;
let lossCount = 0;
let lastLog = 0;
let nextEval = opts.evalMinutes * 60;
const tokensPerSecond = (steps: number): number => (steps * B * T) / trainSeconds;
const wall = stopwatch();
const evaluate = (step: number): void => {
  const valLoss = validationLoss();
  const trainLoss = lossSum / Math.max(1, lossCount);
  curve.push({ minutes: trainSeconds / 60, step, trainLoss, valLoss });
  if (opts.keepBest && valLoss < best.valLoss) Object.assign(best, { valLoss, step, minutes: trainSeconds / 60, weights: model.stateDict() });
  console.log(`  ${(trainSeconds / 60).toFixed(1).padStart(5)} min  step ${String(step).padStart(6)}  train loss ${trainLoss.toFixed(4)}  ${Math.round(tokensPerSecond(step))} tokens/s  validation loss ${valLoss.toFixed(4)}`);
  lastLog = trainSeconds;
  lossSum = lossCount = 0;
};
const history = await fit(model, {
  data: trainBatches,
  epochs: 1_000_000, // the clock or --steps ends training
  optimizer,
  loss: (m: LanguageModel, { x, y }: LanguageModelBatch, ctx) => {
    const [logits, state] = m.forward(x, ctx.carry.state as RecurrentState | undefined); // [T, B, V]
    ctx.carry.state = state as typeof ctx.carry.state; // fit detaches it after the step
    return { loss: sequenceCrossEntropy(logits, y), count: y.size };
  },
  gradClipNorm: opts.clip,
  ...(opts.steps > 0 ? { maxSteps: opts.steps } : {}),
  progress: false,
  callbacks: [{
    onEpochBegin: () => { stepStart = performance.now(); },
    onStepEnd: (trainer, log) => {
      trainSeconds += (performance.now() - stepStart) / 1000;
      lossSum += log.loss;
      lossCount++;
      if (opts.lrDecay === 'cosine') optimizer.paramGroups[0]!.lr = opts.lr * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, trainSeconds / (opts.minutes * 60))));
      if (trainSeconds >= opts.minutes * 60) trainer.stopTraining('callback', `time budget of ${opts.minutes} min reached`);
      else if (trainSeconds >= nextEval) {
        evaluate(trainer.step);
        nextEval += opts.evalMinutes * 60;
      } else if (trainSeconds - lastLog >= 30 || trainer.step === 1) {
        console.log(`  ${(trainSeconds / 60).toFixed(1).padStart(5)} min  step ${String(trainer.step).padStart(6)}  train loss ${(lossSum / lossCount).toFixed(4)}  ${Math.round(tokensPerSecond(trainer.step))} tokens/s`);
        lastLog = trainSeconds;
        lossSum = lossCount = 0; // the next line averages the steps since this one
      }
      stepStart = performance.now();
    },
  }],
});
if (curve.at(-1)?.step !== history.step) evaluate(history.step);
const last = curve.at(-1)!;
if (opts.keepBest && best.step !== last.step) {
  model.loadStateDict(best.weights);
  console.log(`the last validation loss (${last.valLoss.toFixed(4)}) is above the best; keeping the weights of step ${best.step}`);
}
const final = opts.keepBest ? best : last;
console.log(`\ntrained ${history.step} steps (${(history.step / trainBatches.length).toFixed(2)} epochs) in ${(trainSeconds / 60).toFixed(1)} min of training, ${(wall() / 60).toFixed(1)} min wall`);
console.log(`throughput: ${Math.round(tokensPerSecond(history.step))} tokens/s (training steps, ${getBackend().name} backend)`);
console.log(`validation loss ${final.valLoss.toFixed(4)} nats/char (${(final.valLoss / Math.LN2).toFixed(3)} bits/char) on the last ${valCount.toLocaleString('en')} characters, at ${final.minutes.toFixed(1)} min (step ${final.step})`);

// ---- save, load into a fresh model, stream a sample ----
saveCheckpoint(opts.out, { model, optimizer, step: history.step, config, vocab: tokenizer.toJSON(), history: curve });
const checkpoint = readCheckpoint(opts.out);
const restored = new LanguageModel(checkpoint.config as LanguageModelOptions);
loadCheckpoint(checkpoint, { model: restored, optimizer: null, rngs: {} });
const restoredTokenizer = tokenizerFromJSON(checkpoint.vocab);
console.log(`saved ${opts.out} and loaded it back; a sample (temperature ${opts.temperature}):\n`);
process.stdout.write(opts.prompt);
for await (const id of generate(restored, restoredTokenizer.encode(opts.prompt), { maxTokens: opts.sample, temperature: opts.temperature, rng: new Rng(opts.seed) })) {
  process.stdout.write(restoredTokenizer.decode([id], { skipSpecial: true }));
}
process.stdout.write('\n');
