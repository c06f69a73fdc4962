/**
 * SequenceTagger (many-to-many, aligned): one label per input step, e.g. named-entity tags. Token
 * ids through an embedding (or raw features) → recurrent encoder (usually bidirectional) → dropout →
 * linear → per-step logits [T, B, C]. The loss ignores padded steps: targets there are set to
 * `ignoreIndex`, which crossEntropy skips (no loss, no gradient, not counted by the mean).
 *
 * Also here: `sequenceCrossEntropy`, the per-step cross entropy over [T, B, C] logits that the
 * language model and Seq2Seq train with too.
 *
 * The embedding, encoder and head come from SequenceEncoderModel (sequence_encoder.ts), which also
 * gives the parameter names.
 *
 * Dimension letters: T steps, B batch rows, I input features, H hidden units, D directions, C tags.
 */
import { Tensor } from '../../tensor/tensor.js';
import { crossEntropy } from '../../tensor/ops/losses.js';
import { reshape } from '../../tensor/ops/shape.js';
import { toIndexArray, type IndexLike, type Reduction } from '../../tensor/ops/args.js';
import { checkLengths } from '../recurrent/base.js';
import { argmaxRow } from './common.js';
import {
  checkEncoderOptions, SequenceEncoderModel, type SequenceEncoderOptions, type SequenceForwardOptions,
} from './sequence_encoder.js';
import {
  checkInteger, checkKnownOptions, checkOptions, checkPositiveInt, rangeError, shapeString, typeError,
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

export interface SequenceTaggerOptions extends SequenceEncoderOptions {
  numTags: number;
}

export class SequenceTagger extends SequenceEncoderModel {
  readonly numTags: number;

  constructor(options: SequenceTaggerOptions) {
    const opts = checkEncoderOptions('SequenceTagger', options, ['numTags']);
    super(opts, checkPositiveInt('numTags', opts.numTags));
    this.numTags = opts.numTags;
  }

  /** x: token ids [T, B] or features [T, B, I] → tag logits [T, B, C] (padded steps: the bias only). */
  forward(x: Tensor | readonly (readonly number[])[], options?: SequenceForwardOptions): Tensor {
    const { out } = this.encode(x, options); // [T, B, D·H]
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
