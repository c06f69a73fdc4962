/**
 * Datasets: ArrayDataset/Subset indexing, seeded splits (reproducible, disjoint, PyTorch's remainder
 * rule), TextLineDataset (edge lines, and a ~200 MB file streamed in constant memory), CsvDataset
 * (header detection, column selection, numeric checks) through csv-parse.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArrayDataset, CsvDataset, Subset, TextLineDataset, randomSplit, trainValTestSplit } from '../../lib/data/dataset.js';
import { Rng } from '../../lib/data/rng.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rnnkit-dataset-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const indicesOf = (s: Subset<number>) => Array.from(s.indices);

describe('ArrayDataset and Subset', () => {
  it('index in bounds and reject the rest', () => {
    const ds = new ArrayDataset(['a', 'b', 'c']);
    expect(ds.length).toBe(3);
    expect(ds.get(2)).toBe('c');
    expect([...ds]).toEqual(['a', 'b', 'c']);
    expect(() => ds.get(3)).toThrow(/index must be an integer in \[0, 2\], got 3/);
    expect(() => ds.get(1.5)).toThrow(RangeError);
    expect(() => new ArrayDataset([]).get(0)).toThrow(/an index into a non-empty dataset/);
    const sub = new Subset(ds, [2, 0]);
    expect([sub.get(0), sub.get(1)]).toEqual(['c', 'a']);
    expect(() => new Subset(ds, [3])).toThrow(/indices\[0\] must be an integer in \[0, 2\], got 3/);
    expect(() => new ArrayDataset('abc' as unknown as string[])).toThrow(/items must be an array/);
  });

  it('zip pairs inputs with targets', () => {
    const ds = ArrayDataset.zip([[1, 2], [3]], [0, 1]);
    expect(ds.get(1)).toEqual({ x: [3], y: 1 });
    expect(() => ArrayDataset.zip([1], [1, 2])).toThrow(/targets must be an array of length 1/);
  });
});

describe('splits', () => {
  it('randomSplit: seeded, reproducible, disjoint, covering; fractions use PyTorch’s remainder rule', () => {
    const ds = new ArrayDataset(range(10));
    const [a, b, c] = randomSplit(ds, [0.5, 0.3, 0.2], { seed: 7 });
    expect([a!.length, b!.length, c!.length]).toEqual([5, 3, 2]);
    const all = [...indicesOf(a!), ...indicesOf(b!), ...indicesOf(c!)].sort((x, y) => x - y);
    expect(all).toEqual(range(10));
    const again = randomSplit(ds, [0.5, 0.3, 0.2], { seed: 7 });
    expect(indicesOf(again[0]!)).toEqual(indicesOf(a!));
    const other = randomSplit(ds, [0.5, 0.3, 0.2], { seed: 8 });
    expect(indicesOf(other[0]!)).not.toEqual(indicesOf(a!));
    // 7 examples in thirds: floor gives 2,2,2 and the remainder 1 goes to the first subset
    expect(randomSplit(new ArrayDataset(range(7)), [1 / 3, 1 / 3, 1 / 3], { seed: 1 }).map((s) => s.length)).toEqual([3, 2, 2]);
    // counts work too, and an Rng can be passed
    expect(randomSplit(ds, [4, 6], { rng: new Rng(3) }).map((s) => s.length)).toEqual([4, 6]);
    // the permutation is the seeded Rng's Fisher–Yates shuffle
    expect(indicesOf(a!)).toEqual(new Rng(7).shuffle(range(10)).slice(0, 5));
  });

  it('randomSplit rejects lengths that do not add up', () => {
    const ds = new ArrayDataset(range(10));
    expect(() => randomSplit(ds, [3, 3])).toThrow(/lengths must be non-negative counts summing to 10 or fractions summing to 1/);
    expect(() => randomSplit(ds, [0.5, 0.6])).toThrow(RangeError);
    expect(() => randomSplit(ds, [])).toThrow(TypeError);
    expect(() => randomSplit({} as never, [1])).toThrow(/dataset must be a Dataset/);
  });

  it('trainValTestSplit: sizes, order kept when not shuffled', () => {
    const ds = new ArrayDataset(range(20));
    const { train, val, test } = trainValTestSplit(ds, { valFraction: 0.2, testFraction: 0.1, shuffle: false });
    expect(indicesOf(train)).toEqual(range(14));
    expect(indicesOf(val)).toEqual([14, 15, 16, 17]);
    expect(indicesOf(test)).toEqual([18, 19]);
    const shuffled = trainValTestSplit(ds, { seed: 5 });
    expect([shuffled.train.length, shuffled.val.length, shuffled.test.length]).toEqual([16, 2, 2]);
    expect(indicesOf(shuffled.train)).not.toEqual(range(16));
    expect(() => trainValTestSplit(ds, { valFraction: 0.5, testFraction: 0.5 })).toThrow(/small enough to leave training examples/);
    expect(() => trainValTestSplit(ds, { valFraction: 1 })).toThrow(/valFraction must be a number in \[0, 1\)/);
  });
});

describe('TextLineDataset', () => {
  it('yields every line, empty ones included unless skipEmpty', async () => {
    const path = join(dir, 'lines.txt');
    writeFileSync(path, 'one\n\ntwo 😀\r\n\nthree');
    const lines: string[] = [];
    for await (const line of new TextLineDataset(path)) lines.push(line);
    expect(lines).toEqual(['one', '', 'two 😀', '', 'three']);
    const kept: string[] = [];
    for await (const line of new TextLineDataset(path, { skipEmpty: true })) kept.push(line);
    expect(kept).toEqual(['one', 'two 😀', 'three']);
    const lengths: number[] = [];
    for await (const n of new TextLineDataset(path).map((l) => l.length)) lengths.push(n);
    expect(lengths).toEqual([3, 0, 6, 0, 5]); // UTF-16 lengths: 😀 is two units
    expect(await new TextLineDataset(path).count()).toBe(5);
  });

  it('rejects bad arguments in the constructor', () => {
    expect(() => new TextLineDataset('')).toThrow(/path must be a non-empty file path/);
    expect(() => new TextLineDataset('x', { skipEmpty: 'yes' as unknown as boolean })).toThrow(/skipEmpty must be a boolean/);
    expect(() => new TextLineDataset('x', { chunkSize: -1 })).toThrow(/chunkSize must be a positive integer/);
    expect(() => new TextLineDataset('x').map(3 as never)).toThrow(/fn must be a function/);
  });

  it('streams a ~200 MB file in constant memory (RSS growth far below the file size)', async () => {
    const path = join(dir, 'big.txt');
    // 1 MiB of lines (varied lengths, one multi-byte char each), written 200 times.
    const lineTexts: string[] = [];
    let bytes = 0;
    for (let i = 0; bytes < (1 << 20) - 200; i++) {
      const line = `line ${i} é ${'x'.repeat(i % 97)}`;
      lineTexts.push(line);
      bytes += Buffer.byteLength(line) + 1;
    }
    const block = Buffer.from(lineTexts.join('\n') + '\n');
    const repeats = 200;
    const fd = openSync(path, 'w');
    for (let r = 0; r < repeats; r++) writeSync(fd, block);
    closeSync(fd);
    const fileSize = block.length * repeats;
    expect(fileSize).toBeGreaterThan(190 * 1024 * 1024);

    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    let count = 0;
    let chars = 0;
    for await (const line of new TextLineDataset(path)) {
      count++;
      chars += line.length;
      if ((count & 0x3fff) === 0) peak = Math.max(peak, process.memoryUsage().rss);
    }
    peak = Math.max(peak, process.memoryUsage().rss);
    rmSync(path);
    expect(count).toBe(lineTexts.length * repeats);
    expect(chars).toBe(lineTexts.reduce((s, l) => s + l.length, 0) * repeats);
    const growthMB = (peak - rssBefore) / 2 ** 20;
    console.log(`streamed ${(fileSize / 2 ** 20).toFixed(0)} MiB, ${count} lines; RSS growth ${growthMB.toFixed(1)} MiB`);
    expect(growthMB).toBeLessThan(50);
  });
});

describe('CsvDataset', () => {
  const csv = '"YEAR","SUNACTIVITY"\n1700,5\n1701,11\n\n1702, 16.5\n';

  it('detects a header, parses numbers, selects columns', () => {
    const ds = CsvDataset.fromString(csv);
    expect(ds.columnNames).toEqual(['YEAR', 'SUNACTIVITY']);
    expect(ds.length).toBe(3); // the empty line is skipped
    expect(Array.from(ds.get(2))).toEqual([1702, 16.5]);
    expect(Array.from(ds.column('SUNACTIVITY'))).toEqual([5, 11, 16.5]);
    expect(ds.toTensor().shape).toEqual([3, 2]);
    const one = CsvDataset.fromString(csv, { columns: ['SUNACTIVITY'] });
    expect(Array.from(one.data)).toEqual([5, 11, 16.5]);
    const noHeader = CsvDataset.fromString('1;2\n3;4\n', { delimiter: ';', columns: [1, 0] });
    expect(noHeader.columnNames).toEqual(['1', '0']);
    expect(Array.from(noHeader.data)).toEqual([2, 1, 4, 3]);
  });

  it('streams a file (the shipped sunspots series) and matches the in-memory parse', async () => {
    const path = join(dir, 'series.csv');
    writeFileSync(path, csv);
    const fromFile = await CsvDataset.fromFile(path);
    expect(Array.from(fromFile.data)).toEqual(Array.from(CsvDataset.fromString(csv).data));
    const sunspots = await CsvDataset.fromFile(join(import.meta.dirname, '../../../shared/data/sunspots.csv'));
    expect(sunspots.length).toBe(309);
    expect(Array.from(sunspots.get(0))).toEqual([1700, 5]);
    await expect(CsvDataset.fromFile(join(dir, 'missing.csv'))).rejects.toThrow(/ENOENT/);
  });

  it('reports non-numeric and missing fields with record and column', () => {
    expect(() => CsvDataset.fromString('a,b\n1,x\n')).toThrow(/CSV record 2 column b must be a number, got "x"/);
    expect(() => CsvDataset.fromString('a,b\n1,\n')).toThrow(/got an empty field/);
    expect(Number.isNaN(CsvDataset.fromString('a,b\n1,\n', { missing: 'nan' }).get(0)[1])).toBe(true);
    expect(() => CsvDataset.fromString('a,b\n1,2,3\n')).toThrow(); // ragged rows: csv-parse's error
    expect(() => CsvDataset.fromString('')).toThrow(/CSV input must be at least one record/);
    expect(() => CsvDataset.fromString('a,b\n1,2\n', { columns: ['c'] })).toThrow(/columns\[0\] must be one of \["a","b"\]/);
    expect(() => CsvDataset.fromString('1,2', { header: 'maybe' as never })).toThrow(/header must be a boolean or "auto"/);
    expect(() => CsvDataset.fromString(3 as never)).toThrow(/text must be a string/);
    expect(() => CsvDataset.fromString('1', { sep: ';' } as never)).toThrow(/unknown option "sep"/);
  });
});
