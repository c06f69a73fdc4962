/**
 * Embedding: a lookup table of `numEmbeddings` vectors of size `embeddingDim`, PyTorch's
 * `nn.Embedding`. The math is the `embedding` op (gather forward, scatter-add backward; the
 * paddingIdx row gets no gradient).
 *
 * Init (PyTorch): weight N(0, 1), with the paddingIdx row zeroed.
 */
import { Module } from './module.js';
import type { ParameterArena } from './parameters.js';
import { Tensor } from '../tensor/tensor.js';
import { embedding } from '../tensor/ops/gather.js';
import type { IndexLike } from '../tensor/ops/args.js';
import { defaultRng, type Rng } from '../data/rng.js';
import * as init from './init.js';
import { checkInteger, checkKnownOptions, checkOptions, checkPositiveInt, rangeError } from '../util/check.js';

export interface EmbeddingOptions {
  numEmbeddings: number;
  embeddingDim: number;
  /** Row that is all zeros and receives no gradient; negative counts from the end, as in PyTorch. */
  paddingIdx?: number | null;
  /** Generator for the initial values (default: defaultRng). */
  rng?: Rng;
}

export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  /** In [0, numEmbeddings) or null. */
  readonly paddingIdx: number | null;
  /** [numEmbeddings, embeddingDim] */
  readonly weight: Tensor;
  readonly arena: ParameterArena;

  constructor(options: EmbeddingOptions) {
    super();
    const opts = checkOptions('options', options);
    checkKnownOptions('Embedding options', opts, ['numEmbeddings', 'embeddingDim', 'paddingIdx', 'rng']);
    this.numEmbeddings = checkPositiveInt('numEmbeddings', opts.numEmbeddings);
    this.embeddingDim = checkPositiveInt('embeddingDim', opts.embeddingDim);
    let paddingIdx = opts.paddingIdx ?? null;
    if (paddingIdx !== null) {
      checkInteger('paddingIdx', paddingIdx);
      if (paddingIdx < -this.numEmbeddings || paddingIdx >= this.numEmbeddings) {
        throw rangeError('paddingIdx', `an integer in [${-this.numEmbeddings}, ${this.numEmbeddings - 1}]`, paddingIdx);
      }
      if (paddingIdx < 0) paddingIdx += this.numEmbeddings;
    }
    this.paddingIdx = paddingIdx;
    this.arena = this.allocateParameters([{ name: 'weight', shape: [this.numEmbeddings, this.embeddingDim] }]);
    this.weight = this.arena.get('weight');
    this.resetParameters(opts.rng ?? defaultRng);
  }

  /** N(0, 1), then the padding row zeroed. */
  resetParameters(rng: Rng = defaultRng): void {
    init.normal(this.weight, 0, 1, rng);
    if (this.paddingIdx !== null) {
      const d = this.embeddingDim;
      this.weight.data.fill(0, this.paddingIdx * d, (this.paddingIdx + 1) * d);
    }
  }

  /**
   * indices S (integers in [0, numEmbeddings): a Tensor, Int32Array or nested number array; `shape`
   * gives S for flat ones) → [...S, embeddingDim]
   */
  forward(indices: IndexLike, shape?: number[]): Tensor {
    return embedding(this.weight, indices, this.paddingIdx, shape);
  }
}
