/**
 * The native backend: the C++ kernels behind Node-API (native/). `NativeBackend` receives the loaded
 * addon (injection, as better-sqlite3's factory does) and only translates Backend calls into addon
 * calls; the addon validates again, because JavaScript can call it directly. `loadNativeBackend`
 * returns the backend or the reason it cannot be had, which lib/backend/index.ts reports when it
 * falls back to the js backend.
 */
import type { Backend, CellKind, RecurrentBackwardArgs, RecurrentForwardArgs } from './backend.js';
import { loadAddon, packageRoot, type AddonCpuInfo, type RnnkitAddon } from './addon.js';

export class NativeBackend implements Backend {
  readonly name = 'native' as const;

  /** The directions of a bidirectional layer in one call, concurrently with >1 kernel thread. */
  readonly recurrentForwardBatch?: (cell: CellKind, argsList: RecurrentForwardArgs[]) => void;
  readonly recurrentBackwardBatch?: (cell: CellKind, argsList: RecurrentBackwardArgs[]) => void;

  /** Stacked unidirectional layers forward only in one call (a wavefront with 2+ threads). */
  readonly recurrentForwardStack?: (cell: CellKind, argsList: RecurrentForwardArgs[]) => void;

  /** Whether recurrentForward accepts workspace null (forward only; builds that report 'forward-only'). */
  readonly forwardOnly: boolean;

  /** One forward-only step in positional arguments (the streaming cells); absent in older builds. */
  readonly recurrentStep?: NonNullable<RnnkitAddon['recurrentStep']>;

  /** Zeroed floats starting on a 64-byte boundary (Backend.allocateAligned); absent in older builds. */
  readonly allocateAligned?: (length: number) => Float32Array;

  constructor(private readonly addon: RnnkitAddon) {
    this.forwardOnly = addon.cpuInfo().features?.includes('forward-only') === true;
    // Present only when the binary has them (an older build still loads, one call per direction).
    const forwardBatch = addon.recurrentForwardBatch;
    const backwardBatch = addon.recurrentBackwardBatch;
    if (forwardBatch !== undefined && backwardBatch !== undefined) {
      this.recurrentForwardBatch = (cell, argsList) => forwardBatch.call(addon, cell, argsList);
      this.recurrentBackwardBatch = (cell, argsList) => backwardBatch.call(addon, cell, argsList);
    }
    const forwardStack = addon.recurrentForwardStack;
    if (forwardStack !== undefined) this.recurrentForwardStack = (cell, argsList) => forwardStack.call(addon, cell, argsList);
    // The addon's own function, bound once: a streaming step pays no wrapper call.
    if (addon.recurrentStep !== undefined) this.recurrentStep = addon.recurrentStep.bind(addon);
    const misalignment = addon.addressMisalignment;
    if (misalignment !== undefined) {
      this.allocateAligned = (length) => {
        // 60 spare bytes: enough to reach the boundary from any 4-byte aligned start
        const buffer = new ArrayBuffer(length * 4 + 60);
        const past = misalignment.call(addon, buffer, 64);
        return new Float32Array(buffer, past % 4 === 0 ? (64 - past) % 64 : 0, length);
      };
    }
  }

  /** Which SIMD path, thread count and build the loaded binary uses. */
  cpuInfo(): AddonCpuInfo {
    return this.addon.cpuInfo();
  }

  /**
   * Sizes the kernel thread pool (process-wide; lib/backend/threads.ts documents it). Throws when the
   * loaded binary predates setNumThreads (rebuild it); RNNKIT_NUM_THREADS works with any build.
   */
  setNumThreads(n: number): void {
    if (this.addon.setNumThreads === undefined) {
      throw new Error('rnnkit: this native addon build has no setNumThreads (a stale build? run npm run build:gyp)');
    }
    this.addon.setNumThreads(n);
  }

  /** The kernel thread pool's size (cpuInfo().threads for builds without getNumThreads). */
  getNumThreads(): number {
    return this.addon.getNumThreads === undefined ? this.addon.cpuInfo().threads : this.addon.getNumThreads();
  }

  sgemm(
    transA: boolean, transB: boolean, M: number, N: number, K: number,
    alpha: number, A: Float32Array, lda: number, B: Float32Array, ldb: number,
    beta: number, C: Float32Array, ldc: number,
  ): void {
    this.addon.sgemm(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
  }

  recurrentWorkspaceSize(cell: CellKind, T: number, B: number, H: number): number {
    return this.addon.recurrentWorkspaceSize(cell, T, B, H);
  }

  recurrentBackwardWorkspaceSize(cell: CellKind, T: number, B: number, H: number): number {
    return this.addon.recurrentBackwardWorkspaceSize(cell, T, B, H);
  }

  recurrentForward(cell: CellKind, args: RecurrentForwardArgs): void {
    this.addon.recurrentForward(cell, args);
  }

  recurrentBackward(cell: CellKind, args: RecurrentBackwardArgs): void {
    this.addon.recurrentBackward(cell, args);
  }

  /** recurrentForward on libuv's thread pool, leaving the event loop free (not part of Backend). */
  recurrentForwardAsync(cell: CellKind, args: RecurrentForwardArgs): Promise<void> {
    return this.addon.recurrentForwardAsync(cell, args);
  }

  /** recurrentBackward on libuv's thread pool (not part of Backend). */
  recurrentBackwardAsync(cell: CellKind, args: RecurrentBackwardArgs): Promise<void> {
    return this.addon.recurrentBackwardAsync(cell, args);
  }

  tanh(out: Float32Array, x: Float32Array): void {
    this.addon.tanh(out, x);
  }

  sigmoid(out: Float32Array, x: Float32Array): void {
    this.addon.sigmoid(out, x);
  }

  axpy(y: Float32Array, alpha: number, x: Float32Array): void {
    this.addon.axpy(y, alpha, x);
  }

  mul(out: Float32Array, a: Float32Array, b: Float32Array): void {
    this.addon.mul(out, a, b);
  }

  softmaxRows(out: Float32Array, x: Float32Array, rows: number, cols: number): void {
    this.addon.softmaxRows(out, x, rows, cols);
  }

  logSoftmaxRows(out: Float32Array, x: Float32Array, rows: number, cols: number): void {
    this.addon.logSoftmaxRows(out, x, rows, cols);
  }
}

/** The native backend, or the reason it cannot be loaded here (no binary for this platform, ...). */
export function loadNativeBackend(): { backend: Backend } | { reason: string } {
  try {
    return { backend: new NativeBackend(loadAddon()) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // Installed from the registry (under node_modules) the fix is a rebuild; in a checkout, a build.
    const fix = /[\\/]node_modules[\\/]/.test(packageRoot())
      ? '`npm rebuild rnnkit` compiles one (needs python3, make and a C++17 compiler); RNNKIT_BACKEND=js silences this'
      : 'npm run build:gyp builds one';
    return { reason: `no native addon could be loaded: ${message.split('\n')[0]}; ${fix}` };
  }
}
