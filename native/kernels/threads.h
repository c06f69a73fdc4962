// One small thread pool and parallel_for. Kernels use it for the big GEMMs and never spawn threads
// of their own. The pool is created on first use with thread_count() − 1 workers (the caller is the
// last worker); RNNKIT_NUM_THREADS sets the initial count (default in threads.cc: the logical CPU
// count up to 16, or 1 on machines with at most 2) and set_thread_count changes it at run time
// (growing adds workers; shrinking parks the surplus).
//
// Safe to call from several threads at once (the Node binding runs kernels on libuv's threads): one
// caller owns the pool at a time and any other caller, or a nested call from inside a task, simply
// runs its tasks inline. Nothing here allocates per call.
#pragma once

#include <cstdint>
#include <thread>
#include <type_traits>

#if defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86))
#include <intrin.h>
#endif

namespace rnnkit {

using TaskFn = void (*)(void* context, int64_t task);

// A spin-wait hint to the CPU (x86 pause, arm yield); nothing elsewhere.
inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86))
  _mm_pause();
#elif defined(__aarch64__) || defined(__arm__)
  __asm__ __volatile__("yield");
#endif
}

// Runs fn(context, task) for every task in [0, tasks) and returns when all are done. Tasks START in
// increasing index order (each thread claims the next index from one counter; run inline, they run in
// order), so a task may wait for a lower-numbered one: that task is already running on another
// thread, or done. (gemm.cc's shared panels rely on this.)
void parallel_for(int64_t tasks, TaskFn fn, void* context);

// Same with any callable f(int64_t task); f is passed by reference, nothing is copied or allocated.
template <class F>
void parallel_for(int64_t tasks, F&& f) {
  using Callable = std::remove_reference_t<F>;
  parallel_for(
      tasks, [](void* context, int64_t task) { (*static_cast<Callable*>(context))(task); },
      const_cast<void*>(static_cast<const void*>(&f)));
}

// Spins until ready() is true: a pause instruction per check at first (the usual wait inside a
// parallel_for is a few microseconds, for a task another thread is finishing), then yielding the CPU
// (on a shared machine that thread may be descheduled for milliseconds).
template <class Ready>
void spin_until(const Ready& ready) {
  for (int spins = 0; !ready(); ++spins) {
    if (spins < 256) {
      cpu_relax();
    } else {
      std::this_thread::yield();
    }
  }
}

int thread_count();                 // also declared in kernels.h
void set_thread_count(int threads);  // also declared in kernels.h

// The threads a parallel_for called from here would use: 1 inside a pool task (nested calls run
// inline), else thread_count(). Kernels size their schedules by it, so a GEMM running inside a task
// (one direction of a bidirectional batch, one layer of a wavefront) takes its one-thread path
// instead of a threaded schedule run task after task on one thread (32-row recurrent step: the
// shared-A column tasks, ~1.3× slower than the one-thread order of gemm.cc).
int usable_threads();

}  // namespace rnnkit
