// The thread pool behind parallel_for (threads.h). Workers sleep on a condition variable and are
// woken once per parallel_for; tasks are claimed with one compare-and-swap on an atomic that also
// names the call, so uneven tasks balance themselves and the caller, which claims too, never waits
// for a worker that has not started (on a shared 2-vCPU machine a woken worker can sit descheduled
// for milliseconds: the caller then simply runs its tasks). The pool object is intentionally never destroyed: worker threads may still be parked
// when the process (or Node) exits, and joining them from a static destructor would race with exit.
//
// Waking a sleeping worker (a futex wake) takes 5–15 µs on this project's 2-vCPU VM, longer than a
// whole streaming LSTM step at H = 256: so a worker that finishes a call spins for up to kSpin
// (polling published_, which names the next call and its participants) before it sleeps, and the
// caller spins as long for its workers' tasks before it waits. Neither takes mutex_ on that path (a
// contended mutex is a futex sleep too), and a worker finishing the last task notifies only a caller
// that is really asleep. Back-to-back calls (a time loop, a stream of one-step calls from
// JavaScript) then find the worker awake; a pool left idle sleeps after kSpin. Only pools of 2+
// threads spin, i.e. only when setNumThreads / RNNKIT_NUM_THREADS asked for them.
#include "threads.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#include "kernels.h"

namespace rnnkit {
namespace {

constexpr int kMaxThreads = 256;
constexpr std::chrono::microseconds kSpin{100};  // spin before sleeping (header)

// A polite busy-wait step: tells the core (and its SMT sibling) that this thread is spinning.
inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__) || defined(_M_X64) || defined(_M_IX86)
  __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
  __asm__ __volatile__("yield");
#endif
}

constexpr std::chrono::microseconds kSpinAlone{10};  // then yield between polls (spin_until)

