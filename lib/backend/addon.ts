/**
 * The native addon's surface, declared as a TypeScript type, and loading it with node-gyp-build
 * from the package root (onnxruntime-node's binding.ts). node-gyp-build looks for a prebuilt binary
 * in prebuilds/<platform>-<arch>/ and then for a local build in build/Release or build/Debug (what
 * `npm install`, `npm run build` or `npm run build:gyp` produce).
 *
 * Every function validates its arguments and throws TypeError/RangeError naming the argument (see
 * native/binding/*.cc, where each one is documented [sync]/[async]); none crashes the process on
 * bad input. Buffers are used in place (zero-copy); outputs are allocated here on the JS side.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Backend, CellKind, RecurrentBackwardArgs, RecurrentForwardArgs } from './backend.js';

/** What the binary reports about itself: `cpuInfo()` in native/binding/info.cc. */
export interface AddonCpuInfo {
  /**
   * The SIMD path in use: 'scalar' | 'sse2' | 'avx2' | 'avx512' (x86-64) | 'neon' (arm64); the widest
   * usable one unless RNNKIT_SIMD forces another.
   */
  isa: string;
  /** Every SIMD path usable on this CPU (RNNKIT_SIMD may choose among them). */
  isas: string[];
  /** Threads of the kernel thread pool (RNNKIT_NUM_THREADS overrides). */
  threads: number;
  /** RNNKIT_SIMD as the addon saw it at load, or null. */
  simdOverride: string | null;
  napiVersion: number;
  compiler: string;
  /** 'node-gyp' | 'cmake-js': which build chain made this binary. */
  build: string;
  /**
   * What the binary supports beyond the first addon (absent in builds before it): 'forward-only'
   * (recurrentForward with workspace null), 'batch', 'threads', 'stack' (recurrentForwardStack).
   */
  features?: string[];
}

/** The exports of rnnkit.node; argument order and meaning as on the Backend interface. */
export interface RnnkitAddon {
  sgemm(
    transA: boolean, transB: boolean, M: number, N: number, K: number,
    alpha: number, A: Float32Array, lda: number, B: Float32Array, ldb: number,
    beta: number, C: Float32Array, ldc: number,
  ): void;
  recurrentWorkspaceSize(cell: CellKind, T: number, B: number, H: number): number;
  recurrentBackwardWorkspaceSize(cell: CellKind, T: number, B: number, H: number): number;
  recurrentForward(cell: CellKind, args: RecurrentForwardArgs): void;
  /** The same work on libuv's thread pool; the buffers must stay attached until it settles. */
  recurrentForwardAsync(cell: CellKind, args: RecurrentForwardArgs): Promise<void>;
  recurrentBackward(cell: CellKind, args: RecurrentBackwardArgs): void;
  recurrentBackwardAsync(cell: CellKind, args: RecurrentBackwardArgs): Promise<void>;
  tanh(out: Float32Array, x: Float32Array): void;
  sigmoid(out: Float32Array, x: Float32Array): void;
  axpy(y: Float32Array, alpha: number, x: Float32Array): void;
  mul(out: Float32Array, a: Float32Array, b: Float32Array): void;
  softmaxRows(out: Float32Array, x: Float32Array, rows: number, cols: number): void;
  logSoftmaxRows(out: Float32Array, x: Float32Array, rows: number, cols: number): void;
  cpuInfo(): AddonCpuInfo;
  /**
   * The kernel thread pool's size from now on, process-wide; n in 1..256 (native/binding/info.cc).
   * Optional: binaries built before it existed still load (threads.ts says they need a rebuild).
   */
  setNumThreads?(n: number): void;
  getNumThreads?(): number;
  /** Several recurrentForward / recurrentBackward calls, concurrently with >1 thread (optional, as above). */
  recurrentForwardBatch?(cell: CellKind, argsList: RecurrentForwardArgs[]): void;
  recurrentBackwardBatch?(cell: CellKind, argsList: RecurrentBackwardArgs[]): void;
  /** Stacked layers forward only in one call (optional, as above; Backend.recurrentForwardStack). */
  recurrentForwardStack?(cell: CellKind, argsList: RecurrentForwardArgs[]): void;
  /** One forward-only step in positional arguments (optional, as above; Backend.recurrentStep). */
  recurrentStep?: NonNullable<Backend['recurrentStep']>;
  /** Bytes past the last multiple of alignment (a power of two) where buffer's data starts (optional, as above). */
  addressMisalignment?(buffer: ArrayBuffer, alignment: number): number;
}

const EXPORTS: readonly (keyof RnnkitAddon)[] = [
  'sgemm', 'recurrentWorkspaceSize', 'recurrentBackwardWorkspaceSize', 'recurrentForward',
  'recurrentForwardAsync', 'recurrentBackward', 'recurrentBackwardAsync', 'tanh', 'sigmoid', 'axpy',
  'mul', 'softmaxRows', 'logSoftmaxRows', 'cpuInfo',
];

// This file's URL. CommonJS cannot parse `import.meta`: the CommonJS build (scripts/build.mjs) rewrites
// this one expression into the same URL made from __filename, and TypeScript's complaint about it
// there is silenced (the ESM build has none).
// @ts-ignore TS1343 in the CommonJS build only
const moduleUrl: string = import.meta.url;

/**
 * The directory holding rnnkit's package.json: the nearest directory above this file (lib/backend/,
 * dist/backend/ or dist/cjs/backend/) whose package.json is named rnnkit.
 */
export function packageRoot(): string {
  const here = dirname(fileURLToPath(moduleUrl));
  for (let dir = here; dirname(dir) !== dir; dir = dirname(dir)) {
    try {
      if ((JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown }).name === 'rnnkit') return dir;
    } catch {
      // no package.json here, or not JSON: keep going up
    }
  }
  return resolve(here, '..', '..');
}

/**
 * The path of the rnnkit.node that loadAddon() loads: prebuilds/<platform>-<arch>/ (a prebuilt binary)
 * or build/Release (compiled at install). Throws when there is none for this platform.
 */
export function addonPath(): string {
  const require = createRequire(moduleUrl);
  const nodeGypBuild = require('node-gyp-build') as { path(dir: string): string };
  return nodeGypBuild.path(packageRoot());
}

/**
 * Loads rnnkit.node for this platform. Throws an Error saying why when there is no binary, it does not
 * load (wrong platform, missing symbol), or it lacks an export (a stale build: rebuild it).
 */
export function loadAddon(): RnnkitAddon {
  const require = createRequire(moduleUrl);
  const nodeGypBuild = require('node-gyp-build') as (dir: string) => unknown;
  const addon = nodeGypBuild(packageRoot()) as Partial<RnnkitAddon>;
  const missing = EXPORTS.filter((name) => typeof addon[name] !== 'function');
  if (missing.length > 0) {
    throw new Error(`the rnnkit addon lacks ${missing.join(', ')} (a stale build? run npm run build:gyp)`);
  }
  return addon as RnnkitAddon;
}
