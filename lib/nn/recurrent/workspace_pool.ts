/**
 * Reuse of the large buffers a recorded recurrent layer needs: forward's workspace (kept until its
 * backward) and backward's scratch (needed only during the call). A training step allocated both
 * afresh, 7·T·B·H floats of workspace per LSTM layer (46 MB at T = 100, B = 32, H = 512) and
 * 4·T·B·H of scratch, and a fresh buffer costs more than its zero-fill: the kernel's first touch of
 * each page faults (about 16 ms per 46 MB here, 10–15% of the 2-layer LSTM step), and the garbage
 * left behind triggers V8 collections. A buffer given back after its backward is handed out again to
 * the next call that fits, as PyTorch's caching allocator does.
 *
 * Contents of a buffer from `takeBuffer` are undefined (stale), which the Backend contract allows
 * for both: forward writes every value of its workspace, backward's scratch is "contents undefined
 * on entry" (backend.ts).
 *
 * Bounds: only buffers of POOL_MIN_FLOATS or more are pooled (smaller ones are cheap to allocate);
 * a request takes the smallest free buffer of at least its size and at most twice it; the free
 * buffers total at most POOL_MAX_FLOATS (the oldest given back are dropped first). In a training
 * loop the pool holds, between steps, the buffers the previous step had live at once, so it adds
 * nothing to the peak memory of a step; it lowers it (no garbage waiting for the collector).
 */

/** 64 KiB: below this a fresh Float32Array costs about what searching the pool would. */
const POOL_MIN_FLOATS = 1 << 14;
/** 256 MiB of free buffers at most. */
const POOL_MAX_FLOATS = 1 << 26;

/** Buffers this pool allocated (only those come back in), with how many times each was handed out. */
const issues = new WeakMap<ArrayBuffer, number>();
/** Free buffers, oldest given back first, each a view of its whole ArrayBuffer. */
const free: Float32Array[] = [];
let freeFloats = 0;

/** A buffer of exactly `size` floats, contents undefined: a free pooled one when one fits, else new. */
export function takeBuffer(size: number): Float32Array {
  if (size < POOL_MIN_FLOATS) return new Float32Array(size);
  let best = -1;
  for (let i = 0; i < free.length; i++) {
    const n = free[i]!.length;
    if (n >= size && n <= 2 * size && (best < 0 || n < free[best]!.length)) best = i;
  }
  if (best < 0) {
    const fresh = new Float32Array(size);
    issues.set(fresh.buffer, 1);
    return fresh;
  }
  const whole = free.splice(best, 1)[0]!;
  freeFloats -= whole.length;
  issues.set(whole.buffer as ArrayBuffer, issues.get(whole.buffer as ArrayBuffer)! + 1);
  return whole.length === size ? whole : whole.subarray(0, size);
}

/**
 * Gives back a buffer from `takeBuffer` that its owner will not read again unless `takeBack` lets it;
 * others are ignored. Returns the token `takeBack` needs.
 */
export function giveBack(buffer: Float32Array): number {
  const ab = buffer.buffer as ArrayBuffer;
  const issued = issues.get(ab);
  if (issued === undefined) return -1;
  if (!free.some((f) => f.buffer === ab)) {
    const whole = new Float32Array(ab);
    free.push(whole);
    freeFloats += whole.length;
    while (freeFloats > POOL_MAX_FLOATS) freeFloats -= free.shift()!.length;
  }
  return issued;
}

/**
 * Takes a given-back buffer out of the pool again, contents intact, if no call has taken it since
 * `giveBack` returned `token`; false if one has (its contents are then another call's). For a second
 * backward through a node, whose saved workspace went back after the first.
 */
export function takeBack(buffer: Float32Array, token: number): boolean {
  const ab = buffer.buffer as ArrayBuffer;
  if (issues.get(ab) !== token) return false;
  const at = free.findIndex((f) => f.buffer === ab);
  if (at >= 0) {
    freeFloats -= free[at]!.length;
    free.splice(at, 1);
  }
  issues.set(ab, token + 1); // taken again: a later takeBack with the old token must fail
  return true;
}

/** Drops every free buffer (PyTorch's empty_cache): memory back to the collector, a known state for tests. */
export function emptyPool(): void {
  free.length = 0;
  freeFloats = 0;
}
