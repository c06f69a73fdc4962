/**
 * What the sequence models (language_model.ts, sequence_classifier.ts, sequence_tagger.ts,
 * seq2seq.ts) share: choosing the recurrent layer by name, reading token batches, and a few state
 * helpers (top layer, batch-row selection; detaching is lib/train/tbptt.ts's detachState).
 * Everything is composed from the layers and ops;
 * nothing here has its own backward.
 *
 * Dimension letters: T steps, B batch rows, L layers, D directions, H hidden units, K selected rows.
 */
import { RNN } from '../recurrent/rnn.js';
import { LSTM } from '../recurrent/lstm.js';
import { GRU } from '../recurrent/gru.js';
import { checkLengths, type RecurrentState, type RNNBaseOptions } from '../recurrent/base.js';
import type { Embedding } from '../embedding.js';
import { Tensor } from '../../tensor/tensor.js';
import { gather } from '../../tensor/ops/gather.js';
import { reshape, slice } from '../../tensor/ops/shape.js';
import { toIndexArray, type IndexLike } from '../../tensor/ops/args.js';
import { checkOneOf, checkPositiveInt, checkShape, shapeString, typeError } from '../../util/check.js';

/** The recurrent cell of a model: 'rnn' is the tanh Elman RNN. */
export type CellType = 'lstm' | 'gru' | 'rnn';
export const CELL_TYPES: readonly CellType[] = ['lstm', 'gru', 'rnn'];

/** Any of the three recurrent layers. */
export type RecurrentLayer = RNN | LSTM | GRU;

export type { RecurrentState };

export function checkCellType(name: string, value: unknown): CellType {
  return checkOneOf(name, value, CELL_TYPES);
}

/** A new RNN / LSTM / GRU with `options` (time-major). */
export function createRecurrent(cell: CellType, options: RNNBaseOptions): RecurrentLayer {
  if (cell === 'lstm') return new LSTM(options);
  if (cell === 'gru') return new GRU(options);
  return new RNN({ ...options, nonlinearity: 'tanh' });
}

/** Runs any recurrent layer with a loosely typed state (the union the models carry). */
export function runRecurrent(
  layer: RecurrentLayer, x: Tensor, state: RecurrentState | null | undefined, lengths?: Int32Array | null,
): [Tensor, RecurrentState] {
  const options = lengths ? { lengths } : undefined;
  // The three classes differ only in the state's type; the layer itself checks it.
  return (layer as RNN).forward(x, (state ?? null) as Tensor | null, options) as [Tensor, RecurrentState];
}

/** Token ids as integers with their [T, B] shape. */
export interface TokenBatch {
  ids: Int32Array; // [T·B], time-major
  T: number;
  B: number;
}

/**
 * Token ids [T, B] (a Tensor of integer values, as the data pipeline pads them, or a nested
 * number[][]) checked against the vocabulary size.
 */
export function checkTokens(name: string, tokens: unknown, vocabSize: number): TokenBatch {
  if (tokens instanceof Int32Array) {
    throw typeError(name, 'a Tensor or nested number array of token ids with shape [T, B] (a flat Int32Array has no shape)', tokens);
  }
  const index = toIndexArray(name, tokens as IndexLike);
  if (index.shape.length !== 2 || index.shape[0]! < 1 || index.shape[1]! < 1) {
    throw new RangeError(`${name} must have shape [T, B] with T, B >= 1, got ${shapeString(index.shape)}`);
  }
  const ids = index.data;
  for (let i = 0; i < ids.length; i++) {
    const v = ids[i]!;
    if (v < 0 || v >= vocabSize) {
      throw new RangeError(`${name} must hold token ids in [0, ${vocabSize - 1}], got ${v} at flat index ${i}`);
    }
  }
  return { ids, T: index.shape[0]!, B: index.shape[1]! };
}

/** The hidden state h of a recurrent state (LSTM: h of [h, c]). [L·D, B, H] */
export function hiddenOf(state: RecurrentState): Tensor {
  return Array.isArray(state) ? state[0] : state;
}

/** The last layer's h, [B, H] (single direction). */
export function topHidden(state: RecurrentState): Tensor {
  const h = hiddenOf(state); // [L, B, H]
  const [L, B, H] = h.shape as [number, number, number];
  return reshape(L === 1 ? h : slice(h, 0, L - 1, L), [B, H]);
}

/**
 * Rows `rows` [K] of a [L, B, H] state tensor along the batch dimension → [L, K, H] (a row may repeat):
 * how beam search follows each surviving hypothesis to its parent. Through `gather`, so gradients
 * flow when they are recorded.
 */
