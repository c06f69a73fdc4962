/**
 * Hostile calls straight into the addon, in a child process (test/binding/hostile_calls.cjs): wrong
 * types, too-short and detached buffers, negative, fractional, NaN and huge sizes, size products
 * that overflow, bad lengths, getters that detach a buffer or throw. Every call must throw a
 * TypeError or RangeError in the library's format (`<name> must be ..., got ...`) naming the
 * argument, and the child must finish normally: exit code 0, no signal. A crash fails this test
 * instead of killing the test runner.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadAddon, packageRoot } from '../../lib/backend/addon.js';

const required = process.env.CI === 'true' || process.env.RNNKIT_REQUIRE_NATIVE === '1';
let available = true;
try {
  loadAddon();
} catch {
  available = false;
}

interface Result {
  label: string;
  expectedType: string;
  name: string;
  type: string;
  message: string;
}

describe.runIf(available || required)('native binding robustness', () => {
  const script = fileURLToPath(new URL('./hostile_calls.cjs', import.meta.url));
  const child = spawnSync(process.execPath, [script, packageRoot()], { encoding: 'utf8', timeout: 60_000 });
  const lines = (child.stdout ?? '').trim().split('\n');

  it('the child survives every hostile call: exit code 0, no signal', () => {
    expect(child.signal, child.stderr).toBeNull();
    expect(child.status, child.stderr).toBe(0);
    expect(lines[lines.length - 1]).toBe('done');
  });

  const report = JSON.parse(lines[lines.length - 2] ?? '{}') as {
    results?: Result[]; sgemm?: number[]; getterError?: string; info?: { isa: string };
  };

  it('every hostile call throws the right error type naming the argument', () => {
    expect(report.results?.length).toBeGreaterThan(50);
    for (const r of report.results ?? []) {
      expect(r.type, `${r.label}: ${r.message}`).toBe(r.expectedType);
      expect(r.message, r.label).toContain(`${r.name} must be `);
      expect(r.message, r.label).toContain(', got ');
    }
  });

  it('valid calls still work afterwards (unaligned views, async) and getter errors propagate', () => {
    expect(report.sgemm).toEqual([1, 2, 3, 4]);
    expect(report.getterError).toBe('boom');
    expect(['scalar', 'sse2', 'avx2', 'avx512', 'neon']).toContain(report.info?.isa);
  });
});
