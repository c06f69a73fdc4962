/**
 * Metrics: plain functions on one batch (`accuracy`, `perplexity`, `f1Score`) and the accumulating
 * `Metric` objects `fit` runs over an epoch (`'loss'` is always there; `'accuracy'`, `'perplexity'`,
 * `'f1'` by name, or any object with the `Metric` shape).
 *
 * Letters: N items, C classes, d… extra dimensions. Logits follow crossEntropy's layout (classes on
 * dim 1: [N, C] or [N, C, d…]; a [T, B, C] model output must be reshaped to [T·B, C] first, as for
 * the loss). Targets are class indices; positions whose target is `ignoreIndex` (default −100, as
 * crossEntropy) count nowhere. F1 is token-level (each position is one decision), which is what a
 * tagger's per-tag score is; entity-level F1 (seqeval) needs the span decoding of a tag scheme and
 * is not here.
 */
import { Tensor } from '../tensor/tensor.js';
import { checkFiniteNumber, checkInteger, checkKnownOptions, checkOneOf, checkOptions, checkPositiveInt, rangeError, typeError } from '../util/check.js';

export interface ClassMetricOptions {
  /** Targets equal to this are skipped (default −100, as crossEntropy). */
  ignoreIndex?: number;
}

export interface F1Options extends ClassMetricOptions {
  /** 'macro' (default): the mean of per-class F1; 'micro': F1 of the pooled counts. */
  average?: 'macro' | 'micro';
  /** Classes left out of the score, e.g. the 'O' tag of NER (default none). */
  ignoreClasses?: readonly number[];
  /** Number of classes; default one more than the largest class seen. */
  numClasses?: number;
}

/** Target indices as a flat list: a Tensor, a typed array or a (nested) number array. */
function flatTargets(name: string, targets: unknown): ArrayLike<number> {
  if (targets instanceof Tensor) return targets.data;
  if (ArrayBuffer.isView(targets) && !(targets instanceof DataView)) return targets as unknown as ArrayLike<number>;
  if (Array.isArray(targets)) return (targets as unknown[]).flat(Infinity) as number[];
  if (typeof targets === 'number') return [targets];
  throw typeError(name, 'class indices (a Tensor, an Int32Array or a number array)', targets);
}

/**
 * The class with the highest logit at every position: logits [N, C, d…] → indices in the targets'
 * order [N, d…] (C = dim 1; a 1-D [C] is one position). NaN logits never win.
 */
export function argmaxClasses(logits: Tensor): Int32Array {
  if (!(logits instanceof Tensor)) throw typeError('logits', 'a Tensor', logits);
  if (logits.ndim < 1) throw rangeError('logits', 'a tensor with a class dimension', logits);
  const classDim = logits.ndim === 1 ? 0 : 1;
  const C = logits.shape[classDim]!;
  const outer = classDim === 0 ? 1 : logits.shape[0]!;
  let inner = 1;
  for (let d = classDim + 1; d < logits.ndim; d++) inner *= logits.shape[d]!;
  const out = new Int32Array(outer * inner);
  const x = logits.data;
  for (let n = 0; n < outer; n++) {
    for (let j = 0; j < inner; j++) {
      let best = 0;
      let bestValue = -Infinity;
      for (let c = 0; c < C; c++) {
        const v = x[(n * C + c) * inner + j]!;
        if (v > bestValue) {
          bestValue = v;
          best = c;
        }
      }
      out[n * inner + j] = best;
    }
  }
  return out;
}

/** Correct and counted positions of `logits` against `targets` (what `accuracy` divides). */
export function accuracyCounts(logits: Tensor, targets: unknown, options?: ClassMetricOptions): { correct: number; total: number } {
  const opts = checkOptions('options', options);
  checkKnownOptions('accuracy options', opts, ['ignoreIndex']);
  const ignoreIndex = checkInteger('ignoreIndex', opts.ignoreIndex ?? -100);
  const predicted = argmaxClasses(logits);
  const target = flatTargets('targets', targets);
  if (target.length !== predicted.length) {
    throw new RangeError(`targets must have ${predicted.length} entries (one per position of logits [${logits.shape.join(', ')}]), got ${target.length}`);
  }
  let correct = 0;
  let total = 0;
  for (let i = 0; i < predicted.length; i++) {
    if (target[i] === ignoreIndex) continue;
    total++;
    if (predicted[i] === target[i]) correct++;
  }
  return { correct, total };
}

