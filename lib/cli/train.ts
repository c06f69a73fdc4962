/**
 * `rnnkit train <text-file>`: a character- or word-level language model on one text file, char-rnn
 * style, through the public API: a CharTokenizer or WordTokenizer fitted on the text, a
 * LanguageModel (embedding → LSTM/GRU/RNN → linear), truncated BPTT over languageModelBatches (the
 * hidden state carried across batches in ctx.carry), Adam, gradient clipping, and `fit` for the
 * progress display, validation on the end of the text, numbered checkpoints and exact resume.
 *
 * Each checkpoint is one safetensors file holding the weights, the optimizer, the tokenizer (as the
 * checkpoint's vocab) and the options below (as its config), so `rnnkit generate` needs nothing
 * else and `--resume` rebuilds the same model. Resuming checks that the text is the same file
 * (size and SHA-256) and that no model option given on the command line contradicts the checkpoint.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import {
  Adam, CharTokenizer, LanguageModel, WordTokenizer, crossEntropy, fit, languageModelBatches, latestCheckpoint,
  manualSeed, readCheckpoint, setBackend, tokenizerFromJSON,
  type CellType, type LanguageModelBatch, type ProgressMode, type RecurrentState, type StepContext,
} from '../index.js';
import {
  UsageError, flag, helpText, nonNegativeInt, numberIn, oneOf, parse, positiveInt, positiveNumber, integer, str, type Command,
} from './args.js';

/** What `rnnkit train` stores as a checkpoint's config; `rnnkit generate` reads `model`. */
export interface TrainConfig {
  kind: typeof CONFIG_KIND;
  model: { vocabSize: number; embeddingDim: number; hiddenSize: number; numLayers: number; cell: CellType; dropout: number; tieWeights: boolean };
  tokenizer: { type: 'char' | 'word'; lowercase: boolean; minFreq: number; maxVocab: number | null };
  /** epochs: the run's target, kept for --resume (which may change it). */
  training: { seqLen: number; batchSize: number; valFraction: number; lr: number; clip: number; seed: number; epochs: number };
  data: { file: string; bytes: number; sha256: string };
}

export const CONFIG_KIND = 'rnnkit-cli-language-model/1';

const help = helpText('rnnkit train <text-file> [options]', `
Trains a character (default) or word language model on a text file, with a progress display,
validation on the last part of the text, and checkpoints in --out (Ctrl-C saves one and stops).
Sample from it with: rnnkit generate <out-dir>

model:
  --tokenizer char|word   tokens are characters (default) or whitespace-separated words
  --lowercase             word tokens: lowercase the text first
  --min-freq N            leave out tokens seen fewer than N times (default 1)
  --max-vocab N           at most N tokens, the 4 special ones included (default: no limit)
  --cell lstm|gru|rnn     recurrent cell (default lstm)
  --hidden N              hidden units per layer (default 128)
  --embedding N           token embedding size (default: = --hidden)
  --layers N              stacked recurrent layers (default 1)
  --dropout P             dropout in [0, 1) (default 0)
  --tie                   share the embedding with the output layer (needs --embedding = --hidden)

training:
  --seq-len T             steps per batch for truncated BPTT (default 64)
  --batch-size B          rows per batch (default 32)
  --epochs N              passes over the text (default 1)
  --max-steps N           stop after N optimizer steps
  --lr X                  Adam learning rate (default 0.002)
  --clip X                clip the gradient norm at X, 0 = off (default 5)
  --val-fraction F        the last fraction F of the text validates, 0 = none (default 0.1)
  --seed N                seed of the weights and dropout (default 1)
  --backend native|js     the kernels (default: native when the addon loads)
  --progress MODE         auto|bar|lines|json|none, on stderr (default auto)

checkpoints:
  --out DIR               where checkpoints go (default rnnkit-model)
  --every-steps N         also save every N steps (default 0: after each epoch)
  --keep N                keep the last N checkpoints (default 3)
  --resume                continue from the latest checkpoint in --out (same text file; the
                          model options come from the checkpoint, --epochs may be raised)

  -h, --help              this text

exit codes: 0 done, 1 training failed, 2 bad arguments, 130 interrupted (checkpoint saved).`);

