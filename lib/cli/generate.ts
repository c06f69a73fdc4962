/**
 * `rnnkit generate <checkpoint>`: samples text from a model that `rnnkit train` saved, streaming
 * each token to stdout as it is drawn (the public `generate` async iterator carries the recurrent
 * state, so each token costs one model step). The checkpoint holds the model options (config) and
 * the tokenizer (vocab); a directory means its latest checkpoint.
 */
import { statSync } from 'node:fs';
import {
  BOS_ID, EOS_ID, LanguageModel, PAD_ID, Rng, UNK_ID, generate as generateTokens, latestCheckpoint, loadCheckpoint, readCheckpoint, setBackend,
  tokenizerFromJSON, type Checkpoint, type RecurrentState, type StreamingModel, type Tensor,
} from '../index.js';
import { UsageError, flag, helpText, integer, nonNegativeInt, numberIn, oneOf, parse, positiveNumber, str, type Command } from './args.js';
import { CONFIG_KIND, type TrainConfig } from './train.js';

const help = helpText('rnnkit generate <checkpoint-or-dir> [options]', `
Samples text from a language model saved by rnnkit train and streams it to stdout. Given a
directory, it uses the latest checkpoint in it.

options:
  --prompt TEXT         text to start from (default: a newline for character models, else the most
                        frequent word); it is printed before the sample unless --no-echo
  --length N            tokens to generate (default 200)
  --temperature T       > 0 flattens (> 1) or sharpens (< 1) the distribution; 0 = always the most
                        likely token (default 0.8)
  --top-k K             draw only from the K most likely tokens (default 0: all)
  --top-p P             draw only from the most likely tokens making up probability P (default 1)
  --seed N              seed of the draws (default 1: the same text every run)
  --no-echo             do not print the prompt
  --backend native|js   the kernels (default: native when the addon loads)
  -h, --help            this text`);

const OPTIONS = {
  prompt: { type: 'string' }, length: { type: 'string' }, temperature: { type: 'string' }, 'top-k': { type: 'string' },
  'top-p': { type: 'string' }, seed: { type: 'string' }, 'no-echo': { type: 'boolean' }, backend: { type: 'string' },
} as const;

/** The checkpoint file: the argument itself, or the latest checkpoint in that directory. */
function checkpointFile(target: string): string {
  let stats;
  try {
    stats = statSync(target);
  } catch {
    throw new UsageError(`<checkpoint> ${JSON.stringify(target)} does not exist`);
  }
  if (!stats.isDirectory()) return target;
  const latest = latestCheckpoint(target);
  if (latest === null) throw new UsageError(`<checkpoint> ${JSON.stringify(target)} is a directory without checkpoints (checkpoint-<step>.safetensors)`);
  return latest;
}

/**
 * The model with the tokens that never occur in a `rnnkit train` stream made impossible to draw:
 * <pad>, <bos> and <eos> always, and <unk> when the vocabulary holds every token of the text (no
 * --min-freq or --max-vocab cut), since then it never occurred either. They mean nothing in a sample,
 * though an undertrained model may still favour them.
 */
function withoutUnseen(model: LanguageModel, ids: readonly number[]): StreamingModel<RecurrentState> {
  return {
    get training() {
      return model.training;
    },
    train: (mode?: boolean) => model.train(mode),
    forward(tokens: Tensor, state?: RecurrentState | null): [Tensor, RecurrentState] {
      const [logits, next] = model.forward(tokens, state); // [T, 1, V], made here, ours to change
      const V = logits.shape[logits.ndim - 1]!;
      for (let row = 0; row < logits.size; row += V) for (const id of ids) logits.data[row + id] = -Infinity;
      return [logits, next];
    },
  };
}

/** stdout closed early (`rnnkit generate … | head`): stop quietly. */
function stdoutClosed(): Promise<void> {
  return new Promise((resolve) => {
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') resolve();
    });
  });
}

async function run(argv: string[]): Promise<number> {
  const args = parse(argv, OPTIONS, 1);
  if (flag(args, 'help')) {
    process.stdout.write(help);
    return 0;
  }
  const target = args.positionals[0];
  if (target === undefined) throw new UsageError('missing <checkpoint-or-dir> (what rnnkit train wrote, e.g. rnnkit-model)');
  const length = nonNegativeInt('length', str(args, 'length'), 200);
  const temperature = numberIn('temperature', str(args, 'temperature'), 0.8, 0, Number.MAX_VALUE);
  const topK = nonNegativeInt('top-k', str(args, 'top-k'), 0);
  const topP = str(args, 'top-p') === undefined ? 1 : positiveNumber('top-p', str(args, 'top-p'), 1);
  if (topP > 1) throw new UsageError(`--top-p must be a number in (0, 1], got ${JSON.stringify(str(args, 'top-p'))}`);
  const seed = integer('seed', str(args, 'seed'), 1);
  const backend = str(args, 'backend') === undefined ? undefined : oneOf('backend', str(args, 'backend'), 'native', ['native', 'js'] as const);
  const path = checkpointFile(target);

  const checkpoint: Checkpoint = readCheckpoint(path);
  const config = checkpoint.config as TrainConfig | null;
  if (config === null || typeof config !== 'object' || config.kind !== CONFIG_KIND) {
    throw new UsageError(`<checkpoint> ${path} was not written by rnnkit train (its config names no language model); load it in code with loadCheckpoint()`);
  }
  if (backend !== undefined) setBackend(backend);
  const tokenizer = tokenizerFromJSON(checkpoint.vocab);
  const model = new LanguageModel(config.model);
  loadCheckpoint(checkpoint, { model, rngs: {} });
  model.eval();

  const joiner = tokenizer.type === 'word' ? tokenizer.joiner : '';
  const prompt = str(args, 'prompt') ?? (tokenizer.type === 'char' && tokenizer.vocab.has('\n') ? '\n' : tokenizer.decode([4]));
  const promptIds = tokenizer.encode(prompt);
  if (promptIds.length === 0) throw new UsageError(`--prompt ${JSON.stringify(prompt)} has no tokens`);

  const closed = stdoutClosed();
  let isClosed = false;
  void closed.then(() => (isClosed = true));
  if (!flag(args, 'no-echo')) process.stdout.write(prompt);
  const unseen = config.tokenizer.minFreq === 1 && config.tokenizer.maxVocab === null ? [PAD_ID, UNK_ID, BOS_ID, EOS_ID] : [PAD_ID, BOS_ID, EOS_ID];
  const tokens = generateTokens(withoutUnseen(model, unseen), promptIds, { maxTokens: length, temperature, topK, topP, rng: new Rng(seed) });
  for await (const id of tokens) {
    if (isClosed) break;
    process.stdout.write(joiner + tokenizer.decode([id]));
  }
  if (!isClosed) process.stdout.write('\n');
  return 0;
}

export const generate: Command = { name: 'generate', summary: 'sample text from a checkpoint, streaming to stdout', help, run };
