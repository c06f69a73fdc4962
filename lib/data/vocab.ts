/**
 * Vocab: the two-way map between tokens (strings) and integer ids that tokenizers build and models
 * index into. Four special tokens always hold the first ids, so padding is id 0 everywhere in
 * rnnkit (the loaders pad with 0 and `Embedding({ paddingIdx: 0 })` skips it):
 *
 *   0 <pad>   padding of short sequences in a batch
 *   1 <unk>   any token the vocabulary does not know (encoding never throws and never drops)
 *   2 <bos>   beginning of sequence
 *   3 <eos>   end of sequence
 *
 * Serialised as JSON `{ format: "rnnkit.vocab", version: 1, tokens: [...] }` with tokens in id order,
 * written atomically (lib/io/atomic.ts). This file holds no tokenisation rules: those are in
 * tokenizers.ts.
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomicSync } from '../io/atomic.js';
import { checkNonNegativeInt, describe, rangeError, typeError } from '../util/check.js';

export const PAD = '<pad>';
export const UNK = '<unk>';
export const BOS = '<bos>';
export const EOS = '<eos>';
/** The special tokens, in id order: `<pad>` = 0, `<unk>` = 1, `<bos>` = 2, `<eos>` = 3. */
export const SPECIAL_TOKENS: readonly string[] = Object.freeze([PAD, UNK, BOS, EOS]);
export const PAD_ID = 0;
export const UNK_ID = 1;
export const BOS_ID = 2;
export const EOS_ID = 3;

const FORMAT = 'rnnkit.vocab';
const VERSION = 1;

/** The JSON form of a Vocab. */
export interface VocabJSON {
  format: typeof FORMAT;
  version: number;
  /** Every token in id order; the first four are SPECIAL_TOKENS. */
  tokens: string[];
}

export class Vocab {
  private readonly idToToken: string[];
  private readonly tokenToId = new Map<string, number>();

  /**
   * A vocabulary of the special tokens followed by `tokens` (in that order; duplicates and tokens
   * equal to a special one are skipped, so ids stay dense).
   */
  constructor(tokens: Iterable<string> = []) {
    if (tokens === null || typeof (tokens as Iterable<string>)[Symbol.iterator] !== 'function' || typeof tokens === 'string') {
      throw typeError('tokens', 'an iterable of strings (not a string)', tokens);
    }
    this.idToToken = [];
    for (const special of SPECIAL_TOKENS) this.add(special);
    let i = 0;
    for (const token of tokens) {
      if (typeof token !== 'string') throw typeError(`tokens[${i}]`, 'a string', token);
      this.add(token);
      i++;
    }
  }

  /** Number of ids, specials included. */
  get size(): number {
    return this.idToToken.length;
  }

  readonly padId = PAD_ID;
  readonly unkId = UNK_ID;
  readonly bosId = BOS_ID;
  readonly eosId = EOS_ID;

  /** Appends `token` if new; returns its id either way. */
  add(token: string): number {
    if (typeof token !== 'string') throw typeError('token', 'a string', token);
    const known = this.tokenToId.get(token);
    if (known !== undefined) return known;
    const id = this.idToToken.length;
    this.idToToken.push(token);
    this.tokenToId.set(token, id);
    return id;
  }

  has(token: string): boolean {
    return this.tokenToId.has(token);
  }

  /** The id of `token`, or `<unk>`'s id (1) for a token the vocabulary does not hold. */
  idOf(token: string): number {
    if (typeof token !== 'string') throw typeError('token', 'a string', token);
    return this.tokenToId.get(token) ?? UNK_ID;
  }

  /** The token of `id`; a RangeError for ids outside [0, size). */
  tokenOf(id: number): string {
    checkNonNegativeInt('id', id);
    if (id >= this.idToToken.length) throw rangeError('id', `an integer in [0, ${this.idToToken.length - 1}]`, id);
    return this.idToToken[id]!;
  }

  isSpecial(id: number): boolean {
    return id >= 0 && id < SPECIAL_TOKENS.length;
  }

  /** Every token in id order (a copy). */
  tokens(): string[] {
    return this.idToToken.slice();
  }

  toJSON(): VocabJSON {
    return { format: FORMAT, version: VERSION, tokens: this.idToToken.slice() };
  }

  /** Rebuilds a Vocab from `toJSON()` output, checking the format, the version and the specials. */
  static fromJSON(json: unknown): Vocab {
    if (json === null || typeof json !== 'object' || Array.isArray(json)) throw typeError('json', 'a vocab object', json);
    const obj = json as Partial<VocabJSON>;
    if (obj.format !== FORMAT) throw rangeError('json.format', JSON.stringify(FORMAT), obj.format);
    if (obj.version !== VERSION) {
      throw rangeError('json.version', `${VERSION} (this rnnkit reads vocab format version ${VERSION}; upgrade rnnkit for newer files)`, obj.version);
    }
    const tokens = obj.tokens;
    if (!Array.isArray(tokens)) throw typeError('json.tokens', 'an array of strings', tokens);
    for (let i = 0; i < SPECIAL_TOKENS.length; i++) {
      if (tokens[i] !== SPECIAL_TOKENS[i]) throw rangeError(`json.tokens[${i}]`, JSON.stringify(SPECIAL_TOKENS[i]), tokens[i]);
    }
    const seen = new Set<string>();
    tokens.forEach((t: unknown, i) => {
      if (typeof t !== 'string') throw typeError(`json.tokens[${i}]`, 'a string', t);
      if (seen.has(t)) throw rangeError(`json.tokens[${i}]`, 'a token not already listed', t);
      seen.add(t);
    });
    return new Vocab(tokens.slice(SPECIAL_TOKENS.length));
  }

  /** Writes the JSON form to `path` atomically (temp file, fsync, rename). */
  save(path: string): void {
    if (typeof path !== 'string' || path === '') throw typeError('path', 'a non-empty string', path);
    writeFileAtomicSync(path, new TextEncoder().encode(JSON.stringify(this.toJSON())));
  }

  static load(path: string): Vocab {
    if (typeof path !== 'string' || path === '') throw typeError('path', 'a non-empty string', path);
    const text = readFileSync(path, 'utf8');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new RangeError(`${path} is not a vocab JSON file (${(err as Error).message}); got ${describe(text.slice(0, 40))}`);
    }
    return Vocab.fromJSON(json);
  }
}