const OPTIONS = {
  tokenizer: { type: 'string' }, lowercase: { type: 'boolean' }, 'min-freq': { type: 'string' }, 'max-vocab': { type: 'string' },
  cell: { type: 'string' }, hidden: { type: 'string' }, embedding: { type: 'string' }, layers: { type: 'string' },
  dropout: { type: 'string' }, tie: { type: 'boolean' },
  'seq-len': { type: 'string' }, 'batch-size': { type: 'string' }, epochs: { type: 'string' }, 'max-steps': { type: 'string' },
  lr: { type: 'string' }, clip: { type: 'string' }, 'val-fraction': { type: 'string' }, seed: { type: 'string' },
  backend: { type: 'string' }, progress: { type: 'string' },
  out: { type: 'string' }, 'every-steps': { type: 'string' }, keep: { type: 'string' }, resume: { type: 'boolean' },
} as const;

/** The model, tokenizer and training options from the command line (defaults filled in). */
function configFromArgs(args: ReturnType<typeof parse>): Omit<TrainConfig, 'kind' | 'data' | 'model'> & { model: Omit<TrainConfig['model'], 'vocabSize'> } {
  const hidden = positiveInt('hidden', str(args, 'hidden'), 128);
  const tokenizer = oneOf('tokenizer', str(args, 'tokenizer'), 'char', ['char', 'word'] as const);
  if (flag(args, 'lowercase') && tokenizer !== 'word') throw new UsageError('--lowercase needs --tokenizer word');
  const maxVocab = str(args, 'max-vocab') === undefined ? null : positiveInt('max-vocab', str(args, 'max-vocab'), 0);
  if (maxVocab !== null && maxVocab < 5) throw new UsageError(`--max-vocab must be at least 5 (4 special tokens and one more), got ${JSON.stringify(str(args, 'max-vocab'))}`);
  const model = {
    embeddingDim: positiveInt('embedding', str(args, 'embedding'), hidden),
    hiddenSize: hidden,
    numLayers: positiveInt('layers', str(args, 'layers'), 1),
    cell: oneOf('cell', str(args, 'cell'), 'lstm', ['lstm', 'gru', 'rnn'] as const),
    dropout: numberIn('dropout', str(args, 'dropout'), 0, 0, 1, true),
    tieWeights: flag(args, 'tie'),
  };
  if (model.tieWeights && model.embeddingDim !== model.hiddenSize) {
    throw new UsageError(`--tie needs --embedding equal to --hidden (${model.hiddenSize}), got --embedding ${model.embeddingDim}`);
  }
  return {
    model,
    tokenizer: { type: tokenizer, lowercase: flag(args, 'lowercase'), minFreq: positiveInt('min-freq', str(args, 'min-freq'), 1), maxVocab },
    training: {
      seqLen: positiveInt('seq-len', str(args, 'seq-len'), 64),
      batchSize: positiveInt('batch-size', str(args, 'batch-size'), 32),
      valFraction: numberIn('val-fraction', str(args, 'val-fraction'), 0.1, 0, 1, true),
      lr: positiveNumber('lr', str(args, 'lr'), 0.002),
      clip: numberIn('clip', str(args, 'clip'), 5, 0, Infinity),
      seed: integer('seed', str(args, 'seed'), 1),
      epochs: positiveInt('epochs', str(args, 'epochs'), 1),
    },
  };
}

/** The command-line option that sets each saved value, to name it when it contradicts a checkpoint. */
const OPTION_OF: Record<string, [section: 'model' | 'tokenizer' | 'training', key: string]> = {
  tokenizer: ['tokenizer', 'type'], lowercase: ['tokenizer', 'lowercase'], 'min-freq': ['tokenizer', 'minFreq'], 'max-vocab': ['tokenizer', 'maxVocab'],
  cell: ['model', 'cell'], hidden: ['model', 'hiddenSize'], embedding: ['model', 'embeddingDim'], layers: ['model', 'numLayers'],
  dropout: ['model', 'dropout'], tie: ['model', 'tieWeights'],
  'seq-len': ['training', 'seqLen'], 'batch-size': ['training', 'batchSize'], 'val-fraction': ['training', 'valFraction'],
  lr: ['training', 'lr'], clip: ['training', 'clip'], seed: ['training', 'seed'],
};

