/**
 * Forecasting a time series: next year's sunspot number from the previous W years, with an LSTM (or
 * GRU) regressor against the naive forecast "next year = this year".
 *
 * ../shared/data/sunspots.csv holds the yearly mean sunspot activity 1700–2008 (309 values; header
 * "YEAR","SUNACTIVITY"). The series is split in time: the first 70% of the years train, the next 15%
 * validate, the last 15% test, and nothing after a year is used to predict it. The z-score
 * normalisation is fitted on the training years only. Each example is a sliding window: x = W
 * consecutive (normalised) values, y = the value of the year after; an example belongs to the split
 * of the year it predicts, so a test window may read the validation years before it, as a forecaster
 * would. The weights of the epoch with the best validation loss are kept (early stopping).
 *
 *   npm run example:forecast
 *   npm run example:forecast -- --cell gru --window 30 --hidden 64
 *   npm run example:forecast -- --steps 20          (a smoke run)
 */
import {
  LSTM, GRU, Linear, Module, Adam, CsvDataset, DataLoader, Subset, Normalizer, EarlyStopping, slidingWindows, splitSeries,
  mseLoss, fit, noGrad, manualSeed, getBackend,
} from 'rnnkit';
import type { SequenceBatch, SeriesWindow, Tensor } from 'rnnkit';
import { dataPath, parseOptions, stopwatch } from './common.js';

const opts = parseOptions('forecast: an LSTM/GRU predicts next year\'s sunspot number, against the naive last-value forecast', {
  data: { value: '', help: 'sunspots CSV (header "YEAR","SUNACTIVITY")' },
  cell: { value: 'lstm', help: 'lstm or gru' },
  window: { value: 20, help: 'W: years of history per prediction', int: true },
  hidden: { value: 32, help: 'hidden units', int: true },
  epochs: { value: 300, help: 'training epochs at most', int: true },
  patience: { value: 50, help: 'epochs without a better validation loss before stopping', int: true },
  steps: { value: 0, help: 'stop after this many optimizer steps (0: no limit)', int: true },
  batch: { value: 16, help: 'windows per batch', int: true },
  lr: { value: 3e-3, help: 'Adam learning rate' },
  seed: { value: 1, help: 'seed of the initial weights and the batch order', int: true },
});
if (opts.cell !== 'lstm' && opts.cell !== 'gru') throw new RangeError(`--cell must be lstm or gru, got ${JSON.stringify(opts.cell)}`);

// ---- data: the series [N], a normaliser fitted on the training years, windows assigned by target year ----
const csv = await CsvDataset.fromFile(dataPath('sunspots.csv', opts.data), { columns: ['YEAR', 'SUNACTIVITY'] });
const years = csv.column('YEAR'); // [N]
const activity = csv.column('SUNACTIVITY'); // [N]
const N = activity.length;
const { train: trainYears, val: valYears } = splitSeries(activity, { valFraction: 0.15, testFraction: 0.15 });
const valStart = trainYears.length; // index of the first validation year
const testStart = valStart + valYears.length; // index of the first test year
const norm = new Normalizer('zscore').fit(trainYears); // mean and std of the training years only

// Window i: x = years [i, i + W) normalised, as [W, 1]; y = year i + W, as [1, 1].
const windows = slidingWindows(norm.transform(activity), { window: opts.window });
const targetYear = (i: number): number => i + opts.window;
const indicesWhere = (keep: (year: number) => boolean): number[] =>
  Array.from({ length: windows.length }, (_, i) => i).filter((i) => keep(targetYear(i)));
const splits = {
  train: new Subset(windows, indicesWhere((t) => t < valStart)),
  val: new Subset(windows, indicesWhere((t) => t >= valStart && t < testStart)),
  test: new Subset(windows, indicesWhere((t) => t >= testStart)),
};
// Batches: x [W, B, 1], y [B, 1, 1] (one target per example).
const loader = (set: Subset<SeriesWindow>, shuffle: boolean): DataLoader<SeriesWindow> =>
  new DataLoader(set, { batchSize: opts.batch, shuffle, seed: opts.seed, targets: 'example' });

