// LiveMachine: the runner half of the live backend. How it works:
//
// Construction maps, before any agent exists, (1) kMaxTasks command pages
// MAP_SHARED, each with a robust mutex this thread locks for the whole run, (2) the
// buffer slots of docs/execution.md §2 (512 × [16 KiB RW + 4 KiB PROT_NONE]) and (3)
// kMaxTasks thread-stack slots, both MAP_PRIVATE, so that every agent (a fork of the
// runner), its forks and its threads find them at the same addresses and a fork
// copies them. It makes the scratch directory and becomes a child subreaper.
//
// SpawnProcess forks; the child runs RunSpawnedAgent (live/agent_setup.cc) and then
// the command loop (live/agent.cc). StartSyscall/StartClone post a command on the
// task's page and Settle(). Settle() polls, bounded by the step deadline, until every
// task is settled (TaskSettled), then checks again after a grace period and requires
// the same observations (state and context-switch counts of sleepers), so that a
// sleeper some step just woke is never taken for one still asleep. A task's end is
// read from waitid(P_PIDFD, WNOWAIT) for the runner's own children, from the
// pidfd's exit info once a process was reaped by its agent parent, and from
// /proc/PID/stat of a zombie otherwise; a thread is gone when the kernel cleared its
// CLONE_CHILD_CLEARTID word or its /proc entry vanished. Outcomes are cached when
// first seen after a settle, so later deaths never rewrite them.
#include "live/live_machine.h"

#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <thread>

#include "live/agent.h"
#include "live/emergency.h"
#include "live/proc_reader.h"
#include "live/scratch_dir.h"
#include "model/syscall_table.h"

