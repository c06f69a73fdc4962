/**
 * Backend.sgemm against sgemmReference (the naive float64-accumulating oracle beside it in
 * lib/backend/js/gemm.ts) on every transpose combination, several alpha/beta values, padded strides,
 * odd sizes, the beta = 0 "C is not read" rule and empty sizes; plus the oracle itself against
 * hand-computed products.
 */
import { describe, expect, it } from 'vitest';
import { getBackend } from '../../lib/backend/index.js';
import { sgemmReference, stepGemm } from '../../lib/backend/js/gemm.js';
import { Rng } from '../../lib/data/rng.js';
import { describeEachBackend } from '../helpers/backends.js';
import { expectAllClose, expectClose } from '../helpers/close.js';
import { randomData, randomSize } from '../helpers/shapes.js';

interface GemmCase {
  transA: boolean;
  transB: boolean;
  M: number;
  N: number;
  K: number;
  alpha: number;
  beta: number;
  /** Extra elements per row beyond the minimal stride. */
  pad: number;
}

/** Random operands with row strides `minimal + pad`; C starts random (or NaN) in all its storage. */
function operands(rng: Rng, c: GemmCase, cFill?: number) {
  const aRows = c.transA ? c.K : c.M;
  const aCols = c.transA ? c.M : c.K;
  const bRows = c.transB ? c.N : c.K;
  const bCols = c.transB ? c.K : c.N;
  const lda = aCols + c.pad;
  const ldb = bCols + c.pad;
  const ldc = c.N + c.pad;
  const A = randomData(rng, aRows * lda);
  const B = randomData(rng, bRows * ldb);
  const C = cFill === undefined ? randomData(rng, c.M * ldc) : new Float32Array(c.M * ldc).fill(cFill);
  return { A, B, C, lda, ldb, ldc };
}

function check(rng: Rng, c: GemmCase): void {
  const { A, B, C, lda, ldb, ldc } = operands(rng, c);
  const expected = C.slice();
  sgemmReference(c.transA, c.transB, c.M, c.N, c.K, c.alpha, A, lda, B, ldb, c.beta, expected, ldc);
  const padSentinel = C.slice(); // padding columns of C must stay untouched
  getBackend().sgemm(c.transA, c.transB, c.M, c.N, c.K, c.alpha, A, lda, B, ldb, c.beta, C, ldc);
  const label = `sgemm ${JSON.stringify(c)}`;
  expectClose(C, expected, label);
  expectAllClose(C, expected, label, 1e-5 * Math.sqrt(c.K + 1), 1e-4);
  for (let i = 0; i < c.M; i++) {
    for (let j = c.N; j < ldc; j++) expect(C[i * ldc + j], `${label} padding C[${i}, ${j}]`).toBe(padSentinel[i * ldc + j]);
  }
}

const TRANSPOSES = [[false, false], [false, true], [true, false], [true, true]] as const;
const SIZES = [1, 3, 17, 129, 64, 100];

describe('sgemmReference (the oracle) on hand-computed products', () => {
  it('2x3 · 3x2 with every transpose, alpha and beta', () => {
    // A = [[1, 2, 3], [4, 5, 6]], B = [[7, 8], [9, 10], [11, 12]], A·B = [[58, 64], [139, 154]]
    const A = new Float32Array([1, 2, 3, 4, 5, 6]);
    const At = new Float32Array([1, 4, 2, 5, 3, 6]);
    const B = new Float32Array([7, 8, 9, 10, 11, 12]);
    const Bt = new Float32Array([7, 9, 11, 8, 10, 12]);
    for (const [tA, tB] of TRANSPOSES) {
      const C = new Float32Array([1, 1, 1, 1]);
      sgemmReference(tA, tB, 2, 2, 3, 2, tA ? At : A, tA ? 2 : 3, tB ? Bt : B, tB ? 3 : 2, 0.5, C, 2);
      expect(Array.from(C)).toEqual([116.5, 128.5, 278.5, 308.5]);
    }
  });
});

