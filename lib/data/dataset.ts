/**
 * Datasets: where a DataLoader (loader.ts) takes its examples from.
 *
 *   Dataset<T>       the map-style contract (PyTorch's): `length` and `get(index)`.
 *   ArrayDataset     examples held in memory; `ArrayDataset.zip(inputs, targets)` pairs them as {x, y}.
 *   Subset           a view of some indices of another dataset (what the splits return).
 *   TextLineDataset  the lines of a text file, async-iterable, in constant memory (stream.ts): for
 *                    corpora larger than RAM. Not indexable (use readLines + an array when it fits).
 *   CsvDataset       numeric rows [N, C] of a CSV file, parsed by csv-parse (csv.js.org), one
 *                    Float32Array; header detection, column selection, `column(name)`.
 *   randomSplit      PyTorch's random_split with a seeded Rng; trainValTestSplit, shuffled or contiguous.
 *
 * For time series split contiguously (`shuffle: false`, or timeseries.ts' splitSeries) so the
 * validation and test periods come after the training period.
 */
import { createReadStream } from 'node:fs';
import { parse as parseCsvStream, type Options as CsvParseOptions } from 'csv-parse';
import { parse as parseCsvSync } from 'csv-parse/sync';
import { readLines, type StreamOptions } from './stream.js';
import { Rng, defaultRng } from './rng.js';
import { Tensor } from '../tensor/tensor.js';
import {
  checkBoolean, checkInRange, checkKnownOptions, checkOneOf, checkOptions, checkPositiveInt,
  describe, rangeError, typeError,
} from '../util/check.js';

/** A map-style dataset: `length` examples, example i from `get(i)`. */
export interface Dataset<T> {
  readonly length: number;
  get(index: number): T;
}

export function isDataset(value: unknown): value is Dataset<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as Dataset<unknown>).get === 'function'
    && typeof (value as Dataset<unknown>).length === 'number';
}

function checkIndex(index: unknown, length: number): number {
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= length) {
    throw rangeError('index', length === 0 ? 'an index into a non-empty dataset' : `an integer in [0, ${length - 1}]`, index);
  }
  return index;
}

export class ArrayDataset<T> implements Dataset<T> {
  private readonly items: readonly T[];

  /** Holds `items` by reference (no copy). */
  constructor(items: readonly T[]) {
    if (!Array.isArray(items)) throw typeError('items', 'an array', items);
    this.items = items;
  }

  /** Pairs inputs[i] with targets[i] as { x, y } (PyTorch's TensorDataset of two). */
  static zip<X, Y>(inputs: readonly X[], targets: readonly Y[]): ArrayDataset<{ x: X; y: Y }> {
    if (!Array.isArray(inputs)) throw typeError('inputs', 'an array', inputs);
    if (!Array.isArray(targets)) throw typeError('targets', 'an array', targets);
    if (inputs.length !== targets.length) throw rangeError('targets', `an array of length ${inputs.length} (as inputs)`, targets);
    return new ArrayDataset(inputs.map((x, i) => ({ x, y: targets[i]! })));
  }

  get length(): number {
    return this.items.length;
  }

  get(index: number): T {
    return this.items[checkIndex(index, this.items.length)]!;
  }

  *[Symbol.iterator](): Iterator<T> {
    yield* this.items;
  }
}

/** The examples of `dataset` at `indices`, in that order. */
export class Subset<T> implements Dataset<T> {
  readonly dataset: Dataset<T>;
  readonly indices: Int32Array;

  constructor(dataset: Dataset<T>, indices: readonly number[] | Int32Array) {
    if (!isDataset(dataset)) throw typeError('dataset', 'a Dataset (length and get)', dataset);
    if (!(Array.isArray(indices) || indices instanceof Int32Array)) throw typeError('indices', 'a number[] or Int32Array', indices);
    this.indices = Int32Array.from(indices as ArrayLike<number>);
    this.indices.forEach((i, k) => {
      if (i < 0 || i >= dataset.length || i !== indices[k]) {
        throw new RangeError(`indices[${k}] must be an integer in [0, ${dataset.length - 1}], got ${describe(indices[k])}`);
      }
    });
    this.dataset = dataset;
  }

  get length(): number {
    return this.indices.length;
  }

  get(index: number): T {
    return this.dataset.get(this.indices[checkIndex(index, this.indices.length)]!);
  }
}