namespace sclab::live {
namespace {

using scn::MachineError;
using scn::RawOutcome;
using scn::TaskEnd;
using scn::TaskId;

constexpr uint64_t kSlotBytes = uint64_t{20} * 1024;  // four RW pages + one PROT_NONE page
constexpr uint64_t kSlotDataBytes = uint64_t{16} * 1024;
constexpr uint32_t kSlotsPerProcess = 512;
constexpr long kSysRtSigaction = 13, kSysRtSigreturn = 15, kSysClone = 56, kSysFutex = 202,
               kSysRestart = 219;
constexpr long kSysPrctl = 157, kSysSeccomp = 317;
constexpr int kPrSetSeccomp = 22;
constexpr unsigned kPidfdThread = O_EXCL;  // PIDFD_THREAD (6.9)
constexpr int kPidfdInfoExit = 1 << 3;     // PIDFD_INFO_EXIT (6.15)

// pidfd_info (include/uapi/linux/pidfd.h, 6.15): VER0 is 64 bytes.
struct PidfdInfo {
  uint64_t mask;
  uint64_t cgroupid;
  uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
  int32_t exit_code;
  uint32_t coredump_mask;
  uint32_t spare;
};
constexpr unsigned long kPidfdGetInfo = _IOWR(0xFF, 11, PidfdInfo);

// Observation kinds.
enum : int {
  kSeenDead = 1,
  kSeenGone,
  kSeenStopped,
  kSeenReturned,
  kSeenAsleep,
  kSeenIdleFutex,
  kSeenIdleSpin,
  kSeenHandlerAsleep
};

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

uint32_t* LockWord(TaskPage* page) { return reinterpret_cast<uint32_t*>(&page->runner_lock); }

long Futex(void* word, int op, uint32_t value, const timespec* timeout) {
  return syscall(SYS_futex, word, op, value, timeout, nullptr, 0);
}

// NoSyscall: numbers the kernel answers with ENOSYS whatever they are (negative, or
// at/above 1024 outside the x32 range); only filters can see them.
bool NoSyscall(int nr) {
  if (nr < 0) {
    return true;
  }
  const bool x32 = nr >= 0x40000000 && nr < 0x40000000 + 1024;
  return nr >= 1024 && !x32;
}

// ChangesSeccomp: calls that may change the caller's filters or enter strict mode;
// Tsync: one that may also change the filters of the caller's other threads.
bool ChangesSeccomp(long nr, const std::array<uint64_t, 6>& args) {
  const auto op = static_cast<uint32_t>(args[0]);
  if (nr == kSysSeccomp) {
    return op == 0 || op == 1;
  }
  if (nr == kSysPrctl) {
    return static_cast<int32_t>(op) == kPrSetSeccomp;
  }
  return false;
}

bool Tsync(long nr, const std::array<uint64_t, 6>& args) {
  return nr == kSysSeccomp && static_cast<uint32_t>(args[0]) == 1 && (args[1] & 1) != 0;
}

TaskEnd EndFrom(bool killed, int value) {
  TaskEnd end;
  end.kind = killed ? TaskEnd::Kind::kKilled : TaskEnd::Kind::kExited;
  (killed ? end.signal : end.exit_code) = value;
  return end;
}

void SleepFor(std::chrono::microseconds us) { std::this_thread::sleep_for(us); }

// Describe says what /proc shows of a task, for error messages.
std::string Describe(int pid, int tid) {
  const auto status = ReadTaskStatus(pid, tid);
  if (!status) {
    return "(gone)";
  }
  std::string text = std::string("(state ") + status->state;
  if (const auto nr = ReadTaskSyscall(pid, tid)) {
    text += ", syscall " + std::to_string(*nr);
  }
  const std::string wchan = ReadTaskWchan(pid, tid);
  if (!wchan.empty() && wchan != "0") {
    text += ", in " + wchan;
  }
  if (status->UnblockedPending() != 0) {
    text += ", signals pending";
  }
  return text + ")";
}

// ReapedStatus: for a process that was reaped, its wait status from the pidfd's exit
// info (6.15+); nullopt while it exists. `gone` is set when the kernel says the
// process is gone without exit info (older kernels).
std::optional<int> ReapedStatus(int pidfd, bool* gone) {
  PidfdInfo info{};
  info.mask = kPidfdInfoExit;
  *gone = false;
  if (ioctl(pidfd, kPidfdGetInfo, &info) == 0) {
    if ((info.mask & kPidfdInfoExit) != 0) {
      return info.exit_code;
    }
    return std::nullopt;
  }
  *gone = errno == ESRCH;
  return std::nullopt;
}

}  // namespace

// --- construction and teardown -------------------------------------------------

LiveMachine::LiveMachine(const LiveOptions& options) : options_(options) {
  options_.task_budget = std::min<uint32_t>(options_.task_budget, kMaxTasks);
  runner_pid_ = getpid();
  runner_tid_ = gettid();
  root_ = geteuid() == 0;
  run_start_ = Clock::now();
  page_used_.assign(kMaxTasks, false);
  try {
    scratch_ = MakeScratchDir();
    emergency_slot_ = RegisterEmergencyRun(scratch_.c_str());
    if (prctl(PR_GET_CHILD_SUBREAPER, &old_subreaper_) != 0 ||
        prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
      throw MachineError(Errno("live: PR_SET_CHILD_SUBREAPER"));
    }
    // Short sleeps in the settle loop should be short.
    old_timerslack_ = prctl(PR_GET_TIMERSLACK);
    prctl(PR_SET_TIMERSLACK, 1000);

    void* pages = mmap(nullptr, kMaxTasks * kPageBytes, PROT_READ | PROT_WRITE,
                       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (pages == MAP_FAILED) {
      throw MachineError(Errno("live: mmap(command pages)"));
    }
    pages_ = static_cast<TaskPage*>(pages);
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
    for (int i = 0; i < kMaxTasks; ++i) {
      pthread_mutex_init(&pages_[i].runner_lock, &attr);
      if (pthread_mutex_lock(&pages_[i].runner_lock) != 0) {
        pthread_mutexattr_destroy(&attr);
        throw MachineError("live: cannot lock a command page");
      }
      ++locked_pages_;
      ResetPage(i);
    }
    pthread_mutexattr_destroy(&attr);
    if ((*LockWord(&pages_[0]) & kFutexTidMask) != static_cast<uint32_t>(runner_tid_)) {
      throw MachineError("live: the robust mutex's lock word is not at offset 0");
    }

    const size_t slots_bytes = kSlotsPerProcess * kSlotBytes;
    slots_map_ = mmap(nullptr, slots_bytes, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (slots_map_ == MAP_FAILED) {
      slots_map_ = nullptr;
      throw MachineError(Errno("live: mmap(buffer slots)"));
    }
    slots_base_ = reinterpret_cast<uintptr_t>(slots_map_);
    for (uint32_t k = 0; k < kSlotsPerProcess; ++k) {
      void* guard = static_cast<char*>(slots_map_) + k * kSlotBytes + kSlotDataBytes;
      if (mprotect(guard, kSlotBytes - kSlotDataBytes, PROT_NONE) != 0) {
        throw MachineError(Errno("live: mprotect(buffer slot guard)"));
      }
    }

    stacks_map_bytes_ = (kMaxTasks + 1) * kStackSlotBytes;
    stacks_map_ = mmap(nullptr, stacks_map_bytes_, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (stacks_map_ == MAP_FAILED) {
      stacks_map_ = nullptr;
      throw MachineError(Errno("live: mmap(thread stacks)"));
    }
    stacks_base_ =
        (reinterpret_cast<uintptr_t>(stacks_map_) + kStackSlotBytes - 1) & ~(kStackSlotBytes - 1);
    char* const aligned =
        static_cast<char*>(stacks_map_) + (stacks_base_ - reinterpret_cast<uintptr_t>(stacks_map_));
    for (int i = 0; i < kMaxTasks; ++i) {
      void* guard = aligned + static_cast<uintptr_t>(i) * kStackSlotBytes;
      if (mprotect(guard, 4096, PROT_NONE) != 0) {
        throw MachineError(Errno("live: mprotect(stack guard)"));
      }
    }
  } catch (...) {
    ReleaseResources();
    throw;
  }
}

LiveMachine::~LiveMachine() {
  try {
    Shutdown();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
  }
}

void LiveMachine::ReleaseResources() noexcept {
  for (int i = 0; i < locked_pages_; ++i) {
    pthread_mutex_unlock(&pages_[i].runner_lock);
    pthread_mutex_destroy(&pages_[i].runner_lock);
  }
  locked_pages_ = 0;
  if (pages_ != nullptr) {
    munmap(pages_, kMaxTasks * kPageBytes);
  }
  pages_ = nullptr;
  if (slots_map_ != nullptr) {
    munmap(slots_map_, kSlotsPerProcess * kSlotBytes);
  }
  slots_map_ = nullptr;
  if (stacks_map_ != nullptr) {
    munmap(stacks_map_, stacks_map_bytes_);
  }
  stacks_map_ = nullptr;
  if (!scratch_.empty()) {
    RemoveTree(scratch_.c_str());
  }
  scratch_.clear();
  if (emergency_slot_ >= 0) {
    UnregisterEmergencyRun(emergency_slot_);
  }
  emergency_slot_ = -1;
  prctl(PR_SET_CHILD_SUBREAPER, old_subreaper_);
  if (old_timerslack_ >= 0) {
    prctl(PR_SET_TIMERSLACK, old_timerslack_);
  }
  old_timerslack_ = -1;
}

void LiveMachine::Shutdown() {
  if (shut_down_) {
    return;
  }
  shut_down_ = true;
  // Kill: every agent process group (forks stay in their ancestor's group), and
  // every process we know by its pidfd.
  for (const Process& p : processes_) {
    if (p.top_level) {
      kill(-p.pid, SIGKILL);
    }
    if (p.pidfd >= 0 && !p.reaped) {
      syscall(SYS_pidfd_send_signal, p.pidfd, SIGKILL, nullptr, 0);
    }
  }
  // Reap, bounded. A fork reaped by its (agent) parent shows up in its pidfd's exit
  // info; one whose parent died was reparented to us (we are a subreaper).
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  size_t left = 0;
  for (;;) {
    left = 0;
    for (Process& p : processes_) {
      if (p.reaped) {
        continue;
      }
      siginfo_t info{};
      if (waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(p.pidfd), &info,
                 WEXITED | WNOHANG | __WALL) == 0) {
        if (info.si_pid != 0) {
          p.reaped = true;
          continue;
        }
      } else if (errno == ECHILD) {
        bool gone = false;
        if (ReapedStatus(p.pidfd, &gone) || gone) {
          p.reaped = true;
          continue;
        }
      }
      ++left;
    }
    for (const Process& p : processes_) {
      if (p.top_level) {
        while (waitpid(-p.pid, nullptr, WNOHANG | __WALL) > 0) {
        }
      }
    }
    if (left == 0 || Clock::now() > deadline) {
      break;
    }
    SleepFor(std::chrono::microseconds(500));
  }
  size_t survivors = 0;
  for (Process& p : processes_) {
    if (p.top_level && kill(-p.pid, 0) == 0) {
      ++survivors;
    }
    if (p.pidfd >= 0) {
      close(p.pidfd);
    }
    if (p.channel_fd >= 0) {
      close(p.channel_fd);
    }
    p.pidfd = p.channel_fd = -1;
  }
  ReleaseResources();
  if (survivors != 0 || left != 0) {
    throw MachineError("live: " + std::to_string(std::max(survivors, left)) +
                       " agent process(es) survived Shutdown");
  }
}

// --- small helpers -------------------------------------------------------------

LiveMachine::Task& LiveMachine::TaskAt(TaskId task) {
  if (task >= tasks_.size()) {
    throw MachineError("live: no task " + std::to_string(task));
  }
  return tasks_[task];
}

LiveMachine::Task& LiveMachine::UsableTask(TaskId id, const char* what) {
  if (shut_down_) {
    throw MachineError("live: the machine was shut down");
  }
  Task& task = TaskAt(id);
  if (task.busy) {
    throw MachineError(std::string("live: ") + what + ": task " + task.name +
                       " is still inside a call");
  }
  if (task.end && task.end->kind != TaskEnd::Kind::kAlive) {
    throw MachineError(std::string("live: ") + what + ": task " + task.name + " has ended");
  }
  return task;
}

int LiveMachine::ReservePage() {
  for (int i = 0; i < kMaxTasks; ++i) {
    if (!page_used_[static_cast<size_t>(i)]) {
      page_used_[static_cast<size_t>(i)] = true;
      ResetPage(i);
      return i;
    }
  }
  throw MachineError("live: the task budget (" + std::to_string(kMaxTasks) + ") is exhausted");
}

void LiveMachine::ResetPage(int index) {
  TaskPage* page = &pages_[index];
  char* begin = reinterpret_cast<char*>(&page->cmd_seq);
  std::memset(begin, 0, static_cast<size_t>(reinterpret_cast<char*>(page + 1) - begin));
  page->runner_tid = runner_tid_;
  page->futex_ok.store(1);
  page->ctid.store(-1);
}

uintptr_t LiveMachine::StackTop(int page) const {
  return stacks_base_ + (static_cast<uintptr_t>(page) + 1) * kStackSlotBytes - kStackHeaderBytes;
}

// Ring: the agent may be asleep on the lock word (it set kFutexWaiters first).
void LiveMachine::Ring(TaskPage* page) {
  const uint32_t old = __atomic_fetch_and(LockWord(page), ~kFutexWaiters, __ATOMIC_SEQ_CST);
  if ((old & kFutexWaiters) != 0) {
    Futex(LockWord(page), FUTEX_WAKE, INT_MAX, nullptr);
  }
}

void LiveMachine::SetSchedIdle(Task& task, bool idle) {
  if (task.sched_idle == idle) {
    return;
  }
  sched_param param{};
  if (sched_setscheduler(task.tid, idle ? SCHED_IDLE : SCHED_OTHER, &param) == 0) {
    task.sched_idle = idle;
  }
}

// SetSessionLow sets the nice value of the session's autogroup (every `process` is a
// session, and with autogroup scheduling each session competes as one group): 19
// while all its tasks spin idle, so that spinners leave the CPUs to the runner and
// to the tasks that work, whatever their per-task policy.
void LiveMachine::SetSessionLow(size_t session, bool low) {
  Process& leader = processes_[session];
  if (!root_ || leader.session_low == low) {
    return;
  }
  for (const Process& member : processes_) {
    if (member.channel_owner != session) {
      continue;
    }
    for (TaskId id : member.tasks) {
      const Task& task = tasks_[id];
      if (task.end && task.end->kind != TaskEnd::Kind::kAlive) {
        continue;
      }
      const int fd =
          open(("/proc/" + std::to_string(task.tid) + "/autogroup").c_str(), O_WRONLY | O_CLOEXEC);
      if (fd < 0) {
        continue;
      }
      const char* nice = low ? "19" : "0";
      const bool ok = write(fd, nice, std::strlen(nice)) > 0;
      close(fd);
      if (ok) {
        leader.session_low = low;
      }
      return;
    }
  }
}

void LiveMachine::Post(Task& task, uint32_t op, long nr, const std::array<uint64_t, 6>& args,
                       TaskPage* child, uintptr_t child_stack_top) {
  SetSessionLow(processes_[task.process].channel_owner, false);
  SetSchedIdle(task, false);
  TaskPage* page = PageOf(task);
  page->op = op;
  page->nr = nr;
  for (size_t i = 0; i < 6; ++i) {
    page->args[i] = args[i];
  }
  page->child_page = child;
  page->child_stack_top = child_stack_top;
  page->cmd_seq.store(++task.seq, std::memory_order_seq_cst);
  Ring(page);
}

LiveMachine::Clock::time_point LiveMachine::StepDeadline() {
  ThrowIfInterrupted();
  const auto now = Clock::now();
  const auto scenario_end = run_start_ + std::chrono::milliseconds(options_.scenario_timeout_ms);
  if (now >= scenario_end) {
    throw MachineError("live: scenario timeout (" + std::to_string(options_.scenario_timeout_ms) +
                       " ms) reached");
  }
  return std::min(now + std::chrono::milliseconds(options_.step_timeout_ms), scenario_end);
}

void LiveMachine::ThrowIfInterrupted() {
  if (EmergencyHappened()) {
    throw MachineError("live: interrupted (SIGINT/SIGTERM)");
  }
}

int LiveMachine::LiveTidOf(TaskId id) {
  Task& task = TaskAt(id);
  if (!task.end || task.end->kind == TaskEnd::Kind::kAlive) {
    return task.tid;
  }
  for (TaskId other : processes_[task.process].tasks) {
    const Task& t = tasks_[other];
    if (!t.end || t.end->kind == TaskEnd::Kind::kAlive) {
      return t.tid;
    }
  }
  throw MachineError("live: every thread of task " + task.name + "'s process has ended");
}

// --- Machine: identity and memory ----------------------------------------------

scn::BackendInfo LiveMachine::Info() {
  scn::BackendInfo info;
  info.backend = "live";
  utsname uts{};
  if (uname(&uts) == 0) {
    info.kernel = uts.release;
  }
  const std::string status = ReadText("/proc/self/status");
  std::string lines;
  size_t pos = 0;
  while (pos < status.size()) {
    size_t end = status.find('\n', pos);
    if (end == std::string::npos) {
      end = status.size();
    }
    const std::string line = status.substr(pos, end - pos);
    if (line.rfind("Seccomp:", 0) == 0 || line.rfind("Seccomp_filters:", 0) == 0) {
      std::string tidy = line;
      std::replace(tidy.begin(), tidy.end(), '\t', ' ');
      if (!lines.empty()) {
        lines += "; ";
      }
      lines += tidy;
    }
    pos = end + 1;
  }
  info.runner_status = lines;
  const std::string actions = ReadText("/proc/sys/kernel/seccomp/actions_avail");
  info.user_notif_available = actions.find("user_notif") != std::string::npos;
  return info;
}

int64_t LiveMachine::Pid(TaskId task) { return processes_[TaskAt(task).process].pid; }
int64_t LiveMachine::Tid(TaskId task) { return TaskAt(task).tid; }
int64_t LiveMachine::RunnerPid() { return runner_pid_; }
std::string LiveMachine::ScratchPath() { return scratch_; }

uint64_t LiveMachine::AllocBuffer(TaskId task, uint64_t size) {
  Process& process = ProcessOf(task);
  if (size > kSlotDataBytes) {
    throw MachineError("live: a buffer of " + std::to_string(size) +
                       " bytes does not fit a 16 KiB slot");
  }
  if (process.next_slot >= kSlotsPerProcess) {
    throw MachineError("live: more than 512 buffers in one process");
  }
  const uint64_t slot = process.next_slot++;
  return slots_base_ + slot * kSlotBytes + kSlotDataBytes - size;
}

void LiveMachine::WriteMemory(TaskId task, uint64_t addr, std::span<const uint8_t> bytes) {
  TransferMemory(task, addr, const_cast<uint8_t*>(bytes.data()), bytes.size(), true);
}

std::vector<uint8_t> LiveMachine::ReadMemory(TaskId task, uint64_t addr, uint64_t len) {
  std::vector<uint8_t> bytes(len);
  TransferMemory(task, addr, bytes.data(), len, false);
  return bytes;
}

// TransferMemory copies between the runner and a task's memory with
// process_vm_{read,write}v (through a living thread: an exited leader has no mm).
void LiveMachine::TransferMemory(TaskId task, uint64_t addr, uint8_t* local, uint64_t len,
                                 bool write) {
  if (len == 0) {
    return;
  }
  const int tid = LiveTidOf(task);
  iovec here{local, len};
  // An address in the task's memory, not ours.
  iovec there{reinterpret_cast<void*>(addr), len};  // NOLINT(performance-no-int-to-ptr)
  const ssize_t n = write ? process_vm_writev(tid, &here, 1, &there, 1, 0)
                          : process_vm_readv(tid, &here, 1, &there, 1, 0);
  if (n != static_cast<ssize_t>(len)) {
    throw MachineError(Errno(std::string("live: ") +
                             (write ? "process_vm_writev into" : "process_vm_readv from") +
                             " task " + TaskAt(task).name));
  }
}

// --- Machine: tasks --------------------------------------------------------------

scn::TaskId LiveMachine::SpawnProcess(std::string_view name, bool privileged) {
  if (shut_down_) {
    throw MachineError("live: the machine was shut down");
  }
  if (privileged && !root_) {
    throw MachineError("live: `process " + std::string(name) + " privileged` needs a root runner");
  }
  if (tasks_.size() >= options_.task_budget) {
    throw MachineError("live: task budget (" + std::to_string(options_.task_budget) + ") reached");
  }
  StepDeadline();  // throws once the scenario is out of time
  // A new session is a new scheduler group, which a busy machine can leave waiting
  // for a long moment before its first run: the spawn is bounded by the scenario.
  const auto deadline = run_start_ + std::chrono::milliseconds(options_.scenario_timeout_ms);
  const int page_index = ReservePage();
  TaskPage* page = &pages_[page_index];
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
    page_used_[static_cast<size_t>(page_index)] = false;
    throw MachineError(Errno("live: socketpair"));
  }
  SpawnSetup setup;
  setup.page = page;
  setup.stack_top = StackTop(page_index);
  setup.channel_fd = sv[1];
  setup.runner_pid = runner_pid_;
  setup.privileged = privileged;
  setup.drop_to_nobody = root_;
  setup.scratch = scratch_.c_str();
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    RunSpawnedAgent(setup);
  }
  close(sv[1]);
  if (pid < 0) {
    close(sv[0]);
    page_used_[static_cast<size_t>(page_index)] = false;
    throw MachineError(Errno("live: fork"));
  }
  AddEmergencyGroup(emergency_slot_, pid);
  Process process;
  process.pid = pid;
  process.pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  process.channel_fd = sv[0];
  process.channel_owner = processes_.size();
  process.top_level = true;
  Task task;
  task.name = std::string(name);
  task.process = processes_.size();
  task.tid = pid;
  task.page = page_index;
  task.leader = true;
  task.proc = std::make_shared<TaskProcFiles>(pid, pid);
  const TaskId id = static_cast<TaskId>(tasks_.size());
  process.tasks.push_back(id);
  processes_.push_back(process);
  tasks_.push_back(task);
  if (processes_.back().pidfd < 0) {
    throw MachineError(Errno("live: pidfd_open(agent)"));
  }

  // Wait for the loop to start, or for the setup to fail.
  while (page->started.load(std::memory_order_acquire) == 0) {
    siginfo_t info{};
    if (waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
        info.si_pid == pid) {
      const uint32_t error = page->setup_error.load();
      throw MachineError("live: agent " + std::string(name) + " failed its setup at step " +
                         std::to_string(error >> 16) + ": " +
                         std::strerror(static_cast<int>(error & 0xffff)));
    }
    if (Clock::now() > deadline) {
      throw MachineError("live: agent " + std::string(name) +
                         " did not start within the scenario timeout " + Describe(pid, pid));
    }
    SleepFor(std::chrono::microseconds(50));
  }
  Settle(StepDeadline(), false);
  return id;
}

scn::CallId LiveMachine::StartSyscall(TaskId id, int nr, const std::array<uint64_t, 6>& args) {
  Task& task = UsableTask(id, "StartSyscall");
  CheckSyscallAllowed(task, id, nr);
  const auto deadline = StepDeadline();
  if (nr == kSysRtSigaction) {
    processes_[task.process].may_have_handlers = true;
  }
  if (ChangesSeccomp(nr, args)) {
    // No futex after this call until the runner says the new filters allow it.
    PageOf(task)->futex_ok.store(0, std::memory_order_seq_cst);
    if (Tsync(nr, args)) {
      StopFutexWaits(task.process, id);
    }
  }
  Call call;
  call.task = id;
  call.nr = nr;
  call.op = kOpSyscall;
  Post(task, kOpSyscall, nr, args, nullptr, 0);
  call.seq = task.seq;
  const auto call_id = static_cast<scn::CallId>(calls_.size());
  calls_.push_back(call);
  task.busy = call_id;
  Settle(deadline, true);
  return call_id;
}

void LiveMachine::CheckSyscallAllowed(Task& task, TaskId id, int nr) {
  const std::optional<int> noted = task.noted_skip;
  task.noted_skip.reset();
  if (NoSyscall(nr)) {
    return;
  }
  const bool verb_only = nr == kSysClone || nr == kSysRtSigreturn;
  if (model::FindModelledSyscall(nr) != nullptr && !verb_only) {
    return;
  }
  if (noted && *noted == nr) {
    return;
  }
  throw MachineError(
      "live: refusing syscall " + std::to_string(nr) + " for task " + task.name + " (#" +
      std::to_string(id) +
      "): outside the modelled-syscall table and not noted as skipped by its filters");
}

void LiveMachine::NoteSkippedSyscall(TaskId task, int nr) { TaskAt(task).noted_skip = nr; }

scn::CallId LiveMachine::StartClone(TaskId id, scn::CloneKind kind) {
  Task& task = UsableTask(id, "StartClone");
  const auto in_flight =
      std::count_if(calls_.begin(), calls_.end(), [](const Call& c) { return !c.clone_resolved; });
  if (tasks_.size() + static_cast<size_t>(in_flight) >= options_.task_budget) {
    throw MachineError("live: task budget (" + std::to_string(options_.task_budget) + ") reached");
  }
  const auto deadline = StepDeadline();
  const int child_index = ReservePage();
  TaskPage* child = &pages_[child_index];
  child->futex_ok.store(PageOf(task)->futex_ok.load());
  Call call;
  call.task = id;
  call.nr = kSysClone;
  call.op = kind == scn::CloneKind::kFork ? kOpFork : kOpThread;
  call.child_page = child_index;
  call.clone_resolved = false;
  Post(task, call.op, kSysClone, {}, child, call.op == kOpThread ? StackTop(child_index) : 0);
  call.seq = task.seq;
  const auto call_id = static_cast<scn::CallId>(calls_.size());
  calls_.push_back(call);
  task.busy = call_id;
  Settle(deadline, true);
  return call_id;
}

std::optional<TaskId> LiveMachine::ChildOf(scn::CallId call) {
  if (call >= calls_.size()) {
    throw MachineError("live: no call " + std::to_string(call));
  }
  return calls_[call].child;
}

bool LiveMachine::SendFdToChannel(TaskId from, int fd, TaskId to) {
  if (shut_down_) {
    throw MachineError("live: the machine was shut down");
  }
  const auto deadline = StepDeadline();
  const int tid = LiveTidOf(from);
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, tid, kPidfdThread));
  if (pidfd < 0 && errno == EINVAL) {
    pidfd = static_cast<int>(syscall(SYS_pidfd_open, processes_[TaskAt(from).process].pid, 0));
  }
  if (pidfd < 0) {
    throw MachineError(Errno("live: pidfd_open(pass source)"));
  }
  const int copy = static_cast<int>(syscall(SYS_pidfd_getfd, pidfd, fd, 0));
  const int getfd_errno = errno;
  close(pidfd);
  if (copy < 0) {
    if (getfd_errno == EBADF) {
      return false;
    }
    errno = getfd_errno;
    throw MachineError(Errno("live: pidfd_getfd"));
  }
  const Process& receiver = processes_[ProcessOf(to).channel_owner];
  char byte = 'F';
  iovec iov{&byte, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(cmsg), &copy, sizeof(int));
  const ssize_t sent = sendmsg(receiver.channel_fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
  const int send_errno = errno;
  close(copy);
  if (sent != 1) {
    errno = send_errno;
    throw MachineError(Errno("live: sendmsg(SCM_RIGHTS) to task " + TaskAt(to).name));
  }
  Settle(deadline, false);
  return true;
}

