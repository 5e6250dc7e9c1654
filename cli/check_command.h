// RegisterCheckCommand adds `seccomp-lab check` to the app: the proof that the
// simulator and the real kernel agree.
//
//   check [--seed=N] [--repeat=N] [--step-timeout-ms N] [--scenario-timeout-ms N]
//         [--quiet] [PATH…]
//
// PATH is a .scn file or a directory searched recursively for .scn files (sorted);
// the default is the whole corpus (scenarios/corpus of the source tree). Every file
// is parsed first; any diagnostic stops everything (status 2). Then each scenario
// runs on the simulator and on the live backend (--repeat times on live) and one
// row is printed: scenario, sim, live, agree. A scenario the live backend cannot
// run is "skipped" there with its reason, and counts as agreeing when the
// simulator passes. Under the table: totals, then for every disagreement the first
// differing event side by side, and for every failed check the failing events.
//
// Exit status: 0 when every scenario passes its checks on the simulator, every
// non-skipped one passes on live, and every live trace equals the simulator's;
// 1 otherwise; 2 for bad input or a backend that cannot be made.
#pragma once

#include <CLI/CLI.hpp>

namespace sclab::cli {

void RegisterCheckCommand(CLI::App& app);

}  // namespace sclab::cli
