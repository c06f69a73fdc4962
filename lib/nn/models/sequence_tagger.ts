/**
 * SequenceTagger (many-to-many, aligned): one label per input step, e.g. named-entity tags. Token
 * ids through an embedding (or raw features) → recurrent encoder (usually bidirectional) → dropout →
 * linear → per-step logits [T, B, C]. The loss ignores padded steps: targets there are set to
 * `ignoreIndex`, which crossEntropy skips (no loss, no gradient, not counted by the mean).
 *
 * Also here: `sequenceCrossEntropy`, the per-step cross entropy over [T, B, C] logits that the
 * language model and Seq2Seq train with too.
 *
 * Parameter names: `embedding.weight` (token input only), `encoder.weight_ih_l0` …,
 * `classifier.weight`, `classifier.bias`.
 *
 * Dimension letters: T steps, B batch rows, I input features, H hidden units, D directions, C tags.
 */
import { Module } from '../module.js';
import { Embedding } from '../embedding.js';
import { Linear } from '../linear.js';
import { Dropout } from '../dropout.js';
import { Tensor } from '../../tensor/tensor.js';
import { crossEntropy } from '../../tensor/ops/losses.js';
import { reshape } from '../../tensor/ops/shape.js';
import { toIndexArray, type IndexLike, type Reduction } from '../../tensor/ops/args.js';
import { checkLengths } from '../recurrent/base.js';
import { defaultRng, Rng } from '../../data/rng.js';
import type { SequenceForwardOptions } from './sequence_classifier.js';
import {
  argmaxRow, checkCellType, checkSequenceInput, createRecurrent, readSequenceInput, runRecurrent, SEQUENCE_INPUT_KEYS,
  type CellType, type RecurrentLayer, type SequenceInputOptions,
} from './common.js';
import {
  checkBoolean, checkInRange, checkInteger, checkKnownOptions, checkOptions, checkPositiveInt, rangeError, shapeString, typeError,
} from '../../util/check.js';

export interface SequenceLossOptions {
  /** [B] valid steps per row: targets at t >= lengths[b] are ignored. Default: all T. */
  lengths?: readonly number[] | Int32Array | null;
  /** Targets equal to this are ignored too (default −100, PyTorch's). */
  ignoreIndex?: number;
  /** 'mean' over the counted steps (default) or 'sum'. */
  reduction?: Exclude<Reduction, 'none'>;
}

/**
 * Cross entropy of per-step logits [T, B, C] against targets [T, B] (class ids; a Tensor of integer
 * values, number[][] or a flat Int32Array in [T, B] order), skipping padded steps (`lengths`) and
 * targets equal to `ignoreIndex`. 'mean' averages over the steps that count.
 */
export function sequenceCrossEntropy(logits: Tensor, targets: IndexLike, options?: SequenceLossOptions): Tensor {
  if (!(logits instanceof Tensor)) throw typeError('logits', 'a Tensor [T, B, C]', logits);
  if (logits.ndim !== 3) throw rangeError('logits', 'a 3-D tensor [T, B, C]', logits);
  const opts = checkOptions('options', options);
  checkKnownOptions('sequenceCrossEntropy options', opts, ['lengths', 'ignoreIndex', 'reduction']);
  const ignoreIndex = checkInteger('ignoreIndex', opts.ignoreIndex ?? -100);
  const reduction = opts.reduction ?? 'mean';
  if (reduction !== 'mean' && reduction !== 'sum') throw rangeError('reduction', '"mean" or "sum"', reduction);
  const [T, B, C] = logits.shape as [number, number, number];
  const index = toIndexArray('targets', targets, targets instanceof Int32Array ? [T, B] : undefined);
  if (index.shape.length !== 2 || index.shape[0] !== T || index.shape[1] !== B) {
    throw new RangeError(`targets must have shape [${T}, ${B}] to match logits ${shapeString(logits.shape)}, got ${shapeString(index.shape)}`);
  }
  const lengths = checkLengths(opts.lengths, B, T);
  const masked = index.data; // a copy already (toIndexArray), safe to overwrite
  if (lengths !== null) {
    for (let b = 0; b < B; b++) for (let t = lengths[b]!; t < T; t++) masked[t * B + b] = ignoreIndex;
  }
  return crossEntropy(reshape(logits, [T * B, C]), masked, { ignoreIndex, reduction });
}