function checkResumeMatches(args: ReturnType<typeof parse>, fromArgs: ReturnType<typeof configFromArgs>, saved: TrainConfig, path: string): void {
  for (const [option, [section, key]] of Object.entries(OPTION_OF)) {
    if (args.values[option] === undefined) continue; // not given: the checkpoint's value is used
    const given = (fromArgs[section] as Record<string, unknown>)[key];
    const had = (saved[section] as Record<string, unknown>)[key];
    if (given !== had) {
      throw new UsageError(`--${option} ${JSON.stringify(given)} differs from ${JSON.stringify(had)} in the checkpoint ${path}; leave it out to resume, or train into another --out`);
    }
  }
}

function isTrainConfig(value: unknown): value is TrainConfig {
  return value !== null && typeof value === 'object' && (value as { kind?: unknown }).kind === CONFIG_KIND;
}

function printSummary(steps: number, epochs: number, log: Record<string, number> | undefined, checkpoint: string | null, reason: string): void {
  const parts = [`trained ${steps} steps (${epochs} epoch${epochs === 1 ? '' : 's'}${reason === 'completed' ? '' : `, stopped: ${reason}`})`];
  if (log !== undefined) {
    for (const key of ['loss', 'perplexity', 'valLoss', 'valPerplexity']) if (log[key] !== undefined) parts.push(`${key} ${log[key]!.toFixed(4)}`);
  }
  process.stdout.write(`${parts.join('  ')}\n`);
  if (checkpoint !== null) process.stdout.write(`checkpoint: ${checkpoint}\n`);
}

