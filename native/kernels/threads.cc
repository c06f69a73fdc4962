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

constexpr int kMaxThreads = 256;

thread_local bool in_pool_task = false;  // set while a thread runs tasks: nested calls run inline

// The initial size: RNNKIT_NUM_THREADS, else the logical CPU count (at most 16) — but 1 on machines
// with 2 or fewer: there the second CPU is typically an SMT sibling or a shared vCPU, and on the CI
// machine (2 vCPUs) two threads ran the LSTM time loop 2× slower than one (they time-slice, and
// every per-step GEMM then waits for the descheduled half). RNNKIT_NUM_THREADS=2 (or
// set_thread_count, the binding's setNumThreads) where two real cores are free.
int configured_threads() {
  if (const char* env = std::getenv("RNNKIT_NUM_THREADS")) {
    const long n = std::strtol(env, nullptr, 10);
    if (n >= 1) return static_cast<int>(std::min<long>(n, kMaxThreads));
  }
  const unsigned hw = std::thread::hardware_concurrency();
  return hw <= 2 ? 1 : static_cast<int>(std::min<unsigned>(hw, 16));
}

class ThreadPool {
 public:
  explicit ThreadPool(int threads) { resize(threads); }

  int size() const { return active_.load(std::memory_order_relaxed); }

  // Uses `threads` threads from now on (the caller included): grows the worker set when needed;
  // shrinking just leaves the surplus workers parked. Waits for a running parallel_for to finish.
  void resize(int threads) {
    std::lock_guard<std::mutex> owner(call_mutex_);
    uint64_t generation;  // fixed while call_mutex_ is held: new workers start from it
    {
      std::lock_guard<std::mutex> lock(mutex_);
      generation = generation_;
    }
    while (static_cast<int>(workers_.size()) < threads - 1) {
      const int index = static_cast<int>(workers_.size());
      workers_.emplace_back([this, index, generation] { worker_loop(index, generation); });
    }
    active_.store(threads, std::memory_order_relaxed);
  }

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
      // Workers 0 … participants − 1 take tasks; no more than there are tasks to share.
      participants_ = static_cast<int>(std::min<int64_t>(active_.load(std::memory_order_relaxed) - 1, tasks - 1));
      pending_workers_ = participants_;
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

  // `seen`: the generation current when the worker was added; it joins from the next one on.
  void worker_loop(int index, uint64_t seen) {
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mutex_);
        work_ready_.wait(lock, [&] { return generation_ != seen; });
        seen = generation_;
        if (index >= participants_) continue;  // not needed this time
      }
      run_tasks();
      std::lock_guard<std::mutex> lock(mutex_);
      if (--pending_workers_ == 0) all_done_.notify_one();
    }
  }

  std::mutex call_mutex_;  // held by the one parallel_for using the pool, and by resize()
  std::mutex mutex_;       // guards the fields below
  std::condition_variable work_ready_, all_done_;
  uint64_t generation_ = 0;
  int participants_ = 0;
  int pending_workers_ = 0;
  TaskFn fn_ = nullptr;
  void* context_ = nullptr;
  int64_t tasks_ = 0;
  std::atomic<int64_t> next_{0};
  std::atomic<int> active_{1};
  std::vector<std::thread> workers_;
};

ThreadPool& pool() {
  static ThreadPool* instance = new ThreadPool(configured_threads());  // never destroyed, see above
  return *instance;
}

}  // namespace

int thread_count() { return pool().size(); }

void set_thread_count(int threads) { pool().resize(std::max(1, std::min(threads, kMaxThreads))); }

void parallel_for(int64_t tasks, TaskFn fn, void* context) {
  if (tasks <= 0) return;
  if (tasks > 1 && !in_pool_task && pool().size() > 1 && pool().try_run(tasks, fn, context)) return;
  for (int64_t task = 0; task < tasks; ++task) fn(context, task);
}

}  // namespace rnnkit
