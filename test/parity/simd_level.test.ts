/**
 * The SIMD level the parity and fixture suites run on. CI runs those suites once per level usable on
 * the machine with RNNKIT_SIMD forcing it (.ci/run); this file makes sure the forced level is the one
 * the addon really dispatched to, so a forced run cannot silently test the default path instead.
 * Without RNNKIT_SIMD, the addon must have picked the widest level the CPU supports.
 */
import { describe, expect, it } from 'vitest';
import { loadAddon, type RnnkitAddon } from '../../lib/backend/addon.js';

/** Every level dispatch.cc knows, in its order of preference (x86-64: avx512 > avx2 > sse2; arm64: neon). */
const WIDEST_FIRST = ['avx512', 'avx2', 'sse2', 'neon', 'scalar'];

let addon: RnnkitAddon | null = null;
try {
  addon = loadAddon();
} catch {
  addon = null; // test/parity/backends.test.ts reports a missing addon (and fails on it in CI)
}
const forced = process.env.RNNKIT_SIMD ?? '';

describe.runIf(addon !== null)('SIMD dispatch level', () => {
  it.runIf(forced !== '')(`RNNKIT_SIMD=${forced} is the level in use`, () => {
    const info = addon!.cpuInfo();
    expect(info.isas).toContain(forced); // CI only forces levels the machine has
    expect(info.simdOverride).toBe(forced);
    expect(info.isa).toBe(forced);
  });

  it.runIf(forced === '')('without RNNKIT_SIMD the widest usable level is chosen', () => {
    const info = addon!.cpuInfo();
    const widest = WIDEST_FIRST.find((isa) => info.isas.includes(isa));
    expect(info.isa).toBe(widest);
  });
});
