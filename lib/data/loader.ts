/**
 * DataLoader: examples → batches, after PyTorch's torch.utils.data.DataLoader, with what recurrent
 * models need on top: variable-length sequences collated into a padded tensor plus `lengths` and a
 * mask, and bucketing by length so a batch holds sequences of similar length and little padding.
 *
 * Sources: a map-style Dataset (length + get) or an array: any order, sync and async iteration,
 * `length` known. Or an AsyncIterable / Iterable of examples (a TextLineDataset.map(...), a
 * generator): read front to back, async iteration only; shuffling and bucketing then act within
 * pools of `batchSize × bucketPool` examples read ahead (a shuffle buffer, as tf.data's).
 *
 * One `for (await) … of loader` is one epoch; each epoch draws a new order from the loader's Rng
 * (`seed` gives it its own; the same seed gives the same sequence of epochs).
 *
 * Bucketing (`bucketBy`): the epoch's (shuffled) order is cut into pools of batchSize × bucketPool
 * examples, each pool is sorted by length and cut into batches, and the batch order is shuffled
 * (torchtext's BucketIterator, AllenNLP's bucket sampler). Only the last pool can leave a partial
 * batch, which `dropLast` removes.
 *
 * Prefetch: async iteration prepares the next `prefetch` batches (default 1) while the caller holds the
 * current one. Preparation is scheduled with setImmediate, so it runs whenever the training step
 * awaits (native async kernels, I/O, a worker); a collate or dataset that is itself async (reads
 * files) overlaps with the step fully. JavaScript runs one thing at a time, so a fully synchronous
 * step and a synchronous collate take turns instead.
 *
 * Letters: B batch size, T padded length (longest sequence in the batch), F... features of one step.
 */
import { Rng, defaultRng } from './rng.js';
import { ArrayDataset, isDataset, type Dataset } from './dataset.js';
import { padInto, sequenceView, type Sequence } from './padding.js';
import { Tensor, numel } from '../tensor/tensor.js';
import {
  checkBoolean, checkFiniteNumber, checkKnownOptions, checkNonNegativeInt, checkOneOf, checkOptions, checkPositiveInt,
  describe, rangeError, shapeString, typeError,
} from '../util/check.js';

/** What the default collate returns. */
export interface SequenceBatch {
  /** [T, B, F...] (batchFirst: [B, T, F...]), padded with `paddingValue`. */
  x: Tensor;
  /** [B] steps of each row of x: the recurrent layers' `lengths`. */
  lengths: Int32Array;
  /** [T, B] (batchFirst: [B, T]): 1 at valid steps, 0 at padding. */
  mask: Tensor;
  /** Targets, for {x, y} examples: padded like x (sequence targets) or [B, F...] (per-example ones). */
  y?: Tensor;
  /** [B] steps of each row of y, for sequence targets. */
  yLengths?: Int32Array;
}

export interface CollateOptions {
  /** [B, T, ...] instead of [T, B, ...] (default false). */
  batchFirst?: boolean;
  /** Value of padded steps of x (default 0, `<pad>`). */
  paddingValue?: number;
  /** Value of padded steps of sequence targets y (default: paddingValue; −100 suits crossEntropy's ignoreIndex). */
  targetPaddingValue?: number;
  /** 'sequence' (default): y is padded like x. 'example': y is one value or vector per example, stacked [B, F...]. */
  targets?: 'sequence' | 'example';
}

export interface DataLoaderOptions<T, B> extends CollateOptions {
  /** Examples per batch (default 1). */
  batchSize?: number;
  /** A new random order every epoch (default false). */
  shuffle?: boolean;
  /** Seed of the loader's own Rng (default: draw from `rng`). */
  seed?: number;
  /** Generator for the order (default: defaultRng, seeded by manualSeed). */
  rng?: Rng;
  /** Leave out the last batch when it has fewer than batchSize examples (default false). */
  dropLast?: boolean;
  /** Examples → batch (default: collateSequences with the CollateOptions above). May be async. */
  collate?: (items: T[]) => B | Promise<B>;
  /** Bucket by length: true uses the sequence length of each example (x's for {x, y}); or a function. */
  bucketBy?: boolean | ((item: T) => number);
  /** Batches per bucketing (or stream-shuffling) pool (default 50). */
  bucketPool?: number;
  /** Batches prepared ahead during async iteration (default 1; 0 turns prefetch off). */
  prefetch?: number;
}

