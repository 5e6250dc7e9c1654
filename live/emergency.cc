#include "live/emergency.h"

#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "live/scratch_dir.h"
#include "live/task_page.h"

namespace sclab::live {
namespace {

constexpr int kSlots = 8;
constexpr long kReapBudgetNs = 2'000'000'000;

struct RunSlot {
  std::atomic<int> used{0};
  char scratch[64] = {};
  std::atomic<int> groups{0};
  std::atomic<int> pgids[kMaxTasks] = {};
};

RunSlot g_slots[kSlots];
std::atomic<bool> g_installed{false};
std::atomic<bool> g_happened{false};
struct sigaction g_previous_int {};
struct sigaction g_previous_term {};

long NowNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1'000'000'000L + ts.tv_nsec;
}

void KillAndReapEverything() {
  for (RunSlot& slot : g_slots) {
    if (slot.used.load() != 1) {
      continue;  // 2: being filled
    }
    const int groups = slot.groups.load();
    for (int i = 0; i < groups && i < kMaxTasks; ++i) {
      const int pgid = slot.pgids[i].load();
      if (pgid > 0) {
        kill(-pgid, SIGKILL);
      }
    }
  }
  // The runner is a subreaper: orphaned forks of agents are its children too.
  const long deadline = NowNs() + kReapBudgetNs;
  while (NowNs() < deadline) {
    const pid_t pid = waitpid(-1, nullptr, WNOHANG | __WALL);
    if (pid < 0 && errno == ECHILD) {
      break;
    }
    if (pid <= 0) {
      const timespec pause_ts{0, 1'000'000};
      nanosleep(&pause_ts, nullptr);
    }
  }
  for (RunSlot& slot : g_slots) {
    if (slot.used.load() != 1) {
      continue;  // 2: being filled
    }
    RemoveTree(slot.scratch);
    slot.used.store(0);
  }
}

void OnSignal(int sig, siginfo_t* info, void* context) {
  const int saved_errno = errno;
  KillAndReapEverything();
  g_happened.store(true);
  const struct sigaction& previous = sig == SIGINT ? g_previous_int : g_previous_term;
  errno = saved_errno;
  if ((previous.sa_flags & SA_SIGINFO) != 0 && previous.sa_sigaction != nullptr) {
    previous.sa_sigaction(sig, info, context);
  } else if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN &&
             previous.sa_handler != nullptr) {
    previous.sa_handler(sig);
  } else {
    // Terminate the way the signal would have.
    signal(sig, SIG_DFL);
    raise(sig);
  }
}

void InstallOnce() {
  bool expected = false;
  if (!g_installed.compare_exchange_strong(expected, true)) {
    return;
  }
  struct sigaction action {};
  action.sa_sigaction = OnSignal;
  action.sa_flags = SA_SIGINFO;
  sigfillset(&action.sa_mask);
  for (int sig : {SIGINT, SIGTERM}) {
    struct sigaction& previous = sig == SIGINT ? g_previous_int : g_previous_term;
    sigaction(sig, nullptr, &previous);
    if (previous.sa_handler == SIG_IGN) {
      continue;  // e.g. nohup: leave it alone
    }
    sigaction(sig, &action, nullptr);
  }
}

}  // namespace

int RegisterEmergencyRun(const char* scratch) {
  InstallOnce();
  for (int i = 0; i < kSlots; ++i) {
    RunSlot& slot = g_slots[i];
    int expected = 0;
    // Reserve with 2 (being filled), publish with 1, so the handler never sees half a slot.
    if (!slot.used.compare_exchange_strong(expected, 2)) {
      continue;
    }
    std::strncpy(slot.scratch, scratch, sizeof slot.scratch - 1);
    slot.groups.store(0);
    slot.used.store(1);
    return i;
  }
  return -1;
}

void AddEmergencyGroup(int slot, int pgid) {
  if (slot < 0 || slot >= kSlots) {
    return;
  }
  RunSlot& run = g_slots[slot];
  const int index = run.groups.load();
  if (index >= kMaxTasks) {
    return;
  }
  run.pgids[index].store(pgid);
  run.groups.store(index + 1);
}

void UnregisterEmergencyRun(int slot) {
  if (slot < 0 || slot >= kSlots) {
    return;
  }
  g_slots[slot].groups.store(0);
  g_slots[slot].used.store(0);
}

bool EmergencyHappened() { return g_happened.load(); }

}  // namespace sclab::live