async function run(argv: string[]): Promise<number> {
  const args = parse(argv, OPTIONS, 1);
  if (flag(args, 'help')) {
    process.stdout.write(help);
    return 0;
  }
  const file = args.positionals[0];
  if (file === undefined) throw new UsageError('missing <text-file> (the text to train on)');
  const fromArgs = configFromArgs(args);
  const maxSteps = str(args, 'max-steps') === undefined ? undefined : positiveInt('max-steps', str(args, 'max-steps'), 1);
  const out = str(args, 'out') ?? 'rnnkit-model';
  if (out === '') throw new UsageError('--out must be a directory path, got ""');
  const everySteps = nonNegativeInt('every-steps', str(args, 'every-steps'), 0);
  const keepLast = positiveInt('keep', str(args, 'keep'), 3);
  const progress = oneOf('progress', str(args, 'progress'), 'auto', ['auto', 'bar', 'lines', 'json', 'none'] as const) as ProgressMode;
  const backend = str(args, 'backend') === undefined ? undefined : oneOf('backend', str(args, 'backend'), 'native', ['native', 'js'] as const);
  if (!existsSync(file) || !statSync(file).isFile()) throw new UsageError(`<text-file> ${JSON.stringify(file)} is not a readable file`);

  const bytes = readFileSync(file);
  const text = bytes.toString('utf8');
  const data = { file: basename(file), bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };

  // A fresh run never mixes its numbered checkpoints with an older run's.
  const latest = latestCheckpoint(out);
  let saved: { config: TrainConfig; vocab: unknown } | null = null;
  if (latest !== null && !flag(args, 'resume')) {
    throw new UsageError(`--out ${out} already holds checkpoints (latest ${latest}); pass --resume to continue that run, or choose another --out`);
  }
  if (latest !== null) {
    const checkpoint = readCheckpoint(latest);
    if (!isTrainConfig(checkpoint.config)) throw new UsageError(`--resume: ${latest} was not written by rnnkit train; choose another --out`);
    checkResumeMatches(args, fromArgs, checkpoint.config, latest);
    if (checkpoint.config.data.sha256 !== data.sha256) {
      throw new UsageError(`<text-file> ${file} is not the text the checkpoint ${latest} was trained on (${checkpoint.config.data.file}, ${checkpoint.config.data.bytes} bytes); resume with that file`);
    }
    saved = { config: checkpoint.config, vocab: checkpoint.vocab };
  } else if (flag(args, 'resume')) {
    process.stderr.write(`no checkpoint in ${out} yet: starting a new run\n`);
  }

  if (backend !== undefined) setBackend(backend);
  const settings = saved?.config ?? { ...fromArgs, model: { ...fromArgs.model, vocabSize: 0 }, kind: CONFIG_KIND, data };
  // --epochs may change on resume (train on); not given, the run keeps its own target.
  const epochs = str(args, 'epochs') !== undefined || saved === null ? fromArgs.training.epochs : (settings.training.epochs ?? 1);
  manualSeed(settings.training.seed);

  const tokenizer = saved !== null
    ? tokenizerFromJSON(saved.vocab)
    : settings.tokenizer.type === 'word'
      ? new WordTokenizer({ lowercase: settings.tokenizer.lowercase, minFreq: settings.tokenizer.minFreq, ...(settings.tokenizer.maxVocab === null ? {} : { maxVocab: settings.tokenizer.maxVocab }) }).fit(text)
      : new CharTokenizer({ minFreq: settings.tokenizer.minFreq, ...(settings.tokenizer.maxVocab === null ? {} : { maxVocab: settings.tokenizer.maxVocab }) }).fit(text);
  const tokens = tokenizer.encode(text); // [N]
  const { seqLen, batchSize, valFraction } = settings.training;

  // The last valFraction of the stream validates (batches of up to batchSize rows of >= seqLen tokens).
  const valCount = Math.floor(tokens.length * valFraction);
  const trainTokens = tokens.subarray(0, tokens.length - valCount);
  if (trainTokens.length < batchSize + 1) {
    throw new UsageError(`--batch-size ${batchSize} needs at least ${batchSize + 1} training tokens, and ${file} gives ${trainTokens.length}; lower --batch-size or --val-fraction, or use a longer text`);
  }
  const trainBatches = languageModelBatches(trainTokens, batchSize, seqLen);
  const valRows = Math.min(batchSize, Math.floor((valCount - 1) / seqLen));
  const valBatches = valCount >= 2 ? languageModelBatches(tokens.subarray(tokens.length - valCount), Math.max(1, valRows), seqLen) : undefined;

  const config: TrainConfig = {
    ...settings, kind: CONFIG_KIND, model: { ...settings.model, vocabSize: tokenizer.vocabSize }, training: { ...settings.training, epochs }, data,
  };
  const model = new LanguageModel(config.model);
  const optimizer = new Adam(model.parameters(), { lr: settings.training.lr });
  const step = (m: LanguageModel, batch: LanguageModelBatch, ctx: StepContext) => {
    const [logits, state] = m.forward(batch.x, ctx.carry.state as RecurrentState | undefined); // [T, B, V]
    ctx.carry.state = state; // carried into the next batch, detached by fit (truncated BPTT)
    const [T, B, V] = logits.shape as [number, number, number];
    return { loss: crossEntropy(logits.reshape([T * B, V]), batch.y.reshape([T * B])), count: T * B };
  };

  process.stderr.write(
    `rnnkit train: ${tokens.length} ${tokenizer.type} tokens (vocabulary ${tokenizer.vocabSize}), ${trainBatches.length} batches of ${batchSize}×${seqLen} per epoch` +
      `${valBatches === undefined ? '' : `, ${valCount} tokens for validation`}; ${config.model.cell} ${config.model.numLayers}×${config.model.hiddenSize}, ${model.parameters().reduce((n, p) => n + p.size, 0)} parameters\n`,
  );
  const history = await fit(model, {
    data: trainBatches,
    validationData: valBatches,
    epochs,
    maxSteps,
    optimizer,
    loss: step,
    metrics: ['perplexity'],
    ...(settings.training.clip > 0 ? { gradClipNorm: settings.training.clip } : {}),
    checkpoint: { dir: out, everySteps, keepLast },
    resume: flag(args, 'resume'),
    progress,
    stepsPerEpoch: trainBatches.length,
    config,
    vocab: tokenizer.toJSON(),
  });
  printSummary(history.step, history.epochs.length, history.epochs.at(-1), latestCheckpoint(out), history.stopReason);
  return history.stopReason === 'interrupted' ? 130 : 0;
}

export const train: Command = { name: 'train', summary: 'train a char or word language model on a text file (checkpoints, resume)', help, run };
