/**
 * The plumbing for optional bench engines (bench/drivers/registry.ts, optional.ts): the table's
 * "vs <engine>" column, measureAsync's timing rule, and package resolution from bench/optional.
 */
import { describe, expect, it } from 'vitest';
import type { GemmCase } from '../../bench/cases.js';
import { OPTIONAL_DIR, ROOT, isOptionalInstalled, loadOptional } from '../../bench/drivers/optional.js';
import { measureAsync, type DriverResult } from '../../bench/drivers/protocol.js';
import { OPTIONAL_DRIVERS, allDriverNames } from '../../bench/drivers/registry.js';
import { compareRows, formatMarkdown, formatText, optionalColumns, toRow } from '../../bench/table.js';

const gemm: GemmCase = { kind: 'gemm', id: 'g', title: 'a GEMM', M: 1000, N: 1000, K: 1000, transA: false, transB: false, beta: 0 };

function ok(driver: string, medianMs: number): DriverResult {
  return { ok: true, driver, timesMs: [medianMs], medianMs, inner: 1, checksum: { sum: 1 }, maxRssMb: 50, baseRssMb: 40, info: {} };
}

describe('optional bench drivers', () => {
  it('registers ort beside the core drivers', () => {
    expect(allDriverNames().slice(0, 3)).toEqual(['native', 'js', 'torch']);
    expect(OPTIONAL_DRIVERS.find((d) => d.name === 'ort')).toMatchObject({ packageName: 'onnxruntime-node', label: 'ORT' });
  });

  it('adds a "vs <engine>" ratio on rnnkit rows where the engine ran', () => {
    const rows = [
      toRow(gemm, 1, 'native', ok('native', 5), null),
      toRow(gemm, 1, 'js', ok('js', 40), null),
      toRow(gemm, 1, 'torch', ok('torch', 10), null),
      toRow(gemm, 1, 'ort', ok('ort', 8), null),
    ];
    compareRows(rows);
    expect(rows.map((r) => r.speedVs)).toEqual([{ ort: 1.6 }, { ort: 0.2 }, {}, {}]);
    expect(rows[3]!.speedVsTorch).toBeCloseTo(1.25, 12); // the engine still gets its torch ratio
    expect(rows[3]!.check).toBe('ok');
    expect(optionalColumns(rows).map((d) => d.name)).toEqual(['ort']);
    const markdown = formatMarkdown([gemm], rows).split('\n');
    expect(markdown[0]).toBe('| case | threads | driver | time/iter | IQR | tokens/s | GFLOP/s | % ceiling | vs torch | vs ORT | peak RSS MB | check |');
    expect(markdown[2]).toContain('| 2.00× | 1.60× |');
    expect(formatText([gemm], rows)).toMatch(/1 +ort +8\.00 ms .* 1\.25× +– +50 +ok/);
  });

  it('has no engine column when the engine did not run', () => {
    const rows = [toRow(gemm, 1, 'native', ok('native', 5), null), toRow(gemm, 1, 'ort', { ok: false, driver: 'ort', reason: 'not installed' }, null)];
    compareRows(rows);
    expect(optionalColumns(rows)).toEqual([]);
    expect(rows[0]!.speedVs).toEqual({});
    expect(formatMarkdown([gemm], rows).split('\n')[0]).not.toContain('vs ORT');
  });

  it('times promise-returning steps with the same rule as measure()', async () => {
    let calls = 0;
    // Resolves no sooner than 1 ms after it starts, and only on a later turn of the event loop. (A
    // setTimeout of 1 ms may fire after 0.05 ms: libuv measures it from the loop's cached clock.)
    const step = async (): Promise<void> => {
      calls++;
      const until = performance.now() + 1;
      while (performance.now() < until) await new Promise((resolve) => setImmediate(resolve));
    };
    const { timesMs, inner } = await measureAsync(step, { warmup: 2, targetMs: 1000, minReps: 3, maxReps: 3, minSampleMs: 0 });
    expect(inner).toBe(1);
    expect(timesMs).toHaveLength(3);
    expect(calls).toBe(2 + 3);
    for (const t of timesMs) expect(t).toBeGreaterThanOrEqual(0.9); // each sample waited for its promise
  });

  it('resolves optional packages from bench/optional only', () => {
    expect(OPTIONAL_DIR).toBe(`${ROOT}/bench/optional`);
    expect(isOptionalInstalled('no-such-package-rnnkit-bench')).toBe(false);
    expect(() => loadOptional('no-such-package-rnnkit-bench')).toThrow(/no-such-package-rnnkit-bench is not installed \(run npm run bench:setup\)/);
    // vitest is rnnkit's own devDependency, not bench/optional's: it must not leak in from the root.
    expect(isOptionalInstalled('vitest')).toBe(false);
  });
});
