/**
 * bench/drivers/protocol.ts: the argument round trip between runner and driver, the timing rule
 * (how many calls it makes), the median, and the deterministic fill that torch.py reproduces.
 */
import { describe, expect, it } from 'vitest';
import { caseById } from '../../bench/cases.js';
import { driverArgv, fillHash, measure, median, parseDriverArgv, type TimingPlan } from '../../bench/drivers/protocol.js';

function busyWait(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) { /* spin */ }
}

describe('driver protocol', () => {
  it('parses what driverArgv produces', () => {
    const benchCase = caseById('bilstm-h256-train')!;
    const plan: TimingPlan = { warmup: 2, targetMs: 1500, minReps: 3, maxReps: 1000, minSampleMs: 5 };
    expect(parseDriverArgv(driverArgv(benchCase, 2, plan))).toEqual({ benchCase, threads: 2, plan });
  });

  it('rejects malformed arguments, naming the problem', () => {
    expect(() => parseDriverArgv(['--case'])).toThrow(/--key value pairs/);
    expect(() => parseDriverArgv(['--threads', '1'])).toThrow(/--case is required/);
    const argv = driverArgv(caseById('sgemm-2048')!, 1, { warmup: 1, targetMs: 1, minReps: 1, maxReps: 1, minSampleMs: 1 });
    argv[argv.indexOf('--threads') + 1] = '-1';
    expect(() => parseDriverArgv(argv)).toThrow(/--threads must be a non-negative integer, got -1/);
  });

  it('runs the warm-ups, then minReps..maxReps samples', () => {
    let calls = 0;
    const { timesMs, inner } = measure(() => { calls++; busyWait(0.2); }, { warmup: 2, targetMs: 1000, minReps: 3, maxReps: 3, minSampleMs: 0 });
    expect(inner).toBe(1);
    expect(timesMs).toHaveLength(3);
    expect(calls).toBe(2 + 3);
    for (const t of timesMs) expect(t).toBeGreaterThanOrEqual(0.2);
  });

  it('stops warming up after one iteration longer than the target', () => {
    let calls = 0;
    measure(() => { calls++; busyWait(3); }, { warmup: 5, targetMs: 1, minReps: 2, maxReps: 2, minSampleMs: 0 });
    expect(calls).toBe(1 + 2);
  });

  it('batches fast iterations into samples of at least minSampleMs', () => {
    let calls = 0;
    const { timesMs, inner } = measure(() => { calls++; }, { warmup: 1, targetMs: 1, minReps: 2, maxReps: 2, minSampleMs: 5 });
    expect(inner).toBeGreaterThan(1);
    expect(calls).toBe(1 + 2 * inner);
    expect(timesMs).toHaveLength(2);
  });

  it('takes the median of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('fills with the multiplicative hash torch.py reproduces', () => {
    // u = ((i · 2654435761 + salt · 40503) mod 2³²) / 2³², value = (2u − 1) · bound
    const values = fillHash(new Float32Array(3), 0, 1);
    expect(values[0]).toBe(-1);
    expect(values[1]).toBeCloseTo(2 * (2654435761 / 4294967296) - 1, 6); // 0.2360680
    expect(values[2]).toBeCloseTo(2 * ((2 * 2654435761) % 4294967296 / 4294967296) - 1, 6); // −0.5278640
    const salted = fillHash(new Float32Array(1), 1, 0.5);
    expect(salted[0]).toBeCloseTo((2 * (40503 / 4294967296) - 1) * 0.5, 7);
    for (const v of fillHash(new Float32Array(10_000), 7, 0.25)) expect(Math.abs(v)).toBeLessThanOrEqual(0.25);
  });
});
