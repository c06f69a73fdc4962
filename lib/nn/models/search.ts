/**
 * Decoding strategies over any step function that maps the last token of each live hypothesis (and a
 * state) to next-token log-probabilities: greedy search (batched) and beam search. Seq2Seq uses both;
 * a LanguageModel can too. Nothing here knows about tensors or modules: the caller's `step` runs the
 * model, its `reorder` follows hypotheses to their parents' states.
 *
 * Beam search, after Wu et al. 2016 (GNMT) and Hugging Face's BeamSearchScorer:
 * - every step expands each live hypothesis by every token and keeps the 2K best (K = beamWidth) by
 *   total log-probability (ties: earlier hypothesis, then lower token id, so beam 1 IS greedy);
 * - a candidate ending in EOS is finished only if it ranks among the top K of that step (a worse EOS
 *   ending would otherwise stop the search early), the others refill the K live hypotheses;
 * - finished hypotheses are ranked by score / length^lengthPenalty (length counts the EOS);
 *   lengthPenalty 0 (default) compares raw sums, > 0 favours longer outputs;
 * - the search stops at maxLength tokens, or once K hypotheses are finished and the best live one can
 *   no longer beat the K-th finished (exact for lengthPenalty ≤ 0, since log-probabilities only add
 *   negative terms; for lengthPenalty > 0 the live one is scored as if it ended next step, Hugging
 *   Face's heuristic).
 *
 * Dimension letters: K live hypotheses (rows), V vocabulary, B batch rows.
 */
import { argmaxRow } from './common.js';
import {
  checkFiniteNumber, checkInteger, checkKnownOptions, checkOptions, checkPositiveInt, rangeError, typeError,
} from '../../util/check.js';

/** One decoding step: tokens [K] (the last token of each row) → log-probabilities [K, V] and the next state. */
export type SearchStep<S> = (tokens: Int32Array, state: S) => { logProbs: Float32Array; state: S };

export interface Hypothesis {
  /** Generated token ids, without BOS and without the final EOS. */
  tokens: number[];
  /** Σ log p of the generated tokens, the EOS included when finished. */
  score: number;
  /** score / length^lengthPenalty (length = tokens + EOS). */
  normalizedScore: number;
  /** Whether it ended with EOS (false: cut at maxLength). */
  finished: boolean;
}

export interface BeamSearchOptions<S> {
  step: SearchStep<S>;
  /** rows [K'] (parent row of each new hypothesis, repeats allowed) → the state of those rows. */
  reorder: (state: S, rows: Int32Array) => S;
  /** The state for ONE row, before BOS has been read. */
  initialState: S;
  bosId: number;
  eosId: number;
  /** K, hypotheses kept per step (default 4). */
  beamWidth?: number;
  /** Most tokens generated, EOS included (default 50). */
  maxLength?: number;
  /** α in score / length^α (default 0). */
  lengthPenalty?: number;
}

/** Checked token id (an integer ≥ 0). */
function checkTokenId(name: string, value: unknown): number {
  const id = checkInteger(name, value);
  if (id < 0) throw rangeError(name, 'a non-negative token id', value);
  return id;
}

/** All hypotheses kept at the end (up to K), best first. */
export function beamSearch<S>(options: BeamSearchOptions<S>): Hypothesis[] {
  const opts = checkOptions('options', options);
  checkKnownOptions('beamSearch options', opts, ['step', 'reorder', 'initialState', 'bosId', 'eosId', 'beamWidth', 'maxLength', 'lengthPenalty']);
  if (typeof opts.step !== 'function') throw typeError('step', 'a function', opts.step);
  if (typeof opts.reorder !== 'function') throw typeError('reorder', 'a function', opts.reorder);
  const bosId = checkTokenId('bosId', opts.bosId);
  const eosId = checkTokenId('eosId', opts.eosId);
  const K = checkPositiveInt('beamWidth', opts.beamWidth ?? 4);
  const maxLength = checkPositiveInt('maxLength', opts.maxLength ?? 50);
  const alpha = checkFiniteNumber('lengthPenalty', opts.lengthPenalty ?? 0);
  const normalize = (score: number, length: number): number => (alpha === 0 ? score : score / Math.pow(length, alpha));

  let alive: { tokens: number[]; score: number }[] = [{ tokens: [], score: 0 }];
  let state = opts.initialState;
  const finished: Hypothesis[] = [];
  let cutAtMaxLength = true;
  for (let t = 0; t < maxLength; t++) {
    const rows = alive.length;
    const last = Int32Array.from(alive, (h) => (h.tokens.length === 0 ? bosId : h.tokens[h.tokens.length - 1]!));
    const result = opts.step(last, state);
    const logProbs = result.logProbs; // [rows, V]
    if (!(logProbs instanceof Float32Array) || logProbs.length === 0 || logProbs.length % rows !== 0) {
      throw typeError('step result logProbs', `a Float32Array [${rows}, V]`, logProbs);
    }
    const V = logProbs.length / rows;
    if (eosId >= V) throw rangeError('eosId', `a token id below the vocabulary size ${V}`, eosId);
    const top = topCandidates(alive.map((h) => h.score), logProbs, V, 2 * K);

    const nextAlive: { tokens: number[]; score: number }[] = [];
    const parents: number[] = [];
    for (let rank = 0; rank < top.length && nextAlive.length < K; rank++) {
      const { row, token, score } = top[rank]!;
      const parent = alive[row]!;
      if (token === eosId) {
        if (rank < K) finished.push({ tokens: parent.tokens, score, normalizedScore: normalize(score, parent.tokens.length + 1), finished: true });
        continue;
      }
      nextAlive.push({ tokens: [...parent.tokens, token], score });
      parents.push(row);
    }
    alive = nextAlive;
    if (alive.length === 0) {
      cutAtMaxLength = false;
      break;
    }
    state = opts.reorder(result.state, Int32Array.from(parents));

    if (finished.length >= K) {
      // The best a live hypothesis can still reach: its score can only fall and it needs at least one
      // more token (EOS). An upper bound for α ≤ 0; the usual heuristic for α > 0.
      finished.sort(byNormalizedScore);
      const bestAlive = alive[0]!; // alive is in score order, all of one length
      if (normalize(bestAlive.score, bestAlive.tokens.length + 1) <= finished[K - 1]!.normalizedScore) {
        cutAtMaxLength = false;
        break;
      }
    }
  }
  const results = finished.slice();
  if (cutAtMaxLength) {
    for (const h of alive) results.push({ tokens: h.tokens, score: h.score, normalizedScore: normalize(h.score, h.tokens.length), finished: false });
  }
  results.sort(byNormalizedScore);
  return results.slice(0, K);
}

