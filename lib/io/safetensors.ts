/**
 * safetensors (https://github.com/huggingface/safetensors), the format PyTorch users load with
 * `safetensors.torch.load_file`: an 8-byte little-endian header length N, N bytes of JSON
 * ({ name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__": { string: string } }), then
 * the raw little-endian tensor bytes. rnnkit writes and reads F32; reading also accepts F64 and F16/BF16
 * (converted to float32) so a PyTorch state_dict saved in another precision still loads.
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomicSync } from './atomic.js';
import { typeError } from '../util/check.js';

export interface NamedArray {
  data: Float32Array;
  shape: number[];
}

export interface SafetensorsFile {
  tensors: Record<string, NamedArray>;
  metadata: Record<string, string>;
}

const MAX_HEADER = 100 * 1024 * 1024; // the reference implementation's limit

/** Serializes tensors (and string metadata) to safetensors bytes. */
export function encodeSafetensors(tensors: Record<string, NamedArray | Float32Array>, metadata: Record<string, string> = {}): Uint8Array[] {
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata)) if (typeof v !== 'string') throw typeError(`metadata.${k}`, 'a string', v);
    header.__metadata__ = metadata;
  }
  const bodies: Uint8Array[] = [];
  let offset = 0;
  for (const name of names) {
    const entry = tensors[name]!;
    const { data, shape } = entry instanceof Float32Array ? { data: entry, shape: [entry.length] } : entry;
    if (!(data instanceof Float32Array)) throw typeError(`tensors.${name}.data`, 'a Float32Array', data);
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + data.byteLength] };
    bodies.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    offset += data.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8); // keep the data 8-byte aligned, as the reference writer does
  const headerBytes = Buffer.from(json, 'utf8');
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(headerBytes.length));
  return [prefix, headerBytes, ...bodies];
}

/** Parses safetensors bytes; every tensor comes back as a fresh Float32Array. */
export function decodeSafetensors(bytes: Uint8Array, source = 'safetensors data'): SafetensorsFile {
  const fail = (why: string): never => {
    throw new RangeError(`${source} is not a valid safetensors file: ${why}`);
  };
  if (bytes.byteLength < 8) fail(`it has ${bytes.byteLength} bytes, fewer than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > MAX_HEADER || 8 + headerLength > bytes.byteLength) fail(`header length ${headerLength} exceeds the file`);
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] } | Record<string, string>>;
  try {
    header = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + 8, headerLength).toString('utf8'));
  } catch {
    return fail('the header is not JSON');
  }
  const dataStart = 8 + headerLength;
  const tensors: Record<string, NamedArray> = {};
  let metadata: Record<string, string> = {};
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = info as Record<string, string>;
      continue;
    }
    const { dtype, shape, data_offsets: offsets } = info as { dtype: string; shape: number[]; data_offsets: [number, number] };
    const count = shape.reduce((a, b) => a * b, 1);
    const [begin, end] = offsets;
    if (!(begin >= 0 && end >= begin && dataStart + end <= bytes.byteLength)) fail(`tensor ${name} has offsets [${begin}, ${end}] outside the file`);
    const width = { F32: 4, F64: 8, F16: 2, BF16: 2 }[dtype];
    if (width === undefined) fail(`tensor ${name} has dtype ${dtype}; rnnkit reads F32, F64, F16 and BF16`);
    if (end - begin !== count * width!) fail(`tensor ${name} has ${end - begin} bytes for shape [${shape.join(', ')}] of ${dtype}`);
    const raw = new DataView(bytes.buffer, bytes.byteOffset + dataStart + begin, end - begin);
    const data = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      if (dtype === 'F32') data[i] = raw.getFloat32(4 * i, true);
      else if (dtype === 'F64') data[i] = raw.getFloat64(8 * i, true);
      else if (dtype === 'BF16') data[i] = new Float32Array(new Uint32Array([raw.getUint16(2 * i, true) << 16]).buffer)[0]!;
      else data[i] = halfToFloat(raw.getUint16(2 * i, true));
    }
    tensors[name] = { data, shape };
  }
  return { tensors, metadata };
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** Writes a safetensors file atomically. */
export function saveSafetensors(path: string, tensors: Record<string, NamedArray | Float32Array>, metadata: Record<string, string> = {}): void {
  writeFileAtomicSync(path, encodeSafetensors(tensors, metadata));
}

/** Reads a safetensors file. */
export function loadSafetensors(path: string): SafetensorsFile {
  return decodeSafetensors(readFileSync(path), path);
}