const LOADER_KEYS = [
  'batchSize', 'shuffle', 'seed', 'rng', 'dropLast', 'collate', 'bucketBy', 'bucketPool', 'prefetch',
  'batchFirst', 'paddingValue', 'targetPaddingValue', 'targets',
];

function isPair(item: unknown): item is { x: Sequence; y: unknown } {
  return item !== null && typeof item === 'object' && !ArrayBuffer.isView(item) && !Array.isArray(item) && !(item instanceof Tensor) && 'x' in item;
}

/** Pads sequences of equal step shape into [T, B, F...] (or [B, T, F...]) with their lengths. */
function padBatch(name: string, seqs: unknown[], batchFirst: boolean, paddingValue: number): { x: Tensor; lengths: Int32Array } {
  const views = seqs.map((s, b) => sequenceView(`${name}[${b}]`, s));
  const featureShape = views[0]!.featureShape;
  for (let b = 1; b < views.length; b++) {
    if (shapeString(views[b]!.featureShape) !== shapeString(featureShape)) {
      throw new RangeError(`${name}[${b}] must have step shape ${shapeString(featureShape)} like ${name}[0], got ${shapeString(views[b]!.featureShape)}`);
    }
  }
  const B = views.length;
  const T = views.reduce((m, v) => Math.max(m, v.steps), 0);
  const F = numel(featureShape);
  const data = new Float32Array(T * B * F);
  padInto(data, views, T, F, batchFirst, paddingValue);
  return { x: new Tensor(data, batchFirst ? [B, T, ...featureShape] : [T, B, ...featureShape]), lengths: Int32Array.from(views, (v) => v.steps) };
}

function maskOf(lengths: Int32Array, T: number, batchFirst: boolean): Tensor {
  const B = lengths.length;
  const mask = new Float32Array(T * B);
  for (let b = 0; b < B; b++) for (let t = 0; t < lengths[b]!; t++) mask[batchFirst ? b * T + t : t * B + b] = 1;
  return new Tensor(mask, batchFirst ? [B, T] : [T, B]);
}

/**
 * The default collate: sequences → { x, lengths, mask }; { x, y } examples → the same plus y
 * (and yLengths for sequence targets). A Tensor example is [L, F...]; zero-length sequences are
 * kept (length 0, all-zero mask column); recurrent layers need lengths >= 1, so filter them first or
 * encode with addBos/addEos.
 */
