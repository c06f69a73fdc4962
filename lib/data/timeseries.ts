/**
 * Time series: contiguous train/validation/test splits, normalisation fitted on the training split
 * only (so no statistic of the future leaks into training), and sliding windows for forecasting.
 *
 * Letters: N time steps, F features per step (1 for a univariate series), W window (input steps),
 * H horizon (steps to predict), S stride (steps between window starts), Ft target features.
 *
 * A series is a number array or Float32Array (univariate, [N]) or a Tensor [N] or [N, F] (a
 * CsvDataset's `toTensor()`). Typical use:
 *
 *   const { train, val, test } = splitSeries(series, { valFraction: 0.15, testFraction: 0.15 });
 *   const norm = new Normalizer('zscore').fit(train);
 *   const trainSet = slidingWindows(norm.transform(train), { window: 24, horizon: 1 });
 *   // …model predicts in normalised units; norm.inverseTransform(prediction) gives series units.
 *
 * Windows are cut within one split, so no window spans two splits.
 */
import { Tensor } from '../tensor/tensor.js';
import type { Dataset } from './dataset.js';
import {
  checkInRange, checkKnownOptions, checkOneOf, checkOptions, checkPositiveInt, rangeError, typeError,
} from '../util/check.js';

export type Series = ArrayLike<number> | Tensor;

/** A series as [N, F] values (a view, not a copy) plus how to give results back in the same form. */
interface SeriesView {
  data: ArrayLike<number>;
  N: number;
  F: number;
  /** Wraps [n, F] values like the input: a Tensor of the same rank, or a Float32Array. */
  wrap(values: Float32Array, n: number): Float32Array | Tensor;
}

function viewSeries(name: string, series: unknown): SeriesView {
  if (series instanceof Tensor) {
    if (series.ndim !== 1 && series.ndim !== 2) throw rangeError(name, 'a Tensor [N] or [N, F]', series);
    const [N, F] = [series.shape[0]!, series.ndim === 2 ? series.shape[1]! : 1];
    const rank1 = series.ndim === 1;
    return { data: series.data, N, F, wrap: (v, n) => new Tensor(v, rank1 ? [n] : [n, F]) };
  }
  if (Array.isArray(series) || (ArrayBuffer.isView(series) && !(series instanceof DataView))) {
    const data = series as ArrayLike<number>;
    return { data, N: data.length, F: 1, wrap: (v) => v };
  }
  throw typeError(name, 'a number array, Float32Array or Tensor [N] / [N, F]', series);
}

export interface SeriesSplitOptions {
  /** Fraction of steps for validation, taken after the training steps (default 0.1). */
  valFraction?: number;
  /** Fraction of steps for test, the last ones (default 0.1). */
  testFraction?: number;
}

/** Contiguous train | val | test parts of a series (copies, in the input's form). */
export function splitSeries<S extends Series>(series: S, options?: SeriesSplitOptions): { train: S extends Tensor ? Tensor : Float32Array; val: S extends Tensor ? Tensor : Float32Array; test: S extends Tensor ? Tensor : Float32Array } {
  const view = viewSeries('series', series);
  const opts = checkOptions('options', options);
  checkKnownOptions('splitSeries options', opts, ['valFraction', 'testFraction']);
  const valFraction = checkInRange('valFraction', opts.valFraction ?? 0.1, 0, 1, true);
  const testFraction = checkInRange('testFraction', opts.testFraction ?? 0.1, 0, 1, true);
  const { N, F } = view;
  const nVal = Math.round(valFraction * N);
  const nTest = Math.round(testFraction * N);
  const nTrain = N - nVal - nTest;
  if (nTrain < 1) throw rangeError('valFraction + testFraction', `small enough to leave training steps (N = ${N})`, valFraction + testFraction);
  const part = (start: number, n: number): Float32Array | Tensor => {
    const out = new Float32Array(n * F);
    for (let i = 0; i < n * F; i++) out[i] = view.data[start * F + i]!;
    return view.wrap(out, n);
  };
  type Out = S extends Tensor ? Tensor : Float32Array;
  return { train: part(0, nTrain) as Out, val: part(nTrain, nVal) as Out, test: part(nTrain + nVal, nTest) as Out };
}

export type NormalizationMethod = 'zscore' | 'minmax';

export interface NormalizerJSON {
  method: NormalizationMethod;
  range: [number, number];
  shift: number[];
  scale: number[];
}

/**
 * Per-feature normalisation, fitted on one split and applied to any:
 *   zscore  (x − mean) / std, population std (ddof 0, as scikit-learn's StandardScaler)
 *   minmax  lo + (x − min) / (max − min) · (hi − lo), range [lo, hi] default [0, 1]
 * A constant feature (std or max − min of 0) gets scale 1, so it maps to 0 (or lo) instead of NaN.
 * Statistics are computed in float64.
 */
