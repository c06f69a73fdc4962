/**
 * bench/table.ts: derived numbers (GFLOP/s, tokens/s, µs/step, % of ceiling), the torch ratio and
 * checksum agreement, and that a driver without a number shows "n/a (reason)".
 */
import { describe, expect, it } from 'vitest';
import type { GemmCase, StreamCase } from '../../bench/cases.js';
import type { DriverResult } from '../../bench/drivers/protocol.js';
import { compareRows, formatMarkdown, formatText, toRow } from '../../bench/table.js';

const gemm: GemmCase = { kind: 'gemm', id: 'g', title: 'a GEMM', M: 1000, N: 1000, K: 1000, transA: false, transB: false, beta: 0 };
const stream: StreamCase = { kind: 'stream', id: 's', title: 'a stream', cell: 'lstm', inputSize: 8, hiddenSize: 8, B: 1, steps: 100 };

function ok(driver: string, medianMs: number, checksum: Record<string, number> = { sum: 1 }): DriverResult {
  return { ok: true, driver, timesMs: [medianMs], medianMs, inner: 1, checksum, maxRssMb: 50, baseRssMb: 40, info: {} };
}

describe('bench table', () => {
  it('derives GFLOP/s and % of the ceiling', () => {
    const row = toRow(gemm, 1, 'native', ok('native', 100), 40); // 2e9 FLOP in 0.1 s
    expect(row.gflops).toBeCloseTo(20, 10);
    expect(row.pctCeiling).toBeCloseTo(50, 10);
    expect(row.tokensPerSec).toBeNull();
    expect(toRow(gemm, 1, 'native', ok('native', 100), null).pctCeiling).toBeNull();
  });

  it('reports the interquartile range of the samples, from four samples on', () => {
    const spread = (timesMs: number[]): number | null =>
      toRow(gemm, 1, 'js', { ok: true, driver: 'js', timesMs, medianMs: 10, inner: 1, checksum: {}, maxRssMb: 1, baseRssMb: 1, info: {} }, null).spreadPct;
    // sorted 8, 9, 11, 100: p25 = 8.75, p75 = 33.25 → 24.5 / 10
    expect(spread([100, 9, 8, 11])).toBeCloseTo(245, 10);
    expect(spread([9, 10, 11])).toBeNull();
  });

  it('derives µs per step and tokens/s for streaming', () => {
    const row = toRow(stream, 1, 'js', ok('js', 5), null); // 100 steps in 5 ms
    expect(row.usPerStep).toBeCloseTo(50, 10);
    expect(row.tokensPerSec).toBeCloseTo(20_000, 6);
  });

  it('compares with torch: speed ratio and checksums', () => {
    const rows = [
      toRow(gemm, 1, 'native', ok('native', 5, { sum: 1000.5 }), null),
      toRow(gemm, 1, 'js', ok('js', 40, { sum: 1010 }), null),
      toRow(gemm, 1, 'torch', ok('torch', 10, { sum: 1000 }), null),
    ];
    compareRows(rows);
    expect(rows.map((r) => r.speedVsTorch)).toEqual([2, 0.25, null]);
    expect(rows[0]!.check).toBe('ok'); // 5e-4 relative
    expect(rows[1]!.check).toMatch(/^MISMATCH sum 1010 vs 1000/); // 1e-2 relative
    expect(rows[2]!.check).toBe('ref');
  });

  it('uses the first driver that ran as the reference when torch did not', () => {
    const rows = [
      toRow(gemm, 1, 'native', ok('native', 5, { sum: 3 }), null),
      toRow(gemm, 1, 'js', ok('js', 40, { sum: 3 }), null),
      toRow(gemm, 1, 'torch', { ok: false, driver: 'torch', reason: 'no torch here' }, null),
    ];
    compareRows(rows);
    expect(rows.map((r) => r.check)).toEqual(['ref', 'ok', '']);
    expect(rows.map((r) => r.speedVsTorch)).toEqual([null, null, null]);
  });

  it('prints n/a with the reason, never a number, for a driver that did not run', () => {
    const rows = [
      toRow(gemm, 1, 'native', { ok: false, driver: 'native', reason: 'no addon for this platform' }, null),
      toRow(gemm, 1, 'torch', ok('torch', 10), 40),
    ];
    compareRows(rows);
    const text = formatText([gemm], rows);
    expect(text).toContain('a GEMM  [g]');
    expect(text).toMatch(/1 +native +n\/a \(no addon for this platform\)/);
    expect(text).toMatch(/1 +torch +10\.0 ms +– +– +200\.0 +500%/);
    const markdown = formatMarkdown([gemm], rows).split('\n');
    expect(markdown[0]).toBe('| case | threads | driver | time/iter | IQR | tokens/s | GFLOP/s | % ceiling | vs torch | peak RSS MB | check |');
    expect(markdown).toHaveLength(4);
    expect(markdown[2]).toContain('n/a (no addon for this platform)');
  });
});
