/**
 * The fused recurrent kernels (Backend.recurrentForward / recurrentBackward) for every cell kind,
 * called directly: PyTorch float64 fixtures for outputs, states and every gradient; central finite
 * differences (reverse direction, lengths, no bias, null buffers) on odd sizes; the lengths and
 * reverse semantics of backend.ts checked against independent single-row runs; accumulation.
 */
import { describe, expect, it } from 'vitest';
import type { CellKind } from '../../lib/backend/backend.js';
import { getBackend } from '../../lib/backend/index.js';
import { describeEachBackend } from '../helpers/backends.js';
import { expectClose, GRADCHECK_REL_TOL, relativeError } from '../helpers/close.js';
import { f32, loadRecurrentFixture } from '../helpers/fixtures.js';
import {
  numericGradient, randomCase, runBackward, runForward, zeroGradients,
  type CaseSizes, type RecurrentCase,
} from './recurrent_case.js';

const CELLS: CellKind[] = ['rnn_tanh', 'rnn_relu', 'lstm', 'gru'];

/** Takes row b of a [T, B, F] buffer's first `steps` steps, optionally in reversed time order. */
function rowOf(buf: Float32Array, B: number, F: number, b: number, steps: number, reversed = false): Float32Array {
  const out = new Float32Array(steps * F);
  for (let s = 0; s < steps; s++) {
    const t = reversed ? steps - 1 - s : s;
    out.set(buf.subarray((t * B + b) * F, (t * B + b + 1) * F), s * F);
  }
  return out;
}

/** The same case restricted to batch row b and its first `len` steps, without lengths. */
function singleRow(c: RecurrentCase, b: number, len: number, reversedTime: boolean, reverse: boolean): RecurrentCase {
  const slice = (a: Float32Array | null, n: number) => (a === null ? null : a.slice(b * n, (b + 1) * n));
  return {
    ...c, T: len, B: 1, lengths: null, reverse,
    x: rowOf(c.x, c.B, c.I, b, len, reversedTime),
    h0: slice(c.h0, c.H)!, c0: slice(c.c0, c.H),
    R: rowOf(c.R, c.B, c.H, b, len, reversedTime), Rh: slice(c.Rh, c.H)!, Rc: slice(c.Rc, c.H),
  };
}

describeEachBackend('recurrent kernels vs PyTorch fixtures', () => {
  for (const name of ['lstm_l1', 'gru_l1', 'rnn_tanh_l1', 'rnn_relu_l1', 'lstm_l1_varlen']) {
    it(name, () => {
      const fx = loadRecurrentFixture(name);
      const cell = fx.module.kind as CellKind;
      const { T, B, I, H } = fx.sizes;
      const lstm = cell === 'lstm';
      const c: RecurrentCase = {
        cell, T, B, I, H,
        x: f32(fx.tensors.x!), h0: f32(fx.tensors.h0!), c0: lstm ? f32(fx.tensors.c0!) : null,
        wIh: f32(fx.params.weight_ih_l0!), wHh: f32(fx.params.weight_hh_l0!),
        bIh: f32(fx.params.bias_ih_l0!), bHh: f32(fx.params.bias_hh_l0!),
        lengths: fx.lengths === null ? null : Int32Array.from(fx.lengths), reverse: false,
        R: f32(fx.tensors.R!), Rh: f32(fx.tensors.Rh!), Rc: lstm ? f32(fx.tensors.Rc!) : null,
      };
      const backend = getBackend();
      const fwd = runForward(backend, c);
      expectClose(fwd.out, fx.outputs.output!.data, `${name} output`);
      expectClose(fwd.hN, fx.outputs.h_n!.data, `${name} h_n`);
      if (lstm) expectClose(fwd.cN!, fx.outputs.c_n!.data, `${name} c_n`);

      const g = zeroGradients(c);
      runBackward(backend, c, fwd, g);
      expectClose(g.dX!, fx.grads.x!.data, `${name} dX`);
      expectClose(g.dH0!, fx.grads.h0!.data, `${name} dH0`);
      if (lstm) expectClose(g.dC0!, fx.grads.c0!.data, `${name} dC0`);
      expectClose(g.dWIh, fx.grads.weight_ih_l0!.data, `${name} dWIh`);
      expectClose(g.dWHh, fx.grads.weight_hh_l0!.data, `${name} dWHh`);
      expectClose(g.dBIh!, fx.grads.bias_ih_l0!.data, `${name} dBIh`);
      expectClose(g.dBHh!, fx.grads.bias_hh_l0!.data, `${name} dBHh`);
    });
  }
});

// Odd sizes [T, B, I, H]; every T in {1, 3, 7}, B in {1, 3}, I in {1, 3}, H in {1, 3, 17} appears.
const FD_SIZES: CaseSizes[] = [
  { T: 1, B: 1, I: 1, H: 1 },
  { T: 3, B: 3, I: 3, H: 3 },
  { T: 7, B: 3, I: 1, H: 17 },
  { T: 7, B: 1, I: 3, H: 3 },
  { T: 3, B: 3, I: 3, H: 17 },
  { T: 1, B: 3, I: 3, H: 17 },
];