// Spins until done() or kSpin has passed; whether done() became true. After kSpinAlone the loop
// yields the CPU between polls: when the machine has more runnable threads than cores, a spinning
// worker then gives way instead of taking a core's time from the caller it is waiting for (with a
// busy second core, pure spinning made 2 threads 2x slower than 1); with a core to itself, yield
// returns at once. kSpinAlone covers the gap between two calls from JavaScript (a few µs of the
// caller's own work): a worker already in a yield syscall (costly in a VM) when the next call comes
// answers late. Paired in one process (bench/kernels/paired.cc "stream gap", 2 threads, AMD Zen 5
// VM, 30 pairs), the streaming LSTM step (I = H = 256) with 1.5 µs of other work between calls took
// 0.930–0.939× the time with 10 µs as with 2 µs (5 µs: 0.930, 20: 0.913, 50: 0.957), with 3 µs
// between calls 0.958× (5: 0.966, 20: 0.959); with a busy-loop process on the machine, 0.963×, and a
// whole LSTM sequence (T=100 B=32 I=H=256, forward) 0.985×.
template <class Done>
bool spin_until(const Done& done) {
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    for (int i = 0; i < 64; ++i) {
      if (done()) return true;
      cpu_relax();
    }
    const auto spun = std::chrono::steady_clock::now() - start;
    if (spun >= kSpin) return done();
    if (spun >= kSpinAlone) std::this_thread::yield();
  }
}

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
    uint32_t generation;  // fixed while call_mutex_ is held: new workers start from it
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
    if (tasks > kMaxTasks) return false;
    std::unique_lock<std::mutex> owner(call_mutex_, std::try_to_lock);
    if (!owner.owns_lock()) return false;
    uint32_t generation;
    int participants;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      fn_ = fn;
      context_ = context;
      done_.store(0, std::memory_order_relaxed);
      // Workers 0 … participants − 1 are woken; no more than there are tasks to share.
      participants = participants_ =
          static_cast<int>(std::min<int64_t>(active_.load(std::memory_order_relaxed) - 1, tasks - 1));
      generation = ++generation_;
      claim_.store(pack(generation, tasks, 0), std::memory_order_release);
    }
    published_.store(pack_published(generation, participants), std::memory_order_release);
    work_ready_.notify_all();
    run_tasks(generation);
    // Wait only for tasks that workers have claimed and are still running: a worker that has not
    // woken up yet claims nothing late (the generation in claim_ has moved on), so a descheduled
    // worker costs nothing; the caller has already taken whatever was left.
    if (!spin_until([&] { return done_.load(std::memory_order_acquire) == tasks; })) {
      std::unique_lock<std::mutex> lock(mutex_);
      // seq_cst store, then the predicate's seq_cst load: with the finishing worker's seq_cst
      // increment and load of caller_waiting_, one of the two sees the other (no lost wake-up).
      caller_waiting_.store(true);
      all_done_.wait(lock, [&] { return done_.load() == tasks; });
      caller_waiting_.store(false);
    }
    return true;
  }

 private:
  // claim_ packs (generation, task count, next task index), so claiming is one compare-and-swap that
  // fails for a call that is over: a late worker can never take a task of a later call.
  static constexpr int64_t kMaxTasks = 0xffff;
  static uint64_t pack(uint32_t generation, int64_t tasks, int64_t next) {
    return (static_cast<uint64_t>(generation) << 32) | (static_cast<uint64_t>(tasks) << 16) | static_cast<uint64_t>(next);
  }
  // published_ packs (generation, participants) for the spinning workers.
  static uint64_t pack_published(uint32_t generation, int participants) {
    return (static_cast<uint64_t>(generation) << 32) | static_cast<uint32_t>(participants);
  }

  // Claims and runs tasks of call `generation` until none is left.
  void run_tasks(uint32_t generation) {
    const bool was_in_task = in_pool_task;
    in_pool_task = true;
    uint64_t v = claim_.load(std::memory_order_acquire);
    for (;;) {
      const int64_t tasks = static_cast<int64_t>((v >> 16) & 0xffff), next = static_cast<int64_t>(v & 0xffff);
      if (static_cast<uint32_t>(v >> 32) != generation || next >= tasks) break;
      if (!claim_.compare_exchange_weak(v, v + 1, std::memory_order_acq_rel, std::memory_order_acquire)) continue;
      fn_(context_, next);  // stable: this call cannot end before its claimed tasks are done
      if (done_.fetch_add(1) + 1 == tasks && caller_waiting_.load()) {
        { std::lock_guard<std::mutex> lock(mutex_); }  // the waiter is either before its check or waiting
        all_done_.notify_one();
      }
      v = claim_.load(std::memory_order_acquire);
    }
    in_pool_task = was_in_task;
  }

  // `seen`: the generation current when the worker was added; it joins from the next one on.
  void worker_loop(int index, uint32_t seen) {
    bool spin = false;  // whether the last call used this worker (parked surplus workers just sleep)
    for (;;) {
      uint32_t generation;
      uint64_t published = 0;
      // A newer call published while spinning: join it without mutex_ (run_tasks claims nothing of
      // a call that is already over). Else sleep until one comes.
      if (spin && spin_until([&] {
            published = published_.load(std::memory_order_acquire);
            return static_cast<int32_t>(static_cast<uint32_t>(published >> 32) - seen) > 0;
          })) {
        seen = generation = static_cast<uint32_t>(published >> 32);
        spin = index < static_cast<int>(static_cast<uint32_t>(published));
      } else {
        std::unique_lock<std::mutex> lock(mutex_);
        work_ready_.wait(lock, [&] { return generation_ != seen; });
        seen = generation = generation_;
        spin = index < participants_;
      }
      if (!spin) continue;  // not needed this time
      run_tasks(generation);
    }
  }

  std::mutex call_mutex_;  // held by the one parallel_for using the pool, and by resize()
  std::mutex mutex_;       // guards generation_, participants_ and the waits
  std::condition_variable work_ready_, all_done_;
  uint32_t generation_ = 0;
  int participants_ = 0;
  TaskFn fn_ = nullptr;  // written before claim_ is published, read after a successful claim
  void* context_ = nullptr;
  std::atomic<uint64_t> claim_{0};
  std::atomic<uint64_t> published_{0};    // pack_published(generation_, participants_), stored after mutex_
  std::atomic<bool> caller_waiting_{false};  // the caller sleeps on all_done_
  std::atomic<int64_t> done_{0};  // tasks of the current call finished
  std::atomic<int> active_{1};
  std::vector<std::thread> workers_;
};

ThreadPool& pool() {
  static ThreadPool* instance = new ThreadPool(configured_threads());  // never destroyed, see above
  return *instance;
}

}  // namespace

int thread_count() { return pool().size(); }

int usable_threads() { return in_pool_task ? 1 : pool().size(); }

void set_thread_count(int threads) { pool().resize(std::max(1, std::min(threads, kMaxThreads))); }

void parallel_for(int64_t tasks, TaskFn fn, void* context) {
  if (tasks <= 0) return;
  if (tasks > 1 && !in_pool_task && pool().size() > 1 && pool().try_run(tasks, fn, context)) return;
  for (int64_t task = 0; task < tasks; ++task) fn(context, task);
}

}  // namespace rnnkit
