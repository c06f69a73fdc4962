/**
 * Seq2Seq: encoder–decoder for many-to-many unaligned tasks (translation, date normalisation), after
 * Sutskever et al. 2014 and, with attention, Luong et al. 2015 / Bahdanau et al. 2015 (attention.ts).
 *
 *   encoder: source ids [S, B] → embedding → recurrent (optionally bidirectional) → memory [S, B, D·H]
 *            and final state; a bidirectional encoder's two final states are summed per layer
 *            (no parameters) to start the decoder, which has the encoder's numLayers.
 *   decoder: target ids → embedding → recurrent → logits, in one of three wirings:
 *     'none'               out_t = h_t
 *     'dot' | 'general'    Luong: c_t = attend(h_t), out_t = tanh(W_c [c_t; h_t]); the decoder layer
 *                          runs the whole target in one call under teacher forcing (no input feeding)
 *     'additive'           Bahdanau: c_t = attend(h_{t−1}) feeds the step, x_t = [emb(y_{t−1}); c_t],
 *                          out_t = tanh(W_c [c_t; h_t]); the decoder runs step by step
 *   logits_t = output(dropout(out_t)).
 *
 * Teacher forcing: `forward(src, tgtIn)` with tgtIn = [BOS, y_1 … y_{T−1}]; train against
 * [y_1 … y_T] (ending in EOS) with `sequenceCrossEntropy` (sequence_tagger.ts) and the target
 * lengths. Decoding: `greedyDecode` (batched) and `beamDecode` (per row, search.ts), both under noGrad
 * in eval mode, both one decoder step per token with the recurrent state carried.
 *
 * Parameter names: encoderEmbedding.weight, encoder.weight_ih_l0 …, decoderEmbedding.weight,
 * decoder.weight_ih_l0 …, attention.{queryLayer,keyLayer,energyLayer}.weight, combine.{weight,bias}
 * (with attention), output.{weight,bias}.
 *
 * Dimension letters: S source steps, T target steps, B batch rows, E embeddingDim, H hiddenSize,
 * D encoder directions, M = D·H memory size, L layers, V target vocabulary.
 */
import { Module } from '../module.js';
import { Embedding } from '../embedding.js';
import { Linear } from '../linear.js';
import { Dropout } from '../dropout.js';
import type { Tensor } from '../../tensor/tensor.js';
import { noGrad } from '../../tensor/autograd.js';
import { tanh } from '../../tensor/ops/activations.js';
import { sum } from '../../tensor/ops/reduce.js';
import { concat, reshape, slice, transpose } from '../../tensor/ops/shape.js';
import { logSoftmax } from '../../tensor/ops/softmax.js';
import { checkLengths } from '../recurrent/base.js';
import { defaultRng, Rng } from '../../data/rng.js';
import { Attention, type AttentionMemory } from './attention.js';
import { beamSearch, greedySearch, type Hypothesis } from './search.js';
import {
  checkCellType, checkTokens, createRecurrent, runRecurrent, selectRows, selectStateRows, tokenTensor, topHidden,
  type CellType, type RecurrentLayer, type RecurrentState,
} from './common.js';
import {
  checkBoolean, checkFiniteNumber, checkInRange, checkInteger, checkKnownOptions, checkOneOf, checkOptions,
  checkPositiveInt, rangeError, typeError,
} from '../../util/check.js';

export type Seq2SeqAttention = 'none' | 'dot' | 'general' | 'additive';

export interface Seq2SeqOptions {
  srcVocabSize: number;
  tgtVocabSize: number;
  embeddingDim: number;
  hiddenSize: number;
  /** Start-of-sequence id fed to the decoder first (a target id). */
  bosId: number;
  /** End-of-sequence id that ends decoding (a target id). */
  eosId: number;
  /** Layers of the encoder and of the decoder (default 1). */
  numLayers?: number;
  /** 'lstm' (default), 'gru' or 'rnn' (tanh). */
  cell?: CellType;
  /** Bidirectional encoder (default false). */
  bidirectional?: boolean;
  /** Dropout on embeddings, between layers and before the output layer (default 0). */
  dropout?: number;
  /** 'none' (default), 'dot' / 'general' (Luong) or 'additive' (Bahdanau). */
  attention?: Seq2SeqAttention;
  /** Hidden size of the additive score (default hiddenSize). */
  attentionDim?: number;
  /** Padding id of both vocabularies: its embedding row is zero and gets no gradient. */
  paddingIdx?: number | null;
  /** Generator for the initial weights and dropout masks (default: defaultRng). */
  rng?: Rng;
}

