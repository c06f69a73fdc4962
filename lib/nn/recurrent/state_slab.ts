/**
 * Fresh state arrays for the untaped recurrent step (cells.ts), cut from shared slabs instead of
 * allocated one by one. Not a pool: a slab is never reused, so no two arrays ever alias and every
 * array starts zeroed, as `new Float32Array(n)` does.
 *
 * Why: a Float32Array of more than 64 bytes gets an off-heap backing store of its own, which V8
 * allocates, tracks and frees on its background threads. For a streaming LSTMCell step (I = H = 256,
 * B = 1, native backend, on an AMD Zen 5) that cost 2 µs of a 24 µs step at one thread and 4 µs of a
 * 20 µs step at two (the pool's worker spinning on the other core competes with V8's helpers); a view
 * into a slab costs about 0.2 µs, and the slab's own allocation is shared by the steps cut from it.
 *
 * The trade: a slab lives as long as any view into it, so a program that keeps one state out of
 * every N steps keeps up to one slab (32 KiB) per kept state. Requests over a quarter of a slab get
 * an array of their own: their kernel call is long enough that the allocation does not show.
 */
const SLAB_BYTES = 32 * 1024;
const MAX_SLAB_REQUEST_BYTES = SLAB_BYTES / 4;

let slab = new ArrayBuffer(0);
let slabOffset = 0;

/** A new zero-filled Float32Array of `length` floats (a view into the current slab when small). */
export function stateArray(length: number): Float32Array {
  const bytes = length * Float32Array.BYTES_PER_ELEMENT;
  if (bytes > MAX_SLAB_REQUEST_BYTES) return new Float32Array(length);
  if (slabOffset + bytes > slab.byteLength) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabOffset = 0;
  }
  const array = new Float32Array(slab, slabOffset, length);
  // Each view starts on a 64-byte line, as a fresh backing store does: the kernels' vector loads of
  // the state then never straddle a cache line.
  slabOffset += Math.ceil(bytes / 64) * 64;
  return array;
}
