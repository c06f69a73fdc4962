/**
 * LanguageModel: next-token prediction over a vocabulary (characters or words), after PyTorch's
 * `examples/word_language_model` RNNModel: embedding → dropout → stacked recurrent layers → dropout →
 * linear projection to vocabulary logits, with optional weight tying (Press & Wolf 2017, "Using the
 * Output Embedding to Improve Language Models"; Inan et al. 2017).
 *
 * Parameter names follow that example, so its state_dict loads unchanged: `encoder.weight` (the
 * embedding), `rnn.weight_ih_l0` …, `decoder.weight`, `decoder.bias`. With tying, `decoder.weight` IS
 * `encoder.weight` (one Tensor, one buffer, one gradient that both uses add into); it is listed once by
 * namedParameters() and under both names by stateDict(), as in PyTorch.
 *
 * Init (the example's `init_weights`): encoder and decoder weights U(−0.1, 0.1), decoder bias 0; the
 * recurrent layers keep their U(±1/√H).
 *
 * Dimension letters: T steps, B batch rows, E embeddingDim, H hiddenSize, L numLayers, V vocabSize.
 * Sampling and streaming generation live in ../generate.ts.
 */
import { Module } from '../module.js';
import { Embedding } from '../embedding.js';
import { Linear } from '../linear.js';
import { Dropout } from '../dropout.js';
import type { ParameterArena } from '../parameters.js';
import { Tensor } from '../../tensor/tensor.js';
import { linear } from '../../tensor/ops/matmul.js';
import { defaultRng, Rng } from '../../data/rng.js';
import * as init from '../init.js';
import {
  checkCellType, checkTokens, createRecurrent, runRecurrent, type CellType, type RecurrentLayer, type RecurrentState,
} from './common.js';
import {
  checkBoolean, checkInRange, checkKnownOptions, checkOptions, checkPositiveInt, rangeError, typeError,
} from '../../util/check.js';

export interface LanguageModelOptions {
  vocabSize: number;
  embeddingDim: number;
  hiddenSize: number;
  /** Stacked recurrent layers (default 1). */
  numLayers?: number;
  /** 'lstm' (default), 'gru' or 'rnn' (tanh). */
  cell?: CellType;
  /** Dropout on the embeddings, between layers and on the last layer's output (default 0). */
  dropout?: number;
  /** Share the embedding matrix with the output projection (needs embeddingDim == hiddenSize). */
  tieWeights?: boolean;
  /** Generator for the initial weights and dropout masks (default: defaultRng). */
  rng?: Rng;
}

/**
 * A linear layer whose weight [V, H] is another module's tensor (the tied embedding) and whose bias
 * [V] is its own: registered as `weight` and `bias`, so names match an untied Linear.
 */
export class TiedLinear extends Module {
  readonly weight: Tensor; // [Out, In], shared
  readonly bias: Tensor; // [Out]
  readonly arena: ParameterArena;

  constructor(weight: Tensor) {
    super();
    if (!(weight instanceof Tensor) || weight.ndim !== 2) throw typeError('weight', 'a 2-D Tensor [out, in]', weight);
    this.weight = this.registerParameter('weight', weight);
    this.arena = this.allocateParameters([{ name: 'bias', shape: [weight.shape[0]!] }]);
    this.bias = this.arena.get('bias');
  }

  /** x [..., In] → [..., Out] */
  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }
}

export class LanguageModel extends Module {
  readonly vocabSize: number;
  readonly embeddingDim: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly cell: CellType;
  readonly tieWeights: boolean;
  // Child modules, in PyTorch's registration order (names: drop, encoder, rnn, decoder).
  readonly drop: Dropout;
  readonly encoder: Embedding; // weight [V, E]
  readonly rnn: RecurrentLayer;
  readonly decoder: Linear | TiedLinear; // weight [V, H], bias [V]

  constructor(options: LanguageModelOptions) {
    super();
    const opts = checkOptions('options', options);
    checkKnownOptions('LanguageModel options', opts, [
      'vocabSize', 'embeddingDim', 'hiddenSize', 'numLayers', 'cell', 'dropout', 'tieWeights', 'rng',
    ]);
    this.vocabSize = checkPositiveInt('vocabSize', opts.vocabSize);
    this.embeddingDim = checkPositiveInt('embeddingDim', opts.embeddingDim);
    this.hiddenSize = checkPositiveInt('hiddenSize', opts.hiddenSize);
    this.numLayers = checkPositiveInt('numLayers', opts.numLayers ?? 1);
    this.cell = checkCellType('cell', opts.cell ?? 'lstm');
    const p = checkInRange('dropout', opts.dropout ?? 0, 0, 1, true);
    this.tieWeights = checkBoolean('tieWeights', opts.tieWeights ?? false);
    if (this.tieWeights && this.embeddingDim !== this.hiddenSize) {
      throw rangeError('embeddingDim', `equal to hiddenSize (${this.hiddenSize}) when tieWeights is true`, this.embeddingDim);
    }
    if (opts.rng !== undefined && !(opts.rng instanceof Rng)) throw typeError('rng', 'an Rng', opts.rng);
    const rng = opts.rng ?? defaultRng;

    this.drop = new Dropout({ p, rng });
    this.encoder = new Embedding({ numEmbeddings: this.vocabSize, embeddingDim: this.embeddingDim, rng });
    this.rnn = createRecurrent(this.cell, {
      inputSize: this.embeddingDim, hiddenSize: this.hiddenSize, numLayers: this.numLayers, dropout: p, rng,
    });
    this.decoder = this.tieWeights
      ? new TiedLinear(this.encoder.weight)
      : new Linear({ inFeatures: this.hiddenSize, outFeatures: this.vocabSize, rng });
    init.uniform(this.encoder.weight, -0.1, 0.1, rng);
    if (!this.tieWeights) init.uniform(this.decoder.weight, -0.1, 0.1, rng);
    init.zeros(this.decoder.bias!);
  }

  /**
   * tokens [T, B] (token ids: a Tensor of integer values or number[][]), state from the previous call
   * (h [L, B, H], LSTM [h, c]) or zeros → [logits [T, B, V], the state after the last step]. Detach the
   * state between batches for truncated BPTT (`detachState`).
   */
  forward(tokens: Tensor | readonly (readonly number[])[], state?: RecurrentState | null): [Tensor, RecurrentState] {
    const { ids, T, B } = checkTokens('tokens', tokens, this.vocabSize);
    const embedded = this.drop.forward(this.encoder.forward(ids, [T, B])); // [T, B, E]
    const [out, next] = runRecurrent(this.rnn, embedded, state); // [T, B, H]
    const logits = this.decoder.forward(this.drop.forward(out)); // [T, B, V]
    return [logits, next];
  }
}