/** Lengths in 1..T with at least one row shorter than T when T > 1 (deterministic per size). */
function lengthsFor({ T, B }: CaseSizes): number[] {
  return Array.from({ length: B }, (_, b) => (b % 3 === 0 ? Math.max(1, T - 1 - b) : b % 3 === 1 ? T : 1 + (b % T)));
}

describeEachBackend('recurrent kernels vs central finite differences', () => {
  for (const cell of CELLS) {
    for (const reverse of [false, true]) {
      for (const withLengths of [false, true]) {
        describe(`${cell} ${reverse ? 'reverse' : 'forward'}${withLengths ? ' with lengths' : ''}`, () => {
          FD_SIZES.forEach((sizes, k) => {
            const bias = k % 2 === 0; // alternate the bias and no-bias variants
            it(`T=${sizes.T} B=${sizes.B} I=${sizes.I} H=${sizes.H}${bias ? '' : ' no bias'}`, () => {
              const backend = getBackend();
              const c = randomCase(cell, sizes, {
                seed: 100 + k, bias, reverse, lengths: withLengths ? lengthsFor(sizes) : null,
              });
              const g = zeroGradients(c);
              runBackward(backend, c, runForward(backend, c), g);
              // relu has kinks: on these seeds some pre-activations lie within 4e-4 of 0, so a small
              // step keeps the probes on one side of them (float32 noise of L / 2e-4 stays ~1e-3).
              const eps = cell === 'rnn_relu' ? 1e-4 : 1e-2;
              const checks: [string, Float32Array | null, Float32Array | null][] = [
                ['dX', g.dX, c.x], ['dH0', g.dH0, c.h0], ['dC0', g.dC0, c.c0],
                ['dWIh', g.dWIh, c.wIh], ['dWHh', g.dWHh, c.wHh], ['dBIh', g.dBIh, c.bIh], ['dBHh', g.dBHh, c.bHh],
              ];
              for (const [label, analytic, input] of checks) {
                if (input === null) continue;
                const numeric = numericGradient(backend, c, input, eps);
                expectClose(analytic!, numeric, `${cell} ${label}`, GRADCHECK_REL_TOL);
              }
            });
          });
        });
      }
    }
  }
});