/** The fraction of positions whose argmax class is the target (NaN when every target is ignored). */
export function accuracy(logits: Tensor, targets: unknown, options?: ClassMetricOptions): number {
  const { correct, total } = accuracyCounts(logits, targets, options);
  return correct / total;
}

/** exp(mean cross-entropy in nats): the perplexity of a language model. */
export function perplexity(meanLoss: number): number {
  return Math.exp(checkFiniteNumber('meanLoss', meanLoss));
}

/** Per-class true positives, false positives and false negatives. */
export interface ClassCounts {
  tp: number[];
  fp: number[];
  fn: number[];
}

/** Adds one batch of predicted vs target classes into `counts` (grown as classes appear). */
export function addClassCounts(counts: ClassCounts, predicted: ArrayLike<number>, targets: ArrayLike<number>, ignoreIndex = -100): ClassCounts {
  if (predicted.length !== targets.length) {
    throw new RangeError(`targets must have ${predicted.length} entries (one per prediction), got ${targets.length}`);
  }
  const grow = (c: number): void => {
    if (!Number.isInteger(c) || c < 0) throw rangeError('class index', 'a non-negative integer', c);
    while (counts.tp.length <= c) {
      counts.tp.push(0);
      counts.fp.push(0);
      counts.fn.push(0);
    }
  };
  for (let i = 0; i < predicted.length; i++) {
    const t = targets[i]!;
    if (t === ignoreIndex) continue;
    const p = predicted[i]!;
    grow(t);
    grow(p);
    if (p === t) counts.tp[t]!++;
    else {
      counts.fp[p]!++;
      counts.fn[t]!++;
    }
  }
  return counts;
}

/** F1 from accumulated counts; classes never seen as target or prediction are left out of 'macro'. */
export function f1FromCounts(counts: ClassCounts, options?: Omit<F1Options, 'ignoreIndex'>): number {
  const opts = checkOptions('options', options);
  checkKnownOptions('f1 options', opts, ['average', 'ignoreClasses', 'numClasses']);
  const average = checkOneOf('average', opts.average ?? 'macro', ['macro', 'micro']);
  const ignored = new Set(opts.ignoreClasses ?? []);
  const numClasses = opts.numClasses === undefined ? counts.tp.length : checkPositiveInt('numClasses', opts.numClasses);
  let tpSum = 0;
  let fpSum = 0;
  let fnSum = 0;
  let f1Sum = 0;
  let classes = 0;
  for (let c = 0; c < numClasses; c++) {
    if (ignored.has(c)) continue;
    const tp = counts.tp[c] ?? 0;
    const fp = counts.fp[c] ?? 0;
    const fn = counts.fn[c] ?? 0;
    tpSum += tp;
    fpSum += fp;
    fnSum += fn;
    if (tp + fp + fn === 0) continue;
    f1Sum += (2 * tp) / (2 * tp + fp + fn); // = 2PR / (P + R), without dividing by zero
    classes++;
  }
  if (average === 'micro') return tpSum + fpSum + fnSum === 0 ? NaN : (2 * tpSum) / (2 * tpSum + fpSum + fnSum);
  return classes === 0 ? NaN : f1Sum / classes;
}

/**
 * Token-level F1 of `logits` (argmax, classes on dim 1) or of predicted class indices against
 * `targets`: per class 2·TP / (2·TP + FP + FN), averaged over classes ('macro') or pooled ('micro').
 */
export function f1Score(predictions: Tensor | ArrayLike<number>, targets: unknown, options?: F1Options): number {
  const opts = checkOptions('options', options);
  const { ignoreIndex, ...rest } = opts;
  const predicted = predictions instanceof Tensor ? argmaxClasses(predictions) : predictions;
  const counts = addClassCounts({ tp: [], fp: [], fn: [] }, predicted, flatTargets('targets', targets), checkInteger('ignoreIndex', ignoreIndex ?? -100));
  return f1FromCounts(counts, rest);
}

// ---- accumulating metrics for fit ----------------------------------------------------------------

/** What one training or validation step gives the metrics. */
export interface StepOutput {
  /** The batch's loss value (already a number). */
  loss: number;
  /** How many items the loss averages over (tokens, sequences); weights the epoch mean. Default 1. */
  count: number;
  /** The model's logits, classes on dim 1, when the step returned them. */
  output?: Tensor;
  /** The targets, when the step returned them. */
  target?: unknown;
}

