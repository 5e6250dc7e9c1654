// RegisterRunCommand adds `seccomp-lab run` to the app; RegisterTraceCommand adds
// `seccomp-lab trace` (trace_command.h).
//
//   run [--backend=sim|live] [--seed=N] [--json|--mermaid] [--step-timeout-ms N]
//       [--scenario-timeout-ms N] FILE…
//
// Every FILE is read and parsed first; if any has a diagnostic, all diagnostics are
// printed (stderr) and nothing runs. Then each scenario runs on the backend (one
// the backend cannot run is reported as skipped, with the reason) and its trace is
// printed on stdout: the timeline by default, {"traces": [...]} with --json, one
// Mermaid diagram per file (each after a `%% FILE` comment) with --mermaid. Failed
// checks and run-time errors are also summed up on stderr.
//
// Exit status: 0 every check passed (skips included), 1 a check failed, 2 bad input
// (unreadable file, diagnostic, bad flag, backend unavailable) or a run-time error.
// The status is thrown as CLI::RuntimeError, which main() returns.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "scenarios/ast.h"
#include "scenarios/backend.h"

namespace sclab::cli {

void RegisterRunCommand(CLI::App& app);

// ParseFiles reads and parses every file; on any error it prints every diagnostic
// to stderr and returns nothing. (Shared by run, trace and check.)
std::optional<std::vector<scn::Scenario>> ParseFiles(const std::vector<std::string>& files);

// BackendOrExit makes the named backend, or prints why it cannot and exits with
// status 2 (CLI::RuntimeError).
std::unique_ptr<scn::Backend> BackendOrExit(const std::string& name,
                                            const scn::RunOptions& options);

// RunOne runs a scenario on a backend, or records the backend's reason to skip it.
scn::Trace RunOne(scn::Backend& backend, const scn::Scenario& scenario,
                  const scn::RunOptions& options);

// ExitStatus is 2 when a trace stopped on a run-time error, else 1 when a check
// failed, else 0.
int ExitStatus(const std::vector<scn::Trace>& traces);

}  // namespace sclab::cli