export interface SplitOptions {
  /** Seed of a fresh Rng for this split (default: draw from `rng`). */
  seed?: number;
  /** Generator to draw the permutation from (default: defaultRng). */
  rng?: Rng;
}

function splitRng(opts: SplitOptions): Rng {
  if (opts.rng !== undefined && !(opts.rng instanceof Rng)) throw typeError('rng', 'an Rng', opts.rng);
  if (opts.seed !== undefined) return new Rng(opts.seed);
  return opts.rng ?? defaultRng;
}

/**
 * Splits `dataset` into disjoint random subsets of the given `lengths`: counts summing to
 * dataset.length, or fractions summing to 1 (each subset gets floor(f·N), and the remainder goes
 * one by one to the first subsets, as PyTorch's random_split).
 */
export function randomSplit<T>(dataset: Dataset<T>, lengths: readonly number[], options?: SplitOptions): Subset<T>[] {
  if (!isDataset(dataset)) throw typeError('dataset', 'a Dataset (length and get)', dataset);
  if (!Array.isArray(lengths) || lengths.length === 0) throw typeError('lengths', 'a non-empty array of counts or fractions', lengths);
  const opts = checkOptions('options', options);
  checkKnownOptions('randomSplit options', opts, ['seed', 'rng']);
  const N = dataset.length;
  let counts: number[];
  const total = lengths.reduce((s, v) => s + (typeof v === 'number' ? v : NaN), 0);
  if (lengths.every((v) => Number.isInteger(v) && v >= 0) && total === N) {
    counts = lengths.slice();
  } else if (lengths.every((v) => typeof v === 'number' && v >= 0 && v <= 1) && Math.abs(total - 1) < 1e-9) {
    counts = lengths.map((f) => Math.floor(f * N));
    let rest = N - counts.reduce((s, c) => s + c, 0);
    for (let i = 0; rest > 0; i = (i + 1) % counts.length, rest--) counts[i]!++;
  } else {
    throw rangeError('lengths', `non-negative counts summing to ${N} or fractions summing to 1`, lengths);
  }
  const order = splitRng(opts).shuffle(Array.from({ length: N }, (_, i) => i));
  const subsets: Subset<T>[] = [];
  let start = 0;
  for (const c of counts) {
    subsets.push(new Subset(dataset, order.slice(start, start + c)));
    start += c;
  }
  return subsets;
}

export interface TrainValTestOptions extends SplitOptions {
  /** Fraction of examples for validation (default 0.1). */
  valFraction?: number;
  /** Fraction of examples for test (default 0.1). */
  testFraction?: number;
  /** Random subsets (default true); false keeps order: train first, then val, then test. */
  shuffle?: boolean;
}

/** Train, validation and test subsets: round(f·N) examples each for val and test, the rest train. */
export function trainValTestSplit<T>(dataset: Dataset<T>, options?: TrainValTestOptions): { train: Subset<T>; val: Subset<T>; test: Subset<T> } {
  if (!isDataset(dataset)) throw typeError('dataset', 'a Dataset (length and get)', dataset);
  const opts = checkOptions('options', options);
  checkKnownOptions('trainValTestSplit options', opts, ['valFraction', 'testFraction', 'shuffle', 'seed', 'rng']);
  const valFraction = checkInRange('valFraction', opts.valFraction ?? 0.1, 0, 1, true);
  const testFraction = checkInRange('testFraction', opts.testFraction ?? 0.1, 0, 1, true);
  const shuffle = checkBoolean('shuffle', opts.shuffle ?? true);
  const N = dataset.length;
  const nVal = Math.round(valFraction * N);
  const nTest = Math.round(testFraction * N);
  const nTrain = N - nVal - nTest;
  if (nTrain < 1) throw rangeError('valFraction + testFraction', `small enough to leave training examples (N = ${N})`, valFraction + testFraction);
  const order = Array.from({ length: N }, (_, i) => i);
  if (shuffle) splitRng(opts).shuffle(order);
  return {
    train: new Subset(dataset, order.slice(0, nTrain)),
    val: new Subset(dataset, order.slice(nTrain, nTrain + nVal)),
    test: new Subset(dataset, order.slice(nTrain + nVal)),
  };
}

export interface TextLineOptions extends StreamOptions {
  /** Leave out lines that are empty (after removing the line terminator) (default false). */
  skipEmpty?: boolean;
}

