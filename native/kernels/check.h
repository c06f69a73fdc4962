// RNNKIT_ASSERT: preconditions inside the kernels. The kernels never throw and never validate user
// input (native/binding does that, at the boundary); an assert documents an invariant and, in debug
// builds or with RNNKIT_CHECKS defined (the C++ tests), stops the process with the failed condition.
#pragma once

#include <cstdio>
#include <cstdlib>

#if !defined(NDEBUG) || defined(RNNKIT_CHECKS)
#define RNNKIT_ASSERT(cond)                                                                \
  do {                                                                                     \
    if (!(cond)) {                                                                         \
      std::fprintf(stderr, "rnnkit: assertion failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
      std::abort();                                                                        \
    }                                                                                      \
  } while (0)
#else
#define RNNKIT_ASSERT(cond) ((void)0)
#endif