scn::RawOutcome LiveMachine::Poll(scn::CallId id) {
  if (id >= calls_.size()) {
    throw MachineError("live: no call " + std::to_string(id));
  }
  if (!calls_[id].final && !shut_down_) {
    Settle(StepDeadline(), false);
  }
  if (calls_[id].final) {
    return *calls_[id].final;
  }
  return RawOutcome{};  // kBlocked
}

scn::RawOutcome LiveMachine::Await(scn::CallId id) {
  if (id >= calls_.size()) {
    throw MachineError("live: no call " + std::to_string(id));
  }
  if (calls_[id].final || shut_down_) {
    return Poll(id);
  }
  const auto deadline = StepDeadline();
  while (Clock::now() < deadline) {
    ResolveClones();
    if (FinalOutcome(calls_[id])) {
      break;
    }
    WaitForChange(tasks_[calls_[id].task], calls_[id].seq, std::chrono::microseconds(500));
  }
  Settle(StepDeadline(), true);
  return Poll(id);
}

scn::TaskEnd LiveMachine::TaskState(TaskId task) {
  Task& t = TaskAt(task);
  if (!t.end && !shut_down_) {
    Settle(StepDeadline(), false);
  }
  return t.end ? *t.end : TaskEnd{};
}

scn::TaskEnd LiveMachine::AwaitTaskEnd(TaskId task) {
  Task& t = TaskAt(task);
  if (t.end || shut_down_) {
    return TaskState(task);
  }
  const auto deadline = StepDeadline();
  while (Clock::now() < deadline && !EndOf(tasks_[task])) {
    WaitForChange(tasks_[task], tasks_[task].seq, std::chrono::microseconds(500));
  }
  Settle(StepDeadline(), true);
  return TaskState(task);
}