export class Normalizer {
  readonly method: NormalizationMethod;
  readonly range: [number, number];
  /** [F] subtracted first: the mean (zscore) or the min (minmax). Null until fit. */
  shift: Float64Array | null = null;
  /** [F] divided by next: the std or max − min. */
  scale: Float64Array | null = null;

  constructor(method: NormalizationMethod = 'zscore', options?: { range?: [number, number] }) {
    this.method = checkOneOf('method', method, ['zscore', 'minmax']);
    const opts = checkOptions('options', options);
    checkKnownOptions('Normalizer options', opts, ['range']);
    const range = opts.range ?? [0, 1];
    if (!Array.isArray(range) || range.length !== 2 || !range.every(Number.isFinite) || !(range[0] < range[1])) {
      throw rangeError('range', 'a pair [lo, hi] of finite numbers with lo < hi', range);
    }
    this.range = [range[0], range[1]];
  }

  /** Number of features fitted (0 before fit). */
  get features(): number {
    return this.shift?.length ?? 0;
  }

  /** Learns the per-feature statistics from `train` (only the training split). */
  fit(train: Series): this {
    const { data, N, F } = viewSeries('train', train);
    if (N < 1) throw rangeError('train', 'a series with at least one step', train);
    const shift = new Float64Array(F);
    const scale = new Float64Array(F);
    for (let f = 0; f < F; f++) {
      let a = 0;
      let b = 0;
      if (this.method === 'zscore') {
        for (let n = 0; n < N; n++) a += data[n * F + f]!;
        a /= N;
        for (let n = 0; n < N; n++) b += (data[n * F + f]! - a) ** 2;
        b = Math.sqrt(b / N);
      } else {
        let lo = Infinity;
        let hi = -Infinity;
        for (let n = 0; n < N; n++) {
          lo = Math.min(lo, data[n * F + f]!);
          hi = Math.max(hi, data[n * F + f]!);
        }
        a = lo;
        b = hi - lo;
      }
      if (!Number.isFinite(a) || !Number.isFinite(b)) throw new RangeError(`train must hold finite values, got a non-finite statistic for feature ${f} (NaN or ±Infinity in the data)`);
      shift[f] = a;
      scale[f] = b === 0 ? 1 : b;
    }
    this.shift = shift;
    this.scale = scale;
    return this;
  }

  private fitted(): { shift: Float64Array; scale: Float64Array } {
    if (this.shift === null || this.scale === null) throw new RangeError('Normalizer must be fitted (call fit(train)) before transform');
    return { shift: this.shift, scale: this.scale };
  }

  private checkColumns(columns: readonly number[] | undefined, F: number): number[] {
    const all = this.features;
    const cols = columns ?? Array.from({ length: all }, (_, i) => i);
    if (!Array.isArray(cols) || cols.some((c) => !Number.isInteger(c) || c < 0 || c >= all)) {
      throw rangeError('columns', `an array of feature indices in [0, ${all - 1}]`, columns);
    }
    if (cols.length !== F) throw new RangeError(`data must have ${cols.length} features per step (one per column), got ${F}`);
    return cols;
  }

  /** `data` normalised with the fitted statistics (a new array or tensor of the same form). */
  transform<S extends Series>(data: S, options?: { columns?: readonly number[] }): S extends Tensor ? Tensor : Float32Array {
    return this.apply(data, options, false) as S extends Tensor ? Tensor : Float32Array;
  }

  /** Back to series units; `columns` names the fitted features `data` holds (e.g. the predicted ones). */
  inverseTransform<S extends Series>(data: S, options?: { columns?: readonly number[] }): S extends Tensor ? Tensor : Float32Array {
    return this.apply(data, options, true) as S extends Tensor ? Tensor : Float32Array;
  }

  private apply(data: Series, options: { columns?: readonly number[] } | undefined, inverse: boolean): Float32Array | Tensor {
    const { shift, scale } = this.fitted();
    const opts = checkOptions('options', options);
    checkKnownOptions(inverse ? 'inverseTransform options' : 'transform options', opts, ['columns']);
    // A Tensor [..., F] of any rank (e.g. a batch of windows [W, B, F]) normalises over its last dim.
    let view: SeriesView;
    if (data instanceof Tensor && data.ndim > 2) {
      const F = data.shape[data.ndim - 1]!;
      view = { data: data.data, N: data.size / F, F, wrap: (v) => new Tensor(v, data.shape) };
    } else {
      view = viewSeries('data', data);
    }
    const cols = this.checkColumns(opts.columns, view.F);
    const [lo, hi] = this.range;
    const span = this.method === 'minmax' ? hi - lo : 1;
    const offset = this.method === 'minmax' ? lo : 0;
    const out = new Float32Array(view.N * view.F);
    for (let n = 0; n < view.N; n++) {
      for (let f = 0; f < view.F; f++) {
        const c = cols[f]!;
        const v = view.data[n * view.F + f]!;
        out[n * view.F + f] = inverse ? ((v - offset) / span) * scale[c]! + shift[c]! : ((v - shift[c]!) / scale[c]!) * span + offset;
      }
    }
    return view.wrap(out, view.N);
  }

