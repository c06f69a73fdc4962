/**
 * Attention over a padded memory (the encoder's outputs), for Seq2Seq. Three scores:
 *
 * - 'dot'      (Luong et al. 2015, "Effective Approaches to Attention-based NMT"): score = qᵀ k;
 *              needs queryDim == keyDim.
 * - 'general'  (Luong): score = qᵀ W_a k, W_a = `keyLayer.weight` [Hq, E] (no bias).
 * - 'additive' (Bahdanau et al. 2015, "NMT by Jointly Learning to Align and Translate"):
 *              score = vᵀ tanh(W_q q + W_k k), `queryLayer.weight` [A, Hq], `keyLayer.weight`
 *              [A, E], `energyLayer.weight` [1, A] = vᵀ (no biases; names as in Bastings' "The
 *              Annotated Encoder-Decoder").
 *
 * weights = softmax over source positions, masked: padded positions (s >= lengths[b]) get a score of
 * −1e9 before the softmax and are multiplied by 0 after it, so their weights are exactly 0 on any
 * backend (a vectorized exp may return a denormal instead of 0 far out) and the valid ones sum to 1.
 * context = Σ_s weights[s] · memory[s]. All of it is ops (matmul, add, tanh, softmax, mul): the
 * gradient reaches the queries, the memory and the parameters.
 *
 * The memory side is prepared once per source batch (`prepare`: transposes, W_k k, the mask), then
 * `attend` runs for all decoder steps at once (Luong, teacher forcing) or for one step at a time.
 *
 * Dimension letters: B batch rows, S source steps, Tq query steps, Hq query size, E memory (key)
 * size, A attentionDim.
 */
import { Module } from '../module.js';
import { Linear } from '../linear.js';
import { Tensor } from '../../tensor/tensor.js';
import { add, mul } from '../../tensor/ops/elementwise.js';
import { tanh } from '../../tensor/ops/activations.js';
import { matmul } from '../../tensor/ops/matmul.js';
import { softmax } from '../../tensor/ops/softmax.js';
import { permute, reshape, transpose } from '../../tensor/ops/shape.js';
import { checkLengths } from '../recurrent/base.js';
import { defaultRng, Rng } from '../../data/rng.js';
import {
  checkKnownOptions, checkOneOf, checkOptions, checkPositiveInt, checkShape, rangeError, typeError,
} from '../../util/check.js';

export type AttentionKind = 'dot' | 'general' | 'additive';
export const ATTENTION_KINDS: readonly AttentionKind[] = ['dot', 'general', 'additive'];

/** Large enough that exp(score − max) underflows to 0 in float32, small enough to stay finite. */
const MASKED_SCORE = -1e9;

export interface AttentionOptions {
  kind: AttentionKind;
  /** Hq: size of a query (the decoder's hidden state). */
  queryDim: number;
  /** E: size of a memory entry (the encoder's output, D·H). */
  keyDim: number;
  /** A: hidden size of the additive score (default queryDim). */
  attentionDim?: number;
  /** Generator for the initial weights (default: defaultRng). */
  rng?: Rng;
}

/** The memory side of attention, computed once per source batch by `prepare`. */
export interface AttentionMemory {
  B: number;
  S: number;
  /** [B, S, E] the values the context averages. */
  values: Tensor;
  /** dot/general: [B, Hq, S] keys (W_a k for general) ready for q @ keys; additive: [B, 1, S, A] W_k k. */
  keys: Tensor;
  /** [B, 1, S]: 0 at valid positions, −1e9 at padded ones; null without lengths. */
  scoreMask: Tensor | null;
  /** [B, 1, S]: 1 at valid positions, 0 at padded ones; null without lengths. */
  keepMask: Tensor | null;
}

export interface AttentionResult {
  /** [B, Tq, E] */
  context: Tensor;
  /** [B, Tq, S]: each row sums to 1 over the valid positions and is exactly 0 elsewhere. */
  weights: Tensor;
}

export class Attention extends Module {
  readonly kind: AttentionKind;
  readonly queryDim: number;
  readonly keyDim: number;
  readonly attentionDim: number;
  readonly queryLayer: Linear | null; // additive: [A, Hq]
  readonly keyLayer: Linear | null; // general: [Hq, E]; additive: [A, E]
  readonly energyLayer: Linear | null; // additive: [1, A]