describeEachBackend('sgemm vs sgemmReference', () => {
  for (const [transA, transB] of TRANSPOSES) {
    it(`transA=${transA} transB=${transB}: size grid over {1, 3, 17, 129, 64, 100}`, () => {
      const rng = new Rng(1 + Number(transA) * 2 + Number(transB));
      let n = 0;
      for (const M of SIZES) {
        for (const N of SIZES) {
          for (const K of SIZES) {
            // The full grid is 216 shapes per combo; keep every shape with a 1 or a 129 and a
            // seeded sample of the rest, all with varying alpha, beta and padding.
            if (!(M === 1 || N === 1 || K === 1 || M === 129 || N === 129 || K === 129) && rng.random() < 0.7) continue;
            const alpha = [1, -0.5, 2.25][n % 3]!;
            const beta = [0, 1, 0.75, -1][n % 4]!;
            check(rng, { transA, transB, M, N, K, alpha, beta, pad: n % 3 === 0 ? 0 : 1 + (n % 5) });
            n++;
          }
        }
      }
      expect(n).toBeGreaterThan(100);
    });

    it(`transA=${transA} transB=${transB}: blocks larger than the kernel's (K > 256, N > 512)`, () => {
      const rng = new Rng(20);
      check(rng, { transA, transB, M: 6, N: 1030, K: 600, alpha: 1, beta: 0.5, pad: 3 });
      check(rng, { transA, transB, M: 131, N: 70, K: 513, alpha: -1, beta: 0, pad: 0 });
    });

    it(`transA=${transA} transB=${transB}: random odd sizes`, () => {
      const rng = new Rng(30);
      for (let k = 0; k < 20; k++) {
        check(rng, {
          transA, transB, M: randomSize(rng, 40), N: randomSize(rng, 40), K: randomSize(rng, 40),
          alpha: rng.uniform(-2, 2), beta: rng.uniform(-2, 2), pad: rng.int(4),
        });
      }
    });

    it(`transA=${transA} transB=${transB}: beta = 0 never reads C (NaN/Infinity in C vanish)`, () => {
      const rng = new Rng(40);
      for (const fill of [NaN, Infinity]) {
        for (const [M, N, K] of [[3, 17, 5], [129, 3, 17], [4, 4, 4]]) {
          const c: GemmCase = { transA, transB, M: M!, N: N!, K: K!, alpha: 1.5, beta: 0, pad: 2 };
          const { A, B, C, lda, ldb, ldc } = operands(rng, c, fill);
          const expected = new Float32Array(C.length);
          sgemmReference(transA, transB, c.M, c.N, c.K, c.alpha, A, lda, B, ldb, 0, expected, ldc);
          getBackend().sgemm(transA, transB, c.M, c.N, c.K, c.alpha, A, lda, B, ldb, 0, C, ldc);
          for (let i = 0; i < c.M; i++) {
            const row = C.subarray(i * ldc, i * ldc + c.N);
            expect(row.every(Number.isFinite), `row ${i} finite`).toBe(true);
            expectClose(row, expected.subarray(i * ldc, i * ldc + c.N), `beta=0 C filled with ${fill}, row ${i}`);
          }
        }
      }
    });
  }

  it('K = 0 scales C by beta (C = beta·C, and beta = 0 zeroes it)', () => {
    const C = new Float32Array([1, 2, 3, 4, 5, 6]);
    getBackend().sgemm(false, false, 2, 3, 0, 1, new Float32Array(0), 1, new Float32Array(0), 3, 0.5, C, 3);
    expect(Array.from(C)).toEqual([0.5, 1, 1.5, 2, 2.5, 3]);
    const D = new Float32Array([NaN, 2, 3, 4]);
    getBackend().sgemm(true, true, 2, 2, 0, 1, new Float32Array(0), 2, new Float32Array(0), 1, 0, D, 2);
    expect(Array.from(D)).toEqual([0, 0, 0, 0]);
  });

  it('M = 0 or N = 0 touches nothing', () => {
    const C = new Float32Array([1, 2, 3]);
    const A = new Float32Array(9).fill(1);
    getBackend().sgemm(false, false, 0, 3, 3, 1, A, 3, A, 3, 0, C, 3);
    getBackend().sgemm(false, false, 1, 0, 3, 1, A, 3, A, 1, 0, C, 1);
    expect(Array.from(C)).toEqual([1, 2, 3]);
  });

  it('alpha = 0 gives beta·C without using A or B (Infinity in A is not multiplied in)', () => {
    const A = new Float32Array([Infinity, 1, 1, 1]);
    const B = new Float32Array([1, 2, 3, 4]);
    const C = new Float32Array([1, -2, 3, -4]);
    getBackend().sgemm(false, false, 2, 2, 2, 0, A, 2, B, 2, 2, C, 2);
    expect(Array.from(C)).toEqual([2, -4, 6, -8]);
  });

  it('alpha = 1, beta = 1 adds the product to C, hand-computed', () => {
    const A = new Float32Array([1, 2, 3, 4, 5, 6]); // [2, 3]
    const B = new Float32Array([7, 8, 9, 10, 11, 12]); // [3, 2]
    const C = new Float32Array([1, 2, 3, 4]);
    getBackend().sgemm(false, false, 2, 2, 3, 1, A, 3, B, 2, 1, C, 2);
    expect(Array.from(C)).toEqual([59, 66, 142, 158]);
  });
});

describe('js stepGemm (op(W) packed once per recurrent call)', () => {
  it('equals the reference for every step, both transposes, beta 0 and 1, offsets and strides', () => {
    const rng = new Rng(77);
    // M below MR (unpacked path) and above it; K across the KC = 256 panel boundary; ragged N.
    for (const M of [1, 3, 4, 5, 17, 70]) {
      for (const [N, K] of [[1, 1], [5, 17], [33, 300], [130, 9]] as const) {
        for (const transW of [false, true]) {
          const ldw = (transW ? K : N) + 2;
          const wOffset = 3;
          const W = randomData(rng, wOffset + (transW ? N : K) * ldw);
          const step = stepGemm(transW, M, N, K, W, wOffset, ldw);
          for (const beta of [0, 1]) {
            for (let repeat = 0; repeat < 2; repeat++) { // the packed W serves every step
              const lda = K + 1, ldc = N + 3, aOffset = 2, cOffset = 5;
              const A = randomData(rng, aOffset + M * lda);
              const C = randomData(rng, cOffset + M * ldc);
              const expected = C.slice(cOffset);
              sgemmReference(false, transW, M, N, K, 1, A.subarray(aOffset), lda, W.subarray(wOffset), ldw, beta, expected, ldc);
              step(A, aOffset, lda, beta, C, cOffset, ldc);
              const label = `stepGemm M=${M} N=${N} K=${K} transW=${transW} beta=${beta}`;
              expectClose(C.subarray(cOffset), expected, label);
              expectAllClose(C.subarray(cOffset), expected, label, 1e-5 * Math.sqrt(K + 1), 1e-4);
            }
          }
        }
      }
    }
  });
});
