/**
 * CharTokenizer and WordTokenizer: vocabulary order, minFreq/maxVocab, code points beyond the BMP,
 * unknown input, special tokens, JSON/file round trips, argument errors. Expected ids are written out
 * by hand from the rules in tokenizers.ts.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CharTokenizer, WordTokenizer, loadTokenizer, tokenizerFromJSON } from '../../lib/data/tokenizers.js';
import { Vocab } from '../../lib/data/vocab.js';
import { tensor } from '../../lib/tensor/tensor.js';

describe('CharTokenizer', () => {
  it('builds the vocabulary in code point order after the four specials', () => {
    const tok = new CharTokenizer().fit('hello world');
    // distinct: ' ' d e h l o r w  (code point order)
    expect(tok.vocab.tokens()).toEqual(['<pad>', '<unk>', '<bos>', '<eos>', ' ', 'd', 'e', 'h', 'l', 'o', 'r', 'w']);
    expect(Array.from(tok.encode('hello'))).toEqual([7, 6, 8, 8, 9]);
    expect(tok.decode(tok.encode('hello world'))).toBe('hello world');
  });

  it('keeps characters beyond the BMP whole (emoji, 𝔘) and round-trips them', () => {
    const text = 'a😀b𝔘😀\u{1F468}\u200D\u{1F469} é';
    const tok = new CharTokenizer().fit([text]);
    const ids = tok.encode(text);
    // one id per code point: a 😀 b 𝔘 😀 👨 ZWJ 👩 ' ' é  → 10 code points, 15 UTF-16 units
    expect(ids.length).toBe(10);
    expect(text.length).toBe(15);
    expect(tok.vocab.has('😀')).toBe(true);
    expect(tok.vocab.has('\uD83D')).toBe(false); // never a lone surrogate half
    expect(tok.decode(ids)).toBe(text);
    expect(ids[1]).toBe(ids[4]); // both 😀
    // code point order: U+1F600 😀 and U+1F468 👨 sort after U+1D518 𝔘, unlike UTF-16 code-unit order
    const order = tok.vocab.tokens().slice(4);
    expect(order).toEqual([' ', 'a', 'b', 'é', '\u200D', '𝔘', '\u{1F468}', '\u{1F469}', '😀']);
  });

  it('maps unknown characters to <unk> without throwing or dropping them', () => {
    const tok = new CharTokenizer().fit('abc');
    const ids = tok.encode('a?c🙂');
    expect(Array.from(ids)).toEqual([4, 1, 6, 1]);
    expect(tok.decode(ids)).toBe('a<unk>c<unk>');
    expect(tok.decode(ids, { skipSpecial: true })).toBe('ac');
    expect(tok.encode('').length).toBe(0);
  });

  it('adds <bos>/<eos> on request', () => {
    const tok = new CharTokenizer().fit('ab');
    expect(Array.from(tok.encode('ba', { addBos: true, addEos: true }))).toEqual([2, 5, 4, 3]);
    expect(Array.from(tok.encode('', { addEos: true }))).toEqual([3]); // an empty line still gives a one-token sequence
    expect(tok.decode([2, 5, 4, 3])).toBe('<bos>ba<eos>');
  });

  it('applies minFreq and maxVocab (most frequent kept, specials counted)', () => {
    const text = 'aaaabbbccd';
    expect(new CharTokenizer({ minFreq: 2 }).fit(text).vocab.tokens().slice(4)).toEqual(['a', 'b', 'c']);
    expect(new CharTokenizer({ maxVocab: 6 }).fit(text).vocab.tokens().slice(4)).toEqual(['a', 'b']);
    expect(new CharTokenizer({ maxVocab: 4 }).fit(text).vocabSize).toBe(4);
    // ties broken by code point: c and d both once → c kept
    expect(new CharTokenizer({ maxVocab: 5 }).fit('dc').vocab.tokens().slice(4)).toEqual(['c']);
  });

  it('fits over several texts and over an async source', async () => {
    const tok = new CharTokenizer().fit(['ab', '', 'c']);
    expect(tok.vocabSize).toBe(7);
    async function* lines() {
      yield 'xy';
      yield 'z';
    }
    const asyncTok = await new CharTokenizer().fitAsync(lines());
    expect(asyncTok.vocab.tokens().slice(4)).toEqual(['x', 'y', 'z']);
  });

  it('decodes a Tensor of ids and rejects ids outside the vocabulary', () => {
    const tok = new CharTokenizer().fit('ab');
    expect(tok.decode(tensor([4, 5, 4]))).toBe('aba');
    expect(tok.decode(new Int32Array([5]))).toBe('b');
    expect(() => tok.decode([4, 6])).toThrow(/ids\[1\] must be an integer in \[0, 5\], got 6/);
    expect(() => tok.decode([0.5])).toThrow(RangeError);
    expect(() => tok.decode('ab' as unknown as number[])).toThrow(TypeError);
    expect(() => tok.decode(tensor([[4]]))).toThrow(/ids must be a 1-D Tensor/);
  });

  it('round-trips through JSON and a file', () => {
    const tok = new CharTokenizer({ minFreq: 1 }).fit('hi 😀');
    const dir = mkdtempSync(join(tmpdir(), 'rnnkit-tok-'));
    try {
      const path = join(dir, 'tok.json');
      tok.save(path);
      const loaded = loadTokenizer(path);
      expect(loaded).toBeInstanceOf(CharTokenizer);
      expect(loaded.vocab.tokens()).toEqual(tok.vocab.tokens());
      expect(loaded.decode(loaded.encode('😀 hi'))).toBe('😀 hi');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects bad arguments with the argument named', () => {
    expect(() => new CharTokenizer({ minFreq: 0 })).toThrow(/minFreq must be a positive integer, got 0/);
    expect(() => new CharTokenizer({ maxVocab: 3 })).toThrow(/maxVocab must be an integer >= 4/);
    expect(() => new CharTokenizer({ minFrq: 2 } as never)).toThrow(/unknown option "minFrq"/);
    expect(() => new CharTokenizer({ vocab: {} as Vocab })).toThrow(/vocab must be a Vocab/);
    const tok = new CharTokenizer();
    expect(() => tok.fit(5 as unknown as string)).toThrow(/texts must be a string or an iterable of strings, got 5/);
    expect(() => tok.fit(['a', 3 as unknown as string])).toThrow(/texts\[1\] must be a string, got 3/);
    expect(() => tok.encode(null as unknown as string)).toThrow(/text must be a string, got null/);
    expect(() => tok.encode('a', { addBos: 1 as unknown as boolean })).toThrow(/addBos must be a boolean/);
  });
});

describe('WordTokenizer', () => {
  it('splits on whitespace by default, orders by frequency then code point', () => {
    const tok = new WordTokenizer().fit(['the cat  sat', '\tthe mat\n', 'the cat']);
    // counts: the 3, cat 2, mat 1, sat 1
    expect(tok.vocab.tokens().slice(4)).toEqual(['the', 'cat', 'mat', 'sat']);
    expect(Array.from(tok.encode('  the dog sat '))).toEqual([4, 1, 7]);
    expect(tok.decode(tok.encode('the cat sat'))).toBe('the cat sat');
    expect(tok.encode('   ').length).toBe(0);
  });

  it('lowercases, keeps captured separators as tokens, and honours minFreq/maxVocab', () => {
    const tok = new WordTokenizer({ lowercase: true, split: /\s+|([.,!?])/u, minFreq: 2 }).fit('Hi, hi. HI! bye, Bye');
    // pieces: hi , hi . hi ! bye , bye → hi 3, ',' 2, bye 2, '.' 1, '!' 1
    expect(tok.vocab.tokens().slice(4)).toEqual(['hi', ',', 'bye']);
    expect(Array.from(tok.encode('BYE, hi!'))).toEqual([6, 5, 4, 1]);
    const capped = new WordTokenizer({ maxVocab: 5 }).fit('b a b');
    expect(capped.vocab.tokens().slice(4)).toEqual(['b']);
  });

  it('decodes with the joiner and skips specials on request', () => {
    const tok = new WordTokenizer({ joiner: '_' }).fit('x y');
    expect(tok.decode([2, 4, 5, 1, 3])).toBe('<bos>_x_y_<unk>_<eos>');
    expect(tok.decode([2, 4, 5, 1, 3], { skipSpecial: true })).toBe('x_y');
  });

  it('round-trips options and vocabulary through JSON', () => {
    const tok = new WordTokenizer({ lowercase: true, split: /[\s;]+/u, joiner: ';' }).fit('A;b c');
    const back = tokenizerFromJSON(JSON.parse(JSON.stringify(tok)));
    expect(back).toBeInstanceOf(WordTokenizer);
    const word = back as WordTokenizer;
    expect(word.lowercase).toBe(true);
    expect(word.joiner).toBe(';');
    expect(word.split.source).toBe('[\\s;]+');
    expect(Array.from(word.encode('C;a'))).toEqual(Array.from(tok.encode('C;a')));
    expect(() => tokenizerFromJSON({ ...tok.toJSON(), type: 'bpe' })).toThrow(/json.type must be "char" or "word", got "bpe"/);
    expect(() => tokenizerFromJSON({ ...tok.toJSON(), format: 'x' })).toThrow(/json.format/);
  });

  it('rejects a split regex that matches the empty string, and non-regex splits', () => {
    expect(() => new WordTokenizer({ split: /\s*/ })).toThrow(/split must be a RegExp that does not match the empty string/);
    expect(() => new WordTokenizer({ split: ' ' as unknown as RegExp })).toThrow(/split must be a RegExp, got " "/);
    expect(() => new WordTokenizer({ joiner: 1 as unknown as string })).toThrow(/joiner must be a string/);
  });
});
