// The thread pool (threads.cc): set_thread_count changes thread_count() at run time, parallel_for runs
// every task exactly once at every size, the pool's workers really take tasks when there are several
// threads, and concurrent callers (as Node's main thread and worker_threads would be) plus resizing
// in between neither lose tasks nor deadlock. Ends with the count the test binary started with.
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "test.h"
#include "threads.h"

using namespace rnnkit_test;

namespace {

// Runs parallel_for(tasks) and checks each task ran exactly once.
bool every_task_once(int64_t tasks) {
  std::vector<std::atomic<int>> runs(static_cast<size_t>(tasks));
  for (auto& r : runs) r.store(0);
  rnnkit::parallel_for(tasks, [&](int64_t task) { runs[static_cast<size_t>(task)].fetch_add(1); });
  for (auto& r : runs)
    if (r.load() != 1) return false;
  return true;
}

}  // namespace

TEST(threads_set_thread_count_and_every_task_once) {
  const int initial = rnnkit::thread_count();
  for (int n : {1, 2, 4, 3, 1, 5}) {
    rnnkit::set_thread_count(n);
    CHECK_MSG(rnnkit::thread_count() == n, "thread_count() must follow set_thread_count(" + std::to_string(n) + ")");
    for (int64_t tasks : {1, 2, 3, 7, 64}) {
      CHECK_MSG(every_task_once(tasks),
                "threads=" + std::to_string(n) + ": parallel_for(" + std::to_string(tasks) + ") must run each task once");
    }
  }
  rnnkit::set_thread_count(0);
  CHECK_MSG(rnnkit::thread_count() == 1, "set_thread_count(0) clamps to 1");
  rnnkit::set_thread_count(100000);
  CHECK_MSG(rnnkit::thread_count() == 256, "set_thread_count clamps to 256");
  rnnkit::set_thread_count(initial);
}

TEST(threads_workers_take_tasks) {
  const int initial = rnnkit::thread_count();
  rnnkit::set_thread_count(2);
  // Task 0 waits (up to 5 s) until task 1 has started on another thread: only a worker can run it.
  const std::thread::id caller = std::this_thread::get_id();
  std::atomic<bool> other_started{false};
  std::atomic<bool> saw_worker{false};
  rnnkit::parallel_for(2, [&](int64_t task) {
    if (std::this_thread::get_id() != caller) saw_worker.store(true);
    if (task == 1) other_started.store(true);
    if (task == 0) {
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
      while (!other_started.load() && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
    }
  });
  CHECK_MSG(saw_worker.load(), "with 2 threads a pool worker must take one of two tasks");
  rnnkit::set_thread_count(initial);
}

TEST(threads_concurrent_callers_and_resizing) {
  const int initial = rnnkit::thread_count();
  rnnkit::set_thread_count(3);
  std::atomic<int> failures{0};
  std::vector<std::thread> callers;
  for (int c = 0; c < 3; ++c) {
    callers.emplace_back([&] {
      for (int i = 0; i < 200; ++i)
        if (!every_task_once(1 + i % 9)) failures.fetch_add(1);
    });
  }
  for (int i = 0; i < 20; ++i) rnnkit::set_thread_count(1 + i % 4);
  for (auto& t : callers) t.join();
  CHECK_MSG(failures.load() == 0, "concurrent parallel_for callers lost or repeated tasks");
  rnnkit::set_thread_count(initial);
}

// usable_threads(): thread_count() where a parallel_for would use the pool, 1 inside a pool task (a
// nested parallel_for runs inline there), so GEMMs inside a task take their one-thread schedule.
TEST(threads_usable_threads_is_one_inside_a_task) {
  const int initial = rnnkit::thread_count();
  rnnkit::set_thread_count(3);
  CHECK_MSG(rnnkit::usable_threads() == 3, "usable_threads() outside a task must be thread_count() = 3");
  std::atomic<int> inside_max{0};
  rnnkit::parallel_for(3, [&](int64_t) {
    int seen = rnnkit::usable_threads();
    int previous = inside_max.load();
    while (seen > previous && !inside_max.compare_exchange_weak(previous, seen)) {
    }
  });
  CHECK_MSG(inside_max.load() == 1, "usable_threads() inside a pool task must be 1, got " + std::to_string(inside_max.load()));
  CHECK_MSG(rnnkit::usable_threads() == 3, "usable_threads() after the parallel_for must be 3 again");
  rnnkit::set_thread_count(initial);
}