/** What the encoder hands the decoder. */
export interface Encoded {
  /** The decoder's initial state: h [L, B, H] (LSTM: [h, c]). */
  state: RecurrentState;
  /** The prepared attention memory (null without attention). */
  memory: AttentionMemory | null;
}

export interface DecodeOptions {
  /** [B] valid source steps per row (default all S). */
  srcLengths?: readonly number[] | Int32Array | null;
  /** Most tokens generated per row, EOS included (default 50). */
  maxLength?: number;
}

export interface BeamDecodeOptions extends DecodeOptions {
  /** Hypotheses kept per step (default 4). */
  beamWidth?: number;
  /** α in score / length^α (default 0). */
  lengthPenalty?: number;
}

type SourceTokens = Tensor | readonly (readonly number[])[];

export class Seq2Seq extends Module {
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly numDirections: 1 | 2;
  readonly attentionKind: Seq2SeqAttention;
  readonly bosId: number;
  readonly eosId: number;
  readonly drop: Dropout;
  readonly encoderEmbedding: Embedding; // [srcVocabSize, E]
  readonly encoder: RecurrentLayer;
  readonly decoderEmbedding: Embedding; // [V, E]
  readonly decoder: RecurrentLayer;
  readonly attention: Attention | null;
  readonly combine: Linear | null; // [H, M + H]
  readonly output: Linear; // [V, H]

  constructor(options: Seq2SeqOptions) {
    super();
    const opts = checkOptions('options', options);
    checkKnownOptions('Seq2Seq options', opts, [
      'srcVocabSize', 'tgtVocabSize', 'embeddingDim', 'hiddenSize', 'bosId', 'eosId', 'numLayers', 'cell',
      'bidirectional', 'dropout', 'attention', 'attentionDim', 'paddingIdx', 'rng',
    ]);
    const srcVocabSize = checkPositiveInt('srcVocabSize', opts.srcVocabSize);
    const tgtVocabSize = checkPositiveInt('tgtVocabSize', opts.tgtVocabSize);
    const E = checkPositiveInt('embeddingDim', opts.embeddingDim);
    const H = (this.hiddenSize = checkPositiveInt('hiddenSize', opts.hiddenSize));
    this.bosId = checkTargetId('bosId', opts.bosId, tgtVocabSize);
    this.eosId = checkTargetId('eosId', opts.eosId, tgtVocabSize);
    this.numLayers = checkPositiveInt('numLayers', opts.numLayers ?? 1);
    const cell = checkCellType('cell', opts.cell ?? 'lstm');
    this.numDirections = checkBoolean('bidirectional', opts.bidirectional ?? false) ? 2 : 1;
    const p = checkInRange('dropout', opts.dropout ?? 0, 0, 1, true);
    this.attentionKind = checkOneOf('attention', opts.attention ?? 'none', ['none', 'dot', 'general', 'additive'] as const);
    const paddingIdx = opts.paddingIdx ?? null;
    if (opts.rng !== undefined && !(opts.rng instanceof Rng)) throw typeError('rng', 'an Rng', opts.rng);
    const rng = opts.rng ?? defaultRng;
    const M = this.numDirections * H;
    if (this.attentionKind === 'dot' && M !== H) {
      throw rangeError('attention', `'general' or 'additive' with a bidirectional encoder ('dot' needs memory size ${M} = hiddenSize ${H})`, 'dot');
    }
    const additive = this.attentionKind === 'additive';

    this.drop = new Dropout({ p, rng });
    this.encoderEmbedding = new Embedding({ numEmbeddings: srcVocabSize, embeddingDim: E, paddingIdx, rng });
    this.encoder = createRecurrent(cell, {
      inputSize: E, hiddenSize: H, numLayers: this.numLayers, bidirectional: this.numDirections === 2, dropout: p, rng,
    });
    this.decoderEmbedding = new Embedding({ numEmbeddings: tgtVocabSize, embeddingDim: E, paddingIdx, rng });
    this.decoder = createRecurrent(cell, { inputSize: additive ? E + M : E, hiddenSize: H, numLayers: this.numLayers, dropout: p, rng });
    this.attention = this.attentionKind === 'none'
      ? null
      : new Attention({ kind: this.attentionKind, queryDim: H, keyDim: M, attentionDim: opts.attentionDim, rng });
    this.combine = this.attention === null ? null : new Linear({ inFeatures: M + H, outFeatures: H, rng });
    this.output = new Linear({ inFeatures: H, outFeatures: tgtVocabSize, rng });
  }

