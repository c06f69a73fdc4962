/**
 * SequenceClassifier (many-to-one): one label per sequence, e.g. sentiment or a digit read row by
 * row. Token ids through an embedding (or raw feature vectors) → recurrent encoder (optionally
 * bidirectional, stacked) → pooling over each row's valid steps ('last' | 'mean' | 'max', pooling.ts)
 * → dropout → linear → class logits. Train with `crossEntropy(logits, labels)`.
 *
 * Parameter names: `embedding.weight` (token input only), `encoder.weight_ih_l0` …
 * (`…_reverse` when bidirectional), `classifier.weight`, `classifier.bias`.
 *
 * Dimension letters: T steps, B batch rows, I input features (embeddingDim or inputSize), H hidden
 * units, D directions, C classes.
 */
import { Module } from '../module.js';
import { Embedding } from '../embedding.js';
import { Linear } from '../linear.js';
import { Dropout } from '../dropout.js';
import type { Tensor } from '../../tensor/tensor.js';
import { defaultRng, Rng } from '../../data/rng.js';
import { poolSteps, POOLINGS, type Pooling } from './pooling.js';
import {
  checkCellType, checkSequenceInput, createRecurrent, readSequenceInput, runRecurrent, SEQUENCE_INPUT_KEYS,
  type CellType, type RecurrentLayer, type SequenceInputOptions,
} from './common.js';
import {
  checkBoolean, checkInRange, checkKnownOptions, checkOneOf, checkOptions, checkPositiveInt, typeError,
} from '../../util/check.js';

export interface SequenceClassifierOptions extends SequenceInputOptions {
  hiddenSize: number;
  numClasses: number;
  /** Stacked recurrent layers (default 1). */
  numLayers?: number;
  /** 'lstm' (default), 'gru' or 'rnn' (tanh). */
  cell?: CellType;
  /** Run the encoder in both directions (default false). */
  bidirectional?: boolean;
  /** Dropout on the inputs, between layers and before the classifier (default 0). */
  dropout?: number;
  /** 'last' (default), 'mean' or 'max' over the valid steps. */
  pooling?: Pooling;
  /** Generator for the initial weights and dropout masks (default: defaultRng). */
  rng?: Rng;
}

export interface SequenceForwardOptions {
  /** [B] valid steps per row (1..T); padded steps are ignored. Default: all T. */
  lengths?: readonly number[] | Int32Array | null;
}

export class SequenceClassifier extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numClasses: number;
  readonly pooling: Pooling;
  readonly numDirections: 1 | 2;
  readonly drop: Dropout;
  readonly embedding: Embedding | null; // [vocabSize, E]
  readonly encoder: RecurrentLayer;
  readonly classifier: Linear; // [C, D·H]

  constructor(options: SequenceClassifierOptions) {
    super();
    const opts = checkOptions('options', options);
    checkKnownOptions('SequenceClassifier options', opts, [
      ...SEQUENCE_INPUT_KEYS, 'hiddenSize', 'numClasses', 'numLayers', 'cell', 'bidirectional', 'dropout', 'pooling', 'rng',
    ]);
    const input = checkSequenceInput(opts);
    this.hiddenSize = checkPositiveInt('hiddenSize', opts.hiddenSize);
    this.numClasses = checkPositiveInt('numClasses', opts.numClasses);
    const numLayers = checkPositiveInt('numLayers', opts.numLayers ?? 1);
    const cell = checkCellType('cell', opts.cell ?? 'lstm');
    const bidirectional = checkBoolean('bidirectional', opts.bidirectional ?? false);
    const p = checkInRange('dropout', opts.dropout ?? 0, 0, 1, true);
    this.pooling = checkOneOf('pooling', opts.pooling ?? 'last', POOLINGS);
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
    this.classifier = new Linear({ inFeatures: this.numDirections * this.hiddenSize, outFeatures: this.numClasses, rng });
  }

  /** x: token ids [T, B] or features [T, B, I] → class logits [B, C]. */
  forward(x: Tensor | readonly (readonly number[])[], options?: SequenceForwardOptions): Tensor {
    const opts = checkOptions('options', options);
    checkKnownOptions('forward options', opts, ['lengths']);
    const { features, lengths } = readSequenceInput(this.embedding, this.inputSize, x, opts.lengths);
    const [out] = runRecurrent(this.encoder, this.drop.forward(features), null, lengths); // [T, B, D·H]
    const pooled = poolSteps(out, { mode: this.pooling, lengths, numDirections: this.numDirections }); // [B, D·H]
    return this.classifier.forward(this.drop.forward(pooled)); // [B, C]
  }
}
