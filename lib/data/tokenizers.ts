/**
 * Tokenizers: text → Int32Array of ids and back, over a Vocab (vocab.ts) whose first four ids are
 * `<pad>` `<unk>` `<bos>` `<eos>`.
 *
 *   CharTokenizer  one token per Unicode code point, so a character beyond the BMP ('😀', '𝔘', two
 *                  UTF-16 code units) stays one token and decodes back whole. Vocabulary in code point
 *                  order, as char-rnn and min-char-rnn sort their characters.
 *   WordTokenizer  tokens are the pieces of `text.split(split)` (default: runs of whitespace), empty
 *                  pieces dropped; groups captured by the split regex are kept as tokens, so
 *                  `/\s+|([.,!?;:])/` separates punctuation. Optional lowercasing. Vocabulary in
 *                  frequency order (ties in code point order), as torchtext's build_vocab does.
 *
 * `fit(texts)` builds a fresh vocabulary: tokens seen fewer than `minFreq` times are left out, and at
 * most `maxVocab` ids are kept (specials included), the most frequent first. Anything the vocabulary
 * lacks encodes to `<unk>`: encoding never throws on text and never drops a token. Special tokens
 * are never produced by fitting; a WordTokenizer maps a literal word `<eos>` in the text to its id.
 *
 * Not here: subword (BPE) tokenisation and Unicode normalisation (normalise the text first if it
 * mixes composed and decomposed forms).
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomicSync } from '../io/atomic.js';
import { BOS_ID, EOS_ID, SPECIAL_TOKENS, Vocab, type VocabJSON } from './vocab.js';
import { Tensor } from '../tensor/tensor.js';
import {
  checkBoolean, checkKnownOptions, checkOptions, checkPositiveInt, describe, rangeError, typeError,
} from '../util/check.js';

export interface TokenizerOptions {
  /** Tokens seen fewer times than this are left out of the vocabulary by `fit` (default 1). */
  minFreq?: number;
  /** Largest vocabulary `fit` builds, the four specials included (default: no limit). */
  maxVocab?: number;
  /** A ready vocabulary (e.g. loaded from JSON) instead of fitting one. */
  vocab?: Vocab;
}

export interface WordTokenizerOptions extends TokenizerOptions {
  /** Separator regex for `String.prototype.split` (default /\s+/u); captured groups become tokens. */
  split?: RegExp;
  /** Lowercase text before splitting (default false). */
  lowercase?: boolean;
  /** String put between tokens by `decode` (default ' '). */
  joiner?: string;
}

export interface TokenizerEncodeOptions {
  /** Prepend `<bos>` (default false). */
  addBos?: boolean;
  /** Append `<eos>` (default false). */
  addEos?: boolean;
}

export interface TokenizerDecodeOptions {
  /** Leave out `<pad>`, `<unk>`, `<bos>`, `<eos>` instead of writing their text (default false). */
  skipSpecial?: boolean;
}

/** The JSON form of a tokenizer: its kind, its options and its vocabulary. */
export interface TokenizerJSON {
  format: 'rnnkit.tokenizer';
  version: number;
  type: 'char' | 'word';
  minFreq: number;
  maxVocab: number | null;
  /** WordTokenizer only. */
  split?: { source: string; flags: string };
  lowercase?: boolean;
  joiner?: string;
  vocab: VocabJSON;
}

const FORMAT = 'rnnkit.tokenizer';
const VERSION = 1;

/** Compares strings by Unicode code point (JavaScript's `<` compares UTF-16 code units). */
function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const ca = ia.next();
    const cb = ib.next();
    if (ca.done || cb.done) return (ca.done ? 0 : 1) - (cb.done ? 0 : 1);
    const d = ca.value.codePointAt(0)! - cb.value.codePointAt(0)!;
    if (d !== 0) return d;
  }
}

