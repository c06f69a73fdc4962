/**
 * systemInfo() (lib/backend/info.ts): the version from package.json, the backend in use, and either
 * the loaded binary with the addon's own report (native) or the reason there is none.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getBackend, getFallbackReason, isNativeAvailable, systemInfo } from '../../lib/index.js';
import { packageRoot } from '../../lib/backend/addon.js';

describe('systemInfo', () => {
  const info = systemInfo();

  it('version, node and platform', () => {
    expect(info.version).toBe((JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version);
    expect(info.node).toBe(process.version);
    expect(info.platform).toBe(`${process.platform}-${process.arch}`);
  });

  it('the backend in use and the fallback reason of lib/backend/index.ts', () => {
    expect(info.backend).toBe(getBackend().name);
    expect(info.fallbackReason).toBe(getFallbackReason());
    expect(info.native.available).toBe(isNativeAvailable());
  });

  it.runIf(isNativeAvailable())('native: the binary that loaded, its origin, and the addon\'s cpuInfo()', () => {
    if (!info.native.available) throw new Error('unreachable');
    const n = info.native;
    expect(existsSync(n.binary)).toBe(true);
    expect(n.binary.endsWith('rnnkit.node')).toBe(true);
    expect(n.origin).toBe(/[\\/]prebuilds[\\/]/.test(n.binary) ? 'prebuilt' : 'local');
    expect(n.isas).toContain('scalar');
    expect(n.isas).toContain(n.isa);
    expect(n.threads).toBeGreaterThanOrEqual(1);
    expect(n.napiVersion).toBe(8);
    expect(['node-gyp', 'cmake-js']).toContain(n.build);
  });

  it.runIf(!isNativeAvailable())('without the addon: the loader\'s reason', () => {
    if (info.native.available) throw new Error('unreachable');
    expect(info.native.reason).toMatch(/^no native addon could be loaded: /);
  });
});