bool LiveMachine::InSignalHandler(TaskId id) {
  Task& task = TaskAt(id);
  if (shut_down_ || (task.end && task.end->kind != TaskEnd::Kind::kAlive)) {
    return false;
  }
  // After a settle a handler is either done or its return sleeps in rt_sigreturn.
  if (PageOf(task)->in_handler.load() > 0) {
    return true;
  }
  const std::optional<long> nr = task.proc->Syscall();
  return nr && *nr == kSysRtSigreturn;
}

// WaitForChange sleeps until the task's page reports a result (the agent FUTEX_WAKEs
// done_seq when futex is allowed) or `limit` passes.
void LiveMachine::WaitForChange(const Task& task, uint32_t seq, std::chrono::microseconds limit) {
  TaskPage* page = PageOf(task);
  const uint32_t done = page->done_seq.load();
  if (done == seq) {  // nothing in flight to wake us: just wait
    SleepFor(limit);
    return;
  }
  const timespec timeout{0, static_cast<long>(limit.count()) * 1000};
  Futex(&page->done_seq, FUTEX_WAIT, done, &timeout);
}

std::vector<uint8_t> LiveMachine::SigactionFor(TaskId task, int sig, scn::HandleMode mode) {
  (void)TaskAt(task);
  (void)sig;
  constexpr uint64_t kSaSiginfo = 0x4, kSaRestorer = 0x04000000, kSaRestart = 0x10000000;
  uint64_t handler = 0;
  uint64_t flags = kSaRestorer;
  switch (mode) {
    case scn::HandleMode::kRestart:
      flags |= kSaRestart;
      [[fallthrough]];
    case scn::HandleMode::kNoRestart:
      handler = reinterpret_cast<uintptr_t>(&sclab_live_signal_handler);
      flags |= kSaSiginfo;
      break;
    case scn::HandleMode::kIgnore:
      handler = 1;  // SIG_IGN
      break;
    case scn::HandleMode::kDefault:
      handler = 0;  // SIG_DFL
      break;
  }
  const uint64_t fields[4] = {handler, flags, reinterpret_cast<uintptr_t>(&sclab_live_restorer), 0};
  std::vector<uint8_t> bytes(sizeof fields);
  std::memcpy(bytes.data(), fields, sizeof fields);
  return bytes;
}

