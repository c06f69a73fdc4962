/**
 * Backend.allocateAligned and the parameter arenas that use it (lib/nn/parameters.ts): with the native
 * addon, a zeroed Float32Array of the asked length whose data starts on a 64-byte boundary (measured
 * by the addon's addressMisalignment), and every parameter of a recurrent layer with H a multiple of
 * 4 on such a boundary; the js backend has no such method and the arenas are plain Float32Arrays.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { LSTM, LSTMCell } from '../../lib/index.js';
import { getBackend, isNativeAvailable, setBackend } from '../../lib/backend/index.js';
import { loadAddon } from '../../lib/backend/addon.js';

const initial = getBackend().name;
afterAll(() => setBackend(initial));

describe.runIf(isNativeAvailable())('allocateAligned on the native backend', () => {
  const addon = loadAddon();
  /** Bytes past a 64-byte boundary where a view's data starts. */
  const misalignment = (a: Float32Array): number =>
    (addon.addressMisalignment!(a.buffer as ArrayBuffer, 64) + a.byteOffset) % 64;

  it('addressMisalignment is the address modulo the alignment', () => {
    for (const bytes of [8, 100, 1 << 20]) {
      const buffer = new ArrayBuffer(bytes);
      const m64 = addon.addressMisalignment!(buffer, 64);
      expect(m64).toBeGreaterThanOrEqual(0);
      expect(m64).toBeLessThan(64);
      expect(addon.addressMisalignment!(buffer, 16)).toBe(m64 % 16);
      expect(addon.addressMisalignment!(buffer, 1)).toBe(0);
    }
  });

  it.each([0, 1, 17, 262144])('gives %i zeroed floats on a 64-byte boundary', (length) => {
    setBackend('native');
    const floats = getBackend().allocateAligned!(length);
    expect(floats).toBeInstanceOf(Float32Array);
    expect(floats.length).toBe(length);
    expect(floats.every((v) => v === 0)).toBe(true);
    expect(misalignment(floats)).toBe(0);
  });

  it('places every parameter and gradient of an LSTM (H = 256) and an LSTMCell on a 64-byte boundary', () => {
    setBackend('native');
    const lstm = new LSTM({ inputSize: 128, hiddenSize: 256, numLayers: 2, bidirectional: true });
    const cell = new LSTMCell({ inputSize: 256, hiddenSize: 256 });
    for (const model of [lstm, cell]) {
      model.useFlatGrads();
      for (const [name, p] of model.namedParameters()) {
        expect(misalignment(p.data), name).toBe(0);
        expect(misalignment(p.grad!.data), `${name}.grad`).toBe(0);
      }
    }
  });
});

describe('parameter arenas on the js backend', () => {
  it('are plain Float32Arrays: the whole ArrayBuffer, from its start', () => {
    setBackend('js');
    expect(getBackend().allocateAligned).toBeUndefined();
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 4 });
    expect(lstm.arena.data.byteOffset).toBe(0);
    expect(lstm.arena.data.buffer.byteLength).toBe(lstm.arena.data.length * 4);
  });
});