/** An epoch-long accumulator: `fit` calls reset() at the start of each epoch and each validation. */
export interface Metric {
  readonly name: string;
  reset(): void;
  update(step: StepOutput): void;
  /** The value over everything since reset (NaN when nothing was counted). */
  value(): number;
  /** Plain JSON state, so a resumed epoch continues the same sums. */
  stateDict?(): unknown;
  loadStateDict?(state: unknown): void;
}

function needsOutput(metric: string, step: StepOutput): { output: Tensor; target: unknown } {
  if (!(step.output instanceof Tensor) || step.target === undefined) {
    throw new TypeError(`the ${metric} metric needs the step to return { loss, output, target }, got ${step.output === undefined ? 'no output' : 'no target'}`);
  }
  return { output: step.output, target: step.target };
}

/** The count-weighted mean of the step losses. */
export class MeanLoss implements Metric {
  readonly name: string;
  private sum = 0;
  private count = 0;
  constructor(name = 'loss') {
    this.name = name;
  }
  reset(): void {
    this.sum = 0;
    this.count = 0;
  }
  update(step: StepOutput): void {
    this.sum += step.loss * step.count;
    this.count += step.count;
  }
  value(): number {
    return this.sum / this.count;
  }
  stateDict(): { sum: number; count: number } {
    return { sum: this.sum, count: this.count };
  }
  loadStateDict(state: unknown): void {
    ({ sum: this.sum, count: this.count } = state as { sum: number; count: number });
  }
}

/** exp of the count-weighted mean loss (weight the steps by their token counts). */
export class Perplexity extends MeanLoss {
  constructor() {
    super('perplexity');
  }
  override value(): number {
    return Math.exp(super.value());
  }
}

/** Argmax accuracy of the step's output against its target. */
export class Accuracy implements Metric {
  readonly name = 'accuracy';
  private correct = 0;
  private total = 0;
  constructor(private readonly options: ClassMetricOptions = {}) {}
  reset(): void {
    this.correct = 0;
    this.total = 0;
  }
  update(step: StepOutput): void {
    const { output, target } = needsOutput('accuracy', step);
    const c = accuracyCounts(output, target, this.options);
    this.correct += c.correct;
    this.total += c.total;
  }
  value(): number {
    return this.correct / this.total;
  }
  stateDict(): { correct: number; total: number } {
    return { correct: this.correct, total: this.total };
  }
  loadStateDict(state: unknown): void {
    ({ correct: this.correct, total: this.total } = state as { correct: number; total: number });
  }
}

/** Token-level F1 of the step's output against its target, over the epoch. */
export class F1 implements Metric {
  readonly name = 'f1';
  private counts: ClassCounts = { tp: [], fp: [], fn: [] };
  constructor(private readonly options: F1Options = {}) {}
  reset(): void {
    this.counts = { tp: [], fp: [], fn: [] };
  }
  update(step: StepOutput): void {
    const { output, target } = needsOutput('f1', step);
    addClassCounts(this.counts, argmaxClasses(output), flatTargets('target', target), this.options.ignoreIndex ?? -100);
  }
  value(): number {
    const { ignoreIndex: _ignored, ...rest } = this.options;
    return f1FromCounts(this.counts, rest);
  }
  stateDict(): ClassCounts {
    return { tp: this.counts.tp.slice(), fp: this.counts.fp.slice(), fn: this.counts.fn.slice() };
  }
  loadStateDict(state: unknown): void {
    const s = state as ClassCounts;
    this.counts = { tp: s.tp.slice(), fp: s.fp.slice(), fn: s.fn.slice() };
  }
}

export type MetricSpec = 'accuracy' | 'perplexity' | 'f1' | Metric;

/** A Metric from a name or an object with the Metric shape. */
export function createMetric(spec: MetricSpec, where = 'metric'): Metric {
  if (spec === 'accuracy') return new Accuracy();
  if (spec === 'perplexity') return new Perplexity();
  if (spec === 'f1') return new F1();
  if (spec !== null && typeof spec === 'object' && typeof spec.name === 'string' && typeof spec.update === 'function'
    && typeof spec.value === 'function' && typeof spec.reset === 'function') return spec;
  throw typeError(where, "'accuracy', 'perplexity', 'f1' or a Metric { name, reset, update, value }", spec);
}
