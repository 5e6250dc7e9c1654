// LiveMachine is scn::Machine on the real kernel: every `process` is a forked
// agent process, every thread a thread made by one raw clone(2), and every
// primitive a real syscall issued by that task (docs/execution.md is the contract,
// docs/live.md explains how agents work and where the limits are).
//
// Agents are driven through per-task command pages in shared memory (TaskPage), so
// they keep working whatever filter the scenario installs: the only syscalls a task
// makes are the ones asked of it, plus futex(2) while NoteFutexAllowed says futex
// is allowed whatever its arguments.
//
// After every primitive the machine is *settled* (scenarios/machine.h): each
// in-flight call has returned or sleeps inside its syscall (S, or D in a seccomp
// notification wait, with no unblocked signal pending), no handler runs, every
// idle task waits in its loop, and two observations a grace period apart agree.
//
// Errors: scn::MachineError for everything that is the backend's failure, not a
// kernel outcome: an agent that could not be set up or vanished, a step or scenario
// timeout (what did not settle is named), a refused syscall, a budget exceeded.
// Shutdown() (also run by the destructor) kills every agent process group, reaps
// every process, removes $scratch, and throws if a process survived.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "live/proc_reader.h"
#include "live/task_page.h"
#include "scenarios/machine.h"

namespace sclab::live {

struct LiveOptions {
  uint32_t step_timeout_ms = 2000;       // bound on each wait (scn::RunOptions)
  uint32_t scenario_timeout_ms = 30000;  // bound on the whole run
  uint32_t task_budget = kMaxTasks;      // at most kMaxTasks
  uint32_t settle_grace_us = 200;        // between the two agreeing observations
};

class LiveMachine final : public scn::Machine {
 public:
  explicit LiveMachine(const LiveOptions& options = {});
  ~LiveMachine() override;
  LiveMachine(const LiveMachine&) = delete;
  LiveMachine& operator=(const LiveMachine&) = delete;

  scn::BackendInfo Info() override;
  scn::TaskId SpawnProcess(std::string_view name, bool privileged) override;
  int64_t Pid(scn::TaskId task) override;
  int64_t Tid(scn::TaskId task) override;
  int64_t RunnerPid() override;
  std::string ScratchPath() override;
  uint64_t AllocBuffer(scn::TaskId task, uint64_t size) override;
  void WriteMemory(scn::TaskId task, uint64_t addr, std::span<const uint8_t> bytes) override;
  std::vector<uint8_t> ReadMemory(scn::TaskId task, uint64_t addr, uint64_t len) override;
  scn::CallId StartSyscall(scn::TaskId id, int nr, const std::array<uint64_t, 6>& args) override;
  scn::CallId StartClone(scn::TaskId id, scn::CloneKind kind) override;
  std::optional<scn::TaskId> ChildOf(scn::CallId call) override;
  bool SendFdToChannel(scn::TaskId from, int fd, scn::TaskId to) override;
  scn::RawOutcome Poll(scn::CallId id) override;
  scn::RawOutcome Await(scn::CallId id) override;
  scn::TaskEnd TaskState(scn::TaskId task) override;
  scn::TaskEnd AwaitTaskEnd(scn::TaskId task) override;
  bool InSignalHandler(scn::TaskId id) override;
  std::vector<uint8_t> SigactionFor(scn::TaskId task, int sig, scn::HandleMode mode) override;
  std::optional<scn::SigsysInfo> LastSigsys(scn::TaskId task) override;
  void NoteFutexAllowed(scn::TaskId id, bool allowed) override;
  void NoteSkippedSyscall(scn::TaskId task, int nr) override;
  void Shutdown() override;

  // SignalCount is how many times the task's recording handler ran for `sig`.
  uint32_t SignalCount(scn::TaskId task, int sig);
  // ProcessGroups lists the agent process groups (one per `process`), for tests.
  std::vector<int> ProcessGroups() const;

 private:
  using Clock = std::chrono::steady_clock;

