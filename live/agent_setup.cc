// RunSpawnedAgent: the setup of a freshly forked agent process, in the order that
// makes each promise hold (docs/live.md, "A fresh agent"). It runs in the child of
// the runner's fork(), single-threaded, before any filter: thin libc syscall
// wrappers are fine here, allocation is not (the runner may have held a malloc
// lock when it forked).
#include <fcntl.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "live/agent.h"

namespace sclab::live {
namespace {

constexpr uint32_t kNobody = 65534;
constexpr int kChannelFd = 1023;
constexpr rlim_t kNofile = 1024;  // RLIMIT_NOFILE of every process (kernel_sim/abi.h)

[[noreturn]] void Fail(TaskPage* page, AgentSetupStep step) {
  page->setup_error.store(
      static_cast<uint32_t>(step) << 16 | (static_cast<uint32_t>(errno) & 0xffff),
      std::memory_order_seq_cst);
  syscall(SYS_exit_group, 127);
  __builtin_trap();
}

// KernelSigaction is the kernel's struct sigaction for rt_sigaction(2).
struct KernelSigaction {
  uint64_t handler;
  uint64_t flags;
  uint64_t restorer;
  uint64_t mask;
};

}  // namespace

void RunSpawnedAgent(const SpawnSetup& setup) {
  TaskPage* page = setup.page;
  // Die with the runner; checked again after the credentials change, which clears it.
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) {
    Fail(page, kSetupPdeathsig);
  }
  errno = 0;
  if (getppid() != setup.runner_pid) {
    Fail(page, kSetupParent);
  }

  // Default dispositions, nothing blocked, no alternate stack: the runner (a test
  // framework, the CLI) may have installed handlers and an altstack.
  const KernelSigaction dfl{};
  for (int sig = 1; sig <= 64; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP) {
      continue;
    }
    if (syscall(SYS_rt_sigaction, sig, &dfl, nullptr, 8) != 0) {
      Fail(page, kSetupSignals);
    }
  }
  stack_t no_altstack{};
  no_altstack.ss_flags = SS_DISABLE;
  if (syscall(SYS_sigaltstack, &no_altstack, nullptr) != 0) {
    Fail(page, kSetupSignals);
  }
  const uint64_t empty_mask = 0;
  if (syscall(SYS_rt_sigprocmask, SIG_SETMASK, &empty_mask, nullptr, 8) != 0) {
    Fail(page, kSetupSignals);
  }

  if (setsid() < 0) {
    Fail(page, kSetupSession);
  }
  // The new session is a new autogroup; sleeping once lets the scheduler place the
  // group with its real weight (without it, a busy machine can starve it ~1 s).
  const timespec nap{0, 100'000};
  nanosleep(&nap, nullptr);

  // Limits first: fd 1023 needs RLIMIT_NOFILE >= 1024.
  const rlimit nofile{kNofile, kNofile};
  const rlimit no_core{0, 0};
  if (setrlimit(RLIMIT_NOFILE, &nofile) != 0 || setrlimit(RLIMIT_CORE, &no_core) != 0) {
    Fail(page, kSetupRlimits);
  }

  // The channel moves to 1023; everything else is closed; 0-2 become /dev/null.
  if (setup.channel_fd != kChannelFd &&
      syscall(SYS_dup3, setup.channel_fd, kChannelFd, 0) != kChannelFd) {
    Fail(page, kSetupFds);
  }
  if (syscall(SYS_close_range, 0u, static_cast<unsigned>(kChannelFd - 1), 0u) != 0 ||
      syscall(SYS_close_range, static_cast<unsigned>(kChannelFd + 1), ~0u, 0u) != 0) {
    Fail(page, kSetupFds);
  }
  for (int fd = 0; fd < 3; ++fd) {
    if (open("/dev/null", O_RDWR) != fd) {
      Fail(page, kSetupFds);
    }
  }

  if (chdir(setup.scratch) != 0) {
    Fail(page, kSetupCwd);
  }
  umask(022);

  if (!setup.privileged && setup.drop_to_nobody) {
    if (syscall(SYS_setgroups, 0, nullptr) != 0 ||
        syscall(SYS_setresgid, kNobody, kNobody, kNobody) != 0 ||
        syscall(SYS_setresuid, kNobody, kNobody, kNobody) != 0) {
      Fail(page, kSetupCreds);
    }
    // setresuid() cleared the permitted and effective sets; clear inheritable too.
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2]{};
    if (syscall(SYS_capset, &header, data) != 0) {
      Fail(page, kSetupCreds);
    }
  }

  // commit_creds() made the process non-dumpable and cleared the parent-death signal.
  if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) != 0) {
    Fail(page, kSetupDumpable);
  }
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) {
    Fail(page, kSetupPdeathsig);
  }
  errno = 0;
  if (getppid() != setup.runner_pid) {
    Fail(page, kSetupParent);
  }

  sclab_live_switch_stack(setup.stack_top, page);
}

}  // namespace sclab::live
