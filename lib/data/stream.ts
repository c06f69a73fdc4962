/**
 * Streaming text sources: the lines (or decoded chunks) of a file or any byte stream, read in
 * fixed-size chunks with backpressure, so memory stays at one chunk plus the longest line however
 * large the file is. TextLineDataset (dataset.ts) and the tokenizers' `fitAsync` read through here.
 *
 * Lines end at '\n' or '\r\n' (the terminator is not part of the line); a last line without a
 * terminator is still a line, and a file ending in '\n' has no extra empty line after it (as
 * readline). A lone '\r' is not a line break. A UTF-8 byte-order mark at the very start is dropped.
 * Multi-byte characters split across chunks are decoded whole (StringDecoder), so no chunk ever cuts
 * a code point. Why not readline: its async iterator queues 'line' events ahead of a slow consumer,
 * while pulling chunks from the stream's own iterator keeps backpressure end to end.
 */
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { checkKnownOptions, checkOptions, checkPositiveInt, typeError } from '../util/check.js';

/** A file path, or a source of bytes or text chunks (a Readable stream is an AsyncIterable). */
export type TextSource = string | AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

export interface StreamOptions {
  /** Text encoding of byte chunks (default 'utf8'). */
  encoding?: BufferEncoding;
  /** Bytes read from a file at a time (default 64 KiB). */
  chunkSize?: number;
}

const DEFAULT_CHUNK = 64 * 1024;

function checkStreamOptions(options: StreamOptions | undefined, name: string): Required<StreamOptions> {
  const opts = checkOptions('options', options);
  checkKnownOptions(name, opts, ['encoding', 'chunkSize']);
  const encoding = opts.encoding ?? 'utf8';
  if (typeof encoding !== 'string' || !Buffer.isEncoding(encoding)) throw typeError('encoding', 'a Node.js BufferEncoding', encoding);
  return { encoding, chunkSize: checkPositiveInt('chunkSize', opts.chunkSize ?? DEFAULT_CHUNK) };
}

function checkSource(source: unknown): void {
  if (typeof source === 'string') {
    if (source === '') throw typeError('source', 'a file path or an (async) iterable of chunks', source);
    return;
  }
  const ok = source !== null && typeof source === 'object' && (Symbol.asyncIterator in source || Symbol.iterator in source);
  if (!ok) throw typeError('source', 'a file path or an (async) iterable of chunks', source);
}

/** Decoded text chunks of `source`; no chunk ends inside a multi-byte character. */
export function readTextChunks(source: TextSource, options?: StreamOptions): AsyncGenerator<string> {
  checkSource(source); // checked now, not at the first next()
  return textChunks(source, checkStreamOptions(options, 'readTextChunks options'));
}

async function* textChunks(source: TextSource, { encoding, chunkSize }: Required<StreamOptions>): AsyncGenerator<string> {
  const input = typeof source === 'string' ? createReadStream(source, { highWaterMark: chunkSize }) : source;
  const decoder = new StringDecoder(encoding);
  let first = true;
  for await (const chunk of input) {
    let text: string;
    if (typeof chunk === 'string') text = chunk;
    else if (chunk instanceof Uint8Array) text = decoder.write(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    else throw typeError('source chunk', 'a Uint8Array or a string', chunk);
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // byte-order mark
      first = false;
    }
    if (text.length > 0) yield text;
  }
  const rest = decoder.end();
  if (rest.length > 0) yield rest;
}

/** The lines of `source` (see the file header for the rules), one string each, in order. */
export function readLines(source: TextSource, options?: StreamOptions): AsyncGenerator<string> {
  return linesOf(readTextChunks(source, options));
}

async function* linesOf(chunks: AsyncIterable<string>): AsyncGenerator<string> {
  let carry = ''; // the unfinished line from earlier chunks
  for await (const text of chunks) {
    let start = 0;
    let end = text.indexOf('\n');
    if (end === -1) {
      carry += text;
      continue;
    }
    let line = carry + text.slice(0, end);
    carry = '';
    for (;;) {
      yield line.endsWith('\r') ? line.slice(0, -1) : line;
      start = end + 1;
      end = text.indexOf('\n', start);
      if (end === -1) break;
      line = text.slice(start, end);
    }
    carry = text.slice(start);
  }
  if (carry.length > 0) yield carry.endsWith('\r') ? carry.slice(0, -1) : carry;
}

/** Ids of each line of `lines` through `tokenizer.encode` (e.g. to feed a DataLoader from a file). */
export function encodeLines(
  lines: AsyncIterable<string> | Iterable<string>,
  tokenizer: { encode(text: string): Int32Array },
): AsyncGenerator<Int32Array> {
  if (lines === null || typeof lines !== 'object' || !(Symbol.asyncIterator in lines || Symbol.iterator in lines)) {
    throw typeError('lines', 'an (async) iterable of strings', lines);
  }
  if (tokenizer === null || typeof tokenizer !== 'object' || typeof tokenizer.encode !== 'function') {
    throw typeError('tokenizer', 'an object with encode(text)', tokenizer);
  }
  return (async function* () {
    for await (const line of lines) yield tokenizer.encode(line);
  })();
}