  constructor(options: AttentionOptions) {
    super();
    const opts = checkOptions('options', options);
    checkKnownOptions('Attention options', opts, ['kind', 'queryDim', 'keyDim', 'attentionDim', 'rng']);
    this.kind = checkOneOf('kind', opts.kind, ATTENTION_KINDS);
    this.queryDim = checkPositiveInt('queryDim', opts.queryDim);
    this.keyDim = checkPositiveInt('keyDim', opts.keyDim);
    this.attentionDim = checkPositiveInt('attentionDim', opts.attentionDim ?? this.queryDim);
    if (opts.rng !== undefined && !(opts.rng instanceof Rng)) throw typeError('rng', 'an Rng', opts.rng);
    const rng = opts.rng ?? defaultRng;
    if (this.kind === 'dot' && this.queryDim !== this.keyDim) {
      throw rangeError('keyDim', `equal to queryDim (${this.queryDim}) for 'dot' attention (use 'general' otherwise)`, this.keyDim);
    }
    const additive = this.kind === 'additive';
    this.queryLayer = additive ? new Linear({ inFeatures: this.queryDim, outFeatures: this.attentionDim, bias: false, rng }) : null;
    this.keyLayer = this.kind === 'dot'
      ? null
      : new Linear({ inFeatures: this.keyDim, outFeatures: additive ? this.attentionDim : this.queryDim, bias: false, rng });
    this.energyLayer = additive ? new Linear({ inFeatures: this.attentionDim, outFeatures: 1, bias: false, rng }) : null;
  }

  /** memory [S, B, E] (time-major encoder outputs) and optional lengths [B] → the prepared memory. */
  prepare(memory: Tensor, lengths?: readonly number[] | Int32Array | null): AttentionMemory {
    if (!(memory instanceof Tensor)) throw typeError('memory', `a Tensor [S, B, ${this.keyDim}]`, memory);
    checkShape('memory', memory.shape, [-1, -1, this.keyDim]);
    const [S, B] = memory.shape as [number, number, number];
    const lens = checkLengths(lengths, B, S);
    const values = transpose(memory, 0, 1); // [B, S, E]
    let keys: Tensor;
    if (this.kind === 'additive') {
      keys = reshape(this.keyLayer!.forward(values), [B, 1, S, this.attentionDim]); // [B, 1, S, A]
    } else {
      const projected = this.kind === 'general' ? this.keyLayer!.forward(values) : values; // [B, S, Hq]
      keys = permute(projected, [0, 2, 1]); // [B, Hq, S]
    }
    let scoreMask: Tensor | null = null;
    let keepMask: Tensor | null = null;
    if (lens !== null && lens.some((n) => n < S)) {
      const score = new Float32Array(B * S); // [B, 1, S]
      const keep = new Float32Array(B * S).fill(1); // [B, 1, S]
      for (let b = 0; b < B; b++) {
        score.fill(MASKED_SCORE, b * S + lens[b]!, (b + 1) * S);
        keep.fill(0, b * S + lens[b]!, (b + 1) * S);
      }
      scoreMask = new Tensor(score, [B, 1, S]);
      keepMask = new Tensor(keep, [B, 1, S]);
    }
    return { B, S, values, keys, scoreMask, keepMask };
  }

  /** query [B, Tq, Hq] against a prepared memory → context [B, Tq, E] and weights [B, Tq, S]. */
  attend(query: Tensor, memory: AttentionMemory): AttentionResult {
    if (!(query instanceof Tensor)) throw typeError('query', `a Tensor [B, Tq, ${this.queryDim}]`, query);
    checkShape('query', query.shape, [memory.B, -1, this.queryDim]);
    const { B, S } = memory;
    const Tq = query.shape[1]!;
    let scores: Tensor; // [B, Tq, S]
    if (this.kind === 'additive') {
      const q = reshape(this.queryLayer!.forward(query), [B, Tq, 1, this.attentionDim]); // [B, Tq, 1, A]
      const energy = tanh(add(q, memory.keys)); // [B, Tq, S, A]
      scores = reshape(this.energyLayer!.forward(energy), [B, Tq, S]);
    } else {
      scores = matmul(query, memory.keys); // [B, Tq, Hq] @ [B, Hq, S]
    }
    if (memory.scoreMask !== null) scores = add(scores, memory.scoreMask);
    let weights = softmax(scores, -1); // [B, Tq, S]
    if (memory.keepMask !== null) weights = mul(weights, memory.keepMask);
    const context = matmul(weights, memory.values); // [B, Tq, S] @ [B, S, E]
    return { context, weights };
  }

  /** query [B, Tq, Hq], memory [S, B, E], lengths [B] → { context [B, Tq, E], weights [B, Tq, S] }. */
  forward(query: Tensor, memory: Tensor, lengths?: readonly number[] | Int32Array | null): AttentionResult {
    return this.attend(query, this.prepare(memory, lengths));
  }
}
