// SimMachine is the Machine (scenarios/machine.h) of the simulated kernel: it runs the
// shared runner's primitives on a ksim::Kernel exactly as docs/execution.md describes
// them, so a scenario issues the same syscalls with the same arguments on the
// simulator as on the real kernel.
//
// Contract:
// - Tasks get TaskIds in creation order; spawned processes are the runner's children
//   (uid/gid 65534 without capabilities, or root with all of them when privileged).
// - Buffers follow docs/execution.md §2: each process has 512 slots of four mapped
//   pages and one unmapped page, a buffer sits at the end of its slot's four pages,
//   threads share the slots and fork() copies them. A buffer above 16 KiB or a 513th
//   slot is a MachineError. The thread()'s stack and tid words live in one private
//   page mapped before the first slot, so they never take a runner slot.
// - Every primitive returns with the kernel quiescent (settled). The simulator never
//   waits: Await() is Poll(), AwaitTaskEnd() is TaskState().
// - Reaching the scheduling budget, starting a call on a task that is not idle, or a
//   memory access the runner should not make throws MachineError.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kernel_sim/kernel.h"
#include "scenarios/machine.h"

namespace sclab::scn {

struct SimMachineOptions {
  uint64_t seed = 1;
  bool explain = false;
  uint64_t step_budget = 1'000'000;
  // The API proposals' kernel hooks (kernel_sim/proposal_hooks.h); null: Linux 6.18.
  std::shared_ptr<ksim::ProposalHooks> proposals;
};

class SimMachine : public Machine {
 public:
  explicit SimMachine(const SimMachineOptions& options = {});

  BackendInfo Info() override;
  TaskId SpawnProcess(std::string_view name, bool privileged) override;
  int64_t Pid(TaskId task) override;
  int64_t Tid(TaskId task) override;
  int64_t RunnerPid() override;
  std::string ScratchPath() override;
  uint64_t AllocBuffer(TaskId task, uint64_t size) override;
  void WriteMemory(TaskId task, uint64_t addr, std::span<const uint8_t> bytes) override;
  std::vector<uint8_t> ReadMemory(TaskId task, uint64_t addr, uint64_t len) override;
  CallId StartSyscall(TaskId task, int nr, const std::array<uint64_t, 6>& args) override;
  CallId StartClone(TaskId task, CloneKind kind) override;
  std::optional<TaskId> ChildOf(CallId call) override;
  bool SendFdToChannel(TaskId from, int fd, TaskId to) override;
  RawOutcome Poll(CallId call) override;
  RawOutcome Await(CallId call) override { return Poll(call); }
  TaskEnd TaskState(TaskId task) override;
  TaskEnd AwaitTaskEnd(TaskId task) override { return TaskState(task); }
  bool InSignalHandler(TaskId task) override;
  std::vector<uint8_t> SigactionFor(TaskId task, int sig, HandleMode mode) override;
  std::optional<SigsysInfo> LastSigsys(TaskId task) override;
  std::string ReasonFor(CallId call) override;
  std::vector<std::string> DrainKernelNotes() override;
  std::string QueueState() override;
  std::string StateDump() override;
  void Shutdown() override;

  ksim::Kernel& kernel() { return kernel_; }

  // Slot geometry (docs/execution.md §2).
  static constexpr uint64_t kSlotPages = 4;
  static constexpr uint64_t kMaxSlots = 512;
  static constexpr uint64_t kMaxBuffer = kSlotPages * 4096;

 private:
  struct Call {
    TaskId task = 0;
    ksim::CallHandle handle;
    bool clone = false;
    CloneKind clone_kind = CloneKind::kFork;
    std::optional<TaskId> child;  // the task the clone made, once it is known
    bool cached = false;
    RawOutcome outcome;
    std::string reason;
  };
  struct ProcessSlots {
    uint64_t used = 0;          // slots handed out
    uint64_t private_page = 0;  // the page holding thread() stack and tid words
    uint64_t private_used = 0;
  };

  ksim::Pid TidOf(TaskId task) const;
  TaskId Register(ksim::Pid tid);
  ProcessSlots& SlotsOf(ksim::Pid tgid);
  CallId Begin(TaskId task, int64_t nr, const std::array<uint64_t, 6>& args, bool clone);
  void RegisterChild(CallId id);
  RawOutcome OutcomeOf(const ksim::CallStatus& s) const;
  void CheckBudget() const;

  ksim::Kernel kernel_;
  std::vector<ksim::Pid> tids_;  // TaskId -> tid
  std::map<ksim::Pid, TaskId> task_of_tid_;
  std::map<ksim::Pid, ProcessSlots> slots_;  // by tgid
  std::vector<Call> calls_;
  std::map<TaskId, CallId> last_call_;
  bool shut_down_ = false;
};

}  // namespace sclab::scn
