// Runs every TEST registered by the *_test.cc files (optionally only those whose name contains
// argv[1]) and prints one line per failure and the closing "N passed, N failed" line. Exit code 1 on
// any failure. Built as rnnkit_kernel_tests by CMakeLists.txt; `npm run test:kernels` runs it under
// AddressSanitizer and UBSan.
#include <cstdlib>
#include <cstring>
#include <utility>

#include "test.h"

namespace rnnkit_test {
namespace {

std::vector<std::pair<const char*, void (*)()>>& registry() {
  static std::vector<std::pair<const char*, void (*)()>> tests;
  return tests;
}

int failures_in_current_test = 0;

}  // namespace

bool register_test(const char* name, void (*fn)()) {
  registry().emplace_back(name, fn);
  return true;
}

void record_failure(const char* file, int line, const std::string& message) {
  if (failures_in_current_test < 10) std::printf("    FAIL %s:%d: %s\n", file, line, message.c_str());
  ++failures_in_current_test;
}

}  // namespace rnnkit_test

int main(int argc, char** argv) {
  using namespace rnnkit_test;
  // Run the thread pool with workers even on small machines, so the threaded GEMM paths are tested
  // (under the sanitizers too); RNNKIT_NUM_THREADS set by the caller wins.
#if defined(_WIN32)
  if (std::getenv("RNNKIT_NUM_THREADS") == nullptr) _putenv_s("RNNKIT_NUM_THREADS", "3");
#else
  setenv("RNNKIT_NUM_THREADS", "3", 0);
#endif
  const char* filter = argc > 1 ? argv[1] : nullptr;
  std::printf("rnnkit kernel tests: dispatched ISA %s, %d thread(s); tables here:", rnnkit::active_isa_name(),
              rnnkit::thread_count());
  for (const auto* table : usable_tables()) std::printf(" %s", table->name);
  std::printf("\n");
  int passed = 0, failed = 0;
  for (const auto& [name, fn] : registry()) {
    if (filter != nullptr && std::strstr(name, filter) == nullptr) continue;
    failures_in_current_test = 0;
    fn();
    if (failures_in_current_test == 0) {
      ++passed;
      std::printf("  ok   %s\n", name);
    } else {
      ++failed;
      std::printf("  FAIL %s (%d failed checks)\n", name, failures_in_current_test);
    }
  }
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
