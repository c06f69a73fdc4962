#!/usr/bin/env bash
# The C++ kernel tests (test/kernels) cross-compiled for arm64 and run under qemu-user, so the NEON
# path (native/kernels/isa/neon.cc) is built and proved on an x86-64 machine. Installs Debian's
# g++-aarch64-linux-gnu and qemu-user when they are missing (apt-get, as root or through sudo), builds
# only the test executable with cmake/aarch64-linux-gnu.cmake, and runs it. Release (-O3), the
# addon's own optimization level, so the tests run the code that ships (at -O2 GCC does not unroll
# the microkernel's register tile); no sanitizers (ASan does not run under qemu-user). About 40 s on
# the 2-core CI machine from a clean build/kernels-arm64. The last line is the tests' own
# "N passed, N failed"; the exit code is theirs too.
#   scripts/test-kernels-arm64.sh [test-name-filter]
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=build/kernels-arm64
cross_cxx=aarch64-linux-gnu-g++
emulator=qemu-aarch64

if ! command -v "$cross_cxx" > /dev/null || ! command -v "$emulator" > /dev/null; then
  echo "installing g++-aarch64-linux-gnu and qemu-user (apt-get)"
  as_root=()
  [ "$(id -u)" -ne 0 ] && as_root=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${as_root[@]}" apt-get install -y --no-install-recommends g++-aarch64-linux-gnu qemu-user > /dev/null ||
    { "${as_root[@]}" apt-get update > /dev/null && \
      "${as_root[@]}" apt-get install -y --no-install-recommends g++-aarch64-linux-gnu qemu-user > /dev/null; }
fi

cmake -S . -B "$build_dir" -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake \
  -DCMAKE_BUILD_TYPE=Release -DRNNKIT_SANITIZE=OFF > /dev/null
cmake --build "$build_dir" --target rnnkit_kernel_tests -j "$(nproc 2> /dev/null || echo 2)"

# qemu-aarch64 finds the aarch64 loader and libstdc++ under the -L prefix.
exec "$emulator" -L /usr/aarch64-linux-gnu "$build_dir/rnnkit_kernel_tests" "$@"