std::optional<scn::SigsysInfo> LiveMachine::LastSigsys(TaskId task) {
  TaskPage* page = PageOf(TaskAt(task));
  if (page->sigsys_seq.load(std::memory_order_acquire) == 0) {
    return std::nullopt;
  }
  scn::SigsysInfo info;
  info.signo = page->sigsys.signo;
  info.code = page->sigsys.code;
  info.error = page->sigsys.error;
  info.syscall = page->sigsys.syscall;
  info.arch = page->sigsys.arch;
  info.call_addr = page->sigsys.call_addr;
  return info;
}

uint32_t LiveMachine::SignalCount(TaskId task, int sig) {
  if (sig <= 0 || sig >= 65) {
    return 0;
  }
  return PageOf(TaskAt(task))->signal_count[sig].load();
}

std::vector<int> LiveMachine::ProcessGroups() const {
  std::vector<int> groups;
  for (const Process& p : processes_) {
    if (p.top_level) {
      groups.push_back(p.pid);
    }
  }
  return groups;
}

void LiveMachine::NoteFutexAllowed(TaskId id, bool allowed) {
  Task& task = TaskAt(id);
  PageOf(task)->futex_ok.store(allowed ? 1 : 0, std::memory_order_seq_cst);
  if (!shut_down_) {
    AdjustScheduling();
  }
}

