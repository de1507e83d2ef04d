// SPDX-License-Identifier: GPL-3.0-or-later
// Facts about the machine that apps act on before doing real work.
#pragma once

namespace hd::app {

// Worker threads for a `threads` setting: 0 means all cores.
int resolve_threads(int requested);

// OpenBLAS 0.3.21 misdetects AVX-512 CPUs and runs sgemm ~5x slower. Where /proc/cpuinfo
// lists avx512f and OPENBLAS_CORETYPE is unset, this sets OPENBLAS_CORETYPE=SkylakeX and
// re-executes the program (OpenBLAS reads it when the library is loaded, before main).
// Call it first thing in main of every program that links LibTorch. Returns normally
// when nothing needs doing.
void tune_blas_for_cpu(int argc, char** argv);

bool cpu_has_avx512f();

// LibTorch's CPU allocator hands every freed activation back to malloc, and glibc returns
// blocks above its mmap threshold to the kernel, so each multi-megabyte activation is
// page-faulted in again on its next use (about 800 000 minor faults in one bench_edm2
// run). This serves blocks up to 32 MiB from the heap and never trims it: a third of the
// faults, and the edm2 forward pass and training step ~5-10 % faster. Call it at the start
// of every program that runs LibTorch models; the heap then keeps its high-water mark.
void keep_freed_memory_for_reuse();

}  // namespace hd::app