/** `texts` as an iterable of strings: one string is one text. */
function textsOf(texts: unknown): Iterable<string> {
  if (typeof texts === 'string') return [texts];
  if (texts === null || typeof texts !== 'object' || typeof (texts as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    throw typeError('texts', 'a string or an iterable of strings', texts);
  }
  return texts as Iterable<string>;
}

/** The shared half of both tokenizers: counting, vocabulary choice, id mapping, JSON. */
abstract class Tokenizer {
  abstract readonly type: 'char' | 'word';
  readonly minFreq: number;
  readonly maxVocab: number | null;
  vocab: Vocab;

  protected constructor(opts: TokenizerOptions) {
    this.minFreq = checkPositiveInt('minFreq', opts.minFreq ?? 1);
    const maxVocab = opts.maxVocab ?? null;
    if (maxVocab !== null) {
      checkPositiveInt('maxVocab', maxVocab);
      if (maxVocab < SPECIAL_TOKENS.length) {
        throw rangeError('maxVocab', `an integer >= ${SPECIAL_TOKENS.length} (the special tokens count)`, maxVocab);
      }
    }
    this.maxVocab = maxVocab;
    if (opts.vocab !== undefined && !(opts.vocab instanceof Vocab)) throw typeError('vocab', 'a Vocab', opts.vocab);
    this.vocab = opts.vocab ?? new Vocab();
  }

  /** The tokens of one text, in order. */
  protected abstract tokenize(text: string): Iterable<string>;
  /** Text of a list of tokens. */
  protected abstract join(tokens: string[]): string;
  /** The final id order of the tokens `fit` kept (they arrive most frequent first). */
  protected abstract orderKept(kept: string[]): string[];

  get vocabSize(): number {
    return this.vocab.size;
  }

  /** Builds a fresh vocabulary from `texts` (a string or an iterable of strings). */
  fit(texts: string | Iterable<string>): this {
    const counts = new Map<string, number>();
    let i = 0;
    for (const text of textsOf(texts)) {
      if (typeof text !== 'string') throw typeError(`texts[${i}]`, 'a string', text);
      this.count(text, counts);
      i++;
    }
    return this.buildVocab(counts);
  }

  /** `fit` over an async source of texts, e.g. the lines of a TextLineDataset. */
  async fitAsync(texts: AsyncIterable<string> | Iterable<string>): Promise<this> {
    if (texts === null || typeof texts !== 'object' || !(Symbol.asyncIterator in texts || Symbol.iterator in texts)) {
      throw typeError('texts', 'an async iterable or iterable of strings', texts);
    }
    const counts = new Map<string, number>();
    let i = 0;
    for await (const text of texts) {
      if (typeof text !== 'string') throw typeError(`texts[${i}]`, 'a string', text);
      this.count(text, counts);
      i++;
    }
    return this.buildVocab(counts);
  }

  private count(text: string, counts: Map<string, number>): void {
    for (const token of this.tokenize(text)) counts.set(token, (counts.get(token) ?? 0) + 1);
  }

  private buildVocab(counts: Map<string, number>): this {
    const specials = new Set(SPECIAL_TOKENS);
    let kept = [...counts].filter(([token, n]) => n >= this.minFreq && !specials.has(token));
    kept.sort((a, b) => b[1] - a[1] || compareCodePoints(a[0], b[0]));
    if (this.maxVocab !== null) kept = kept.slice(0, this.maxVocab - SPECIAL_TOKENS.length);
    this.vocab = new Vocab(this.orderKept(kept.map(([token]) => token)));
    return this;
  }

  /** Ids of `text`; tokens outside the vocabulary become `<unk>` (1). */
  encode(text: string, options?: TokenizerEncodeOptions): Int32Array {
    if (typeof text !== 'string') throw typeError('text', 'a string', text);
    const opts = checkOptions('options', options);
    checkKnownOptions('encode options', opts, ['addBos', 'addEos']);
    const addBos = checkBoolean('addBos', opts.addBos ?? false);
    const addEos = checkBoolean('addEos', opts.addEos ?? false);
    // A text of n UTF-16 code units has at most n tokens of either kind.
    const ids = new Int32Array(text.length + 2);
    let n = 0;
    if (addBos) ids[n++] = BOS_ID;
    for (const token of this.tokenize(text)) ids[n++] = this.vocab.idOf(token);
    if (addEos) ids[n++] = EOS_ID;
    return ids.slice(0, n);
  }

  /** Text of `ids` (number[], Int32Array, or a 1-D Tensor of integer values). */
  decode(ids: ArrayLike<number> | Tensor, options?: TokenizerDecodeOptions): string {
    const opts = checkOptions('options', options);
    checkKnownOptions('decode options', opts, ['skipSpecial']);
    const skipSpecial = checkBoolean('skipSpecial', opts.skipSpecial ?? false);
    let list: ArrayLike<number>;
    if (ids instanceof Tensor) {
      if (ids.ndim !== 1) throw rangeError('ids', 'a 1-D Tensor', ids);
      list = ids.data;
    } else if (Array.isArray(ids) || (ArrayBuffer.isView(ids) && !(ids instanceof DataView))) {
      list = ids as ArrayLike<number>;
    } else {
      throw typeError('ids', 'an array, typed array or 1-D Tensor of token ids', ids);
    }
    const size = this.vocab.size;
    const tokens: string[] = [];
    for (let i = 0; i < list.length; i++) {
      const id = list[i];
      if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= size) {
        throw new RangeError(`ids[${i}] must be an integer in [0, ${size - 1}], got ${describe(id)}`);
      }
      if (skipSpecial && this.vocab.isSpecial(id)) continue;
      tokens.push(this.vocab.tokenOf(id));
    }
    return this.join(tokens);
  }

  toJSON(): TokenizerJSON {
    return { format: FORMAT, version: VERSION, type: this.type, minFreq: this.minFreq, maxVocab: this.maxVocab, vocab: this.vocab.toJSON() };
  }

  /** Writes the tokenizer (options and vocabulary) as JSON to `path`, atomically. */
  save(path: string): void {
    if (typeof path !== 'string' || path === '') throw typeError('path', 'a non-empty string', path);
    writeFileAtomicSync(path, new TextEncoder().encode(JSON.stringify(this.toJSON())));
  }
}

