/**
 * Vocab: special-token ids, unknown tokens, JSON and file round trips, and rejected input.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BOS_ID, EOS_ID, PAD_ID, SPECIAL_TOKENS, UNK_ID, Vocab } from '../../lib/data/vocab.js';

describe('Vocab', () => {
  it('puts <pad>=0, <unk>=1, <bos>=2, <eos>=3 first, then the tokens in order', () => {
    const v = new Vocab(['a', 'b', 'a', '<pad>', 'c']);
    expect(SPECIAL_TOKENS).toEqual(['<pad>', '<unk>', '<bos>', '<eos>']);
    expect([PAD_ID, UNK_ID, BOS_ID, EOS_ID]).toEqual([0, 1, 2, 3]);
    expect(v.tokens()).toEqual(['<pad>', '<unk>', '<bos>', '<eos>', 'a', 'b', 'c']); // duplicates and specials skipped
    expect(v.size).toBe(7);
    expect(v.idOf('a')).toBe(4);
    expect(v.idOf('c')).toBe(6);
    expect(v.tokenOf(5)).toBe('b');
    expect(v.padId).toBe(0);
  });

  it('maps unknown tokens to <unk> and never throws on them', () => {
    const v = new Vocab(['x']);
    expect(v.idOf('never seen')).toBe(1);
    expect(v.idOf('')).toBe(1);
    expect(v.has('never seen')).toBe(false);
  });

  it('add returns the existing id for a known token and a new dense id otherwise', () => {
    const v = new Vocab();
    expect(v.add('q')).toBe(4);
    expect(v.add('q')).toBe(4);
    expect(v.add('<eos>')).toBe(3);
    expect(v.add('r')).toBe(5);
  });

  it('round-trips through JSON and through a file (astral characters included)', () => {
    const v = new Vocab(['😀', '𝔘', 'é', ' ', '\n']);
    const back = Vocab.fromJSON(JSON.parse(JSON.stringify(v)));
    expect(back.tokens()).toEqual(v.tokens());
    const dir = mkdtempSync(join(tmpdir(), 'rnnkit-vocab-'));
    try {
      const path = join(dir, 'vocab.json');
      v.save(path);
      const json = JSON.parse(readFileSync(path, 'utf8'));
      expect(json.format).toBe('rnnkit.vocab');
      expect(json.version).toBe(1);
      expect(json.tokens).toEqual(['<pad>', '<unk>', '<bos>', '<eos>', '😀', '𝔘', 'é', ' ', '\n']);
      const loaded = Vocab.load(path);
      expect(loaded.idOf('𝔘')).toBe(5);
      expect(loaded.tokenOf(4)).toBe('😀');
      writeFileSync(path, 'not json');
      expect(() => Vocab.load(path)).toThrow(/not a vocab JSON file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects malformed JSON forms with messages naming the field', () => {
    expect(() => Vocab.fromJSON(null)).toThrow(TypeError);
    expect(() => Vocab.fromJSON({ format: 'other', version: 1, tokens: [] })).toThrow(/json.format must be "rnnkit.vocab", got "other"/);
    expect(() => Vocab.fromJSON({ format: 'rnnkit.vocab', version: 2, tokens: [] })).toThrow(/json.version must be 1/);
    expect(() => Vocab.fromJSON({ format: 'rnnkit.vocab', version: 1, tokens: ['a'] })).toThrow(/json.tokens\[0\] must be "<pad>", got "a"/);
    const dup = { format: 'rnnkit.vocab', version: 1, tokens: [...SPECIAL_TOKENS, 'a', 'a'] };
    expect(() => Vocab.fromJSON(dup)).toThrow(/json.tokens\[5\] must be a token not already listed/);
    const bad = { format: 'rnnkit.vocab', version: 1, tokens: [...SPECIAL_TOKENS, 7] };
    expect(() => Vocab.fromJSON(bad)).toThrow(/json.tokens\[4\] must be a string, got 7/);
  });

  it('rejects bad arguments', () => {
    expect(() => new Vocab('abc' as unknown as string[])).toThrow(TypeError);
    expect(() => new Vocab([1 as unknown as string])).toThrow(/tokens\[0\] must be a string, got 1/);
    const v = new Vocab(['a']);
    expect(() => v.tokenOf(5)).toThrow(/id must be an integer in \[0, 4\], got 5/);
    expect(() => v.tokenOf(-1)).toThrow(RangeError);
    expect(() => v.idOf(3 as unknown as string)).toThrow(TypeError);
    expect(() => v.save('')).toThrow(/path must be a non-empty string/);
  });
});
