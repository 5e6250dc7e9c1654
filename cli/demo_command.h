// RegisterDemoCommand adds `seccomp-lab demo` (what `./lab demo` runs): first
// `seccomp-lab check` over the whole corpus (the simulator-versus-kernel agreement
// table; without root the live column says skipped, with the reason), then
// `seccomp-lab trace` of the most instructive corpus scenario
// (signals/after_recv_sa_restart.scn: a notification interrupted after RECV and
// restarted with a new id), with the about text, reasons and queue states. Exit
// status: check's (0 when everything agrees), else trace's.
// `demo --bpf-examples` instead assembles, validates and emulates the bundled
// example filters (bpf/examples/*.s) on the syscalls in their `; try:` lines.
#pragma once

#include <CLI/CLI.hpp>

namespace sclab::cli {

void RegisterDemoCommand(CLI::App& app);

}  // namespace sclab::cli
