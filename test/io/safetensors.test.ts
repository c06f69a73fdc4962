/**
 * safetensors: byte layout per the format's specification, round trip, other dtypes, and corrupt
 * files rejected with a message naming the file and the problem.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeSafetensors, encodeSafetensors, loadSafetensors, saveSafetensors } from '../../lib/io/safetensors.js';

const concat = (chunks: Uint8Array[]): Uint8Array => Buffer.concat(chunks);

describe('safetensors', () => {
  it('writes the layout of the specification', () => {
    const bytes = concat(encodeSafetensors({ b: { data: new Float32Array([1.5]), shape: [1] }, a: { data: new Float32Array([1, 2, 3, 4, 5, 6]), shape: [2, 3] } }, { format: 'pt' }));
    const n = Number(Buffer.from(bytes).readBigUInt64LE(0));
    expect(n % 8).toBe(0);
    const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString('utf8'));
    expect(header).toEqual({
      __metadata__: { format: 'pt' },
      a: { dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] },
      b: { dtype: 'F32', shape: [1], data_offsets: [24, 28] },
    });
    const body = Buffer.from(bytes.subarray(8 + n));
    expect(body.length).toBe(28);
    expect(body.readFloatLE(4)).toBe(2);
    expect(body.readFloatLE(24)).toBe(1.5);
  });

  it('round-trips through a file, written atomically', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rnnkit-st-'));
    const path = join(dir, 'model.safetensors');
    const w = new Float32Array([0.1, -2, 3e-8, Infinity, -0]);
    saveSafetensors(path, { 'lstm.weight_hh_l0': { data: w, shape: [5] } }, { step: '12' });
    const back = loadSafetensors(path);
    expect(back.metadata).toEqual({ step: '12' });
    expect(back.tensors['lstm.weight_hh_l0']!.shape).toEqual([5]);
    expect(Array.from(back.tensors['lstm.weight_hh_l0']!.data)).toEqual(Array.from(w));
  });

  it('reads F64, F16 and BF16 tensors as float32', () => {
    const header = JSON.stringify({
      d: { dtype: 'F64', shape: [2], data_offsets: [0, 16] },
      h: { dtype: 'F16', shape: [2], data_offsets: [16, 20] },
      bf: { dtype: 'BF16', shape: [1], data_offsets: [20, 22] },
    });
    const body = Buffer.alloc(22);
    body.writeDoubleLE(0.25, 0);
    body.writeDoubleLE(-3, 8);
    body.writeUInt16LE(0x3c00, 16); // 1.0 in half precision
    body.writeUInt16LE(0xc000, 18); // -2.0
    body.writeUInt16LE(0x4049, 20); // bf16 of 3.140625
    const prefix = Buffer.alloc(8);
    prefix.writeBigUInt64LE(BigInt(header.length));
    const file = decodeSafetensors(Buffer.concat([prefix, Buffer.from(header), body]));
    expect(Array.from(file.tensors.d!.data)).toEqual([0.25, -3]);
    expect(Array.from(file.tensors.h!.data)).toEqual([1, -2]);
    expect(file.tensors.bf!.data[0]).toBe(3.140625);
  });

  it('rejects corrupt files, naming the file and the problem', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rnnkit-st-'));
    const path = join(dir, 'bad.safetensors');
    writeFileSync(path, Buffer.from([1, 2, 3]));
    expect(() => loadSafetensors(path)).toThrow(new RegExp(`${path} is not a valid safetensors file: it has 3 bytes`));
    const good = concat(encodeSafetensors({ a: new Float32Array(4) }));
    expect(() => decodeSafetensors(good.subarray(0, good.length - 4))).toThrow(/tensor a has offsets \[0, 16\] outside the file/);
    const prefix = Buffer.alloc(8);
    prefix.writeBigUInt64LE(1n << 40n);
    expect(() => decodeSafetensors(Buffer.concat([prefix, Buffer.alloc(8)]))).toThrow(/header length/);
    expect(readFileSync(path).length).toBe(3);
  });
});
