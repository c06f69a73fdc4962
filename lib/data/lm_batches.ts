/**
 * Language-model batches for truncated BPTT, the layout of char-rnn (Karpathy's `CharSplitLMMinibatchLoader`)
 * and PyTorch's word_language_model `batchify`: the token stream is cut into B contiguous rows, and
 * batch k holds steps [k·T, (k+1)·T) of every row. So row b of batch k+1 continues exactly where row b
 * of batch k stopped, and a hidden state carried from one batch to the next (detached) is the state
 * of the same text: that is what makes truncated BPTT see further back than T steps.
 *
 * Letters: N tokens, B rows (batchSize), L = floor((N − 1) / B) tokens per row, T steps per batch
 * (seqLen). Row b is tokens[b·L, (b+1)·L); the targets are the same positions shifted by one, so the
 * last target of row b is tokens[(b+1)·L] (the first input of row b+1, or the one extra token that
 * N − 1 reserves for the last row). The last batch has L − k·T < T steps unless `dropLast`.
 *
 *   x [T, B]: x[t, b] = tokens[b·L + k·T + t]      (batchFirst: [B, T])
 *   y [T, B]: y[t, b] = tokens[b·L + k·T + t + 1]
 *
 * Ids are float32 tensor values, as Embedding and crossEntropy take them. Up to B tokens at the end
 * of the stream are unused (N − 1 − B·L of them), as in char-rnn.
 */
import { Tensor } from '../tensor/tensor.js';
import { checkBoolean, checkKnownOptions, checkOptions, checkPositiveInt, describe, rangeError, typeError } from '../util/check.js';

export interface LanguageModelBatch {
  /** [T, B] (batchFirst: [B, T]) input ids. */
  x: Tensor;
  /** [T, B] (batchFirst: [B, T]) next-token ids: x shifted by one step. */
  y: Tensor;
  /** Which batch of the epoch this is (0-based). */
  index: number;
}

export interface LanguageModelBatchOptions {
  /** [B, T] instead of [T, B] (default false). */
  batchFirst?: boolean;
  /** Leave out the last batch when it has fewer than seqLen steps (default false). */
  dropLast?: boolean;
}

export class LanguageModelBatches implements Iterable<LanguageModelBatch> {
  readonly batchSize: number;
  readonly seqLen: number;
  /** L: tokens per row. */
  readonly rowLength: number;
  readonly batchFirst: boolean;
  readonly dropLast: boolean;
  private readonly tokens: Int32Array;

  /** Use `languageModelBatches(...)`; arguments are checked there. */
  constructor(tokens: Int32Array, batchSize: number, seqLen: number, batchFirst: boolean, dropLast: boolean) {
    this.tokens = tokens;
    this.batchSize = batchSize;
    this.seqLen = seqLen;
    this.rowLength = Math.floor((tokens.length - 1) / batchSize);
    this.batchFirst = batchFirst;
    this.dropLast = dropLast;
  }

  /** Batches per epoch. */
  get length(): number {
    const full = Math.floor(this.rowLength / this.seqLen);
    return this.dropLast || this.rowLength % this.seqLen === 0 ? full : full + 1;
  }

  /** Batch `index` (0-based); any batch can be built on its own, in any order. */
  get(index: number): LanguageModelBatch {
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= this.length) {
      throw rangeError('index', `an integer in [0, ${this.length - 1}]`, index);
    }
    const B = this.batchSize;
    const L = this.rowLength;
    const start = index * this.seqLen;
    const T = Math.min(this.seqLen, L - start);
    const x = new Float32Array(T * B); // [T, B] or [B, T]
    const y = new Float32Array(T * B);
    const tokens = this.tokens;
    for (let b = 0; b < B; b++) {
      const rowStart = b * L + start;
      for (let t = 0; t < T; t++) {
        const at = this.batchFirst ? b * T + t : t * B + b;
        x[at] = tokens[rowStart + t]!;
        y[at] = tokens[rowStart + t + 1]!;
      }
    }
    const shape = this.batchFirst ? [B, T] : [T, B];
    return { x: new Tensor(x, shape), y: new Tensor(y, shape), index };
  }

  *[Symbol.iterator](): Iterator<LanguageModelBatch> {
    for (let k = 0; k < this.length; k++) yield this.get(k);
  }
}

/**
 * Truncated-BPTT batches of a token stream: `batchSize` contiguous rows, `seqLen` steps per batch,
 * targets shifted by one. Needs at least batchSize + 1 tokens (one per row plus the last target).
 */
export function languageModelBatches(
  tokens: ArrayLike<number>, batchSize: number, seqLen: number, options?: LanguageModelBatchOptions,
): LanguageModelBatches {
  if (!(Array.isArray(tokens) || (ArrayBuffer.isView(tokens) && !(tokens instanceof DataView)))) {
    throw typeError('tokens', 'an Int32Array or number[] of token ids', tokens);
  }
  checkPositiveInt('batchSize', batchSize);
  checkPositiveInt('seqLen', seqLen);
  const opts = checkOptions('options', options);
  checkKnownOptions('languageModelBatches options', opts, ['batchFirst', 'dropLast']);
  const batchFirst = checkBoolean('batchFirst', opts.batchFirst ?? false);
  const dropLast = checkBoolean('dropLast', opts.dropLast ?? false);
  const list = tokens as ArrayLike<number>;
  if (list.length < batchSize + 1) {
    throw rangeError('tokens', `at least batchSize + 1 = ${batchSize + 1} tokens (one per row plus the last target)`, tokens);
  }
  const ids = list instanceof Int32Array ? list : new Int32Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new RangeError(`tokens[${i}] must be a non-negative integer id, got ${describe(v)}`);
    if (ids !== list) ids[i] = v;
  }
  const batches = new LanguageModelBatches(ids, batchSize, seqLen, batchFirst, dropLast);
  if (batches.length === 0) {
    throw rangeError('seqLen', `at most the row length ${batches.rowLength} when dropLast is set (no full batch otherwise)`, seqLen);
  }
  return batches;
}
