/**
 * Linear: y = x Wᵀ + b over the last dimension, PyTorch's `nn.Linear`. Weight [out, in] and bias
 * [out] live in one arena; the math is the `linear` op (one GEMM forward, two backward).
 *
 * Dimension letters: N any leading dims, In inFeatures, Out outFeatures.
 * Init (PyTorch's `reset_parameters`): weight kaimingUniform(a = √5) = U(±1/√In), bias U(±1/√In).
 */
import { Module } from './module.js';
import type { ParameterArena } from './parameters.js';
import { Tensor } from '../tensor/tensor.js';
import { linear } from '../tensor/ops/matmul.js';
import { defaultRng, type Rng } from '../data/rng.js';
import * as init from './init.js';
import { checkBoolean, checkKnownOptions, checkOptions, checkPositiveInt, rangeError, typeError } from '../util/check.js';

export interface LinearOptions {
  inFeatures: number;
  outFeatures: number;
  /** Whether to learn an additive bias (default true). */
  bias?: boolean;
  /** Generator for the initial values (default: defaultRng). */
  rng?: Rng;
}

export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** [Out, In] */
  readonly weight: Tensor;
  /** [Out] or null */
  readonly bias: Tensor | null;
  /** weight then bias, one Float32Array. */
  readonly arena: ParameterArena;

  constructor(options: LinearOptions) {
    super();
    const opts = checkOptions('options', options);
    checkKnownOptions('Linear options', opts, ['inFeatures', 'outFeatures', 'bias', 'rng']);
    this.inFeatures = checkPositiveInt('inFeatures', opts.inFeatures);
    this.outFeatures = checkPositiveInt('outFeatures', opts.outFeatures);
    const hasBias = checkBoolean('bias', opts.bias ?? true);
    const rng = opts.rng ?? defaultRng;
    this.arena = this.allocateParameters([
      { name: 'weight', shape: [this.outFeatures, this.inFeatures] },
      ...(hasBias ? [{ name: 'bias', shape: [this.outFeatures] }] : []),
    ]);
    this.weight = this.arena.get('weight');
    this.bias = hasBias ? this.arena.get('bias') : null;
    this.resetParameters(rng);
  }

  /** PyTorch's default init: U(±1/√In) for weight (kaimingUniform, a = √5) and bias. */
  resetParameters(rng: Rng = defaultRng): void {
    init.kaimingUniform(this.weight, { a: Math.sqrt(5) }, rng);
    if (this.bias !== null) {
      const bound = 1 / Math.sqrt(this.inFeatures);
      init.uniform(this.bias, -bound, bound, rng);
    }
  }

  /** x [..., In] → [..., Out] */
  forward(x: Tensor): Tensor {
    if (!(x instanceof Tensor)) throw typeError('x', 'a Tensor', x);
    if (x.ndim < 1 || x.shape[x.ndim - 1] !== this.inFeatures) {
      throw rangeError('x', `a tensor whose last dimension is inFeatures = ${this.inFeatures}`, x);
    }
    return linear(x, this.weight, this.bias);
  }
}