function byNormalizedScore(a: Hypothesis, b: Hypothesis): number {
  return b.normalizedScore - a.normalizedScore;
}

/**
 * The `count` best (row, token) pairs by base[row] + logProbs[row, token], best first; ties keep the
 * earlier flat index. One pass with a sorted buffer of `count` entries.
 */
function topCandidates(base: number[], logProbs: Float32Array, V: number, count: number): { row: number; token: number; score: number }[] {
  const top: { row: number; token: number; score: number }[] = [];
  for (let row = 0; row < base.length; row++) {
    for (let token = 0; token < V; token++) {
      const score = base[row]! + logProbs[row * V + token]!;
      if (Number.isNaN(score)) continue;
      if (top.length === count && !(score > top[count - 1]!.score)) continue;
      let at = top.length;
      while (at > 0 && score > top[at - 1]!.score) at--;
      top.splice(at, 0, { row, token, score });
      if (top.length > count) top.pop();
    }
  }
  return top;
}

export interface GreedySearchOptions<S> {
  step: SearchStep<S>;
  /** The state for all B rows, before BOS has been read. */
  initialState: S;
  /** B, the number of rows decoded together. */
  batchSize: number;
  bosId: number;
  eosId: number;
  /** Most tokens generated per row, EOS included (default 50). */
  maxLength?: number;
}

/**
 * Greedy decoding of B rows at once: each step takes the most likely token (the first on ties). Rows
 * that have finished keep being fed EOS until all have, and their later outputs are ignored.
 */
export function greedySearch<S>(options: GreedySearchOptions<S>): Hypothesis[] {
  const opts = checkOptions('options', options);
  checkKnownOptions('greedySearch options', opts, ['step', 'initialState', 'batchSize', 'bosId', 'eosId', 'maxLength']);
  if (typeof opts.step !== 'function') throw typeError('step', 'a function', opts.step);
  const B = checkPositiveInt('batchSize', opts.batchSize);
  const bosId = checkTokenId('bosId', opts.bosId);
  const eosId = checkTokenId('eosId', opts.eosId);
  const maxLength = checkPositiveInt('maxLength', opts.maxLength ?? 50);
  const rows: Hypothesis[] = Array.from({ length: B }, () => ({ tokens: [], score: 0, normalizedScore: 0, finished: false }));
  const last = new Int32Array(B).fill(bosId); // [B]
  let state = opts.initialState;
  for (let t = 0; t < maxLength && rows.some((r) => !r.finished); t++) {
    const result = opts.step(last, state);
    const logProbs = result.logProbs; // [B, V]
    if (!(logProbs instanceof Float32Array) || logProbs.length === 0 || logProbs.length % B !== 0) {
      throw typeError('step result logProbs', `a Float32Array [${B}, V]`, logProbs);
    }
    const V = logProbs.length / B;
    state = result.state;
    for (let b = 0; b < B; b++) {
      const row = rows[b]!;
      if (row.finished) continue;
      const token = argmaxRow(logProbs, b, V);
      row.score += logProbs[b * V + token]!;
      if (token === eosId) row.finished = true;
      else row.tokens.push(token);
      last[b] = token;
    }
  }
  for (const row of rows) row.normalizedScore = row.score;
  return rows;
}
