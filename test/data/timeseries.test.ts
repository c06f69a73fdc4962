/**
 * Time series: contiguous splits, normalisation fitted on the training split only (statistics checked
 * against hand-computed values, val/test transformed with the train statistics), inverse transforms,
 * sliding windows (window, horizon, stride, target columns) and their batches through the DataLoader.
 */
import { describe, expect, it } from 'vitest';
import { Normalizer, slidingWindows, splitSeries } from '../../lib/data/timeseries.js';
import { DataLoader } from '../../lib/data/loader.js';
import { tensor } from '../../lib/tensor/tensor.js';
import { expectAllClose } from '../helpers/close.js';

describe('splitSeries', () => {
  it('cuts train | val | test contiguously, in the input form', () => {
    const series = Array.from({ length: 10 }, (_, i) => i);
    const { train, val, test } = splitSeries(series, { valFraction: 0.2, testFraction: 0.1 });
    expect(Array.from(train)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(Array.from(val)).toEqual([7, 8]);
    expect(Array.from(test)).toEqual([9]);
    const multi = splitSeries(tensor([[1, 10], [2, 20], [3, 30], [4, 40]]), { valFraction: 0.25, testFraction: 0 });
    expect(multi.train.shape).toEqual([3, 2]);
    expect(Array.from(multi.val.data)).toEqual([4, 40]);
    expect(multi.test.shape).toEqual([0, 2]);
    expect(() => splitSeries([1, 2], { valFraction: 0.5, testFraction: 0.5 })).toThrow(/small enough to leave training steps/);
    expect(() => splitSeries({} as never)).toThrow(/series must be a number array, Float32Array or Tensor/);
  });
});

describe('Normalizer', () => {
  it('z-score: statistics from train only, applied to val/test, inverse restores values', () => {
    const series = [1, 2, 3, 4, 5, 6, 100, 200];
    const { train, val, test } = splitSeries(series, { valFraction: 0.125, testFraction: 0.125 });
    const norm = new Normalizer('zscore').fit(train);
    // train = 1..6: mean 3.5, population variance 35/12
    const std = Math.sqrt(35 / 12);
    expectAllClose(Array.from(norm.shift!), [3.5]);
    expectAllClose(Array.from(norm.scale!), [std]);
    expectAllClose(Array.from(norm.transform(train)), [1, 2, 3, 4, 5, 6].map((v) => (v - 3.5) / std));
    // the outlying later values are NOT used for fitting: they map far outside the train range
    expectAllClose(Array.from(norm.transform(val)), [(100 - 3.5) / std]);
    expectAllClose(Array.from(norm.transform(test)), [(200 - 3.5) / std]);
    expectAllClose(Array.from(norm.inverseTransform(norm.transform(test))), [200]);
  });

  it('min-max per feature with a range, constant features, selected columns, JSON round trip', () => {
    const train = tensor([[0, 5, 7], [10, 5, 9], [5, 5, 8]]); // [N=3, F=3]; feature 1 is constant
    const norm = new Normalizer('minmax', { range: [-1, 1] }).fit(train);
    expect(Array.from(norm.shift!)).toEqual([0, 5, 7]);
    expect(Array.from(norm.scale!)).toEqual([10, 1, 2]); // constant feature: scale 1, not 0
    const out = norm.transform(tensor([[5, 5, 9], [20, 6, 7]]));
    expect(out.shape).toEqual([2, 3]);
    expectAllClose(Array.from(out.data), [0, -1, 1, 3, 1, -1]);
    // predictions of feature 2 only, e.g. a [W, B, 1] output: inverse with columns
    const pred = tensor([[[1]], [[-1]]]);
    expectAllClose(Array.from(norm.inverseTransform(pred, { columns: [2] }).data), [9, 7]);
    const back = Normalizer.fromJSON(JSON.parse(JSON.stringify(norm)));
    expectAllClose(Array.from(back.transform(tensor([[5, 5, 9]])).data), [0, -1, 1]);
  });

  it('rejects use before fit and bad arguments', () => {
    expect(() => new Normalizer().transform([1])).toThrow(/Normalizer must be fitted/);
    expect(() => new Normalizer('robust' as never)).toThrow(/method must be one of "zscore", "minmax", got "robust"/);
    expect(() => new Normalizer('minmax', { range: [1, 0] })).toThrow(/range must be a pair \[lo, hi\]/);
    expect(() => new Normalizer().fit([])).toThrow(/train must be a series with at least one step/);
    expect(() => new Normalizer().fit([1, NaN])).toThrow(/non-finite statistic for feature 0/);
    const norm = new Normalizer().fit(tensor([[1, 2], [3, 4]]));
    expect(() => norm.transform([1, 2, 3])).toThrow(/data must have 2 features per step/);
    expect(() => norm.transform([1], { columns: [2] })).toThrow(/columns must be an array of feature indices in \[0, 1\]/);
    expect(() => Normalizer.fromJSON({ method: 'zscore', shift: [1] })).toThrow(TypeError);
  });
});

describe('slidingWindows', () => {
  it('cuts windows with horizon and stride (hand-computed)', () => {
    const series = Array.from({ length: 10 }, (_, i) => i);
    const ds = slidingWindows(series, { window: 3, horizon: 2, stride: 2 });
    // starts 0, 2, 4: floor((10 − 3 − 2) / 2) + 1 = 3 windows
    expect(ds.length).toBe(3);
    const w = ds.get(2);
    expect(w.x.shape).toEqual([3, 1]);
    expect(Array.from(w.x.data)).toEqual([4, 5, 6]);
    expect(w.y.shape).toEqual([2, 1]);
    expect(Array.from(w.y.data)).toEqual([7, 8]);
    expect(slidingWindows(series, { window: 9 }).length).toBe(1);
    expect(() => ds.get(3)).toThrow(/index must be an integer in \[0, 2\], got 3/);
  });

  it('selects target columns of a multivariate series and batches to [W, B, F] / [H, B, Ft]', () => {
    const data = tensor(Array.from({ length: 6 }, (_, t) => [t, 10 * t])); // [6, 2]
    const ds = slidingWindows(data, { window: 2, horizon: 1, targetColumns: [1] });
    expect(ds.length).toBe(4);
    expect(Array.from(ds.get(1).x.data)).toEqual([1, 10, 2, 20]);
    expect(Array.from(ds.get(1).y.data)).toEqual([30]);
    const [batch] = [...new DataLoader(ds, { batchSize: 4 })];
    expect(batch!.x.shape).toEqual([2, 4, 2]);
    expect(batch!.y!.shape).toEqual([1, 4, 1]);
    expect(Array.from(batch!.y!.data)).toEqual([20, 30, 40, 50]);
    expect(Array.from(batch!.lengths)).toEqual([2, 2, 2, 2]);
  });

  it('rejects series shorter than window + horizon and bad options', () => {
    expect(() => slidingWindows([1, 2, 3], { window: 3 })).toThrow(/series must be at least window \+ horizon = 4 steps, got "3 steps"/);
    expect(() => slidingWindows([1, 2, 3], { window: 0 })).toThrow(/window must be a positive integer, got 0/);
    expect(() => slidingWindows([1, 2, 3], { window: 1, stride: -1 })).toThrow(/stride must be a positive integer/);
    expect(() => slidingWindows([1, 2, 3], { window: 1, targetColumns: [1] })).toThrow(/targetColumns must be a non-empty array of feature indices in \[0, 0\]/);
    expect(() => slidingWindows([1, 2, 3], { window: 1, horizn: 2 } as never)).toThrow(/unknown option "horizn"/);
  });
});
