/**
 * Activations: tanh, sigmoid and relu, each followed by its backward. tanh and sigmoid run on the
 * backend's kernels (the same ones the fused recurrent cells use); their derivatives are written in
 * terms of the saved output y, so backward needs no second transcendental call:
 *   tanh'    = 1 − y²
 *   sigmoid' = y (1 − y)
 *   relu'    = 1 where x > 0, else 0 (0 at x = 0, as PyTorch)
 */
import { record1 } from '../autograd.js';
import type { Tensor } from '../tensor.js';
import { getBackend } from '../../backend/index.js';
import { checkTensor } from './args.js';

/** Elementwise hyperbolic tangent. */
export function tanh(x: Tensor): Tensor {
  checkTensor('x', x);
  const y = new Float32Array(x.size);
  if (y.length > 0) getBackend().tanh(y, x.data);
  return record1('tanh', y, x.shape.slice(), [x], (g) => tanhBackward(g, y));
}

function tanhBackward(g: Float32Array, y: Float32Array): (Float32Array | null)[] {
  const dx = new Float32Array(g.length);
  for (let i = 0; i < g.length; i++) {
    const v = y[i]!;
    dx[i] = g[i]! * (1 - v * v);
  }
  return [dx];
}

/** Elementwise logistic sigmoid 1 / (1 + e⁻ˣ). */
export function sigmoid(x: Tensor): Tensor {
  checkTensor('x', x);
  const y = new Float32Array(x.size);
  if (y.length > 0) getBackend().sigmoid(y, x.data);
  return record1('sigmoid', y, x.shape.slice(), [x], (g) => sigmoidBackward(g, y));
}

function sigmoidBackward(g: Float32Array, y: Float32Array): (Float32Array | null)[] {
  const dx = new Float32Array(g.length);
  for (let i = 0; i < g.length; i++) {
    const v = y[i]!;
    dx[i] = g[i]! * v * (1 - v);
  }
  return [dx];
}

/** Elementwise max(x, 0); NaN stays NaN (Math.max propagates it, as torch.relu does). */
export function relu(x: Tensor): Tensor {
  checkTensor('x', x);
  const src = x.data;
  const y = new Float32Array(src.length);
  for (let i = 0; i < y.length; i++) y[i] = Math.max(src[i]!, 0);
  return record1('relu', y, x.shape.slice(), [x], (g) => reluBackward(g, src));
}

function reluBackward(g: Float32Array, x: Float32Array): (Float32Array | null)[] {
  const dx = new Float32Array(g.length);
  for (let i = 0; i < g.length; i++) dx[i] = x[i]! > 0 ? g[i]! : 0;
  return [dx];
}
