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
#include <type_traits>

namespace rnnkit {

using TaskFn = void (*)(void* context, int64_t task);

// Runs fn(context, task) for every task in [0, tasks) and returns when all are done.
void parallel_for(int64_t tasks, TaskFn fn, void* context);

// Same with any callable f(int64_t task); f is passed by reference, nothing is copied or allocated.
template <class F>
void parallel_for(int64_t tasks, F&& f) {
  using Callable = std::remove_reference_t<F>;
  parallel_for(
      tasks, [](void* context, int64_t task) { (*static_cast<Callable*>(context))(task); },
      const_cast<void*>(static_cast<const void*>(&f)));
}

int thread_count();                 // also declared in kernels.h
void set_thread_count(int threads);  // also declared in kernels.h

}  // namespace rnnkit