/**
 * The lines of a text file as an async iterable, read in chunks: memory is one chunk plus the longest
 * line, whatever the file's size. Each `for await` reads the file again from the start (one epoch).
 */
export class TextLineDataset implements AsyncIterable<string> {
  readonly path: string;
  private readonly skipEmpty: boolean;
  private readonly streamOptions: StreamOptions;

  constructor(path: string, options?: TextLineOptions) {
    if (typeof path !== 'string' || path === '') throw typeError('path', 'a non-empty file path', path);
    const opts = checkOptions('options', options);
    checkKnownOptions('TextLineDataset options', opts, ['skipEmpty', 'encoding', 'chunkSize']);
    this.path = path;
    this.skipEmpty = checkBoolean('skipEmpty', opts.skipEmpty ?? false);
    if (opts.chunkSize !== undefined) checkPositiveInt('chunkSize', opts.chunkSize);
    this.streamOptions = { encoding: opts.encoding, chunkSize: opts.chunkSize };
    if (opts.encoding === undefined) delete this.streamOptions.encoding;
    if (opts.chunkSize === undefined) delete this.streamOptions.chunkSize;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<string> {
    for await (const line of readLines(this.path, this.streamOptions)) {
      if (this.skipEmpty && line.length === 0) continue;
      yield line;
    }
  }

  /** Each line through `fn`, lazily (e.g. `lines.map((s) => tokenizer.encode(s))` into a DataLoader). */
  map<U>(fn: (line: string, index: number) => U): AsyncIterable<U> {
    if (typeof fn !== 'function') throw typeError('fn', 'a function', fn);
    const source = this;
    return {
      async *[Symbol.asyncIterator]() {
        let i = 0;
        for await (const line of source) yield fn(line, i++);
      },
    };
  }

  /** Number of lines (reads the whole file once). */
  async count(): Promise<number> {
    let n = 0;
    for await (const _ of this) n++;
    return n;
  }
}

export interface CsvOptions {
  /** Whether the first record is a header; 'auto' (default): yes when any of its fields is not a number. */
  header?: boolean | 'auto';
  /** Columns to keep, by header name or 0-based index, in this order (default: all). */
  columns?: readonly (string | number)[];
  /** Field delimiter (default ','). */
  delimiter?: string;
  /** What an empty field becomes: 'error' (default) or 'nan'. */
  missing?: 'error' | 'nan';
}

const CSV_OPTION_KEYS = ['header', 'columns', 'delimiter', 'missing'];

/** Numeric rows of a CSV file or string, held as one Float32Array [N, C]. */
export class CsvDataset implements Dataset<Float32Array> {
  /** [N, C] row-major */
  readonly data: Float32Array;
  readonly numRows: number;
  readonly numColumns: number;
  /** Header names of the kept columns (or their indices as strings when there is no header). */
  readonly columnNames: string[];

  private constructor(data: Float32Array, numRows: number, columnNames: string[]) {
    this.data = data;
    this.numRows = numRows;
    this.numColumns = columnNames.length;
    this.columnNames = columnNames;
  }

  /** Parses `text` (the whole CSV in memory). */
  static fromString(text: string, options?: CsvOptions): CsvDataset {
    if (typeof text !== 'string') throw typeError('text', 'a string', text);
    const builder = new CsvBuilder(options);
    for (const record of parseCsvSync(text, builder.parserOptions) as string[][]) builder.add(record);
    const { data, rows, names } = builder.finish();
    return new CsvDataset(data, rows, names);
  }

  /** Streams and parses the file at `path` (records are converted as they arrive). */
  static async fromFile(path: string, options?: CsvOptions): Promise<CsvDataset> {
    if (typeof path !== 'string' || path === '') throw typeError('path', 'a non-empty file path', path);
    const builder = new CsvBuilder(options);
    const parser = parseCsvStream(builder.parserOptions);
    createReadStream(path).on('error', (err) => parser.destroy(err)).pipe(parser);
    for await (const record of parser) builder.add(record as string[]);
    const { data, rows, names } = builder.finish();
    return new CsvDataset(data, rows, names);
  }

  get length(): number {
    return this.numRows;
  }

  /** Row `index` as a Float32Array [C] view (no copy). */
  get(index: number): Float32Array {
    checkIndex(index, this.numRows);
    return this.data.subarray(index * this.numColumns, (index + 1) * this.numColumns);
  }

