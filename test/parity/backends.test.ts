/**
 * Parity: the native backend (C++ addon) against the js backend (the living specification) on random
 * inputs over many random shapes, the odd sizes 1, 3, 17, 129 included. Every Backend method:
 * sgemm (all four transpose cases, alpha/beta, padded strides), recurrent forward + backward for every
 * cell (with and without lengths, forward and reverse, with and without bias, null upstream and input
 * gradients), the workspace layout of the contract, and the elementwise kernels on edge values.
 *
 * The js backend is itself checked against PyTorch fixtures and finite differences (test/backend);
 * here the two implementations are checked against each other, so a difference in either shows.
 * Without a loadable addon the suite is skipped, except in CI (CI=true) or with
 * RNNKIT_REQUIRE_NATIVE=1, where a missing addon fails it.
 */
import { describe, expect, it } from 'vitest';
import type { Backend, CellKind, RecurrentBackwardArgs, RecurrentForwardArgs } from '../../lib/backend/backend.js';
import { GATES } from '../../lib/backend/backend.js';
import { JsBackend } from '../../lib/backend/js/index.js';
import { loadAddon, type RnnkitAddon } from '../../lib/backend/addon.js';
import { NativeBackend } from '../../lib/backend/native.js';
import { Rng } from '../../lib/data/rng.js';
import { expectAllClose, expectClose } from '../helpers/close.js';
import { ODD_SIZES, randomData, randomSize } from '../helpers/shapes.js';

const required = process.env.CI === 'true' || process.env.RNNKIT_REQUIRE_NATIVE === '1';
let addon: RnnkitAddon | null = null;
let loadError = '';
try {
  addon = loadAddon();
} catch (error) {
  loadError = String(error);
}

describe('native addon availability', () => {
  it.runIf(required)('loads in CI (or with RNNKIT_REQUIRE_NATIVE=1)', () => {
    expect(loadError).toBe('');
    expect(addon).not.toBeNull();
  });
});

const CELLS: CellKind[] = ['rnn_tanh', 'rnn_relu', 'lstm', 'gru'];

/** expectAllClose, where ±Infinity must match exactly (|Inf − Inf| is NaN to the helper). */
function expectAllCloseInf(actual: Float32Array, expected: Float32Array, label: string, atol: number, rtol: number): void {
  const a = actual.slice();
  const e = expected.slice();
  for (let i = 0; i < e.length; i++) {
    if (!Number.isFinite(e[i]!) && !Number.isNaN(e[i]!)) {
      expect(a[i], `${label}: element ${i}`).toBe(e[i]);
      a[i] = 0;
      e[i] = 0;
    }
  }
  expectAllClose(a, e, label, atol, rtol);
}