describeEachBackend('recurrent kernels: lengths, reverse, null buffers, accumulation', () => {
  const sizes = { T: 7, B: 3, I: 3, H: 17 };
  const lengths = [4, 7, 1];

  for (const cell of CELLS) {
    for (const reverse of [false, true]) {
      it(`${cell} ${reverse ? 'reverse' : 'forward'}: each row with lengths equals that row run alone`, () => {
        const backend = getBackend();
        const c = randomCase(cell, sizes, { seed: 7, reverse, lengths });
        const fwd = runForward(backend, c);
        const g = zeroGradients(c);
        runBackward(backend, c, fwd, g);
        const { B, I, H } = c;
        lengths.forEach((len, b) => {
          // Forward: the valid prefix. Reverse: the valid prefix reversed in time, run forward
          // (independent of the kernel's own reverse loop); its outputs are read back reversed.
          const alone = singleRow(c, b, len, reverse, false);
          const ref = runForward(backend, alone);
          const refGrad = zeroGradients(alone);
          runBackward(backend, alone, ref, refGrad);
          const label = `${cell} row ${b} (len ${len})`;
          expectClose(rowOf(fwd.out, B, H, b, len), rowOf(ref.out, 1, H, 0, len, reverse), `${label} out`);
          expectClose(fwd.hN.subarray(b * H, (b + 1) * H), ref.hN, `${label} hN`);
          if (cell === 'lstm') expectClose(fwd.cN!.subarray(b * H, (b + 1) * H), ref.cN!, `${label} cN`);
          for (let t = len; t < c.T; t++) {
            expect(Array.from(rowOf(fwd.out, B, H, b, t + 1).subarray(t * H)), `${label} out at padded t=${t}`).toEqual(new Array(H).fill(0));
            expect(Array.from(rowOf(g.dX!, B, I, b, t + 1).subarray(t * I)), `${label} dX at padded t=${t}`).toEqual(new Array(I).fill(0));
          }
          expectClose(rowOf(g.dX!, B, I, b, len), rowOf(refGrad.dX!, 1, I, 0, len, reverse), `${label} dX`);
          expectClose(g.dH0!.subarray(b * H, (b + 1) * H), refGrad.dH0!, `${label} dH0`);
          if (cell === 'lstm') expectClose(g.dC0!.subarray(b * H, (b + 1) * H), refGrad.dC0!, `${label} dC0`);
        });
      });

      it(`${cell} ${reverse ? 'reverse' : 'forward'}: x at padded positions is never read (NaN there changes nothing)`, () => {
        const backend = getBackend();
        const c = randomCase(cell, sizes, { seed: 8, reverse, lengths });
        const clean = runForward(backend, c);
        const cleanGrad = zeroGradients(c);
        runBackward(backend, c, clean, cleanGrad);
        const poisoned: RecurrentCase = { ...c, x: c.x.slice() };
        lengths.forEach((len, b) => {
          for (let t = len; t < c.T; t++) poisoned.x.fill(NaN, (t * c.B + b) * c.I, (t * c.B + b + 1) * c.I);
        });
        const fwd = runForward(backend, poisoned);
        const g = zeroGradients(c);
        runBackward(backend, poisoned, fwd, g);
        expect(Array.from(fwd.out)).toEqual(Array.from(clean.out));
        expect(Array.from(fwd.hN)).toEqual(Array.from(clean.hN));
        expect(Array.from(g.dWIh)).toEqual(Array.from(cleanGrad.dWIh));
        expect(Array.from(g.dX!)).toEqual(Array.from(cleanGrad.dX!));
        // Saved values at inactive positions are zero (backend.ts layout contract).
        expect(fwd.workspace.every((v) => Number.isFinite(v))).toBe(true);
      });
    }

    it(`${cell}: null dX/dH0/dC0 leave the other gradients unchanged; null upstream means zero`, () => {
      const backend = getBackend();
      const c = randomCase(cell, sizes, { seed: 9, lengths });
      const fwd = runForward(backend, c);
      const full = zeroGradients(c);
      runBackward(backend, c, fwd, full);
      const partial = zeroGradients(c, ['dX', 'dH0', 'dC0']);
      runBackward(backend, c, fwd, partial);
      expect(Array.from(partial.dWIh)).toEqual(Array.from(full.dWIh));
      expect(Array.from(partial.dWHh)).toEqual(Array.from(full.dWHh));
      expect(Array.from(partial.dBIh!)).toEqual(Array.from(full.dBIh!));

      const zeros = zeroGradients(c);
      const nulls = zeroGradients(c);
      runBackward(backend, c, fwd, zeros, {
        dOut: new Float32Array(c.R.length), dHN: c.Rh, dCN: c.Rc === null ? null : new Float32Array(c.Rc.length),
      });
      runBackward(backend, c, fwd, nulls, { dOut: null, dHN: c.Rh, dCN: null });
      expect(Array.from(nulls.dWHh)).toEqual(Array.from(zeros.dWHh));
      expect(Array.from(nulls.dX!)).toEqual(Array.from(zeros.dX!));
      expect(relativeError(nulls.dWHh, full.dWHh)).toBeGreaterThan(1e-3); // dOut did matter
    });

    it(`${cell}: backward accumulates (two calls give twice one call)`, () => {
      const backend = getBackend();
      const c = randomCase(cell, { T: 3, B: 3, I: 3, H: 17 }, { seed: 10 });
      const fwd = runForward(backend, c);
      const once = zeroGradients(c);
      runBackward(backend, c, fwd, once);
      const twice = zeroGradients(c);
      runBackward(backend, c, fwd, twice);
      runBackward(backend, c, fwd, twice);
      for (const key of ['dX', 'dH0', 'dC0', 'dWIh', 'dWHh', 'dBIh', 'dBHh'] as const) {
        const a = once[key];
        if (a === null) continue;
        expectClose(twice[key]!, Float64Array.from(a, (v) => 2 * v), `${cell} ${key} doubled`, 1e-6);
      }
    });
  }
});

describeEachBackend('recurrent kernels: hand-computed corner', () => {
  it('rnn_relu: the derivative at a pre-activation of exactly 0 is 0 (PyTorch: gradient where output > 0)', () => {
    // One step, one unit: pre = wIh·x + wHh·h0 + bIh + bHh = 2·0.5 − 1·1 + 0.25 − 0.25 = 0 → h = 0.
    const backend = getBackend();
    const c: RecurrentCase = {
      cell: 'rnn_relu', T: 1, B: 1, I: 1, H: 1,
      x: new Float32Array([0.5]), h0: new Float32Array([1]), c0: null,
      wIh: new Float32Array([2]), wHh: new Float32Array([-1]), bIh: new Float32Array([0.25]), bHh: new Float32Array([-0.25]),
      lengths: null, reverse: false, R: new Float32Array([1]), Rh: new Float32Array([1]), Rc: null,
    };
    const fwd = runForward(backend, c);
    expect(Array.from(fwd.out)).toEqual([0]);
    expect(Array.from(fwd.hN)).toEqual([0]);
    const g = zeroGradients(c);
    runBackward(backend, c, fwd, g);
    for (const key of ['dX', 'dH0', 'dWIh', 'dWHh', 'dBIh', 'dBHh'] as const) expect(Array.from(g[key]!), key).toEqual([0]);
    // Nudged to pre = 0.5 > 0: every gradient is 2 (R + Rh) times the input it multiplies.
    const fwd2 = runForward(backend, { ...c, bIh: new Float32Array([0.75]) });
    const g2 = zeroGradients(c);
    runBackward(backend, { ...c, bIh: new Float32Array([0.75]) }, fwd2, g2);
    expect([g2.dX![0], g2.dH0![0], g2.dWIh[0], g2.dWHh[0], g2.dBIh![0], g2.dBHh![0]]).toEqual([4, -2, 1, 2, 2, 2]);
  });
});
