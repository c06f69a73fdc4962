/**
 * Central finite differences against autograd, over every element of every input that requires a
 * gradient (inputs and module parameters alike).
 *
 * The scalar probed is L = Σ out · R for a fixed random R (float64 sum), so every output element
 * contributes. The forward passes run in float32, which is why the step is 1e-2 and the comparison is
 * the whole-gradient relative error against GRADCHECK_REL_TOL (central differences cost O(eps²) in
 * truncation; float32 rounding of L divided by 2·eps dominates below that).
 */
import { expect } from 'vitest';
import { Tensor } from '../../lib/tensor/tensor.js';
import { record1 } from '../../lib/tensor/autograd.js';
import { Rng } from '../../lib/data/rng.js';
import { GRADCHECK_REL_TOL, relativeError } from './close.js';

export interface GradcheckOptions {
  eps?: number;
  tol?: number;
  seed?: number;
}

/** Runs `fn` and flattens its result(s) to one list of tensors. */
function outputsOf(fn: () => Tensor | Tensor[]): Tensor[] {
  const out = fn();
  return Array.isArray(out) ? out : [out];
}

/**
 * Checks d(Σ fn()·R)/d(t) for each tensor in `wrt` (each must have requiresGrad). `fn` must rebuild
 * its graph from `wrt`'s current data on every call.
 */
export function gradcheck(fn: () => Tensor | Tensor[], wrt: Tensor[], options: GradcheckOptions = {}): void {
  const eps = options.eps ?? 1e-2;
  const tol = options.tol ?? GRADCHECK_REL_TOL;
  const rng = new Rng(options.seed ?? 1234);

  for (const t of wrt) t.grad = null;
  const outs = outputsOf(fn);
  const weights = outs.map((o) => Float64Array.from({ length: o.size }, () => rng.uniform(-1, 1)));
  const scalar = (os: Tensor[]): number => {
    let s = 0;
    os.forEach((o, k) => {
      const w = weights[k]!;
      for (let i = 0; i < o.size; i++) s += o.data[i]! * w[i]!;
    });
    return s;
  };

  // Analytic: backprop each output with its weights as the upstream gradient. Outputs that share a
  // graph must go in one pass, so add a root that sums them.
  const roots = outs.filter((o) => o.requiresGrad);
  expect(roots.length, 'gradcheck: fn() produced no output that requires grad').toBeGreaterThan(0);
  backwardMany(outs, weights);

  for (const [n, t] of wrt.entries()) {
    expect(t.requiresGrad, `gradcheck: wrt[${n}] must require grad`).toBe(true);
    const analytic = t.grad === null ? new Float64Array(t.size) : Float64Array.from(t.grad.data);
    const numeric = new Float64Array(t.size);
    for (let i = 0; i < t.size; i++) {
      const saved = t.data[i]!;
      t.data[i] = saved + eps;
      const plus = scalar(outputsOf(fn));
      t.data[i] = saved - eps;
      const minus = scalar(outputsOf(fn));
      t.data[i] = saved;
      numeric[i] = (plus - minus) / (2 * eps);
    }
    const rel = relativeError(analytic, numeric);
    if (!(rel <= tol)) {
      let worst = 0;
      for (let i = 1; i < t.size; i++) {
        if (Math.abs(analytic[i]! - numeric[i]!) > Math.abs(analytic[worst]! - numeric[worst]!)) worst = i;
      }
      expect.fail(
        `gradcheck wrt[${n}] shape [${t.shape.join(', ')}]: relative error ${rel.toExponential(3)} > ${tol}; ` +
          `worst at index ${worst}: numeric ${numeric[worst]}, analytic ${analytic[worst]}`,
      );
    }
  }
}

/** One backward pass through several outputs, each with its own upstream gradient. */
function backwardMany(outs: Tensor[], weights: Float64Array[]): void {
  // One synthetic node L = Σ_k Σ_i out_k[i]·w_k[i], so shared subgraphs are walked once.
  const live = outs.map((o, k) => ({ o, w: weights[k]! })).filter(({ o }) => o.requiresGrad);
  const loss = recordWeightedSum(live);
  loss.backward();
}

function recordWeightedSum(parts: { o: Tensor; w: Float64Array }[]): Tensor {
  let s = 0;
  for (const { o, w } of parts) for (let i = 0; i < o.size; i++) s += o.data[i]! * w[i]!;
  return record1('weightedSum', new Float32Array([s]), [], parts.map((p) => p.o), (g) =>
    parts.map(({ w }) => Float32Array.from(w, (v) => v * g[0]!)),
  );
}
