// Agent is the code a live task runs: a freshly spawned process's setup, then the
// command loop on the task's TaskPage (live/task_page.h).
//
// RunSpawnedAgent runs in the child of the runner's fork(): it puts the process in
// the state the scenario language promises (docs/live.md lists it), then switches
// to the task's thread-stack slot and enters the loop; it never returns. A setup
// step that fails writes `step << 16 | errno` to page->setup_error and exits 127.
//
// After setup the agent makes no syscall of its own except futex(2) while the
// runner says futex is allowed: it issues exactly the scenario's syscalls, with an
// inline `syscall` instruction that returns the raw register. The loop, the signal
// handler and the clone trampolines live in agent.cc, compiled without the stack
// protector or sanitizers, and call no libc at all: threads made by the raw clone
// share their creator's TLS.
#pragma once

#include <signal.h>

#include <cstdint>

#include "live/task_page.h"

namespace sclab::live {

// SpawnSetup is everything the forked child needs; it is read from the child's copy
// of the runner's memory.
struct SpawnSetup {
  TaskPage* page = nullptr;
  uintptr_t stack_top = 0;  // top of the task's stack slot (below its header)
  int channel_fd = -1;      // the agent's end of the runner channel, moved to 1023
  int runner_pid = 0;
  bool privileged = false;
  bool drop_to_nobody = true;  // false when the runner is not root (cannot setuid)
  const char* scratch = nullptr;
};

// AgentSetupStep numbers the setup steps, for setup_error.
enum AgentSetupStep : uint32_t {
  kSetupPdeathsig = 1,
  kSetupParent,
  kSetupSignals,
  kSetupSession,
  kSetupFds,
  kSetupRlimits,
  kSetupCwd,
  kSetupCreds,
  kSetupDumpable,
};

[[noreturn]] void RunSpawnedAgent(const SpawnSetup& setup);

}  // namespace sclab::live

extern "C" {
// sclab_live_agent_main runs the command loop on `page` (the first task of a spawned
// process, and every thread made by kOpThread, start here). Never returns.
[[noreturn]] void sclab_live_agent_main(sclab::live::TaskPage* page);
// sclab_live_signal_handler is the SA_SIGINFO handler `handle(SIG, restart|norestart)`
// installs: it counts the signal and records a SIGSYS siginfo in the task's page.
void sclab_live_signal_handler(int sig, siginfo_t* info, void* ucontext);
// sclab_live_restorer is the SA_RESTORER trampoline: rt_sigreturn(15), then `ud2`
// if the task's filters made rt_sigreturn fail.
void sclab_live_restorer();
// sclab_live_switch_stack jumps to sclab_live_agent_main(page) on `stack_top`.
[[noreturn]] void sclab_live_switch_stack(uintptr_t stack_top, sclab::live::TaskPage* page);
}