export interface SequenceTaggerOptions extends SequenceInputOptions {
  hiddenSize: number;
  numTags: number;
  /** Stacked recurrent layers (default 1). */
  numLayers?: number;
  /** 'lstm' (default), 'gru' or 'rnn' (tanh). */
  cell?: CellType;
  /** Run the encoder in both directions (default false; taggers usually want true). */
  bidirectional?: boolean;
  /** Dropout on the inputs, between layers and before the classifier (default 0). */
  dropout?: number;
  /** Generator for the initial weights and dropout masks (default: defaultRng). */
  rng?: Rng;
}

export class SequenceTagger extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numTags: number;
  readonly numDirections: 1 | 2;
  readonly drop: Dropout;
  readonly embedding: Embedding | null; // [vocabSize, E]
  readonly encoder: RecurrentLayer;
  readonly classifier: Linear; // [C, D·H]

  constructor(options: SequenceTaggerOptions) {
    super();
    const opts = checkOptions('options', options);
    checkKnownOptions('SequenceTagger options', opts, [
      ...SEQUENCE_INPUT_KEYS, 'hiddenSize', 'numTags', 'numLayers', 'cell', 'bidirectional', 'dropout', 'rng',
    ]);
    const input = checkSequenceInput(opts);
    this.hiddenSize = checkPositiveInt('hiddenSize', opts.hiddenSize);
    this.numTags = checkPositiveInt('numTags', opts.numTags);
    const numLayers = checkPositiveInt('numLayers', opts.numLayers ?? 1);
    const cell = checkCellType('cell', opts.cell ?? 'lstm');
    const bidirectional = checkBoolean('bidirectional', opts.bidirectional ?? false);
    const p = checkInRange('dropout', opts.dropout ?? 0, 0, 1, true);
    if (opts.rng !== undefined && !(opts.rng instanceof Rng)) throw typeError('rng', 'an Rng', opts.rng);
    const rng = opts.rng ?? defaultRng;
    this.numDirections = bidirectional ? 2 : 1;

    this.drop = new Dropout({ p, rng });
    this.embedding = input.kind === 'tokens'
      ? new Embedding({ numEmbeddings: input.vocabSize, embeddingDim: input.embeddingDim, paddingIdx: input.paddingIdx, rng })
      : null;
    this.inputSize = input.kind === 'tokens' ? input.embeddingDim : input.inputSize;
    this.encoder = createRecurrent(cell, {
      inputSize: this.inputSize, hiddenSize: this.hiddenSize, numLayers, bidirectional, dropout: p, rng,
    });
    this.classifier = new Linear({ inFeatures: this.numDirections * this.hiddenSize, outFeatures: this.numTags, rng });
  }

  /** x: token ids [T, B] or features [T, B, I] → tag logits [T, B, C] (padded steps: the bias only). */
  forward(x: Tensor | readonly (readonly number[])[], options?: SequenceForwardOptions): Tensor {
    const opts = checkOptions('options', options);
    checkKnownOptions('forward options', opts, ['lengths']);
    const { features, lengths } = readSequenceInput(this.embedding, this.inputSize, x, opts.lengths);
    const [out] = runRecurrent(this.encoder, this.drop.forward(features), null, lengths); // [T, B, D·H]
    return this.classifier.forward(this.drop.forward(out)); // [T, B, C]
  }

  /** Masked mean cross entropy of `forward`'s logits against tags [T, B] (see sequenceCrossEntropy). */
  loss(logits: Tensor, tags: IndexLike, options?: SequenceLossOptions): Tensor {
    return sequenceCrossEntropy(logits, tags, options);
  }

  /** The most likely tag of each valid step: per row b, lengths[b] tag ids. logits [T, B, C]. */
  decode(logits: Tensor, lengths?: readonly number[] | Int32Array | null): number[][] {
    if (!(logits instanceof Tensor) || logits.ndim !== 3) throw typeError('logits', 'a Tensor [T, B, C]', logits);
    const [T, B, C] = logits.shape as [number, number, number];
    const lens = checkLengths(lengths, B, T);
    const rows: number[][] = [];
    for (let b = 0; b < B; b++) {
      const n = lens === null ? T : lens[b]!;
      const tags: number[] = [];
      for (let t = 0; t < n; t++) tags.push(argmaxRow(logits.data, t * B + b, C));
      rows.push(tags);
    }
    return rows;
  }
}
