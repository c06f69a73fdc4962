/**
 * lib/backend/threads.ts: setNumThreads / getNumThreads. Argument checks in the library's format; with
 * the native addon, the pool size follows the call (getNumThreads, cpuInfo().threads) and a threaded
 * run gives the same results as a single-threaded one (a GEMM large enough to be split over threads,
 * and an LSTM layer, checked against the PyTorch fixture). The original size is restored after.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { LSTM, getNumThreads, setNumThreads, tensor } from '../../lib/index.js';
import { getBackend, isNativeAvailable, setBackend } from '../../lib/backend/index.js';
import type { NativeBackend } from '../../lib/backend/native.js';
import { expectAllClose, expectClose } from '../helpers/close.js';
import { f32, loadRecurrentFixture } from '../helpers/fixtures.js';

describe('setNumThreads: argument checks', () => {
  it.each([
    [0, RangeError, 'n must be a positive integer, got 0'],
    [-2, RangeError, 'n must be a positive integer, got -2'],
    [1.5, RangeError, 'n must be a positive integer, got 1.5'],
    [257, RangeError, 'n must be an integer in 1..256, got 257'],
    ['2', TypeError, 'n must be a positive integer, got "2"'],
  ])('setNumThreads(%j) throws', (n, type, message) => {
    expect(() => setNumThreads(n as number)).toThrow(type);
    expect(() => setNumThreads(n as number)).toThrow(message);
  });
});

describe.runIf(!isNativeAvailable())('getNumThreads without the native addon', () => {
  it('is 1 (the js backend is single-threaded)', () => {
    setNumThreads(4);
    expect(getNumThreads()).toBe(1);
  });
});

describe.runIf(isNativeAvailable())('setNumThreads with the native addon', () => {
  const initial = getNumThreads();
  afterAll(() => setNumThreads(initial));

  it('sets the pool size the kernels report', () => {
    setBackend('native');
    const native = getBackend() as NativeBackend;
    for (const n of [2, 1, 3]) {
      setNumThreads(n);
      expect(getNumThreads()).toBe(n);
      expect(native.cpuInfo().threads).toBe(n);
    }
  });

  it('a GEMM split over 3 threads equals the single-threaded one', () => {
    setBackend('native');
    const backend = getBackend();
    const M = 70, N = 300, K = 90; // 1.9M multiply-adds: above the threshold for splitting
    const A = Float32Array.from({ length: M * K }, (_, i) => Math.sin(i));
    const B = Float32Array.from({ length: K * N }, (_, i) => Math.cos(i * 0.7));
    const run = (threads: number): Float32Array => {
      setNumThreads(threads);
      const C = new Float32Array(M * N);
      backend.sgemm(false, false, M, N, K, 1, A, K, B, N, 0, C, N);
      return C;
    };
    const single = run(1);
    const threaded = run(3);
    expect(Array.from(threaded)).toEqual(Array.from(single)); // same tiles, same sums: bit-identical
  });

  it('an LSTM layer at 2 threads matches the PyTorch fixture', () => {
    setBackend('native');
    setNumThreads(2);
    const fx = loadRecurrentFixture('lstm_l2_bidir');
    const m = fx.module;
    const lstm = new LSTM({ inputSize: m.input_size, hiddenSize: m.hidden_size, numLayers: m.num_layers, bidirectional: m.bidirectional });
    lstm.loadStateDict(Object.fromEntries(fx.paramNames.map((n) => [n, f32(fx.params[n]!)])));
    const x = fx.tensors.x!;
    const h0 = fx.tensors.h0!;
    const c0 = fx.tensors.c0!;
    const [out] = lstm.forward(tensor(f32(x), x.shape), [tensor(f32(h0), h0.shape), tensor(f32(c0), c0.shape)]);
    expectClose(out.data, fx.outputs.output!.data, 'output');
    expectAllClose(out.data, fx.outputs.output!.data, 'output');
  });
});
