/**
 * Tensor: a row-major Float32Array with a shape, and what autograd needs (requiresGrad, grad, the
 * node that produced it). It holds no math: the methods below only forward to the op functions in
 * `ops/`, so `x.add(y)` and `add(x, y)` are the same code.
 */
import { backward, type Node } from './autograd.js';
import { add, sub, mul, div, neg, exp, log } from './ops/elementwise.js';
import { tanh, sigmoid, relu } from './ops/activations.js';
import { sum, mean } from './ops/reduce.js';
import { matmul } from './ops/matmul.js';
import { reshape, transpose, permute, slice } from './ops/shape.js';
import { softmax, logSoftmax } from './ops/softmax.js';
import { checkShapeArray, describe, rangeError, typeError } from '../util/check.js';

export interface TensorOptions {
  requiresGrad?: boolean;
}

/** Number of elements of a shape. */
export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export class Tensor {
  /** Row-major values; length is the product of `shape`. */
  readonly data: Float32Array;
  readonly shape: number[];
  requiresGrad: boolean;
  /** Accumulated gradient (leaves, and tensors that called `retainGrad()`), or null. */
  grad: Tensor | null = null;
  /** The node that produced this tensor, or null for a leaf. */
  gradFn: Node | null = null;
  /** Which output of `gradFn` this tensor is. */
  outputIndex = 0;
  /** Whether backward also stores this non-leaf tensor's gradient in `.grad`. */
  retainsGrad = false;

  constructor(data: Float32Array, shape: readonly number[], options: TensorOptions = {}) {
    if (!(data instanceof Float32Array)) throw typeError('data', 'a Float32Array', data);
    checkShapeArray('shape', shape);
    if (numel(shape) !== data.length) {
      throw new RangeError(`data has ${data.length} elements but shape [${shape.join(', ')}] needs ${numel(shape)}`);
    }
    this.data = data;
    this.shape = shape.slice();
    this.requiresGrad = options.requiresGrad ?? false;
  }

  /** @internal set by autograd.record */
  _setNode(node: Node, index: number): void {
    this.gradFn = node;
    this.outputIndex = index;
  }

  get size(): number {
    return this.data.length;
  }

  get ndim(): number {
    return this.shape.length;
  }

  /** True for tensors not produced by a recorded op. */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.data.length !== 1) throw rangeError('tensor', 'a one-element tensor for item()', this);
    return this.data[0]!;
  }

  /** Values as a (nested) JavaScript array. */
  toArray(): unknown[] | number {
    if (this.shape.length === 0) return this.data[0]!;
    const build = (dim: number, offset: number): unknown[] => {
      const n = this.shape[dim]!;
      const stride = numel(this.shape.slice(dim + 1));
      const out: unknown[] = [];
      for (let i = 0; i < n; i++) {
        out.push(dim === this.shape.length - 1 ? this.data[offset + i] : build(dim + 1, offset + i * stride));
      }
      return out;
    };
    return build(0, 0);
  }

  /** A tensor sharing this one's data, cut from the graph (truncated BPTT). */
  detach(): Tensor {
    return new Tensor(this.data, this.shape);
  }

  /** A copy of the data, cut from the graph. */
  clone(): Tensor {
    return new Tensor(Float32Array.from(this.data), this.shape);
  }

  /** Sets `requiresGrad` on a leaf; returns this. */
  requiresGrad_(requiresGrad = true): this {
    if (!this.isLeaf) throw new RangeError('requiresGrad_ applies only to leaf tensors; use detach() first');
    this.requiresGrad = requiresGrad;
    return this;
  }

  /** Keeps this non-leaf tensor's gradient in `.grad` after backward. */
  retainGrad(): this {
    this.retainsGrad = true;
    return this;
  }

  backward(gradient?: Tensor | Float32Array): void {
    backward(this, gradient);
  }

  toString(): string {
    return `Tensor(shape=[${this.shape.join(', ')}]${this.requiresGrad ? ', requiresGrad' : ''})`;
  }

  // ---- methods: each forwards to the op of the same name ----
  add(other: Tensor | number): Tensor { return add(this, other); }
  sub(other: Tensor | number): Tensor { return sub(this, other); }
  mul(other: Tensor | number): Tensor { return mul(this, other); }
  div(other: Tensor | number): Tensor { return div(this, other); }
  neg(): Tensor { return neg(this); }
  exp(): Tensor { return exp(this); }
  log(): Tensor { return log(this); }
  tanh(): Tensor { return tanh(this); }
  sigmoid(): Tensor { return sigmoid(this); }
  relu(): Tensor { return relu(this); }
  sum(dim?: number | number[], keepDim = false): Tensor { return sum(this, dim, keepDim); }
  mean(dim?: number | number[], keepDim = false): Tensor { return mean(this, dim, keepDim); }
  matmul(other: Tensor): Tensor { return matmul(this, other); }
  reshape(shape: number[]): Tensor { return reshape(this, shape); }
  transpose(dim0: number, dim1: number): Tensor { return transpose(this, dim0, dim1); }
  permute(dims: number[]): Tensor { return permute(this, dims); }
  slice(dim: number, start: number, end: number): Tensor { return slice(this, dim, start, end); }
  softmax(dim = -1): Tensor { return softmax(this, dim); }
  logSoftmax(dim = -1): Tensor { return logSoftmax(this, dim); }
}

type Nested = number | Nested[];

function inferShape(data: Nested): number[] {
  const shape: number[] = [];
  let level: Nested = data;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = level[0] as Nested;
  }
  return shape;
}

/**
 * Creates a tensor: `tensor(float32Data, [T, B, I])`, `tensor([[1, 2], [3, 4]])` or `tensor(3)`.
 * Flat data is copied only when it is not already a Float32Array.
 */
export function tensor(data: Float32Array | ArrayLike<number> | Nested, shape?: readonly number[], options: TensorOptions = {}): Tensor {
  if (data instanceof Float32Array) {
    return new Tensor(data, shape ?? [data.length], options);
  }
  if (typeof data === 'number') {
    return new Tensor(new Float32Array([data]), shape ?? [], options);
  }
  if (Array.isArray(data)) {
    const inferred = inferShape(data);
    const flat = (data as unknown[]).flat(Infinity);
    if (flat.length !== numel(inferred) || flat.some((v) => typeof v !== 'number')) {
      throw typeError('data', 'a rectangular nested array of numbers', data);
    }
    return new Tensor(Float32Array.from(flat as number[]), shape ?? inferred, options);
  }
  if (ArrayBuffer.isView(data) && typeof (data as ArrayLike<number>).length === 'number') {
    return new Tensor(Float32Array.from(data as ArrayLike<number>), shape ?? [(data as ArrayLike<number>).length], options);
  }
  throw typeError('data', 'a Float32Array, a typed array, a nested number array or a number', describe(data));
}

export function zeros(shape: readonly number[], options: TensorOptions = {}): Tensor {
  return new Tensor(new Float32Array(numel(checkShapeArray('shape', shape))), shape, options);
}

export function ones(shape: readonly number[], options: TensorOptions = {}): Tensor {
  return full(shape, 1, options);
}

export function full(shape: readonly number[], value: number, options: TensorOptions = {}): Tensor {
  return new Tensor(new Float32Array(numel(checkShapeArray('shape', shape))).fill(value), shape, options);
}