// StopFutexWaits makes the other tasks of the process leave FUTEX_WAIT before a
// TSYNC may change their filters: a sleeping futex interrupted by a signal with
// SA_RESTART would be restarted under the new filters. Ringing is enough: FUTEX_WAKE
// takes every sleeper off the word (its futex returns 0, never a restart), and with
// futex_ok cleared and kFutexWaiters gone none can sleep there again.
void LiveMachine::StopFutexWaits(size_t process, TaskId caller) {
  for (TaskId id : processes_[process].tasks) {
    Task& task = tasks_[id];
    if (id == caller || (task.end && task.end->kind != TaskEnd::Kind::kAlive)) {
      continue;
    }
    TaskPage* page = PageOf(task);
    page->futex_ok.store(0, std::memory_order_seq_cst);
    Ring(page);
  }
}

// --- ends and outcomes -------------------------------------------------------------

std::optional<LiveMachine::ProcessEnd> LiveMachine::ProcessEndOf(Process& process) {
  if (process.end) {
    return process.end;
  }
  if (process.pidfd < 0) {
    return std::nullopt;
  }
  siginfo_t info{};
  if (waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(process.pidfd), &info,
             WEXITED | WNOHANG | WNOWAIT | __WALL) == 0) {
    if (info.si_pid == 0) {
      return std::nullopt;  // our child, still alive
    }
    ProcessEnd end;
    end.killed = info.si_code != CLD_EXITED;
    end.value = info.si_status;
    process.end = end;
    return end;
  }
  if (errno != ECHILD) {
    return std::nullopt;
  }
  // Not our child (yet): a fork whose agent parent lives. Reaped already?
  bool gone = false;
  if (const auto status = ReapedStatus(process.pidfd, &gone)) {
    ProcessEnd end;
    end.killed = WIFSIGNALED(*status);
    end.value = end.killed ? WTERMSIG(*status) : WEXITSTATUS(*status);
    process.end = end;
    return end;
  }
  // A zombie whose threads are all gone: its exit_code field is the wait status.
  const auto stat = ReadProcStat(process.pid);
  if (stat && (stat->state == 'Z' || stat->state == 'X') && CountTasks(process.pid) <= 1) {
    ProcessEnd end;
    end.killed = WIFSIGNALED(stat->exit_code);
    end.value = end.killed ? WTERMSIG(stat->exit_code) : WEXITSTATUS(stat->exit_code);
    process.end = end;
    return end;
  }
  return std::nullopt;
}

// ThreadGone: the task ended while its process may live on. A leader that exited
// stays a zombie in /proc until the last thread ends; another thread's
// CLONE_CHILD_CLEARTID word is cleared by the kernel (mm_release()) and its /proc
// entry vanishes once it is released.
bool LiveMachine::ThreadGone(const Task& task, const Process&) {
  const auto stat = task.proc->Stat();
  if (task.leader) {
    return !stat || stat->state == 'Z' || stat->state == 'X';
  }
  return !stat || PageOf(task)->ctid.load() == 0;
}

std::optional<scn::TaskEnd> LiveMachine::EndOf(Task& task) {
  if (task.end) {
    return task.end;
  }
  Process& process = processes_[task.process];
  if (auto end = ProcessEndOf(process)) {
    return EndFrom(end->killed, end->value);
  }
  if (ThreadGone(task, process)) {
    // The thread may be the first of a group exit: only call it gone once the
    // process is seen alive afterwards.
    if (ProcessEndOf(process)) {
      return EndFrom(process.end->killed, process.end->value);
    }
    TaskEnd end;
    end.kind = TaskEnd::Kind::kGone;
    return end;
  }
  return std::nullopt;
}

std::optional<scn::RawOutcome> LiveMachine::FinalOutcome(Call& call) {
  if (call.final) {
    return call.final;
  }
  Task& task = tasks_[call.task];
  TaskPage* page = PageOf(task);
  if (page->done_seq.load(std::memory_order_acquire) == call.seq) {
    RawOutcome out;
    out.kind = RawOutcome::Kind::kReturned;
    out.ret = page->result.load();
    return out;
  }
  const auto end = EndOf(task);
  if (!end) {
    return std::nullopt;
  }
  RawOutcome out;
  switch (end->kind) {
    case TaskEnd::Kind::kKilled:
      out.kind = RawOutcome::Kind::kKilled;
      out.signal = end->signal;
      break;
    case TaskEnd::Kind::kExited:
      out.kind = RawOutcome::Kind::kExited;
      out.exit_code = end->exit_code;
      break;
    case TaskEnd::Kind::kGone:
      out.kind = RawOutcome::Kind::kGone;
      break;
    case TaskEnd::Kind::kAlive:
      return std::nullopt;
  }
  return out;
}

