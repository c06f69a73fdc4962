/**
 * Gradient clipping, the remedy for exploding gradients in BPTT (Pascanu et al., 2013), as
 * torch.nn.utils.clip_grad_norm_ / clip_grad_value_.
 */
import type { Tensor } from '../tensor/tensor.js';
import { checkBoolean, checkFiniteNumber, checkOptions, rangeError } from '../util/check.js';

function gradsOf(params: Iterable<Tensor>): Float32Array[] {
  const grads: Float32Array[] = [];
  for (const p of params) if (p.grad !== null) grads.push(p.grad.data);
  return grads;
}

/**
 * Scales all gradients together so their joint `normType`-norm is at most `maxNorm`; returns the norm
 * before clipping. `normType` may be Infinity. With `errorIfNonfinite`, a NaN/Infinity norm throws
 * instead of spreading into every parameter.
 */
export function clipGradNorm(
  params: Iterable<Tensor>,
  maxNorm: number,
  normType = 2,
  options: { errorIfNonfinite?: boolean } = {},
): number {
  if (checkFiniteNumber('maxNorm', maxNorm) < 0) throw rangeError('maxNorm', 'a non-negative number', maxNorm);
  if (typeof normType !== 'number' || !(normType > 0)) throw rangeError('normType', 'a positive number or Infinity', normType);
  const errorIfNonfinite = checkBoolean('options.errorIfNonfinite', checkOptions('options', options).errorIfNonfinite ?? false);
  const grads = gradsOf(params);
  let total = 0;
  if (normType === Infinity) {
    for (const g of grads) for (let i = 0; i < g.length; i++) total = Math.max(total, Math.abs(g[i]!));
    if (grads.some((g) => g.some((v) => Number.isNaN(v)))) total = NaN;
  } else {
    for (const g of grads) for (let i = 0; i < g.length; i++) total += Math.abs(g[i]!) ** normType;
    total = total ** (1 / normType);
  }
  if (errorIfNonfinite && !Number.isFinite(total)) {
    throw new RangeError(`the total ${normType}-norm of the gradients is ${total}; the loss or a gradient is not finite`);
  }
  // PyTorch's 1e-6 keeps the coefficient finite when the norm is zero.
  const coef = maxNorm / (total + 1e-6);
  if (coef < 1) for (const g of grads) for (let i = 0; i < g.length; i++) g[i]! *= coef;
  return total;
}

/** Clamps every gradient element to [−clipValue, clipValue]. */
export function clipGradValue(params: Iterable<Tensor>, clipValue: number): void {
  if (checkFiniteNumber('clipValue', clipValue) < 0) throw rangeError('clipValue', 'a non-negative number', clipValue);
  for (const g of gradsOf(params)) {
    for (let i = 0; i < g.length; i++) g[i] = Math.min(clipValue, Math.max(-clipValue, g[i]!));
  }
}
