/**
 * Seeded random sizes that favour the awkward ones: 1, 3, 17 and 129 (tails of every SIMD width and
 * tile size) alongside ordinary small sizes.
 */
import { Rng } from '../../lib/data/rng.js';

export const ODD_SIZES = [1, 3, 17, 129] as const;

/** A size drawn from the odd sizes (half the time) or uniformly from 1..max. */
export function randomSize(rng: Rng, max = 24): number {
  return rng.random() < 0.5 ? ODD_SIZES[rng.int(ODD_SIZES.length)]! : 1 + rng.int(max);
}

export function randomData(rng: Rng, n: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.uniform(-scale, scale);
  return out;
}