void LiveMachine::RecordEnds() {
  for (Task& task : tasks_) {
    if (!task.end) {
      if (auto end = EndOf(task)) {
        task.end = end;
      }
    }
  }
  for (Call& call : calls_) {
    if (call.final || !call.clone_resolved) {
      continue;
    }
    if (auto out = FinalOutcome(call)) {
      call.final = out;
      Task& task = tasks_[call.task];
      if (task.busy && *task.busy == static_cast<scn::CallId>(&call - calls_.data())) {
        task.busy.reset();
      }
    }
  }
}

// --- clones ------------------------------------------------------------------------

void LiveMachine::ResolveClones() {
  for (Call& call : calls_) {
    if (call.clone_resolved) {
      continue;
    }
    Task& parent = tasks_[call.task];
    Process& parent_process = processes_[parent.process];
    TaskPage* page = PageOf(parent);
    TaskPage* child = &pages_[call.child_page];
    const bool done = page->done_seq.load(std::memory_order_acquire) == call.seq;
    auto no_child = [&] {
      call.clone_resolved = true;
      page_used_[static_cast<size_t>(call.child_page)] = false;
    };
    if (!done) {
      if (ProcessEndOf(parent_process) || ThreadGone(parent, parent_process)) {
        // The creator died inside the call: a half-made fork stays unclaimed and
        // dies with its process group at Shutdown.
        no_child();
        continue;
      }
      if (call.op == kOpFork && child->fork_claim.load() != 0 &&
          child->fork_verdict.load() == kVerdictPending) {
        // Someone got 0 from the clone while the parent has not returned: if the
        // parent thread has no child we do not know, the 0 was the parent's.
        bool unknown_child = false;
        for (int pid : ReadTaskChildren(parent_process.pid, parent.tid)) {
          bool known = false;
          for (const Process& p : processes_) {
            known = known || p.pid == pid;
          }
          unknown_child = unknown_child || !known;
        }
        if (!unknown_child) {
          child->fork_verdict.store(kVerdictParent, std::memory_order_seq_cst);
        }
      }
      continue;
    }
    const long result = static_cast<long>(page->result.load());
    if (result <= 0) {
      no_child();
      continue;
    }
    if (call.op == kOpThread) {
      if (child->ptid.load() != result) {
        no_child();  // a supervisor's fake tid: no thread was made
        continue;
      }
      if (child->started.load() == 0) {
        if (ProcessEndOf(parent_process)) {
          RegisterChild(call, result);
        }
        continue;
      }
      RegisterChild(call, result);
      continue;
    }
    // Fork: the child claims its page, we answer, it starts.
    if (child->fork_claim.load() != 0) {
      child->fork_verdict.store(kVerdictChild, std::memory_order_seq_cst);
      if (child->started.load() != 0) {
        RegisterChild(call, result);
      }
      continue;
    }
    const auto children = ReadTaskChildren(parent_process.pid, parent.tid);
    if (std::find(children.begin(), children.end(), result) == children.end()) {
      // Not a child of the parent: a supervisor's fake pid (or the child is already
      // gone and reaped, which needs a later step, so cannot have happened yet).
      no_child();
    }
  }
}

void LiveMachine::RegisterChild(Call& call, long result) {
  call.clone_resolved = true;
  Task& parent = tasks_[call.task];
  const size_t parent_process = parent.process;
  Task task;
  task.page = call.child_page;
  task.tid = static_cast<int>(result);
  task.proc = std::make_shared<TaskProcFiles>(
      call.op == kOpFork ? task.tid : processes_[parent_process].pid, task.tid);
  const TaskId id = static_cast<TaskId>(tasks_.size());
  if (call.op == kOpFork) {
    Process process;
    process.pid = static_cast<int>(result);
    process.pidfd = static_cast<int>(syscall(SYS_pidfd_open, process.pid, 0));
    process.channel_owner = processes_[parent_process].channel_owner;
    process.next_slot = processes_[parent_process].next_slot;
    process.may_have_handlers = processes_[parent_process].may_have_handlers;
    process.tasks.push_back(id);
    task.name = parent.name + "/fork";
    task.process = processes_.size();
    task.leader = true;
    processes_.push_back(process);
  } else {
    task.name = parent.name + "/thread";
    task.process = parent_process;
    processes_[parent_process].tasks.push_back(id);
  }
  tasks_.push_back(task);
  call.child = id;
}

// --- settling ------------------------------------------------------------------------

