/**
 * The native kernels' thread count: `setNumThreads(n)` / `getNumThreads()`, after
 * `torch.set_num_threads`. The C++ kernels (native/kernels/threads.cc) keep ONE thread pool per
 * process; the large GEMMs (input projections, weight gradients, big recurrent steps) split their
 * columns over it. Its initial size is `RNNKIT_NUM_THREADS`, else the number of logical CPUs (at most
 * 16) — except 1 on machines with 2 or fewer, where the second CPU is usually an SMT sibling or a
 * shared vCPU and two threads measured slower than one.
 *
 * worker_threads: every Node worker thread loads the same addon into the same process, so they all
 * share this one pool and `setNumThreads` in any of them sets it for all. A kernel call takes the
 * pool's threads only when no other call is using them; a concurrent call (another worker, or an
 * async call on libuv's pool) runs single-threaded on its own thread instead of waiting. So either
 * parallelize inside the kernels (one JS thread, setNumThreads(cores)) or across worker_threads (one
 * model per worker, setNumThreads(1)), not both: N workers × N pool threads oversubscribe the CPUs.
 *
 * Without a native addon (the js backend is single-threaded) setNumThreads only validates its
 * argument and getNumThreads returns 1.
 */
import type { NativeBackend } from './native.js';
import { nativeLoadResult } from './index.js';
import { checkPositiveInt, rangeError } from '../util/check.js';

/** The pool size the native kernels accept (native/kernels/threads.cc). */
const MAX_THREADS = 256;

function nativeBackend(): NativeBackend | null {
  const loaded = nativeLoadResult();
  return 'backend' in loaded ? (loaded.backend as NativeBackend) : null;
}

/**
 * Sets how many threads the native kernels use from now on (the calling thread included), for the
 * whole process. `n` is an integer in 1..256.
 */
export function setNumThreads(n: number): void {
  checkPositiveInt('n', n);
  if (n > MAX_THREADS) throw rangeError('n', `an integer in 1..${MAX_THREADS}`, n);
  nativeBackend()?.setNumThreads(n);
}

/** How many threads the native kernels use (1 with no native addon: the js backend is single-threaded). */
export function getNumThreads(): number {
  const backend = nativeBackend();
  return backend === null ? 1 : backend.getNumThreads();
}
