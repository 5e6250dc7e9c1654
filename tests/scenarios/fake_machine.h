// FakeMachine is a scripted test double of scenarios/machine.h for the runner's unit
// tests — not a backend. It keeps tasks, per-process buffer memory laid out as
// docs/execution.md §2 says (slot k at base + k·20 KiB, buffer at the end of its
// 16 KiB), records every primitive the runner asks for, and answers syscalls through
// a script the test sets (default: return 0). A scripted answer may be kBlocked; the
// test finishes such a call later with Complete(), e.g. from the script of another
// syscall (a reply completing a notified call).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "scenarios/machine.h"

namespace sclab::scn::testing {

struct IssuedSyscall {
  TaskId task = 0;
  int nr = 0;
  std::array<uint64_t, 6> args{};
};

class FakeMachine : public Machine {
 public:
  static constexpr uint64_t kBase = 0x7f0000000000;
  static constexpr uint64_t kSlot = 20 * 1024;
  static constexpr int64_t kRunnerPid = 100;

  // Script answers a syscall; it may write memory and complete other calls.
  using Script = std::function<RawOutcome(FakeMachine&, CallId, const IssuedSyscall&)>;

  Script script;
  std::vector<IssuedSyscall> issued;
  std::vector<std::pair<TaskId, CloneKind>> clones;
  std::vector<std::pair<TaskId, bool>> futex_notes;
  std::vector<std::string> notes_to_drain;
  std::string queue_state;
  std::map<CallId, std::string> reasons;
  std::map<TaskId, SigsysInfo> sigsys;
  std::map<TaskId, TaskEnd> ends;
  std::map<TaskId, bool> in_handler;  // InSignalHandler's answer per task
  bool send_fd_ok = true;
  std::optional<std::string> fail_alloc;  // AllocBuffer throws MachineError with it
  bool shut_down = false;

  BackendInfo Info() override { return BackendInfo{"fake", "fake kernel", "", true}; }

  TaskId SpawnProcess(std::string_view name, bool /*privileged*/) override {
    names_.emplace_back(name);
    return NewTask(NewProcess());
  }

  int64_t Pid(TaskId task) override { return PidOfTask(task); }
  int64_t Tid(TaskId task) override { return tids_[task]; }
  int64_t RunnerPid() override { return kRunnerPid; }
  std::string ScratchPath() override { return "/tmp/sclab-abcdef"; }

  uint64_t AllocBuffer(TaskId task, uint64_t size) override {
    if (fail_alloc) throw MachineError(*fail_alloc);
    Process& p = processes_[static_cast<size_t>(process_of_[task])];
    const uint64_t addr = kBase + p.slots * kSlot + 16384 - size;
    ++p.slots;
    for (uint64_t i = 0; i < size; ++i) p.memory[addr + i] = 0;
    return addr;
  }

  void WriteMemory(TaskId task, uint64_t addr, std::span<const uint8_t> bytes) override {
    Process& p = processes_[static_cast<size_t>(process_of_[task])];
    for (size_t i = 0; i < bytes.size(); ++i) p.memory[addr + i] = bytes[i];
  }

  std::vector<uint8_t> ReadMemory(TaskId task, uint64_t addr, uint64_t len) override {
    Process& p = processes_[static_cast<size_t>(process_of_[task])];
    std::vector<uint8_t> out;
    for (uint64_t i = 0; i < len; ++i) {
      const auto it = p.memory.find(addr + i);
      if (it == p.memory.end()) throw MachineError("read of unmapped memory");
      out.push_back(it->second);
    }
    return out;
  }

  CallId StartSyscall(TaskId task, int nr, const std::array<uint64_t, 6>& args) override {
    const CallId id = static_cast<CallId>(outcomes_.size());
    outcomes_.emplace_back();
    issued.push_back(IssuedSyscall{task, nr, args});
    RawOutcome out;
    out.kind = RawOutcome::Kind::kReturned;
    if (script) out = script(*this, id, issued.back());
    if (outcomes_[id].kind == RawOutcome::Kind::kBlocked) outcomes_[id] = out;
    return id;
  }

  CallId StartClone(TaskId task, CloneKind kind) override {
    clones.emplace_back(task, kind);
    const CallId id = static_cast<CallId>(outcomes_.size());
    const int process =
        kind == CloneKind::kFork ? CopyProcess(process_of_[task]) : process_of_[task];
    const TaskId child = NewTask(process);
    children_[id] = child;
    RawOutcome out;
    out.kind = RawOutcome::Kind::kReturned;
    out.ret = tids_[child];
    outcomes_.push_back(out);
    return id;
  }

