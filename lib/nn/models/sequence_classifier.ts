/**
 * SequenceClassifier (many-to-one): one label per sequence, e.g. sentiment or a digit read row by
 * row. Token ids through an embedding (or raw feature vectors) → recurrent encoder (optionally
 * bidirectional, stacked) → pooling over each row's valid steps ('last' | 'mean' | 'max', pooling.ts)
 * → dropout → linear → class logits. Train with `crossEntropy(logits, labels)`.
 * The embedding, encoder and head come from SequenceEncoderModel (sequence_encoder.ts), which also
 * gives the parameter names.
 *
 * Dimension letters: T steps, B batch rows, I input features (embeddingDim or inputSize), H hidden
 * units, D directions, C classes.
 */
import type { Tensor } from '../../tensor/tensor.js';
import { poolSteps, POOLINGS, type Pooling } from './pooling.js';
import {
  checkEncoderOptions, SequenceEncoderModel, type SequenceEncoderOptions, type SequenceForwardOptions,
} from './sequence_encoder.js';
import { checkOneOf, checkPositiveInt } from '../../util/check.js';

export type { SequenceForwardOptions } from './sequence_encoder.js';

export interface SequenceClassifierOptions extends SequenceEncoderOptions {
  numClasses: number;
  /** 'last' (default), 'mean' or 'max' over the valid steps. */
  pooling?: Pooling;
}

export class SequenceClassifier extends SequenceEncoderModel {
  readonly numClasses: number;
  readonly pooling: Pooling;

  constructor(options: SequenceClassifierOptions) {
    const opts = checkEncoderOptions('SequenceClassifier', options, ['numClasses', 'pooling']);
    super(opts, checkPositiveInt('numClasses', opts.numClasses));
    this.numClasses = opts.numClasses;
    this.pooling = checkOneOf('pooling', opts.pooling ?? 'last', POOLINGS);
  }

  /** x: token ids [T, B] or features [T, B, I] → class logits [B, C]. */
  forward(x: Tensor | readonly (readonly number[])[], options?: SequenceForwardOptions): Tensor {
    const { out, lengths } = this.encode(x, options); // [T, B, D·H]
    const pooled = poolSteps(out, { mode: this.pooling, lengths, numDirections: this.numDirections }); // [B, D·H]
    return this.classifier.forward(this.drop.forward(pooled)); // [B, C]
  }
}
