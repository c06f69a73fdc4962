// The dispatch levels (dispatch.h): which KernelTables this build and CPU offer, and that the one in
// use without an override is the widest. The baseline vector level of the architecture must always be
// there (sse2 on x86-64, neon on arm64), so its kernels are never silently left untested.
#include <cstdlib>
#include <cstring>

#include "test.h"

using namespace rnnkit_test;

namespace {

int level_rank(const char* name) {  // the order of dispatch.h's list, narrowest first
  const char* order[] = {"scalar", "sse2", "avx2", "avx512", "neon"};
  for (int i = 0; i < 5; ++i)
    if (std::strcmp(name, order[i]) == 0) return i;
  return -1;
}

int expected_width(const char* name) {
  if (std::strcmp(name, "scalar") == 0) return 1;
  if (std::strcmp(name, "avx2") == 0) return 8;
  if (std::strcmp(name, "avx512") == 0) return 16;
  return 4;  // sse2, neon
}

}  // namespace

TEST(dispatch_offers_the_architecture_baseline) {
  const auto tables = usable_tables();
  CHECK(!tables.empty() && std::strcmp(tables[0]->name, "scalar") == 0);
#if defined(__x86_64__) || defined(_M_X64)
  CHECK_MSG(rnnkit::kernel_table("sse2") != nullptr, "x86-64 always has SSE2: the sse2 table must be usable");
  CHECK(rnnkit::kernel_table("neon") == nullptr);
#elif defined(__aarch64__) || defined(_M_ARM64)
  CHECK_MSG(rnnkit::kernel_table("neon") != nullptr, "AArch64 always has NEON: the neon table must be usable");
  CHECK(rnnkit::kernel_table("sse2") == nullptr && rnnkit::kernel_table("avx2") == nullptr);
#endif
  CHECK(rnnkit::kernel_table("avx3") == nullptr && rnnkit::kernel_table("") == nullptr);
}

TEST(dispatch_tables_are_ordered_named_and_sized) {
  const auto tables = usable_tables();
  for (size_t i = 0; i < tables.size(); ++i) {
    const rnnkit::KernelTable* t = tables[i];
    const std::string name = t->name;
    CHECK_MSG(level_rank(t->name) >= 0, name + ": not a level of dispatch.h");
    if (i > 0) CHECK_MSG(level_rank(tables[i - 1]->name) < level_rank(t->name), name + ": out of order");
    CHECK_MSG(rnnkit::kernel_table(t->name) == t, name + ": kernel_table(name) must return it");
    CHECK_MSG(t->width == expected_width(t->name), name + ": wrong vector width");
    CHECK_MSG(t->gemm_nr % t->width == 0 && t->gemm_mr >= 1, name + ": the tile must be whole vectors wide");
    CHECK_MSG(t->gemm_micro && t->gemm_micro_store && t->pack_a && t->pack_b && t->gemm_small_m && t->gemv_rows &&
                  t->tanh && t->sigmoid && t->axpy && t->mul && t->softmax_row && t->log_softmax_row && t->rnn_cell_backward &&
                  t->lstm_cell_forward && t->lstm_cell_backward && t->gru_cell_forward && t->gru_cell_backward,
              name + ": every entry filled");
  }
}

TEST(dispatch_chooses_the_widest_level_unless_forced) {
  const char* forced = std::getenv("RNNKIT_SIMD");
  const auto tables = usable_tables();
  const rnnkit::KernelTable& in_use = rnnkit::kernels();
  if (forced != nullptr && *forced != '\0' && rnnkit::kernel_table(forced) != nullptr) {
    CHECK_MSG(std::strcmp(in_use.name, forced) == 0, std::string("RNNKIT_SIMD=") + forced + " not in use");
  } else {
    CHECK_MSG(&in_use == tables.back(), std::string(in_use.name) + " in use, widest is " + tables.back()->name);
  }
  {
    rnnkit::ScopedKernelTable use(*tables.front());
    CHECK(&rnnkit::kernels() == tables.front());
  }
  CHECK(&rnnkit::kernels() == &in_use);
}
