/**
 * SequenceEncoderModel: what SequenceClassifier and SequenceTagger share — token ids through an
 * embedding (or raw feature vectors), dropout, a recurrent encoder (stacked, optionally
 * bidirectional) and a linear head over its D·H features. The subclasses decide what the head reads
 * (a pooled vector per row, or every step).
 *
 * Parameter names: `embedding.weight` (token input only), `encoder.weight_ih_l0` … (`…_reverse` when
 * bidirectional), `classifier.weight`, `classifier.bias`.
 *
 * Dimension letters: T steps, B batch rows, I input features (embeddingDim or inputSize), H hidden
 * units, D directions, C outputs of the head.
 */
import { Module } from '../module.js';
import { Embedding } from '../embedding.js';
import { Linear } from '../linear.js';
import { Dropout } from '../dropout.js';
import type { Tensor } from '../../tensor/tensor.js';
import { defaultRng, Rng } from '../../data/rng.js';
import {
  checkCellType, checkSequenceInput, createRecurrent, readSequenceInput, runRecurrent, SEQUENCE_INPUT_KEYS,
  type CellType, type RecurrentLayer, type SequenceInputOptions,
} from './common.js';
import { checkBoolean, checkInRange, checkKnownOptions, checkOptions, checkPositiveInt, typeError } from '../../util/check.js';

export interface SequenceEncoderOptions extends SequenceInputOptions {
  hiddenSize: number;
  /** Stacked recurrent layers (default 1). */
  numLayers?: number;
  /** 'lstm' (default), 'gru' or 'rnn' (tanh). */
  cell?: CellType;
  /** Run the encoder in both directions (default false). */
  bidirectional?: boolean;
  /** Dropout on the inputs, between layers and before the head (default 0). */
  dropout?: number;
  /** Generator for the initial weights and dropout masks (default: defaultRng). */
  rng?: Rng;
}

export interface SequenceForwardOptions {
  /** [B] valid steps per row (1..T); padded steps are ignored. Default: all T. */
  lengths?: readonly number[] | Int32Array | null;
}

const ENCODER_KEYS = [...SEQUENCE_INPUT_KEYS, 'hiddenSize', 'numLayers', 'cell', 'bidirectional', 'dropout', 'rng'];

/** Checks an options object against the encoder's keys plus the subclass's `extraKeys`. */
export function checkEncoderOptions<O extends SequenceEncoderOptions>(model: string, options: O, extraKeys: readonly string[]): O {
  const opts = checkOptions('options', options);
  checkKnownOptions(`${model} options`, opts, [...ENCODER_KEYS, ...extraKeys]);
  return opts;
}

export abstract class SequenceEncoderModel extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numDirections: 1 | 2;
  readonly drop: Dropout;
  readonly embedding: Embedding | null; // [vocabSize, E]
  readonly encoder: RecurrentLayer;
  readonly classifier: Linear; // [C, D·H]

  /** `opts` were checked by `checkEncoderOptions`; the head has `outFeatures` outputs. */
  protected constructor(opts: SequenceEncoderOptions, outFeatures: number) {
    super();
    const input = checkSequenceInput(opts);
    this.hiddenSize = checkPositiveInt('hiddenSize', opts.hiddenSize);
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
    this.classifier = new Linear({ inFeatures: this.numDirections * this.hiddenSize, outFeatures, rng });
  }

  /** x: token ids [T, B] or features [T, B, I] → encoder outputs [T, B, D·H] and the checked lengths. */
  protected encode(x: Tensor | readonly (readonly number[])[], options?: SequenceForwardOptions): { out: Tensor; lengths: Int32Array | null } {
    const opts = checkOptions('options', options);
    checkKnownOptions('forward options', opts, ['lengths']);
    const { features, lengths } = readSequenceInput(this.embedding, this.inputSize, x, opts.lengths);
    const [out] = runRecurrent(this.encoder, this.drop.forward(features), null, lengths); // [T, B, D·H]
    return { out, lengths };
  }
}
