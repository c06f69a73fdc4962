/**
 * lib/nn/recurrent/state_slab.ts: the untaped cell step's state arrays are views cut from shared
 * slabs. They must never overlap (a kept state is never overwritten by a later step), start zeroed
 * and line-aligned, and large requests get an array of their own. Through the cell: states kept
 * from many steps in a row keep their values (checked against copies taken when they were made).
 */
import { describe, expect, it } from 'vitest';
import { LSTMCell, noGrad, tensor, type Tensor } from '../../lib/index.js';
import { stateArray } from '../../lib/nn/recurrent/state_slab.js';
import { Rng } from '../../lib/data/rng.js';
import { randomData } from '../helpers/shapes.js';

function range(a: Float32Array): [number, number] {
  return [a.byteOffset, a.byteOffset + a.byteLength];
}

describe('state slab', () => {
  it('cuts zeroed, 64-byte aligned, non-overlapping views; odd sizes included', () => {
    const arrays = [1, 3, 17, 129, 512, 16, 1, 2048].flatMap((n) => [stateArray(n), stateArray(n)]);
    for (const [i, a] of arrays.entries()) {
      expect(a.every((v) => v === 0), `array ${i} zeroed`).toBe(true);
      expect(a.byteOffset % 64, `array ${i} aligned`).toBe(0);
      a.fill(i + 1);
    }
    for (const [i, a] of arrays.entries()) {
      expect(a.every((v) => v === i + 1), `array ${i} kept its values`).toBe(true);
      for (const b of arrays.slice(i + 1)) {
        if (a.buffer !== b.buffer) continue;
        const [a0, a1] = range(a);
        const [b0, b1] = range(b);
        expect(a1 <= b0 || b1 <= a0, `views [${a0}, ${a1}) and [${b0}, ${b1}) overlap`).toBe(true);
      }
    }
    // Small requests share a slab; a request over a quarter of a slab (8 KiB) gets its own buffer.
    expect(arrays[0]!.buffer).toBe(arrays[1]!.buffer);
    const big = stateArray(4096);
    expect(big.byteOffset).toBe(0);
    expect(big.buffer.byteLength).toBe(4096 * 4);
  });

  it('states kept from a run of LSTMCell steps under noGrad keep their values', () => {
    const H = 64;
    const cell = new LSTMCell({ inputSize: 8, hiddenSize: H, rng: new Rng(3) });
    const rng = new Rng(4);
    let state: [Tensor, Tensor] = [tensor(new Float32Array(H), [1, H]), tensor(new Float32Array(H), [1, H])];
    const kept: { h: Tensor; copy: Float32Array }[] = [];
    for (let t = 0; t < 200; t++) {
      const x = tensor(randomData(rng, 8), [1, 8]);
      state = noGrad(() => cell.forward(x, state));
      kept.push({ h: state[0], copy: state[0].data.slice() });
    }
    for (const [t, { h, copy }] of kept.entries()) expect(Array.from(h.data), `h of step ${t}`).toEqual(Array.from(copy));
    // Successive states differ (the steps really wrote new arrays rather than one shared one).
    expect(Array.from(kept[198]!.h.data)).not.toEqual(Array.from(kept[199]!.h.data));
  });
});