describe.skipIf(addon === null)('native vs js backend', () => {
  const native: Backend = new NativeBackend(addon!);
  const js: Backend = new JsBackend();

  describe('sgemm', () => {
    it('agrees on all transposes, odd sizes, alpha/beta and padded strides', () => {
      const rng = new Rng(1);
      const sizes = [...ODD_SIZES];
      let cases = 0;
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          // the full odd-size grid for M and N with K drawn, plus random shapes
          const shapes: [number, number, number][] = [];
          for (const M of sizes) for (const N of sizes) shapes.push([M, N, randomSize(rng, 40)]);
          for (let i = 0; i < 12; i++) shapes.push([randomSize(rng, 70), randomSize(rng, 70), randomSize(rng, 70)]);
          for (const [M, N, K] of shapes) {
            const pad = rng.int(3);
            const lda = (transA ? M : K) + pad;
            const ldb = (transB ? K : N) + pad;
            const ldc = N + pad;
            const A = randomData(rng, (transA ? K : M) * lda);
            const B = randomData(rng, (transB ? N : K) * ldb);
            const C0 = randomData(rng, M * ldc);
            const alpha = [1, -0.5, 2][rng.int(3)]!;
            const beta = [0, 1, 0.25][rng.int(3)]!;
            if (beta === 0) C0.fill(NaN); // beta = 0 must not read C
            const cNative = C0.slice();
            const cJs = C0.slice();
            native.sgemm(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, cNative, ldc);
            js.sgemm(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, cJs, ldc);
            expectClose(cNative, cJs, `sgemm ${transA ? 'T' : 'N'}${transB ? 'T' : 'N'} M=${M} N=${N} K=${K} alpha=${alpha} beta=${beta}`);
            cases++;
          }
        }
      }
      expect(cases).toBe(4 * (16 + 12));
    });
  });

  describe('recurrent forward and backward', () => {
    interface Case {
      T: number; B: number; I: number; H: number;
      reverse: boolean; withLengths: boolean; bias: boolean; nullUpstream: boolean;
    }

    function randomCase(rng: Rng, cell: CellKind): Case {
      // odd sizes favoured, total work bounded so the js side stays quick
      for (;;) {
        const c: Case = {
          T: 1 + rng.int(6), B: randomSize(rng, 8), I: randomSize(rng, 20), H: randomSize(rng, 20),
          reverse: rng.random() < 0.5, withLengths: rng.random() < 0.5, bias: rng.random() < 0.8,
          nullUpstream: rng.random() < 0.2,
        };
        if (c.T * c.B * GATES[cell] * c.H * (c.I + c.H) <= 3e6) return c;
      }
    }

    function runBoth(cell: CellKind, c: Case, rng: Rng): void {
      const { T, B, I, H } = c;
      const G = GATES[cell];
      const lstm = cell === 'lstm';
      const label = `${cell} T=${T} B=${B} I=${I} H=${H}${c.reverse ? ' reverse' : ''}${c.withLengths ? ' lengths' : ''}${c.bias ? '' : ' nobias'}${c.nullUpstream ? ' null-upstream' : ''}`;
      const lengths = c.withLengths ? Int32Array.from({ length: B }, () => 1 + rng.int(T)) : null;
      if (lengths !== null) lengths[rng.int(B)] = T; // one full-length row
      const x = randomData(rng, T * B * I);
      if (lengths !== null) {
        for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) if (t >= lengths[b]!) x.fill(NaN, (t * B + b) * I, (t * B + b + 1) * I);
      }
      const h0 = randomData(rng, B * H, 0.5);
      const c0 = lstm ? randomData(rng, B * H, 0.5) : null;
      const scale = 1 / Math.sqrt(H);
      const wIh = randomData(rng, G * H * I, scale);
      const wHh = randomData(rng, G * H * H, scale);
      const bIh = c.bias ? randomData(rng, G * H, scale) : null;
      const bHh = c.bias ? randomData(rng, G * H, scale) : null;
      const dOut = c.nullUpstream ? null : randomData(rng, T * B * H);
      const dHN = randomData(rng, B * H);
      const dCN = lstm ? randomData(rng, B * H) : null;
      const prefill = (n: number) => randomData(rng, n, 0.1);
      const grads = {
        dX: c.nullUpstream ? null : prefill(T * B * I),
        dH0: prefill(B * H),
        dC0: lstm ? prefill(B * H) : null,
        dWIh: prefill(G * H * I),
        dWHh: prefill(G * H * H),
        dBIh: c.bias ? prefill(G * H) : null,
        dBHh: c.bias ? prefill(G * H) : null,
      };

      const results = [native, js].map((backend) => {
        expect(backend.recurrentWorkspaceSize(cell, T, B, H)).toBe(js.recurrentWorkspaceSize(cell, T, B, H));
        const fwd: RecurrentForwardArgs = {
          out: new Float32Array(T * B * H).fill(-3), hN: new Float32Array(B * H), cN: lstm ? new Float32Array(B * H) : null,
          workspace: new Float32Array(backend.recurrentWorkspaceSize(cell, T, B, H)).fill(-3),
          x, h0, c0, wIh, wHh, bIh, bHh, lengths, reverse: c.reverse, T, B, I, H,
        };
        backend.recurrentForward(cell, fwd);
        const g = {
          dX: grads.dX?.slice() ?? null, dH0: grads.dH0.slice(), dC0: grads.dC0?.slice() ?? null,
          dWIh: grads.dWIh.slice(), dWHh: grads.dWHh.slice(), dBIh: grads.dBIh?.slice() ?? null, dBHh: grads.dBHh?.slice() ?? null,
        };
        const bwd: RecurrentBackwardArgs = {
          ...g, scratch: new Float32Array(backend.recurrentBackwardWorkspaceSize(cell, T, B, H)).fill(NaN),
          dOut, dHN, dCN, x, h0, c0, wIh, wHh, out: fwd.out, workspace: fwd.workspace!,
          lengths, reverse: c.reverse, T, B, I, H,
        };
        backend.recurrentBackward(cell, bwd);
        // Forward only (workspace null: the native kernels chunk the input projection, the js backend
        // allocates): the same outputs as the forward that kept its workspace.
        const only: RecurrentForwardArgs = {
          ...fwd, out: new Float32Array(T * B * H).fill(-3), hN: new Float32Array(B * H),
          cN: lstm ? new Float32Array(B * H) : null, workspace: null,
        };
        backend.recurrentForward(cell, only);
        expectClose(only.out, fwd.out, `${label} [${backend.name}]: out, forward only`);
        expectClose(only.hN, fwd.hN, `${label} [${backend.name}]: hN, forward only`);
        if (lstm) expectClose(only.cN!, fwd.cN!, `${label} [${backend.name}]: cN, forward only`);
        return { fwd, g };
      });
      const [n, j] = results as [(typeof results)[0], (typeof results)[0]];
      expectClose(n.fwd.out, j.fwd.out, `${label}: out`);
      expectClose(n.fwd.hN, j.fwd.hN, `${label}: hN`);
      if (lstm) expectClose(n.fwd.cN!, j.fwd.cN!, `${label}: cN`);
      expectClose(n.fwd.workspace!, j.fwd.workspace!, `${label}: workspace (layout contract)`);
      for (const key of Object.keys(grads) as (keyof typeof grads)[]) {
        const a = n.g[key];
        const b = j.g[key];
        expect(a === null, `${label}: ${key} nullness`).toBe(b === null);
        if (a !== null && b !== null) expectClose(a, b, `${label}: ${key}`);
      }
    }

    for (const cell of CELLS) {
      it(`${cell}: random shapes, lengths, reverse, bias, null buffers`, () => {
        const rng = new Rng(100 + CELLS.indexOf(cell));
        for (let i = 0; i < 24; i++) runBoth(cell, randomCase(rng, cell), rng);
        // the odd sizes on every axis at least once, both directions, with lengths
        runBoth(cell, { T: 3, B: 17, I: 129, H: 3, reverse: false, withLengths: true, bias: true, nullUpstream: false }, rng);
        runBoth(cell, { T: 2, B: 3, I: 17, H: 129, reverse: true, withLengths: true, bias: true, nullUpstream: false }, rng);
        runBoth(cell, { T: 1, B: 1, I: 1, H: 1, reverse: true, withLengths: false, bias: false, nullUpstream: true }, rng);
      });
    }

    it('async forward and backward give the same bits as sync', async () => {
      const rng = new Rng(9);
      const T = 4, B = 3, I = 5, H = 7, G = 4;
      const x = randomData(rng, T * B * I), h0 = randomData(rng, B * H), c0 = randomData(rng, B * H);
      const wIh = randomData(rng, G * H * I, 0.3), wHh = randomData(rng, G * H * H, 0.3);
      const make = (): RecurrentForwardArgs => ({
        out: new Float32Array(T * B * H), hN: new Float32Array(B * H), cN: new Float32Array(B * H),
        workspace: new Float32Array(native.recurrentWorkspaceSize('lstm', T, B, H)),
        x, h0, c0, wIh, wHh, bIh: null, bHh: null, lengths: Int32Array.from([4, 1, 3]), reverse: true, T, B, I, H,
      });
      const sync = make();
      native.recurrentForward('lstm', sync);
      const async = make();
      await addon!.recurrentForwardAsync('lstm', async);
      expect(async.out).toEqual(sync.out);
      expect(async.workspace).toEqual(sync.workspace);
      const back = (f: RecurrentForwardArgs): RecurrentBackwardArgs => ({
        dX: new Float32Array(T * B * I), dH0: new Float32Array(B * H), dC0: new Float32Array(B * H),
        dWIh: new Float32Array(G * H * I), dWHh: new Float32Array(G * H * H), dBIh: null, dBHh: null,
        scratch: new Float32Array(native.recurrentBackwardWorkspaceSize('lstm', T, B, H)),
        dOut: f.out.map((v) => v * 0.5), dHN: null, dCN: null, x, h0, c0, wIh, wHh, out: f.out,
        workspace: f.workspace!, lengths: f.lengths, reverse: f.reverse, T, B, I, H,
      });
      const bSync = back(sync);
      native.recurrentBackward('lstm', bSync);
      const bAsync = back(async);
      await addon!.recurrentBackwardAsync('lstm', bAsync);
      expect(bAsync.dWHh).toEqual(bSync.dWHh);
      expect(bAsync.dX).toEqual(bSync.dX);
    });
  });

  describe('elementwise', () => {
    const edges = [NaN, 0, -0, Infinity, -Infinity, 1e-40, -1e-40, 9, -9, 20, -20, 88.5, -88.5, 100, -100, 1e30, -1e30];

    it('tanh and sigmoid agree on random data and edge values, in place too', () => {
      const rng = new Rng(5);
      for (const n of [...ODD_SIZES, 8, 16, 1000]) {
        const x = randomData(rng, n, 10);
        for (const op of ['tanh', 'sigmoid'] as const) {
          const a = new Float32Array(n);
          const b = new Float32Array(n);
          native[op](a, x);
          js[op](b, x);
          expectAllClose(a, b, `${op} n=${n}`, 1e-6, 1e-5);
          const inPlace = x.slice();
          native[op](inPlace, inPlace);
          expect(inPlace).toEqual(a);
        }
      }
      const x = Float32Array.from(edges);
      for (const op of ['tanh', 'sigmoid'] as const) {
        const a = new Float32Array(x.length);
        const b = new Float32Array(x.length);
        native[op](a, x);
        js[op](b, x);
        expectAllCloseInf(a, b, `${op} edges`, 1e-6, 1e-5);
        expect(Object.is(a[2], op === 'tanh' ? -0 : 0.5), `${op}(-0)`).toBe(true);
      }
    });

    it('axpy agrees', () => {
      const rng = new Rng(6);
      for (const n of [...ODD_SIZES, 1000]) {
        const x = randomData(rng, n);
        const y0 = randomData(rng, n);
        for (const alpha of [1, -0.25, 0]) {
          const a = y0.slice();
          const b = y0.slice();
          native.axpy(a, alpha, x);
          js.axpy(b, alpha, x);
          expectAllClose(a, b, `axpy n=${n} alpha=${alpha}`, 1e-6, 1e-6);
        }
      }
    });

    it('mul agrees bit for bit, NaN and Infinity included, in place too', () => {
      const rng = new Rng(8);
      for (const n of [...ODD_SIZES, 1000]) {
        const x = randomData(rng, n, 10);
        const y = randomData(rng, n, 10);
        if (n > 2) [x[1], y[2]] = [NaN, Infinity];
        const a = new Float32Array(n);
        const b = new Float32Array(n);
        native.mul(a, x, y);
        js.mul(b, x, y);
        expect(a, `mul n=${n}`).toEqual(b);
        const inPlace = x.slice();
        native.mul(inPlace, inPlace, y);
        expect(inPlace, `mul in place n=${n}`).toEqual(b);
      }
    });

    it('softmaxRows and logSoftmaxRows agree, masked and NaN rows included', () => {
      const rng = new Rng(7);
      for (const rows of [1, 3, 17]) {
        for (const cols of ODD_SIZES) {
          const x = randomData(rng, rows * cols, 20);
          for (const op of ['softmaxRows', 'logSoftmaxRows'] as const) {
            const a = new Float32Array(rows * cols);
            const b = new Float32Array(rows * cols);
            native[op](a, x, rows, cols);
            js[op](b, x, rows, cols);
            expectAllClose(a, b, `${op} ${rows}x${cols}`, 1e-6, 1e-5);
          }
        }
      }
      const x = Float32Array.from([1, -Infinity, 3, 0.5, NaN, 2, 3, 4, -Infinity, -Infinity, -Infinity, -Infinity, 1000, -1000, 0, 88]);
      for (const op of ['softmaxRows', 'logSoftmaxRows'] as const) {
        const a = new Float32Array(16);
        const b = new Float32Array(16);
        native[op](a, x, 4, 4);
        js[op](b, x, 4, 4);
        expectAllCloseInf(a, b, `${op} edge rows`, 1e-6, 1e-5);
      }
    });
  });
});