  toJSON(): NormalizerJSON {
    const { shift, scale } = this.fitted();
    return { method: this.method, range: [...this.range], shift: Array.from(shift), scale: Array.from(scale) };
  }

  static fromJSON(json: unknown): Normalizer {
    if (json === null || typeof json !== 'object') throw typeError('json', 'a Normalizer JSON object', json);
    const obj = json as Partial<NormalizerJSON>;
    const norm = new Normalizer(checkOneOf<NormalizationMethod>('json.method', obj.method, ['zscore', 'minmax']), { range: obj.range as [number, number] });
    if (!Array.isArray(obj.shift) || !Array.isArray(obj.scale) || obj.shift.length !== obj.scale.length) {
      throw typeError('json.shift / json.scale', 'two number arrays of equal length', obj.shift);
    }
    norm.shift = Float64Array.from(obj.shift);
    norm.scale = Float64Array.from(obj.scale);
    return norm;
  }
}

export interface WindowOptions {
  /** W: input steps per example. */
  window: number;
  /** H: steps to predict after the window (default 1). */
  horizon?: number;
  /** S: steps between consecutive window starts (default 1). */
  stride?: number;
  /** Features predicted (indices into F; default all). */
  targetColumns?: readonly number[];
}

/** One forecasting example: x [W, F] (a view of the series), y [H, Ft] (the next H steps). */
export interface SeriesWindow {
  x: Tensor;
  y: Tensor;
}

/**
 * Example i: x = steps [i·S, i·S + W), y = steps [i·S + W, i·S + W + H) of the target columns.
 * There are floor((N − W − H) / S) + 1 examples. The default DataLoader collate batches them into
 * x [W, B, F] and y [H, B, Ft].
 */
export class WindowDataset implements Dataset<SeriesWindow> {
  readonly window: number;
  readonly horizon: number;
  readonly stride: number;
  readonly features: number;
  readonly targetColumns: number[];
  readonly length: number;
  private readonly data: Float32Array; // [N, F]

  constructor(series: Series, options: WindowOptions) {
    const view = viewSeries('series', series);
    const opts = checkOptions('options', options);
    checkKnownOptions('slidingWindows options', opts, ['window', 'horizon', 'stride', 'targetColumns']);
    this.window = checkPositiveInt('window', opts.window);
    this.horizon = checkPositiveInt('horizon', opts.horizon ?? 1);
    this.stride = checkPositiveInt('stride', opts.stride ?? 1);
    this.features = view.F;
    const cols = opts.targetColumns ?? Array.from({ length: view.F }, (_, i) => i);
    if (!Array.isArray(cols) || cols.length === 0 || cols.some((c) => !Number.isInteger(c) || c < 0 || c >= view.F)) {
      throw rangeError('targetColumns', `a non-empty array of feature indices in [0, ${view.F - 1}]`, opts.targetColumns);
    }
    this.targetColumns = cols.slice();
    const needed = this.window + this.horizon;
    if (view.N < needed) throw rangeError('series', `at least window + horizon = ${needed} steps`, `${view.N} steps`);
    this.length = Math.floor((view.N - needed) / this.stride) + 1;
    this.data = view.data instanceof Float32Array ? view.data : Float32Array.from(view.data);
  }

  get(index: number): SeriesWindow {
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= this.length) {
      throw rangeError('index', `an integer in [0, ${this.length - 1}]`, index);
    }
    const F = this.features;
    const start = index * this.stride;
    const x = this.data.subarray(start * F, (start + this.window) * F);
    const Ft = this.targetColumns.length;
    const y = new Float32Array(this.horizon * Ft);
    for (let h = 0; h < this.horizon; h++) {
      const row = (start + this.window + h) * F;
      for (let j = 0; j < Ft; j++) y[h * Ft + j] = this.data[row + this.targetColumns[j]!]!;
    }
    return { x: new Tensor(x, [this.window, F]), y: new Tensor(y, [this.horizon, Ft]) };
  }
}

/** Sliding forecasting windows over `series` (see WindowDataset). */
export function slidingWindows(series: Series, options: WindowOptions): WindowDataset {
  return new WindowDataset(series, options);
}