export function selectRows(t: Tensor, rows: ArrayLike<number>, dim = 1): Tensor {
  const shape = t.shape.slice();
  const K = rows.length;
  const outer = shape.slice(0, dim).reduce((n, d) => n * d, 1);
  const inner = shape.slice(dim + 1).reduce((n, d) => n * d, 1);
  const index = new Int32Array(outer * K * inner); // index's shape: t's with K along `dim`
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < K; k++) index.fill(rows[k]!, (o * K + k) * inner, (o * K + k + 1) * inner);
  }
  shape[dim] = K;
  return gather(t, dim, index, shape);
}

/** `selectRows` on every tensor of a recurrent state. */
export function selectStateRows<S extends RecurrentState>(state: S, rows: ArrayLike<number>): S {
  return (Array.isArray(state) ? [selectRows(state[0], rows), selectRows(state[1], rows)] : selectRows(state, rows)) as S;
}

/** Index of the largest value of row `r` of a [rows, cols] buffer (the first one on ties). */
export function argmaxRow(values: ArrayLike<number>, r: number, cols: number): number {
  let best = 0;
  let bestValue = values[r * cols]!;
  for (let c = 1; c < cols; c++) {
    const v = values[r * cols + c]!;
    if (v > bestValue) {
      bestValue = v;
      best = c;
    }
  }
  return best;
}

/** `new Tensor` for token ids (float32 values, as Embedding and the data pipeline use them). */
export function tokenTensor(ids: ArrayLike<number>, shape: number[]): Tensor {
  return new Tensor(Float32Array.from(ids), shape);
}

// ---- inputs of the classifier and the tagger: token ids through an embedding, or raw features ----

/** Either `vocabSize` + `embeddingDim` (token ids) or `inputSize` (feature vectors per step). */
export interface SequenceInputOptions {
  /** Token ids in [0, vocabSize) go through an Embedding (`embedding.weight`). */
  vocabSize?: number;
  /** Embedding size (with vocabSize). */
  embeddingDim?: number;
  /** Embedding row of the padding token: zeros, no gradient (with vocabSize). */
  paddingIdx?: number | null;
  /** Raw inputs [T, B, inputSize] instead of token ids. */
  inputSize?: number;
}

export const SEQUENCE_INPUT_KEYS = ['vocabSize', 'embeddingDim', 'paddingIdx', 'inputSize'];

/** The checked input options: exactly one of the two kinds. */
export function checkSequenceInput(opts: SequenceInputOptions):
  { kind: 'tokens'; vocabSize: number; embeddingDim: number; paddingIdx: number | null } | { kind: 'features'; inputSize: number } {
  if (opts.inputSize !== undefined) {
    if (opts.vocabSize !== undefined || opts.embeddingDim !== undefined || (opts.paddingIdx ?? null) !== null) {
      throw new RangeError('options must give either inputSize (raw features) or vocabSize and embeddingDim (token ids), got both');
    }
    return { kind: 'features', inputSize: checkPositiveInt('inputSize', opts.inputSize) };
  }
  if (opts.vocabSize === undefined) {
    throw new TypeError('options must give vocabSize and embeddingDim (token ids) or inputSize (raw features), got neither');
  }
  return {
    kind: 'tokens',
    vocabSize: checkPositiveInt('vocabSize', opts.vocabSize),
    embeddingDim: checkPositiveInt('embeddingDim', opts.embeddingDim),
    paddingIdx: opts.paddingIdx ?? null,
  };
}

/**
 * x: token ids [T, B] through `embedding`, or features [T, B, I] passed through → [T, B, I], and
 * `lengths` checked against B and T.
 */
export function readSequenceInput(
  embedding: Embedding | null, inputSize: number, x: unknown, lengths: unknown,
): { features: Tensor; lengths: Int32Array | null; T: number; B: number } {
  let features: Tensor;
  if (embedding !== null) {
    const { ids, T, B } = checkTokens('x', x, embedding.numEmbeddings);
    features = embedding.forward(ids, [T, B]); // [T, B, E]
  } else {
    if (!(x instanceof Tensor)) throw typeError('x', `a Tensor [T, B, ${inputSize}]`, x);
    checkShape('x', x.shape, [-1, -1, inputSize]);
    features = x;
  }
  const [T, B] = features.shape as [number, number, number];
  return { features, lengths: checkLengths(lengths, B, T), T, B };
}