  /** src ids [S, B] (+ lengths [B]) → the decoder's initial state and the attention memory. */
  encode(src: SourceTokens, srcLengths?: readonly number[] | Int32Array | null): Encoded {
    const { ids, T: S, B } = checkTokens('src', src, this.encoderEmbedding.numEmbeddings);
    const lengths = checkLengths(srcLengths, B, S);
    const embedded = this.drop.forward(this.encoderEmbedding.forward(ids, [S, B])); // [S, B, E]
    const [memory, final] = runRecurrent(this.encoder, embedded, null, lengths); // [S, B, M]
    const L = this.numLayers;
    const H = this.hiddenSize;
    // [L·D, B, H] → [L, B, H]: sum the directions of each layer (index k·D + d).
    const bridge = (h: Tensor): Tensor => (this.numDirections === 1 ? h : sum(reshape(h, [L, 2, B, H]), 1));
    const state: RecurrentState = Array.isArray(final) ? [bridge(final[0]), bridge(final[1])] : bridge(final);
    return { state, memory: this.attention === null ? null : this.attention.prepare(memory, lengths) };
  }

  /**
   * Runs the decoder over embedded targets emb [T, B, E] from `state` → [out [T, B, H] (before the
   * output layer), state].
   */
  private decodeEmbedded(emb: Tensor, state: RecurrentState, memory: AttentionMemory | null): [Tensor, RecurrentState] {
    const [T, B] = emb.shape as [number, number, number];
    if (this.attention === null || memory === null) return runRecurrent(this.decoder, emb, state);
    if (this.attentionKind !== 'additive') {
      // Luong: the whole target in one decoder call, then attention for all steps at once.
      const [h, next] = runRecurrent(this.decoder, emb, state); // [T, B, H]
      const hBatch = transpose(h, 0, 1); // [B, T, H]
      const { context } = this.attention.attend(hBatch, memory); // [B, T, M]
      const out = tanh(this.combine!.forward(concat([context, hBatch], 2))); // [B, T, H]
      return [transpose(out, 0, 1), next];
    }
    // Bahdanau: the context of step t comes from h_{t−1} and is part of the step's input.
    const outs: Tensor[] = [];
    let current = state;
    for (let t = 0; t < T; t++) {
      const query = reshape(topHidden(current), [B, 1, this.hiddenSize]); // [B, 1, H]
      const context = reshape(this.attention.attend(query, memory).context, [1, B, -1]); // [1, B, M]
      const x = concat([T === 1 ? emb : slice(emb, 0, t, t + 1), context], 2); // [1, B, E + M]
      const [h, next] = runRecurrent(this.decoder, x, current); // [1, B, H]
      outs.push(tanh(this.combine!.forward(concat([context, h], 2)))); // [1, B, H]
      current = next;
    }
    return [outs.length === 1 ? outs[0]! : concat(outs, 0), current];
  }

  /**
   * Teacher-forced logits: src [S, B], tgtIn [T, B] (BOS then the target shifted right) →
   * logits [T, B, V].
   */
  forward(src: SourceTokens, tgtIn: SourceTokens, options?: { srcLengths?: readonly number[] | Int32Array | null }): Tensor {
    const opts = checkOptions('options', options);
    checkKnownOptions('forward options', opts, ['srcLengths']);
    const encoded = this.encode(src, opts.srcLengths);
    const { ids, T, B } = checkTokens('tgtIn', tgtIn, this.decoderEmbedding.numEmbeddings);
    const stateB = Array.isArray(encoded.state) ? encoded.state[0].shape[1] : encoded.state.shape[1];
    if (B !== stateB) throw rangeError('tgtIn', `a batch of ${stateB} rows like src ([T, ${stateB}])`, tgtIn);
    const emb = this.drop.forward(this.decoderEmbedding.forward(ids, [T, B])); // [T, B, E]
    const [out] = this.decodeEmbedded(emb, encoded.state, encoded.memory);
    return this.output.forward(this.drop.forward(out)); // [T, B, V]
  }

  /**
   * One decoder step: the previous token of each row, tokens [B], → logits [B, V] and the next state.
   * The building block of greedy, beam and sampled decoding.
   */
  decodeStep(tokens: ArrayLike<number>, state: RecurrentState, memory: AttentionMemory | null): { logits: Tensor; state: RecurrentState } {
    const B = tokens.length;
    const emb = this.decoderEmbedding.forward(Int32Array.from(tokens), [1, B]); // [1, B, E]
    const [out, next] = this.decodeEmbedded(emb, state, memory); // [1, B, H]
    return { logits: reshape(this.output.forward(out), [B, -1]), state: next };
  }

