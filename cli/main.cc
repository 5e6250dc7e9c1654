// seccomp-lab: builds the command-line app from one Register*() call per command
// group and maps outcomes to exit statuses: a command's own status (thrown as
// CLI::RuntimeError), 0 for --help, and 2 for any command-line error.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "cli/bpf_command.h"
#include "cli/check_command.h"
#include "cli/demo_command.h"
#include "cli/proposals_command.h"
#include "cli/run_command.h"
#include "cli/trace_command.h"

namespace {

int RunApp(int argc, char** argv) {
  CLI::App app{"seccomp-lab: a userspace model of Linux seccomp, checked against the kernel"};
  app.name("seccomp-lab");
  app.require_subcommand(1);
  sclab::cli::RegisterBpfCommands(app);
  sclab::cli::RegisterDemoCommand(app);
  sclab::cli::RegisterRunCommand(app);
  sclab::cli::RegisterTraceCommand(app);
  sclab::cli::RegisterCheckCommand(app);
  sclab::cli::RegisterProposalsCommand(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::RuntimeError& e) {
    return e.get_exit_code();
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
      return app.exit(e);
    }
    std::fprintf(stderr, "seccomp-lab: error: %s\n", e.what());
    return 2;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return RunApp(argc, argv);
  } catch (const std::exception& e) {
    // Only reachable through a bug or resource exhaustion; still one line, status 2.
    std::fprintf(stderr, "seccomp-lab: error: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "seccomp-lab: error: unexpected exception\n");
  }
  return 2;
}
