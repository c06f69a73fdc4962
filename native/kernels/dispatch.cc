// Fills the KernelTables once and picks the one in use (dispatch.h). CPU features come from CPUID
// plus XGETBV: a CPU can report AVX2 while the OS has not enabled the YMM/ZMM register state, and
// then the instructions fault, so both must agree (Intel SDM 14.3, "Detection of AVX instructions").
// SSE2 needs only its CPUID bit (always set on x86-64; the XMM state is part of the x86-64 ABI). On
// AArch64, NEON is part of the base architecture: no check.
#include "dispatch.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "kernels.h"

#if defined(__x86_64__) || defined(__i386__) || defined(_M_X64)
#define RNNKIT_X86 1
#if defined(_MSC_VER)
#include <immintrin.h>
#include <intrin.h>
#else
#include <cpuid.h>
#endif
#endif

namespace rnnkit {
namespace {

#if defined(RNNKIT_X86)
void cpuid(unsigned leaf, unsigned subleaf, unsigned regs[4]) {
#if defined(_MSC_VER)
  int r[4];
  __cpuidex(r, static_cast<int>(leaf), static_cast<int>(subleaf));
  for (int i = 0; i < 4; ++i) regs[i] = static_cast<unsigned>(r[i]);
#else
  regs[0] = regs[1] = regs[2] = regs[3] = 0;
  __cpuid_count(leaf, subleaf, regs[0], regs[1], regs[2], regs[3]);
#endif
}

uint64_t xgetbv0() {
#if defined(_MSC_VER)
  return _xgetbv(0);
#else
  uint32_t eax = 0, edx = 0;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return (static_cast<uint64_t>(edx) << 32) | eax;
#endif
}

struct CpuFeatures {
  bool sse2 = false;
  bool avx2_fma = false;
  bool avx512f = false;
};

CpuFeatures detect() {
  CpuFeatures f;
  unsigned r[4];
  cpuid(0, 0, r);
  const unsigned max_leaf = r[0];
  if (max_leaf < 1) return f;
  cpuid(1, 0, r);
  f.sse2 = (r[3] >> 26) & 1;
  if (max_leaf < 7) return f;
  const bool osxsave = (r[2] >> 27) & 1, avx = (r[2] >> 28) & 1, fma = (r[2] >> 12) & 1;
  if (!osxsave || !avx) return f;
  const uint64_t xcr0 = xgetbv0();
  const bool ymm_state = (xcr0 & 0x6) == 0x6;     // SSE + AVX state enabled by the OS
  const bool zmm_state = (xcr0 & 0xE6) == 0xE6;   // + opmask, ZMM_Hi256, Hi16_ZMM
  cpuid(7, 0, r);
  const bool avx2 = (r[1] >> 5) & 1, avx512f = (r[1] >> 16) & 1;
  f.avx2_fma = ymm_state && avx2 && fma;
  f.avx512f = f.avx2_fma && zmm_state && avx512f;
  return f;
}
#endif

struct Tables {
  KernelTable scalar{}, sse2{}, avx2{}, avx512{}, neon{};
  bool has_sse2 = false, has_avx2 = false, has_avx512 = false, has_neon = false;
  const KernelTable* chosen = nullptr;

  Tables() {
    fill_scalar(&scalar);
#if defined(RNNKIT_X86)
    const CpuFeatures cpu = detect();
    has_sse2 = cpu.sse2 && fill_sse2(&sse2);
    has_avx2 = cpu.avx2_fma && fill_avx2(&avx2);
    has_avx512 = cpu.avx512f && fill_avx512(&avx512);
#endif
    has_neon = fill_neon(&neon);  // a stub returning false except on AArch64
    // widest first: avx512 > avx2 > sse2 > scalar on x86, neon > scalar on arm64
    chosen = has_avx512 ? &avx512 : has_avx2 ? &avx2 : has_sse2 ? &sse2 : has_neon ? &neon : &scalar;
    if (const char* forced = std::getenv("RNNKIT_SIMD"); forced != nullptr && *forced != '\0') {
      if (const KernelTable* table = find(forced)) {
        chosen = table;
      } else {
        std::fprintf(stderr, "rnnkit: RNNKIT_SIMD=%s is not available on this machine/build; using %s\n",
                     forced, chosen->name);
      }
    }
  }

  const KernelTable* find(const char* isa) const {
    if (std::strcmp(isa, "scalar") == 0) return &scalar;
    if (std::strcmp(isa, "sse2") == 0 && has_sse2) return &sse2;
    if (std::strcmp(isa, "avx2") == 0 && has_avx2) return &avx2;
    if (std::strcmp(isa, "avx512") == 0 && has_avx512) return &avx512;
    if (std::strcmp(isa, "neon") == 0 && has_neon) return &neon;
    return nullptr;
  }
};

const Tables& tables() {
  static const Tables instance;  // thread-safe one-time initialization (C++11 magic statics)
  return instance;
}

thread_local const KernelTable* override_table = nullptr;

}  // namespace

const KernelTable& kernels() {
  if (override_table != nullptr) return *override_table;
  return *tables().chosen;
}

const KernelTable* kernel_table(const char* isa) { return tables().find(isa); }

int usable_kernel_tables(const KernelTable** out, int capacity) {
  const Tables& t = tables();
  const KernelTable* all[] = {&t.scalar, t.has_sse2 ? &t.sse2 : nullptr, t.has_avx2 ? &t.avx2 : nullptr,
                              t.has_avx512 ? &t.avx512 : nullptr, t.has_neon ? &t.neon : nullptr};
  int count = 0;
  for (const KernelTable* table : all) {
    if (table != nullptr && count < capacity) out[count++] = table;
  }
  return count;
}

ScopedKernelTable::ScopedKernelTable(const KernelTable& table) : previous_(override_table) {
  override_table = &table;
}

ScopedKernelTable::~ScopedKernelTable() { override_table = previous_; }

const char* active_isa_name() { return kernels().name; }

}  // namespace rnnkit
