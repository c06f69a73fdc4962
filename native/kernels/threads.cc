// The fixed thread pool behind parallel_for (threads.h). Workers sleep on a condition variable and
// are woken once per parallel_for; tasks are claimed with an atomic counter, so uneven tasks balance
// themselves. The pool object is intentionally never destroyed: worker threads may still be parked
// when the process (or Node) exits, and joining them from a static destructor would race with exit.
#include "threads.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#include "kernels.h"

namespace rnnkit {
namespace {

thread_local bool in_pool_task = false;  // set while a thread runs tasks: nested calls run inline

// RNNKIT_NUM_THREADS, else the logical CPU count (at most 16) — but 1 on machines with 2 or fewer:
// there the second CPU is typically an SMT sibling or a shared vCPU, and on the CI machine (2 vCPUs)
// two threads ran the LSTM time loop 2× slower than one (they time-slice, and every per-step GEMM
// then waits for the descheduled half). Set RNNKIT_NUM_THREADS=2 where two real cores are free.
int configured_threads() {
  if (const char* env = std::getenv("RNNKIT_NUM_THREADS")) {
    const long n = std::strtol(env, nullptr, 10);
    if (n >= 1) return static_cast<int>(std::min<long>(n, 256));
  }
  const unsigned hw = std::thread::hardware_concurrency();
  return hw <= 2 ? 1 : static_cast<int>(std::min<unsigned>(hw, 16));
}

class ThreadPool {
 public:
  explicit ThreadPool(int threads) {
    for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { worker_loop(); });
  }

  int size() const { return static_cast<int>(workers_.size()) + 1; }

  // false when another caller holds the pool: the caller then runs the tasks itself.
  bool try_run(int64_t tasks, TaskFn fn, void* context) {
    std::unique_lock<std::mutex> owner(call_mutex_, std::try_to_lock);
    if (!owner.owns_lock()) return false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      fn_ = fn;
      context_ = context;
      tasks_ = tasks;
      next_.store(0, std::memory_order_relaxed);
      pending_workers_ = static_cast<int>(workers_.size());
      ++generation_;
    }
    work_ready_.notify_all();
    run_tasks();
    std::unique_lock<std::mutex> lock(mutex_);
    all_done_.wait(lock, [this] { return pending_workers_ == 0; });
    return true;
  }

 private:
  void run_tasks() {
    const bool was_in_task = in_pool_task;
    in_pool_task = true;
    for (;;) {
      const int64_t task = next_.fetch_add(1, std::memory_order_relaxed);
      if (task >= tasks_) break;
      fn_(context_, task);
    }
    in_pool_task = was_in_task;
  }

  void worker_loop() {
    uint64_t seen = 0;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mutex_);
        work_ready_.wait(lock, [&] { return generation_ != seen; });
        seen = generation_;
      }
      run_tasks();
      std::lock_guard<std::mutex> lock(mutex_);
      if (--pending_workers_ == 0) all_done_.notify_one();
    }
  }

  std::mutex call_mutex_;  // held by the one parallel_for using the pool
  std::mutex mutex_;       // guards the fields below
  std::condition_variable work_ready_, all_done_;
  uint64_t generation_ = 0;
  int pending_workers_ = 0;
  TaskFn fn_ = nullptr;
  void* context_ = nullptr;
  int64_t tasks_ = 0;
  std::atomic<int64_t> next_{0};
  std::vector<std::thread> workers_;
};

ThreadPool& pool() {
  static ThreadPool* instance = new ThreadPool(configured_threads());  // never destroyed, see above
  return *instance;
}

}  // namespace

int thread_count() { return pool().size(); }

void parallel_for(int64_t tasks, TaskFn fn, void* context) {
  if (tasks <= 0) return;
  if (tasks > 1 && !in_pool_task && pool().size() > 1 && pool().try_run(tasks, fn, context)) return;
  for (int64_t task = 0; task < tasks; ++task) fn(context, task);
}

}  // namespace rnnkit
