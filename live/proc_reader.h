// ProcReader functions read what the runner needs about agents from /proc: a
// task's scheduler state, pending and blocked signals and context switches
// (status), the syscall it sleeps in (syscall, wchan), a process's state, parent
// and exit code (stat), a thread's children. Each returns nullopt/empty when the
// task is gone (ENOENT/ESRCH); they never throw.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sclab::live {

// TaskStatus is the part of /proc/PID/task/TID/status the settle check reads.
struct TaskStatus {
  char state = '?';            // R S D T t Z X …
  uint64_t sig_pending = 0;    // SigPnd: this thread's pending signals
  uint64_t shd_pending = 0;    // ShdPnd: the process's shared pending signals
  uint64_t sig_blocked = 0;    // SigBlk
  uint64_t switches = 0;       // voluntary + nonvoluntary context switches
  int seccomp_mode = -1;       // Seccomp:
  int seccomp_filters = -1;    // Seccomp_filters:
  int uid = -1;                // real uid
  int gid = -1;                // real gid
  uint64_t cap_effective = 0;  // CapEff
  int no_new_privs = -1;       // NoNewPrivs:
  int threads = 0;             // Threads:

  // UnblockedPending are the signals that will be delivered to this thread or
  // interrupt its sleep.
  uint64_t UnblockedPending() const { return (sig_pending | shd_pending) & ~sig_blocked; }
};

std::optional<TaskStatus> ReadTaskStatus(int pid, int tid);

// ReadTaskSyscall is the first field of /proc/PID/task/TID/syscall: the number of
// the syscall the (not running) task is inside, -1 when it is not in a syscall,
// nullopt when the task is running or gone.
std::optional<long> ReadTaskSyscall(int pid, int tid);

// ReadTaskWchan is the kernel function the task sleeps in ("" when unknown).
std::string ReadTaskWchan(int pid, int tid);

// ProcStat is the part of /proc/PID/stat the runner reads.
struct ProcStat {
  char state = '?';
  int ppid = 0;
  int pgrp = 0;
  int session = 0;
  uint64_t starttime = 0;
  int exit_code = 0;  // the wait(2) status word of a zombie (0 while it runs)
};

std::optional<ProcStat> ReadProcStat(int pid);
std::optional<ProcStat> ReadTaskStat(int pid, int tid);

// ReadTaskChildren lists /proc/PID/task/TID/children: the children that thread forked.
std::vector<int> ReadTaskChildren(int pid, int tid);

// CountTasks counts the entries of /proc/PID/task (0 when the process is gone).
int CountTasks(int pid);

// ReadText returns a small text file's contents ("" when it cannot be read).
std::string ReadText(const std::string& path);

// TaskProcFiles keeps a task's status, stat and syscall files open and re-reads them
// with pread() (regenerated at offset 0), which costs a fraction of opening them:
// the settle check reads them for every task, many times per step. An open file
// refers to the task it was opened for, so a recycled tid can never be misread;
// once the task is released every read fails (nullopt).
class TaskProcFiles {
 public:
  TaskProcFiles(int pid, int tid) : pid_(pid), tid_(tid) {}
  ~TaskProcFiles();
  TaskProcFiles(TaskProcFiles&& other) noexcept;
  TaskProcFiles& operator=(TaskProcFiles&&) = delete;
  TaskProcFiles(const TaskProcFiles&) = delete;
  TaskProcFiles& operator=(const TaskProcFiles&) = delete;

  std::optional<TaskStatus> Status();
  std::optional<ProcStat> Stat();
  std::optional<long> Syscall();

 private:
  int pid_;
  int tid_;
  int status_fd_ = -1;
  int stat_fd_ = -1;
  int syscall_fd_ = -1;
};

}  // namespace sclab::live
