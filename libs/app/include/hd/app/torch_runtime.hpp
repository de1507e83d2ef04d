// SPDX-License-Identifier: GPL-3.0-or-later
// Start-up of programs that run LibTorch models (train, sample, evaluate, the torch tests
// and benchmarks). Two steps, because the first must happen before anything else:
//
//   int main(int argc, char** argv) {
//     hd::app::prepare_torch_process(argc, argv);   // first line of main
//     ... parse the command line ...
//     hd::app::set_torch_threads(app.threads());
#pragma once

namespace hd::app {

// Selects the right OpenBLAS kernels for this CPU (may re-execute the program) and keeps
// freed activations in the heap (hd/app/platform.hpp says why).
void prepare_torch_process(int argc, char** argv);

// LibTorch starts with one intra-op thread on these machines; this sets the count.
void set_torch_threads(int threads);

}  // namespace hd::app