export function collateSequences(items: readonly unknown[], options?: CollateOptions): SequenceBatch {
  if (!Array.isArray(items) || items.length === 0) throw typeError('items', 'a non-empty array of examples', items);
  const opts = checkOptions('options', options);
  checkKnownOptions('collateSequences options', opts, ['batchFirst', 'paddingValue', 'targetPaddingValue', 'targets']);
  const batchFirst = checkBoolean('batchFirst', opts.batchFirst ?? false);
  const paddingValue = checkFiniteNumber('paddingValue', opts.paddingValue ?? 0);
  const targetPadding = checkFiniteNumber('targetPaddingValue', opts.targetPaddingValue ?? paddingValue);
  const targets = checkOneOf('targets', opts.targets ?? 'sequence', ['sequence', 'example']);
  if (!isPair(items[0])) {
    const { x, lengths } = padBatch('items', items as unknown[], batchFirst, paddingValue);
    return { x, lengths, mask: maskOf(lengths, x.shape[batchFirst ? 1 : 0]!, batchFirst) };
  }
  items.forEach((item, b) => {
    if (!isPair(item)) throw typeError(`items[${b}]`, 'an { x, y } example like items[0]', item);
  });
  const pairs = items as { x: unknown; y: unknown }[];
  const { x, lengths } = padBatch('items[].x', pairs.map((p) => p.x), batchFirst, paddingValue);
  const batch: SequenceBatch = { x, lengths, mask: maskOf(lengths, x.shape[batchFirst ? 1 : 0]!, batchFirst) };
  if (typeof pairs[0]!.y === 'number') {
    batch.y = new Tensor(Float32Array.from(pairs, (p, b) => {
      if (typeof p.y !== 'number') throw typeError(`items[${b}].y`, 'a number like items[0].y', p.y);
      return p.y;
    }), [pairs.length]);
  } else if (targets === 'sequence') {
    const padded = padBatch('items[].y', pairs.map((p) => p.y), batchFirst, targetPadding);
    batch.y = padded.x;
    batch.yLengths = padded.lengths;
  } else {
    const views = pairs.map((p, b) => sequenceView(`items[${b}].y`, p.y));
    const shape = views[0]!.steps === views[0]!.values.length ? [views[0]!.steps] : [views[0]!.steps, ...views[0]!.featureShape];
    const size = views[0]!.values.length;
    const data = new Float32Array(pairs.length * size);
    views.forEach((v, b) => {
      if (v.values.length !== size) throw rangeError(`items[${b}].y`, `${size} values like items[0].y`, pairs[b]!.y);
      for (let i = 0; i < size; i++) data[b * size + i] = v.values[i]!;
    });
    batch.y = new Tensor(data, [pairs.length, ...shape]);
  }
  return batch;
}

/** The sequence length of an example, for `bucketBy: true`. */
function defaultLength(item: unknown): number {
  return sequenceView('example', isPair(item) ? item.x : item).steps;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as PromiseLike<unknown>).then === 'function';
}

