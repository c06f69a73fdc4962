/**
 * Sampling from next-token logits and streaming generation from a recurrent language model.
 *
 * `sample(logits, { temperature, topK, topP, rng })` draws one token id, in Hugging Face's order:
 *   1. temperature τ: p ∝ exp(logits / τ); τ = 0 is argmax (the first maximum on ties);
 *   2. topK k: keep the k most likely tokens (exactly k: ties at the boundary go to the lower id);
 *   3. topP p (nucleus sampling, Holtzman et al. 2020): keep the smallest most-likely-first prefix
 *      whose probability (after topK, renormalised) reaches p; the first token is always kept;
 *   4. draw from what is kept, renormalised, with the seeded Rng (lib/data/rng.ts). A token outside
 *      the kept set is never returned, whatever the rounding.
 * Probabilities are computed in float64.
 *
 * `generate(model, prompt, options)` is an async iterator: it reads the prompt once, then yields one
 * token per step, feeding each back with the recurrent state carried, so step n costs one step of
 * the model (never a recomputation of the prefix). It runs without gradients and in eval mode (the
 * model's mode is restored after each step), and yields to the event loop between tokens so a server
 * can flush each one. It stops at `eosId` (not yielded) or after `maxTokens`; the generator's return
 * value says which, with the final state.
 *
 * Letters: V vocabulary, T prompt steps.
 */
import { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../tensor/autograd.js';
import { defaultRng, Rng } from '../data/rng.js';
import type { RecurrentState } from './recurrent/base.js';
import {
  checkInRange, checkInteger, checkKnownOptions, checkNonNegativeInt, checkOptions, rangeError, typeError,
} from '../util/check.js';

export interface SampleOptions {
  /** τ ≥ 0 (default 1); 0 means argmax. */
  temperature?: number;
  /** Keep only the k most likely tokens (default 0: all). */
  topK?: number;
  /** Keep the most likely tokens up to this total probability, in (0, 1] (default 1: all). */
  topP?: number;
  /** Generator for the draw (default: defaultRng). */
  rng?: Rng;
}

const SAMPLE_KEYS = ['temperature', 'topK', 'topP', 'rng'];

interface CheckedSampleOptions {
  temperature: number;
  topK: number;
  topP: number;
  rng: Rng;
}

function checkSampleOptions(opts: SampleOptions): CheckedSampleOptions {
  const temperature = checkInRange('temperature', opts.temperature ?? 1, 0, Infinity);
  if (temperature === Infinity) throw rangeError('temperature', 'a finite number >= 0', temperature);
  const topK = checkNonNegativeInt('topK', opts.topK ?? 0);
  const topP = checkInRange('topP', opts.topP ?? 1, 0, 1);
  if (topP === 0) throw rangeError('topP', 'a number in (0, 1]', topP);
  if (opts.rng !== undefined && !(opts.rng instanceof Rng)) throw typeError('rng', 'an Rng', opts.rng);
  return { temperature, topK, topP, rng: opts.rng ?? defaultRng };
}

/** One token id drawn from logits [V] (a Tensor [V] or [1, V], or any array of numbers). */
export function sample(logits: Tensor | ArrayLike<number>, options?: SampleOptions): number {
  const opts = checkOptions('options', options);
  checkKnownOptions('sample options', opts, SAMPLE_KEYS);
  let values: ArrayLike<number>;
  if (logits instanceof Tensor) {
    if (!(logits.ndim === 1 || (logits.ndim === 2 && logits.shape[0] === 1))) {
      throw rangeError('logits', 'a Tensor [V] or [1, V] (use sampleRows for [B, V])', logits);
    }
    values = logits.data;
  } else if (Array.isArray(logits) || (ArrayBuffer.isView(logits) && !(logits instanceof DataView))) {
    values = logits;
  } else {
    throw typeError('logits', 'a Tensor [V] or an array of numbers', logits);
  }
  if (values.length === 0) throw rangeError('logits', 'at least one value', logits);
  return sampleFrom(values, 0, values.length, checkSampleOptions(opts));
}

/** One token id per row of logits [B, V] → Int32Array [B]. */
export function sampleRows(logits: Tensor, options?: SampleOptions): Int32Array {
  if (!(logits instanceof Tensor) || logits.ndim !== 2 || logits.shape[1] === 0) throw typeError('logits', 'a Tensor [B, V]', logits);
  const opts = checkOptions('options', options);
  checkKnownOptions('sampleRows options', opts, SAMPLE_KEYS);
  const checked = checkSampleOptions(opts);
  const [B, V] = logits.shape as [number, number];
  return Int32Array.from({ length: B }, (_, b) => sampleFrom(logits.data, b * V, V, checked));
}

/** The sampling steps 1–4 on values[offset .. offset + V). */
function sampleFrom(values: ArrayLike<number>, offset: number, V: number, opts: CheckedSampleOptions): number {
  for (let v = 0; v < V; v++) {
    if (typeof values[offset + v] !== 'number' || Number.isNaN(values[offset + v])) {
      throw rangeError('logits', 'numbers, not NaN', values[offset + v]);
    }
  }
  if (opts.temperature === 0 || opts.topK === 1) return argmax(values, offset, V);

  // Token ids most likely first (stable: ties keep the lower id first).
  const order = Array.from({ length: V }, (_, v) => v);
  order.sort((a, b) => values[offset + b]! - values[offset + a]! || a - b);
  const kept = opts.topK > 0 ? Math.min(opts.topK, V) : V;

  // softmax(logits / τ) over the kept tokens, in float64, max-subtracted.
  const max = values[offset + order[0]!]!;
  const weights = new Float64Array(kept);
  let total = 0;
  for (let i = 0; i < kept; i++) {
    const w = max === Infinity ? (values[offset + order[i]!] === Infinity ? 1 : 0) : Math.exp((values[offset + order[i]!]! - max) / opts.temperature);
    weights[i] = w;
    total += w;
  }
  // Nucleus: the shortest prefix whose probability reaches topP (at least one token).
  let count = kept;
  if (opts.topP < 1) {
    let cumulative = 0;
    for (let i = 0; i < kept; i++) {
      cumulative += weights[i]! / total;
      if (cumulative >= opts.topP) {
        count = i + 1;
        break;
      }
    }
  }
  let keptTotal = 0;
  for (let i = 0; i < count; i++) keptTotal += weights[i]!;
  const u = opts.rng.random() * keptTotal;
  let cumulative = 0;
  for (let i = 0; i < count; i++) {
    cumulative += weights[i]!;
    if (u < cumulative) return order[i]!;
  }
  // Rounding left u at the very top: the last token with any weight, never one outside the set.
  for (let i = count - 1; i > 0; i--) if (weights[i]! > 0) return order[i]!;
  return order[0]!;
}

function argmax(values: ArrayLike<number>, offset: number, V: number): number {
  let best = 0;
  for (let v = 1; v < V; v++) if (values[offset + v]! > values[offset + best]!) best = v;
  return best;
}

// ---- streaming generation ------------------------------------------------------------------

/** What generate needs of a model: LanguageModel has it. tokens [T, B] → [logits [T, B, V], state]. */
export interface StreamingModel<S = RecurrentState> {
  forward(tokens: Tensor, state?: S | null): [Tensor, S];
  training: boolean;
  train(mode?: boolean): unknown;
}

export interface GenerateOptions<S = RecurrentState> extends SampleOptions {
  /** Tokens to generate at most (default 100). */
  maxTokens?: number;
  /** Stop when this token is drawn (it is not yielded); default: none. */
  eosId?: number | null;
  /** State to start from (e.g. a previous generate's final state); default zeros. */
  state?: S | null;
}

export interface GenerateResult<S = RecurrentState> {
  /** 'eos' when eosId was drawn, 'maxTokens' otherwise. */
  reason: 'eos' | 'maxTokens';
  /** Tokens yielded. */
  count: number;
  /** The state after the last token fed to the model (EOS is not fed). */
  state: S;
}

/**
 * Streams up to `maxTokens` token ids continuing `prompt` (non-empty token ids). for-await yields
 * the ids; the return value (`GenerateResult`) says why it stopped and holds the final state.
 */
export async function* generate<S = RecurrentState>(
  model: StreamingModel<S>, prompt: ArrayLike<number>, options?: GenerateOptions<S>,
): AsyncGenerator<number, GenerateResult<S>, void> {
  if (model === null || typeof model !== 'object' || typeof model.forward !== 'function') {
    throw typeError('model', 'a model with forward(tokens [T, B], state) → [logits, state] (a LanguageModel)', model);
  }
  const opts = checkOptions('options', options);
  checkKnownOptions('generate options', opts, [...SAMPLE_KEYS, 'maxTokens', 'eosId', 'state']);
  const sampling = checkSampleOptions(opts);
  const maxTokens = checkNonNegativeInt('maxTokens', opts.maxTokens ?? 100);
  const eosId = opts.eosId === undefined || opts.eosId === null ? null : checkInteger('eosId', opts.eosId);
  const isList = Array.isArray(prompt) || (ArrayBuffer.isView(prompt) && !(prompt instanceof DataView));
  if (!isList) throw typeError('prompt', 'a non-empty array of token ids', prompt);
  if (prompt.length === 0) throw rangeError('prompt', 'a non-empty array of token ids', prompt);
  for (let i = 0; i < prompt.length; i++) checkInteger(`prompt[${i}]`, prompt[i]);

  // One model step without gradients, in eval mode: input ids [T] → (last step's logits [V], state).
  const run = (ids: ArrayLike<number>, state: S | null): { last: Float32Array; state: S } => {
    const wasTraining = model.training;
    model.train(false);
    try {
      return noGrad(() => {
        const [logits, next] = model.forward(new Tensor(Float32Array.from(ids), [ids.length, 1]), state);
        const V = logits.shape[logits.ndim - 1]!;
        return { last: logits.data.slice(logits.size - V), state: next };
      });
    } finally {
      model.train(wasTraining);
    }
  };

  let { last, state } = run(prompt, opts.state ?? null); // the prompt, read once
  let count = 0;
  while (count < maxTokens) {
    const token = sampleFrom(last, 0, last.length, sampling);
    if (token === eosId) return { reason: 'eos', count, state };
    count++;
    yield token;
    if (count === maxTokens) break;
    ({ last, state } = run([token], state)); // one step: the new token with the carried state
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return { reason: 'maxTokens', count, state };
}
