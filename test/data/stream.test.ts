/**
 * Streaming text sources: line splitting rules (empty lines, CRLF, last line without newline, BOM),
 * multi-byte characters cut by chunk boundaries, in-memory chunk sources, encodeLines, bad arguments.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeLines, readLines, readTextChunks } from '../../lib/data/stream.js';
import { CharTokenizer } from '../../lib/data/tokenizers.js';

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const v of it) out.push(v);
  return out;
}

const enc = (s: string) => new TextEncoder().encode(s);

describe('readLines', () => {
  it('splits on \\n and \\r\\n, keeps empty lines, adds no line after a final newline', async () => {
    expect(await collect(readLines([enc('a\n\nb\r\nc\n')]))).toEqual(['a', '', 'b', 'c']);
    expect(await collect(readLines([enc('a\nlast')]))).toEqual(['a', 'last']);
    expect(await collect(readLines([enc('')]))).toEqual([]);
    expect(await collect(readLines([enc('\n')]))).toEqual(['']);
    expect(await collect(readLines([enc('\n\n')]))).toEqual(['', '']);
    expect(await collect(readLines([enc('x\ry\n')]))).toEqual(['x\ry']); // a lone \r is not a break
  });

  it('joins lines across chunk boundaries, including a \\r\\n split between chunks', async () => {
    const chunks = ['ab', 'c\r', '\nd', 'e\n', '', 'f'];
    expect(await collect(readLines(chunks))).toEqual(['abc', 'de', 'f']);
  });

  it('decodes multi-byte characters cut by the chunk size (file read 1 byte at a time)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rnnkit-stream-'));
    try {
      const path = join(dir, 'u.txt');
      writeFileSync(path, '\uFEFFé😀\n𝔘x\r\n\nend');
      const lines = await collect(readLines(path, { chunkSize: 1 }));
      expect(lines).toEqual(['é😀', '𝔘x', '', 'end']); // BOM dropped
      const chunks = await collect(readTextChunks(path, { chunkSize: 3 }));
      expect(chunks.join('')).toBe('é😀\n𝔘x\r\n\nend');
      for (const c of chunks) expect(/[\uD800-\uDBFF]$/.test(c)).toBe(false); // no chunk ends in half a pair
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a missing file when iterated', async () => {
    await expect(collect(readLines('/nonexistent/rnnkit/file.txt'))).rejects.toThrow(/ENOENT/);
  });

  it('rejects bad arguments at the call, not at the first next()', () => {
    expect(() => readLines(42 as unknown as string)).toThrow(/source must be a file path or an \(async\) iterable of chunks, got 42/);
    expect(() => readLines('', {})).toThrow(TypeError);
    expect(() => readLines('x', { chunkSize: 0 })).toThrow(/chunkSize must be a positive integer, got 0/);
    expect(() => readLines('x', { encoding: 'klingon' as BufferEncoding })).toThrow(/encoding must be a Node.js BufferEncoding/);
    expect(() => readTextChunks('x', { chunk: 4 } as never)).toThrow(/unknown option "chunk"/);
  });
});

describe('encodeLines', () => {
  it('encodes each line with the tokenizer, empty lines as empty sequences', async () => {
    const tok = new CharTokenizer().fit('ab');
    const ids = await collect(encodeLines(readLines(['ab\n\nba\n']), tok));
    expect(ids.map((a) => Array.from(a))).toEqual([[4, 5], [], [5, 4]]);
    expect(() => encodeLines(['a'], {} as never)).toThrow(/tokenizer must be an object with encode/);
    expect(() => encodeLines(3 as never, tok)).toThrow(/lines must be an \(async\) iterable of strings/);
  });
});
