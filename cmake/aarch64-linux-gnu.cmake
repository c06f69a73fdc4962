# CMake toolchain file: cross-compile for 64-bit ARM Linux with Debian's g++-aarch64-linux-gnu and run
# what it builds under qemu-user (CMAKE_CROSSCOMPILING_EMULATOR, so `ctest` works too). Used by
# scripts/test-kernels-arm64.sh to build and run the C++ kernel tests on the NEON path:
#   cmake -S . -B build/kernels-arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake
# Not part of the package: the addon itself is built natively on arm64 (no flags needed, NEON is
# AArch64's baseline).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(RNNKIT_CROSS_PREFIX aarch64-linux-gnu)
set(CMAKE_CXX_COMPILER ${RNNKIT_CROSS_PREFIX}-g++)
set(CMAKE_C_COMPILER ${RNNKIT_CROSS_PREFIX}-gcc)

# The target's libraries and headers (libstdc++, libc) live under /usr/aarch64-linux-gnu; the build
# tools stay the host's.
set(CMAKE_FIND_ROOT_PATH /usr/${RNNKIT_CROSS_PREFIX})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# qemu-aarch64 finds the target's dynamic loader and libraries under -L.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L /usr/${RNNKIT_CROSS_PREFIX})
