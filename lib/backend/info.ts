/**
 * systemInfo(): what rnnkit runs on here, for `rnnkit info`, bug reports and install checks: the
 * package version, the backend in use and, when it fell back to the pure-TypeScript kernels, why;
 * and for the native addon which binary was loaded (a prebuilt one from prebuilds/ or one compiled
 * at install in build/), its SIMD path (RNNKIT_SIMD forces one), thread count and build.
 *
 * Calling it resolves the default backend if nothing has yet (getBackend()), so a fallback prints its
 * one-line notice then, as it would at the first operation.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getBackend, getFallbackReason, nativeLoadResult, type BackendName } from './index.js';
import { addonPath, packageRoot, type AddonCpuInfo } from './addon.js';
import { NativeBackend } from './native.js';

/** The loaded addon: its file and what it reports about itself (native/binding/info.cc). */
export interface NativeInfo extends AddonCpuInfo {
  available: true;
  /** Absolute path of the loaded rnnkit.node. */
  binary: string;
  /** 'prebuilt' (prebuilds/<platform>-<arch>/), or 'local' (compiled here: build/Release or build/Debug). */
  origin: 'prebuilt' | 'local';
}

export interface SystemInfo {
  /** rnnkit's version (its package.json). */
  version: string;
  /** process.version. */
  node: string;
  /** `${process.platform}-${process.arch}`, the name of the prebuilds/ directory that fits. */
  platform: string;
  /** The backend in use. */
  backend: BackendName;
  /** Why the default resolution fell back to the js backend, or null (it did not, or was not asked). */
  fallbackReason: string | null;
  /** The native addon, or why it cannot be loaded here. */
  native: NativeInfo | { available: false; reason: string };
}

function packageVersion(): string {
  try {
    return String((JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: unknown }).version);
  } catch {
    return 'unknown';
  }
}

/** What rnnkit runs on here (see the file header). */
export function systemInfo(): SystemInfo {
  const backend = getBackend().name as BackendName;
  const loaded = nativeLoadResult();
  let native: SystemInfo['native'];
  if ('backend' in loaded && loaded.backend instanceof NativeBackend) {
    const binary = addonPath();
    native = {
      available: true, binary, origin: /[\\/]prebuilds[\\/]/.test(binary) ? 'prebuilt' : 'local', ...loaded.backend.cpuInfo(),
    };
  } else {
    native = { available: false, reason: 'reason' in loaded ? loaded.reason : 'not the rnnkit addon' };
  }
  return {
    version: packageVersion(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    backend,
    fallbackReason: getFallbackReason(),
    native,
  };
}