// ---- model: a recurrent layer, then a linear read-out of its last hidden state ----
class Forecaster extends Module {
  readonly rnn: LSTM | GRU;
  readonly head: Linear;
  constructor(cell: 'lstm' | 'gru', hidden: number) {
    super();
    this.rnn = cell === 'lstm' ? new LSTM({ inputSize: 1, hiddenSize: hidden }) : new GRU({ inputSize: 1, hiddenSize: hidden });
    this.head = new Linear({ inFeatures: hidden, outFeatures: 1 });
  }
  /** x [W, B, 1] → the next value [B, 1], in normalised units. */
  forward(x: Tensor): Tensor {
    const [, state] = this.rnn.forward(x);
    const hN = Array.isArray(state) ? state[0] : state; // [1, B, H]
    return this.head.forward(hN.reshape([x.shape[1]!, -1])); // [B, 1]
  }
}

manualSeed(opts.seed);
const model = new Forecaster(opts.cell, opts.hidden);
const step = (m: Forecaster, batch: SequenceBatch) => {
  const B = batch.x.shape[1]!;
  return { loss: mseLoss(m.forward(batch.x), batch.y!.reshape([B, 1])), count: B };
};

const yearOf = (i: number): number => years[i]!;
console.log(`backend ${getBackend().name}; ${N} years ${yearOf(0)}–${yearOf(N - 1)}: train ${yearOf(0)}–${yearOf(valStart - 1)}, validation ${yearOf(valStart)}–${yearOf(testStart - 1)}, test ${yearOf(testStart)}–${yearOf(N - 1)}`);
console.log(`${splits.train.length} / ${splits.val.length} / ${splits.test.length} windows of W = ${opts.window} years; ${opts.cell.toUpperCase()}(1 → ${opts.hidden}) + Linear, Adam lr ${opts.lr}, MSE on z-scores`);
const elapsed = stopwatch();
const history = await fit(model, {
  data: loader(splits.train, true),
  validationData: loader(splits.val, false),
  epochs: opts.epochs,
  optimizer: new Adam(model.parameters(), { lr: opts.lr }),
  loss: step,
  gradClipNorm: 1,
  callbacks: [
    new EarlyStopping({ monitor: 'valLoss', patience: opts.patience, restoreBestWeights: true }),
    { onEpochEnd: (_, log) => { if ((log.epoch + 1) % 25 === 0) console.log(`epoch ${String(log.epoch + 1).padStart(3)}  train MSE ${log.loss!.toFixed(4)}  validation MSE ${log.valLoss!.toFixed(4)} (z-scores)`); } },
  ],
  ...(opts.steps > 0 ? { maxSteps: opts.steps } : {}),
  progress: false,
});
console.log(`trained ${history.step} steps (${history.epochs.length} epochs) in ${elapsed().toFixed(1)} s${history.stopMessage ? `; ${history.stopMessage}` : ''}`);

// ---- test: errors in sunspot units, model vs the last value of each window ----
const errors = { model: [] as number[], naive: [] as number[] };
noGrad(() => {
  model.eval();
  for (const i of splits.test.indices) {
    const { x } = windows.get(i); // [W, 1]
    const predicted = norm.inverseTransform(model.forward(x.reshape([opts.window, 1, 1])).data)[0]!;
    const actual = activity[targetYear(i)]!;
    errors.model.push(predicted - actual);
    errors.naive.push(activity[targetYear(i) - 1]! - actual);
  }
});
const rmse = (e: number[]): number => Math.sqrt(e.reduce((s, v) => s + v * v, 0) / e.length);
const mae = (e: number[]): number => e.reduce((s, v) => s + Math.abs(v), 0) / e.length;
console.log(`test ${yearOf(testStart)}–${yearOf(N - 1)} (${errors.model.length} years), in sunspot units:`);
console.log(`  ${opts.cell.toUpperCase().padEnd(28)} RMSE ${rmse(errors.model).toFixed(2).padStart(6)}  MAE ${mae(errors.model).toFixed(2).padStart(6)}`);
console.log(`  ${'naive (next = last value)'.padEnd(28)} RMSE ${rmse(errors.naive).toFixed(2).padStart(6)}  MAE ${mae(errors.naive).toFixed(2).padStart(6)}`);