  // ProcessEnd is how a process ended, as a wait(2) status word.
  struct ProcessEnd {
    bool killed = false;
    int value = 0;  // exit code, or the signal
  };
  struct Process {
    int pid = 0;
    int pidfd = -1;
    int channel_fd = -1;       // the runner's end of the channel (top-level only)
    size_t channel_owner = 0;  // the top-level process whose channel fd 1023 is
    uint32_t next_slot = 0;    // next buffer slot (AllocBuffer)
    bool top_level = false;
    std::optional<ProcessEnd> end;
    bool reaped = false;
    bool may_have_handlers = false;  // some task issued rt_sigaction (inherited by fork)
    bool session_low = false;        // top-level: the session's autogroup is at nice 19
    std::vector<scn::TaskId> tasks;
  };
  struct Task {
    std::string name;
    size_t process = 0;
    int tid = 0;
    int page = 0;
    bool leader = false;
    uint32_t seq = 0;  // last command posted
    std::optional<scn::CallId> busy;
    std::optional<scn::TaskEnd> end;
    bool sched_idle = false;
    std::optional<int> noted_skip;        // NoteSkippedSyscall, consumed by StartSyscall
    std::shared_ptr<TaskProcFiles> proc;  // its /proc files, kept open
    // Settle bookkeeping for an idle task seen running.
    bool idle_marked = false;
    uint64_t idle_mark = 0;
  };
  struct Call {
    scn::TaskId task = 0;
    uint32_t seq = 0;
    long nr = 0;
    uint32_t op = kOpSyscall;
    int child_page = -1;         // clones: the reserved page of the child
    bool clone_resolved = true;  // clones: the child is registered, or known not to exist
    std::optional<scn::TaskId> child;
    std::optional<scn::RawOutcome> final;
  };
  // Observation is one task's settled state in one settle pass; two passes a grace
  // period apart must observe the same thing.
  struct Observation {
    scn::TaskId task = 0;
    int kind = 0;
    char state = '?';
    uint64_t switches = 0;
    uint32_t done_seq = 0;
    bool operator==(const Observation&) const = default;
  };

  void ReleaseResources() noexcept;
  TaskPage* PageOf(const Task& task) const { return &pages_[task.page]; }
  Task& TaskAt(scn::TaskId task);
  Process& ProcessOf(scn::TaskId task) { return processes_[TaskAt(task).process]; }
  Task& UsableTask(scn::TaskId id, const char* what);
  int ReservePage();
  void ResetPage(int index);
  void Ring(TaskPage* page);
  void Post(Task& task, uint32_t op, long nr, const std::array<uint64_t, 6>& args, TaskPage* child,
            uintptr_t child_stack_top);
  uintptr_t StackTop(int page) const;
  void CheckSyscallAllowed(Task& task, scn::TaskId id, int nr);
  void StopFutexWaits(size_t process, scn::TaskId caller);
  void SetSessionLow(size_t session, bool low);
  Clock::time_point StepDeadline();
  void ThrowIfInterrupted();
  void Settle(Clock::time_point deadline, bool confirm);
  bool TaskSettled(scn::TaskId id, Observation* seen, std::string* why);
  void ResolveClones();
  void RegisterChild(Call& call, long result);
  std::optional<ProcessEnd> ProcessEndOf(Process& process);
  bool ThreadGone(const Task& task, const Process& process);
  std::optional<scn::TaskEnd> EndOf(Task& task);
  std::optional<scn::RawOutcome> FinalOutcome(Call& call);
  void RecordEnds();
  void AdjustScheduling();
  void WaitForChange(const Task& task, uint32_t seq, std::chrono::microseconds limit);
  int LiveTidOf(scn::TaskId id);
  void TransferMemory(scn::TaskId task, uint64_t addr, uint8_t* local, uint64_t len, bool write);
  void SetSchedIdle(Task& task, bool idle);

  LiveOptions options_;
  int runner_pid_ = 0;
  int runner_tid_ = 0;
  bool root_ = false;
  Clock::time_point run_start_;
  std::string scratch_;
  int emergency_slot_ = -1;
  int old_subreaper_ = 0;
  int old_timerslack_ = -1;
  TaskPage* pages_ = nullptr;
  std::vector<bool> page_used_;
  int locked_pages_ = 0;
  void* slots_map_ = nullptr;
  uintptr_t slots_base_ = 0;
  void* stacks_map_ = nullptr;
  size_t stacks_map_bytes_ = 0;
  uintptr_t stacks_base_ = 0;
  std::vector<Process> processes_;
  std::vector<Task> tasks_;
  std::vector<Call> calls_;
  bool shut_down_ = false;
};

}  // namespace sclab::live
