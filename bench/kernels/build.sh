#!/bin/sh
# Builds the C++ kernel microbenchmarks (bench/kernels/*.cc) against the kernel sources with the
# same flags as the addon (-O3; the per-ISA flags only on native/kernels/isa/*.cc; no -march=native)
# into build/bench-kernels/. Usage: sh bench/kernels/build.sh && ./build/bench-kernels/gemm_bench
set -e
cd "$(dirname "$0")/../.."
out=build/bench-kernels
mkdir -p "$out"
CXX=${CXX:-g++}
FLAGS="-std=c++17 -O3 -g -Wall -Wextra -Wno-unused-parameter -Inative/kernels"
objs=""
# scalar, sse2 and neon need no flag (sse2/neon are stubs off their architecture)
for src in $(node -p "require('./native/sources.json').kernels.join(' ')") native/kernels/isa/scalar.cc \
    native/kernels/isa/sse2.cc native/kernels/isa/neon.cc; do
  obj="$out/$(basename "$src" .cc).o"; $CXX $FLAGS -c "$src" -o "$obj" & objs="$objs $obj"
done
$CXX $FLAGS -mavx2 -mfma -c native/kernels/isa/avx2.cc -o "$out/avx2.o" &
$CXX $FLAGS -mavx512f -mfma -c native/kernels/isa/avx512.cc -o "$out/avx512.o" &
wait
for bench in bench/kernels/*.cc; do
  $CXX $FLAGS "$bench" $objs "$out/avx2.o" "$out/avx512.o" -o "$out/$(basename "$bench" .cc)" -lpthread
done