  /** Greedy decoding of every source row at once → one hypothesis per row. */
  greedyDecode(src: SourceTokens, options?: DecodeOptions): Hypothesis[] {
    const opts = checkOptions('options', options);
    checkKnownOptions('greedyDecode options', opts, ['srcLengths', 'maxLength']);
    return this.inference(() => {
      const encoded = this.encode(src, opts.srcLengths);
      const B = encodedBatch(encoded);
      return greedySearch<RecurrentState>({
        step: (tokens, state) => this.logProbStep(tokens, state, encoded.memory),
        initialState: encoded.state,
        batchSize: B,
        bosId: this.bosId,
        eosId: this.eosId,
        maxLength: opts.maxLength ?? 50,
      });
    });
  }

  /** Beam search per source row → the best hypothesis of each row (beamWidth 1 gives greedy's). */
  beamDecode(src: SourceTokens, options?: BeamDecodeOptions): Hypothesis[] {
    const opts = checkOptions('options', options);
    checkKnownOptions('beamDecode options', opts, ['srcLengths', 'maxLength', 'beamWidth', 'lengthPenalty']);
    const { ids, T: S, B } = checkTokens('src', src, this.encoderEmbedding.numEmbeddings);
    const lengths = checkLengths(opts.srcLengths, B, S);
    if (opts.lengthPenalty !== undefined) checkFiniteNumber('lengthPenalty', opts.lengthPenalty);
    return this.inference(() => {
      const best: Hypothesis[] = [];
      for (let b = 0; b < B; b++) {
        const n = lengths === null ? S : lengths[b]!;
        const column = Array.from({ length: n }, (_, t) => ids[t * B + b]!);
        const encoded = this.encode(tokenTensor(column, [n, 1])); // one row, no padding
        const memories = new Map<number, AttentionMemory>(); // the row's memory repeated K' times
        const memoryFor = (rows: number): AttentionMemory | null => {
          if (encoded.memory === null) return null;
          if (!memories.has(rows)) memories.set(rows, repeatMemory(encoded.memory, rows));
          return memories.get(rows)!;
        };
        const hypotheses = beamSearch<RecurrentState>({
          step: (tokens, state) => this.logProbStep(tokens, state, memoryFor(tokens.length)),
          reorder: (state, parents) => selectStateRows(state, parents),
          initialState: encoded.state,
          bosId: this.bosId,
          eosId: this.eosId,
          beamWidth: opts.beamWidth ?? 4,
          maxLength: opts.maxLength ?? 50,
          lengthPenalty: opts.lengthPenalty ?? 0,
        });
        best.push(hypotheses[0]!);
      }
      return best;
    });
  }

  /** decodeStep → log-probabilities [B, V] as search.ts wants them. */
  private logProbStep(tokens: Int32Array, state: RecurrentState, memory: AttentionMemory | null): { logProbs: Float32Array; state: RecurrentState } {
    const step = this.decodeStep(tokens, state, memory);
    return { logProbs: logSoftmax(step.logits, -1).data, state: step.state };
  }

  /** Runs `fn` without gradients and in eval mode, restoring the mode after. */
  private inference<R>(fn: () => R): R {
    const wasTraining = this.training;
    this.eval();
    try {
      return noGrad(fn);
    } finally {
      this.train(wasTraining);
    }
  }
}

function checkTargetId(name: string, value: unknown, V: number): number {
  const id = checkInteger(name, value);
  if (id < 0 || id >= V) throw rangeError(name, `a target token id in [0, ${V - 1}]`, value);
  return id;
}

function encodedBatch(encoded: Encoded): number {
  const h = Array.isArray(encoded.state) ? encoded.state[0] : encoded.state;
  return h.shape[1]!;
}

/** A one-row memory repeated `rows` times along the batch (every hypothesis reads the same source). */
function repeatMemory(memory: AttentionMemory, rows: number): AttentionMemory {
  if (rows === 1) return memory;
  const zeros = new Int32Array(rows);
  return {
    B: rows,
    S: memory.S,
    values: selectRows(memory.values, zeros, 0),
    keys: selectRows(memory.keys, zeros, 0),
    scoreMask: memory.scoreMask === null ? null : selectRows(memory.scoreMask, zeros, 0),
    keepMask: memory.keepMask === null ? null : selectRows(memory.keepMask, zeros, 0),
  };
}