export class CharTokenizer extends Tokenizer {
  readonly type = 'char' as const;

  constructor(options?: TokenizerOptions) {
    const opts = checkOptions('options', options);
    checkKnownOptions('CharTokenizer options', opts, ['minFreq', 'maxVocab', 'vocab']);
    super(opts);
  }

  protected tokenize(text: string): Iterable<string> {
    return text; // a string iterates by code point
  }

  protected join(tokens: string[]): string {
    return tokens.join('');
  }

  protected orderKept(kept: string[]): string[] {
    return kept.sort(compareCodePoints);
  }
}

export class WordTokenizer extends Tokenizer {
  readonly type = 'word' as const;
  readonly split: RegExp;
  readonly lowercase: boolean;
  readonly joiner: string;

  constructor(options?: WordTokenizerOptions) {
    const opts = checkOptions('options', options);
    checkKnownOptions('WordTokenizer options', opts, ['minFreq', 'maxVocab', 'vocab', 'split', 'lowercase', 'joiner']);
    super(opts);
    if (opts.split !== undefined && !(opts.split instanceof RegExp)) throw typeError('split', 'a RegExp', opts.split);
    this.split = opts.split ?? /\s+/u;
    if (''.search(this.split) !== -1) throw rangeError('split', 'a RegExp that does not match the empty string', this.split.source);
    this.lowercase = checkBoolean('lowercase', opts.lowercase ?? false);
    if (opts.joiner !== undefined && typeof opts.joiner !== 'string') throw typeError('joiner', 'a string', opts.joiner);
    this.joiner = opts.joiner ?? ' ';
  }

  protected *tokenize(text: string): Iterable<string> {
    const pieces = (this.lowercase ? text.toLowerCase() : text).split(this.split);
    for (const piece of pieces) if (piece) yield piece; // empty pieces and unmatched groups (undefined)
  }

  protected join(tokens: string[]): string {
    return tokens.join(this.joiner);
  }

  protected orderKept(kept: string[]): string[] {
    return kept;
  }

  override toJSON(): TokenizerJSON {
    return {
      ...super.toJSON(),
      split: { source: this.split.source, flags: this.split.flags },
      lowercase: this.lowercase,
      joiner: this.joiner,
    };
  }
}

/** Rebuilds a CharTokenizer or WordTokenizer from its `toJSON()` form. */
export function tokenizerFromJSON(json: unknown): CharTokenizer | WordTokenizer {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw typeError('json', 'a tokenizer object', json);
  const obj = json as Partial<TokenizerJSON>;
  if (obj.format !== FORMAT) throw rangeError('json.format', JSON.stringify(FORMAT), obj.format);
  if (obj.version !== VERSION) throw rangeError('json.version', `${VERSION} (upgrade rnnkit for newer files)`, obj.version);
  const vocab = Vocab.fromJSON(obj.vocab);
  const common = { minFreq: obj.minFreq ?? 1, ...(obj.maxVocab != null ? { maxVocab: obj.maxVocab } : {}), vocab };
  if (obj.type === 'char') return new CharTokenizer(common);
  if (obj.type === 'word') {
    const split = obj.split;
    if (split === undefined || typeof split.source !== 'string' || typeof split.flags !== 'string') {
      throw typeError('json.split', 'an object { source, flags }', split);
    }
    return new WordTokenizer({ ...common, split: new RegExp(split.source, split.flags), lowercase: obj.lowercase ?? false, joiner: obj.joiner ?? ' ' });
  }
  throw rangeError('json.type', '"char" or "word"', obj.type);
}

/** Reads a tokenizer written by `tokenizer.save(path)`. */
export function loadTokenizer(path: string): CharTokenizer | WordTokenizer {
  if (typeof path !== 'string' || path === '') throw typeError('path', 'a non-empty string', path);
  const text = readFileSync(path, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new RangeError(`${path} is not a tokenizer JSON file (${(err as Error).message})`);
  }
  return tokenizerFromJSON(json);
}
