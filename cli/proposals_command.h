// RegisterProposalsCommand adds `seccomp-lab proposals` to the app: the side-by-side
// comparison of the API proposals of ../shared/PROPOSALS.md (docs/proposals.md).
//
//   proposals [--n=N] [--json] [--layouts] [--verbs] [--scenario=NAME]
//
// Runs the standard workload (N openat2 notifications, default 64) on every proposal
// plug-in in the simulator (scenarios/proposal_report.h) and prints the comparison:
// per-notification bytes each way, copy operations, supervisor syscalls and
// simulator steps, fixed-size buffers, allocations, the old/new x old/new
// compatibility matrix, whether a racing writer gets through, and read_notif's
// batching sweep. The text form adds two wall-clock measurements, which the JSON
// leaves out so that it stays byte-for-byte deterministic: the simulator's throughput
// per proposal, and the real kernel's notification round trip (`today`), measured
// when the runner is root and the kernel offers user notification, else
// "not measured: REASON". --layouts prints every proposal's records as byte maps;
// --verbs the scenario verbs of every plug-in; --scenario=NAME prints the workload scenario a row is measured with.
//
// Exit status: 0; 1 when a workload run failed (a bug); 2 for bad flags.
#pragma once

#include <CLI/CLI.hpp>

namespace sclab::cli {

void RegisterProposalsCommand(CLI::App& app);

}  // namespace sclab::cli