  std::optional<TaskId> ChildOf(CallId call) override {
    const auto it = children_.find(call);
    if (it == children_.end()) return std::nullopt;
    return it->second;
  }

  bool SendFdToChannel(TaskId from, int fd, TaskId to) override {
    sent_fds.push_back({from, fd, to});
    return send_fd_ok;
  }
  struct SentFd {
    TaskId from;
    int fd;
    TaskId to;
  };
  std::vector<SentFd> sent_fds;

  RawOutcome Poll(CallId call) override { return outcomes_.at(call); }
  RawOutcome Await(CallId call) override { return outcomes_.at(call); }
  TaskEnd TaskState(TaskId task) override { return ends[task]; }
  TaskEnd AwaitTaskEnd(TaskId task) override { return ends[task]; }
  bool InSignalHandler(TaskId task) override { return in_handler[task]; }

  std::vector<uint8_t> SigactionFor(TaskId /*task*/, int sig, HandleMode mode) override {
    std::vector<uint8_t> act(32, 0);
    act[0] = static_cast<uint8_t>(sig);
    act[8] = static_cast<uint8_t>(mode);
    return act;
  }

  std::optional<SigsysInfo> LastSigsys(TaskId task) override {
    const auto it = sigsys.find(task);
    if (it == sigsys.end()) return std::nullopt;
    return it->second;
  }

  void NoteFutexAllowed(TaskId task, bool allowed) override {
    futex_notes.emplace_back(task, allowed);
  }
  std::string ReasonFor(CallId call) override { return reasons.count(call) ? reasons[call] : ""; }
  std::vector<std::string> DrainKernelNotes() override {
    std::vector<std::string> out;
    out.swap(notes_to_drain);
    return out;
  }
  std::string QueueState() override { return queue_state; }
  void Shutdown() override { shut_down = true; }

  // Complete finishes a blocked call with `ret`.
  void Complete(CallId call, int64_t ret) {
    outcomes_.at(call) = RawOutcome{RawOutcome::Kind::kReturned, ret, 0, 0};
  }
  void SetOutcome(CallId call, RawOutcome out) { outcomes_.at(call) = out; }

  // Helpers for scripts.
  static RawOutcome Ret(int64_t ret) { return RawOutcome{RawOutcome::Kind::kReturned, ret, 0, 0}; }
  static RawOutcome Blocked() { return RawOutcome{}; }
  static RawOutcome Killed(int sig) { return RawOutcome{RawOutcome::Kind::kKilled, 0, sig, 0}; }
  void WriteLe(TaskId task, uint64_t addr, uint64_t value, size_t width) {
    std::vector<uint8_t> bytes(width);
    for (size_t i = 0; i < width; ++i) bytes[i] = static_cast<uint8_t>(value >> (8 * i));
    WriteMemory(task, addr, bytes);
  }
  uint64_t ReadLe(TaskId task, uint64_t addr, size_t width) {
    const std::vector<uint8_t> bytes = ReadMemory(task, addr, width);
    uint64_t v = 0;
    for (size_t i = 0; i < width; ++i) v |= uint64_t{bytes[i]} << (8 * i);
    return v;
  }
  // Buffer is the address of the k-th buffer (0-based) of `task`'s process, of `size`.
  static uint64_t Buffer(uint64_t k, uint64_t size) { return kBase + k * kSlot + 16384 - size; }

 private:
  struct Process {
    uint64_t slots = 0;
    std::map<uint64_t, uint8_t> memory;
  };

  int NewProcess() {
    processes_.emplace_back();
    return static_cast<int>(processes_.size() - 1);
  }
  int CopyProcess(int from) {
    processes_.push_back(processes_[static_cast<size_t>(from)]);
    return static_cast<int>(processes_.size() - 1);
  }
  TaskId NewTask(int process) {
    const TaskId id = static_cast<TaskId>(tids_.size());
    tids_.push_back(1000 + 10 * static_cast<int64_t>(id));
    process_of_.push_back(process);
    // A process's pid is its first task's tid.
    first_of_process_.emplace(process, id);
    return id;
  }

 public:
  // PidOfTask is what getpid() would return for the task.
  int64_t PidOfTask(TaskId task) { return tids_[first_of_process_[process_of_[task]]]; }

 private:
  std::vector<std::string> names_;
  std::vector<int64_t> tids_;
  std::vector<int> process_of_;
  std::map<int, TaskId> first_of_process_;
  std::vector<Process> processes_;
  std::vector<RawOutcome> outcomes_;
  std::map<CallId, TaskId> children_;
};

}  // namespace sclab::scn::testing