  /** One column [N] (a copy), by name or index. */
  column(nameOrIndex: string | number): Float32Array {
    const c = typeof nameOrIndex === 'string' ? this.columnNames.indexOf(nameOrIndex) : nameOrIndex;
    if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c >= this.numColumns) {
      throw rangeError('column', `one of ${JSON.stringify(this.columnNames)} or an index in [0, ${this.numColumns - 1}]`, nameOrIndex);
    }
    const out = new Float32Array(this.numRows);
    for (let r = 0; r < this.numRows; r++) out[r] = this.data[r * this.numColumns + c]!;
    return out;
  }

  /** The whole table as a Tensor [N, C] sharing this dataset's data. */
  toTensor(): Tensor {
    return new Tensor(this.data, [this.numRows, this.numColumns]);
  }
}

/** Turns csv-parse's string records into numbers, growing one Float32Array. */
class CsvBuilder {
  readonly parserOptions: CsvParseOptions;
  private readonly header: boolean | 'auto';
  private readonly wanted: readonly (string | number)[] | null;
  private readonly missingAsNaN: boolean;
  private names: string[] | null = null;
  private picks: number[] | null = null; // source column of each kept column
  private data = new Float32Array(1024);
  private rows = 0;
  private record = 0; // 1-based record number for messages

  constructor(options: CsvOptions | undefined) {
    const opts = checkOptions('options', options);
    checkKnownOptions('CsvDataset options', opts, CSV_OPTION_KEYS);
    const header = opts.header ?? 'auto';
    if (header !== 'auto' && typeof header !== 'boolean') throw typeError('header', 'a boolean or "auto"', header);
    this.header = header;
    if (opts.columns !== undefined && (!Array.isArray(opts.columns) || opts.columns.length === 0)) {
      throw typeError('columns', 'a non-empty array of column names or indices', opts.columns);
    }
    this.wanted = opts.columns ?? null;
    this.missingAsNaN = checkOneOf('missing', opts.missing ?? 'error', ['error', 'nan']) === 'nan';
    const delimiter = opts.delimiter ?? ',';
    if (typeof delimiter !== 'string' || delimiter.length === 0) throw typeError('delimiter', 'a non-empty string', delimiter);
    // bom: drop a byte-order mark; trim: "1, 2" is numeric; empty lines skipped; ragged rows are errors.
    this.parserOptions = { delimiter, bom: true, trim: true, skip_empty_lines: true, relax_column_count: false };
  }

  add(record: string[]): void {
    this.record++;
    if (this.picks === null) {
      const isHeader = this.header === 'auto' ? record.some((f) => f === '' || !Number.isFinite(Number(f))) : this.header;
      this.names = isHeader ? record.slice() : record.map((_, i) => String(i));
      this.picks = this.resolveColumns(this.names);
      if (isHeader) return;
    }
    const C = this.picks.length;
    if ((this.rows + 1) * C > this.data.length) {
      const grown = new Float32Array(this.data.length * 2 + C);
      grown.set(this.data);
      this.data = grown;
    }
    const base = this.rows * C;
    for (let c = 0; c < C; c++) {
      const field = record[this.picks[c]!]!;
      let value = Number(field);
      if (field === '') {
        if (!this.missingAsNaN) throw new RangeError(`CSV record ${this.record} column ${this.names![this.picks[c]!]} must be a number, got an empty field (use missing: 'nan' to read it as NaN)`);
        value = NaN;
      } else if (Number.isNaN(value) && field !== 'NaN') {
        throw new RangeError(`CSV record ${this.record} column ${this.names![this.picks[c]!]} must be a number, got ${describe(field)}`);
      }
      this.data[base + c] = value;
    }
    this.rows++;
  }

  private resolveColumns(names: string[]): number[] {
    if (this.wanted === null) return names.map((_, i) => i);
    return this.wanted.map((w, k) => {
      const i = typeof w === 'string' ? names.indexOf(w) : w;
      if (typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i >= names.length) {
        throw rangeError(`columns[${k}]`, `one of ${JSON.stringify(names)} or an index in [0, ${names.length - 1}]`, w);
      }
      return i;
    });
  }

  finish(): { data: Float32Array; rows: number; names: string[] } {
    if (this.picks === null) throw rangeError('CSV input', 'at least one record', 'an empty file');
    const C = this.picks.length;
    return { data: this.data.slice(0, this.rows * C), rows: this.rows, names: this.picks.map((i) => this.names![i]!) };
  }
}
