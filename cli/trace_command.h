// RegisterTraceCommand adds `seccomp-lab trace [--backend=sim|live] [--seed=N] FILE`:
// it runs one scenario with explanations on and prints the explained timeline — the
// `about` text, under each outcome the kernel model's reason, its notes, and the
// notification queues after the step. Exit status as for `run` (run_command.h).
#pragma once

#include <CLI/CLI.hpp>

namespace sclab::cli {

void RegisterTraceCommand(CLI::App& app);

}  // namespace sclab::cli
