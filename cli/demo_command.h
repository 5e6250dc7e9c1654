// RegisterDemoCommand adds `seccomp-lab demo`: for now it assembles, validates and
// emulates the bundled example filters (bpf/examples/*.s) and prints what the kernel
// would do for the syscalls each example lists in its `; try:` lines. Later it
// becomes the simulator-versus-kernel agreement run.
#pragma once

#include <CLI/CLI.hpp>

namespace sclab::cli {

void RegisterDemoCommand(CLI::App& app);

}  // namespace sclab::cli