export class DataLoader<T, B = SequenceBatch> implements AsyncIterable<B> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly prefetch: number;
  readonly bucketPool: number;
  private readonly dataset: Dataset<T> | null;
  private readonly stream: AsyncIterable<T> | Iterable<T> | null;
  private readonly collate: (items: T[]) => B | Promise<B>;
  private readonly lengthOf: ((item: T) => number) | null;
  private readonly rng: Rng;
  private lengthCache: Float64Array | null = null;

  constructor(source: Dataset<T> | readonly T[] | AsyncIterable<T> | Iterable<T>, options?: DataLoaderOptions<T, B>) {
    const opts = checkOptions('options', options);
    checkKnownOptions('DataLoader options', opts, LOADER_KEYS);
    if (Array.isArray(source)) {
      this.dataset = new ArrayDataset(source as T[]);
      this.stream = null;
    } else if (isDataset(source)) {
      this.dataset = source as Dataset<T>;
      this.stream = null;
    } else if (source !== null && typeof source === 'object' && (Symbol.asyncIterator in source || Symbol.iterator in source)) {
      this.dataset = null;
      this.stream = source as AsyncIterable<T> | Iterable<T>;
    } else {
      throw typeError('source', 'a Dataset (length and get), an array, or an (async) iterable of examples', source);
    }
    this.batchSize = checkPositiveInt('batchSize', opts.batchSize ?? 1);
    this.shuffle = checkBoolean('shuffle', opts.shuffle ?? false);
    this.dropLast = checkBoolean('dropLast', opts.dropLast ?? false);
    this.prefetch = checkNonNegativeInt('prefetch', opts.prefetch ?? 1);
    this.bucketPool = checkPositiveInt('bucketPool', opts.bucketPool ?? 50);
    if (opts.rng !== undefined && !(opts.rng instanceof Rng)) throw typeError('rng', 'an Rng', opts.rng);
    this.rng = opts.seed !== undefined ? new Rng(opts.seed) : (opts.rng ?? defaultRng);

    const collateKeys = (['batchFirst', 'paddingValue', 'targetPaddingValue', 'targets'] as const).filter((k) => opts[k] !== undefined);
    if (opts.collate !== undefined) {
      if (typeof opts.collate !== 'function') throw typeError('collate', 'a function (items) => batch', opts.collate);
      if (collateKeys.length > 0) throw new RangeError(`${collateKeys.join(', ')} apply to the default collate only; leave them out when passing collate`);
      this.collate = opts.collate;
    } else {
      const collateOptions: CollateOptions = {};
      for (const k of collateKeys) (collateOptions as Record<string, unknown>)[k] = opts[k];
      collateSequences([[0]], collateOptions); // checks the options now rather than at the first batch
      this.collate = (items) => collateSequences(items, collateOptions) as B;
    }

    const bucketBy = opts.bucketBy ?? false;
    if (typeof bucketBy === 'function') this.lengthOf = bucketBy;
    else if (checkBoolean('bucketBy', bucketBy)) this.lengthOf = defaultLength as (item: T) => number;
    else this.lengthOf = null;
  }

  /** Batches per epoch (map-style sources only). */
  get length(): number {
    if (this.dataset === null) throw new TypeError('length is known only for a map-style dataset or an array source, not a stream');
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** One epoch's batches as lists of dataset indices (draws from the Rng when shuffling). */
  planEpoch(): number[][] {
    if (this.dataset === null) throw new TypeError('planEpoch needs a map-style dataset or an array source');
    const N = this.dataset.length;
    const order = Array.from({ length: N }, (_, i) => i);
    if (this.shuffle) this.rng.shuffle(order);
    let lengths: Float64Array | null = null;
    if (this.lengthOf !== null) {
      lengths = this.lengthCache ??= Float64Array.from(order, (_, i) => this.checkedLength(this.dataset!.get(i), i));
    }
    return this.cut(order, lengths === null ? null : (i: number) => lengths![i]!);
  }

  private checkedLength(item: T, index: number): number {
    const n = this.lengthOf!(item);
    if (typeof n !== 'number' || Number.isNaN(n)) throw typeError(`bucketBy(example ${index})`, 'a number', n);
    return n;
  }

  /** Cuts an order of keys into batches, bucketing by `lengthOfKey` in pools when given. */
  private cut<K>(order: K[], lengthOfKey: ((key: K) => number) | null): K[][] {
    const size = this.batchSize;
    let batches: K[][] = [];
    if (lengthOfKey === null) {
      for (let i = 0; i < order.length; i += size) batches.push(order.slice(i, i + size));
    } else {
      const poolSize = size * this.bucketPool;
      for (let p = 0; p < order.length; p += poolSize) {
        const pool = order.slice(p, p + poolSize);
        const keyed = pool.map((key, i) => ({ key, len: lengthOfKey(key), i }));
        keyed.sort((a, b) => a.len - b.len || a.i - b.i); // stable, so the shuffle decides ties
        for (let i = 0; i < keyed.length; i += size) batches.push(keyed.slice(i, i + size).map((k) => k.key));
      }
      if (this.shuffle) this.rng.shuffle(batches);
    }
    if (this.dropLast) batches = batches.filter((b) => b.length === size);
    return batches;
  }

  /** Synchronous iteration over one epoch: map-style sources with a synchronous `get` and collate. */
  *[Symbol.iterator](): Iterator<B> {
    if (this.dataset === null) throw new TypeError('a DataLoader over a stream iterates only with for await');
    for (const indices of this.planEpoch()) {
      const items = indices.map((i) => this.dataset!.get(i));
      if (items.some(isThenable)) throw new TypeError('dataset.get returned a Promise; iterate the DataLoader with for await');
      const batch = this.collate(items);
      if (isThenable(batch)) throw new TypeError('collate returned a Promise; iterate the DataLoader with for await');
      yield batch;
    }
  }

  /** Asynchronous iteration over one epoch, `prefetch` batches prepared ahead. */
  async *[Symbol.asyncIterator](): AsyncIterator<B> {
    let nextBatch: () => Promise<B | typeof END> | null;
    let closeSource = async (): Promise<void> => undefined;
    if (this.dataset !== null) {
      const plan = this.planEpoch();
      let k = 0;
      nextBatch = () => (k < plan.length ? this.deferred(plan[k++]!) : null);
    } else {
      ({ next: nextBatch, close: closeSource } = this.streamBatches());
    }
    const queue: Promise<B | typeof END>[] = []; // the batch to hand out next, then the prefetched ones
    let planned = true;
    try {
      for (;;) {
        while (planned && queue.length < this.prefetch + 1) {
          const p = nextBatch();
          if (p === null) {
            planned = false;
            break;
          }
          p.catch(() => undefined); // a failure is reported when its batch is awaited, not as unhandled
          queue.push(p);
        }
        const head = queue.shift();
        if (head === undefined) return;
        const batch = await head;
        if (batch === END) return;
        yield batch;
      }
    } finally {
      await closeSource(); // a `break` out of the epoch closes the stream (and its file) now, not at GC
    }
  }

  /** Gets and collates the examples at `indices` on a later turn of the event loop. */
  private deferred(indices: number[]): Promise<B> {
    return new Promise<B>((resolve, reject) => {
      setImmediate(() => {
        try {
          Promise.all(indices.map((i) => this.dataset!.get(i))).then((items) => this.collate(items)).then(resolve, reject);
        } catch (err) {
          reject(err);
        }
      });
    });
  }

  /**
   * For stream sources: a function returning the next batch's promise, which resolves to END after
   * the last batch. Reading is serialised (each read waits for the one before); pools are read
   * whole when shuffling or bucketing.
   */
  private streamBatches(): { next: () => Promise<B | typeof END> | null; close: () => Promise<void> } {
    const source = this.stream!;
    const iterator = Symbol.asyncIterator in source ? (source as AsyncIterable<T>)[Symbol.asyncIterator]() : (source as Iterable<T>)[Symbol.iterator]();
    const lengthOf = this.lengthOf;
    const pooled = this.shuffle || lengthOf !== null;
    const poolSize = pooled ? this.batchSize * this.bucketPool : this.batchSize;
    let ready: T[][] = [];
    let done = false;
    let exhausted = false;
    let index = 0; // examples read so far, for messages
    let chain: Promise<unknown> = Promise.resolve();
    const readPool = async (): Promise<void> => {
      const pool: T[] = [];
      while (pool.length < poolSize) {
        const r = await iterator.next();
        if (r.done) {
          done = true;
          break;
        }
        pool.push(r.value);
      }
      if (this.shuffle) this.rng.shuffle(pool);
      const keyed = pool.map((item) => ({ item, len: lengthOf === null ? 0 : this.checkedLength(item, index++) }));
      ready = this.cut(keyed, lengthOf === null ? null : (k) => k.len).map((b) => b.map((k) => k.item));
    };
    const nextItems = async (): Promise<T[] | null> => {
      while (ready.length === 0 && !done) await readPool();
      return ready.shift() ?? null;
    };
    const close = async (): Promise<void> => {
      await chain; // let a read in flight finish before closing the iterator under it
      await iterator.return?.();
    };
    const next = (): Promise<B | typeof END> | null => {
      if (exhausted) return null;
      const items = chain.then(() => new Promise<T[] | null>((resolve, reject) => setImmediate(() => nextItems().then(resolve, reject))));
      chain = items.catch(() => undefined);
      return items.then((list) => {
        if (list === null) {
          exhausted = true;
          return END;
        }
        return this.collate(list);
      });
    };
    return { next, close };
  }
}

/** Marks the end of a stream source inside the prefetch queue. */
const END: unique symbol = Symbol('end of stream');