bool LiveMachine::TaskSettled(TaskId id, Observation* seen, std::string* why) {
  Task& task = tasks_[id];
  Process& process = processes_[task.process];
  TaskPage* page = PageOf(task);
  seen->task = id;
  auto fail = [&](const char* text) {
    *why = text;
    return false;
  };
  if (ProcessEndOf(process)) {
    seen->kind = kSeenDead;
    return true;
  }
  const Call* call = task.busy ? &calls_[*task.busy] : nullptr;
  const bool in_call = call != nullptr && page->done_seq.load() != call->seq;
  TaskProcFiles& proc = *task.proc;
  // The common case first, cheaply: an idle task asleep in its futex wait. (A signal
  // it must act on would have woken it.)
  if (!in_call && page->in_handler.load() == 0 && page->idle_mode.load() == kIdleFutex) {
    const auto stat = proc.Stat();
    if (stat && stat->state == 'S' && proc.Syscall() == kSysFutex) {
      seen->kind = kSeenIdleFutex;
      seen->state = 'S';
      return true;
    }
  }
  const auto status = proc.Status();
  if (!status) {
    // Released: a thread that finished exiting, or a process reaped meanwhile.
    seen->kind = task.leader ? kSeenDead : kSeenGone;
    return true;
  }
  if (status->state == 'Z' || status->state == 'X') {
    // A zombie leader whose process lives on (the other threads are checked on
    // their own; once they are gone too the process end is seen above).
    if (task.leader) {
      seen->kind = kSeenGone;
      return true;
    }
    return fail("is exiting");
  }
  if (!task.leader && page->ctid.load() == 0) {
    return fail("is exiting");
  }
  seen->state = status->state;
  if (status->state == 'T' || status->state == 't') {
    seen->kind = kSeenStopped;
    seen->switches = status->switches;
    return true;
  }
  const uint64_t pending = status->UnblockedPending();
  const bool sleeping = status->state == 'S' || status->state == 'D';
  // BlockedInKernel: asleep inside its syscall for good, not just for a moment. An
  // interruptible sleep with a signal to act on is about to end; an uninterruptible
  // one is transient (a lock, I/O) unless it is a notification wait that
  // WAIT_KILLABLE_RECV made killable, and no SIGKILL is on its way.
  auto blocked_in_kernel = [&]() -> bool {
    if (status->state == 'S' && pending != 0) {
      return fail("has a signal pending");
    }
    if (status->state == 'D') {
      if ((pending & (1ull << (SIGKILL - 1))) != 0) {
        return fail("is being killed");
      }
      if (ReadTaskWchan(process.pid, task.tid).find("seccomp") == std::string::npos) {
        return fail("is in an uninterruptible sleep");
      }
    }
    return true;
  };
  // Returning from a signal handler is an rt_sigreturn(15) through the task's filters
  // (docs/execution.md §3), so it can sleep in a notification wait like any call:
  // whether the handler interrupted the idle loop, a call (which then stays
  // `blocked`), or another handler. The agent issues rt_sigreturn only from its
  // restorer, so a sleep in syscall 15 is exactly that; it is settled as any
  // blocked call is, and a supervisor's reply later lets it go on (CONTINUE: back to
  // where the signal arrived; a value: into ud2, SIGILL).
  if (sleeping && proc.Syscall() == kSysRtSigreturn) {
    if (!blocked_in_kernel()) {
      return false;
    }
    seen->kind = kSeenHandlerAsleep;
    seen->switches = status->switches;
    return true;
  }
  if (page->in_handler.load() > 0) {
    return fail("is running a signal handler");
  }
  if (in_call) {
    const Call& c = *call;
    if (page->enter_seq.load() != c.seq) {
      return fail("has not picked up its command yet");
    }
    if (!sleeping) {
      return fail("has not returned from its syscall");
    }
    const std::optional<long> nr = proc.Syscall();
    if (!nr || (*nr != c.nr && *nr != kSysRestart)) {
      return fail("sleeps outside its syscall");
    }
    if (!blocked_in_kernel()) {
      return false;
    }
    seen->kind = kSeenAsleep;
    seen->switches = status->switches;
    return true;
  }
  // Idle: waiting for its next command.
  if (pending != 0) {
    task.idle_marked = false;
    return fail("has a signal pending");
  }
  if (status->state == 'S' && page->idle_mode.load() == kIdleFutex && proc.Syscall() == kSysFutex) {
    seen->kind = kSeenIdleFutex;
    seen->switches = status->switches;
    return true;
  }
  if (!process.may_have_handlers) {
    // Without a handler a signal kills, stops (both seen above once they act) or is
    // discarded: a spinner need not run to be known settled.
    seen->kind = kSeenIdleSpin;
    return true;
  }
  // Running (spinning, or on its way back from a handler): once the loop has gone
  // round after we saw nothing pending, no handler can still be on its way.
  const uint64_t iter = page->idle_iter.load();
  if (!task.idle_marked) {
    task.idle_marked = true;
    task.idle_mark = iter;
    return fail("is running in its idle loop");
  }
  if (iter == task.idle_mark) {
    return fail("has not gone round its idle loop");
  }
  seen->kind = kSeenIdleSpin;
  return true;
}

void LiveMachine::Settle(Clock::time_point deadline, bool confirm) {
  for (Task& task : tasks_) {
    task.idle_marked = false;
  }
  std::vector<Observation> previous;
  bool have_previous = false;
  int round = 0;
  for (;;) {
    ThrowIfInterrupted();
    ResolveClones();
    bool all = true;
    std::string why;
    TaskId why_task = 0;
    std::vector<Observation> seen;
    // Tasks inside a call first: they are the ones that move. A pass stops at the
    // first task that is not settled.
    for (const bool busy_pass : {true, false}) {
      for (TaskId id = 0; all && id < tasks_.size(); ++id) {
        const Task& task = tasks_[id];
        if (task.busy.has_value() != busy_pass) {
          continue;
        }
        if (task.end && task.end->kind != TaskEnd::Kind::kAlive) {
          continue;
        }
        Observation observation;
        if (TaskSettled(id, &observation, &why)) {
          seen.push_back(observation);
        } else {
          all = false;
          why_task = id;
          // A lowered spinner that must act (die, stop, run a handler) gets the
          // CPU back; AdjustScheduling() lowers it again once it is idle.
          Task& waiting = tasks_[id];
          SetSchedIdle(waiting, false);
          SetSessionLow(processes_[waiting.process].channel_owner, false);
        }
      }
    }
    for (const Call& call : calls_) {
      // A clone asleep in the kernel (a notification) is judged with its task; one
      // that returned, or whose child claimed its page, must finish registering.
      if (call.clone_resolved) {
        continue;
      }
      const bool returned = PageOf(tasks_[call.task])->done_seq.load() == call.seq;
      if (returned || pages_[call.child_page].fork_claim.load() != 0) {
        all = false;
        why = "has a child from clone that is not running yet";
        why_task = call.task;
      }
    }
    if (all) {
      if (!confirm || (have_previous && previous == seen)) {
        break;
      }
      previous = std::move(seen);
      have_previous = true;
      SleepFor(std::chrono::microseconds(options_.settle_grace_us));
      continue;
    }
    have_previous = false;
    if (Clock::now() > deadline) {
      const Task& task = tasks_[why_task];
      throw MachineError("live: step timeout (" + std::to_string(options_.step_timeout_ms) +
                         " ms): task " + task.name + " (tid " + std::to_string(task.tid) + ") " +
                         why + " " + Describe(processes_[task.process].pid, task.tid));
    }
    if (round < 20) {
      sched_yield();
    } else {
      SleepFor(std::chrono::microseconds(round < 100 ? 20 : 200));
    }
    ++round;
  }
  RecordEnds();
  AdjustScheduling();
}

// AdjustScheduling lowers spinning idle agents to SCHED_IDLE, and sessions made only
// of them to autogroup nice 19, so that on a small machine they do not compete
// with the runner and the tasks that work. Post() raises them again.
void LiveMachine::AdjustScheduling() {
  std::vector<int> spinning(processes_.size(), -1);  // per session: -1 none, 0 no, 1 yes
  for (Task& task : tasks_) {
    if (task.end && task.end->kind != TaskEnd::Kind::kAlive) {
      continue;
    }
    const bool spinner = !task.busy && PageOf(task)->futex_ok.load() == 0;
    SetSchedIdle(task, spinner);
    int& session = spinning[processes_[task.process].channel_owner];
    session = (session != 0 && spinner) ? 1 : 0;
  }
  for (size_t session = 0; session < processes_.size(); ++session) {
    if (spinning[session] >= 0) {
      SetSessionLow(session, spinning[session] == 1);
    }
  }
}

}  // namespace sclab::live
