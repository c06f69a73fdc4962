/**
 * bench/rounds.ts: a cell measured in several rounds reports the median of the rounds' medians, all
 * their samples, the highest RSS, and a failure in any round; the driver order alternates by round.
 */
import { describe, expect, it } from 'vitest';
import type { DriverResult } from '../../bench/drivers/protocol.js';
import { mergeRounds, roundOrder } from '../../bench/rounds.js';

function ok(medianMs: number, timesMs: number[], maxRssMb = 50): DriverResult {
  return { ok: true, driver: 'native', timesMs, medianMs, inner: 2, checksum: { sum: 3 }, maxRssMb, baseRssMb: 40, info: { backend: 'native' } };
}

describe('bench rounds', () => {
  it('alternates the driver order, starting as given', () => {
    expect(roundOrder(['native', 'torch', 'ort'], 0)).toEqual(['native', 'torch', 'ort']);
    expect(roundOrder(['native', 'torch', 'ort'], 1)).toEqual(['ort', 'torch', 'native']);
    expect(roundOrder(['native', 'torch', 'ort'], 2)).toEqual(['native', 'torch', 'ort']);
  });

  it('takes the median of the rounds\' medians, so one disturbed round does not move the cell', () => {
    const merged = mergeRounds([ok(100, [99, 100, 101]), ok(180, [170, 180, 190], 70), ok(104, [103, 104, 105])]);
    expect(merged.ok).toBe(true);
    if (!merged.ok) return;
    expect(merged.medianMs).toBe(104);
    expect(merged.timesMs).toEqual([99, 100, 101, 170, 180, 190, 103, 104, 105]);
    expect(merged.maxRssMb).toBe(70);
    expect(merged.checksum).toEqual({ sum: 3 });
    expect(merged.info).toEqual({ backend: 'native', rounds: 3, roundMediansMs: [100, 180, 104] });
  });

  it('averages the middle two of an even number of rounds', () => {
    const merged = mergeRounds([ok(100, [100]), ok(120, [120])]);
    expect(merged.ok && merged.medianMs).toBe(110);
  });

  it('returns a single round unchanged', () => {
    const only = ok(100, [100]);
    expect(mergeRounds([only])).toBe(only);
  });

  it('reports a failure in any round, saying which', () => {
    const failure: DriverResult = { ok: false, driver: 'ort', reason: 'timed out' };
    const merged = mergeRounds([ok(100, [100]), failure, ok(101, [101])]);
    expect(merged).toEqual({ ok: false, driver: 'ort', reason: 'round 2 of 3: timed out' });
    expect(mergeRounds([failure])).toBe(failure);
    expect(mergeRounds([failure, { ...failure }])).toBe(failure); // never runs: said once, as is
  });

  it('refuses an empty list', () => {
    expect(() => mergeRounds([])).toThrow(/at least one round/);
  });
});
