#include "scenarios/sim_machine.h"

#include <cstring>

#include "base/check.h"

namespace sclab::scn {

namespace {

ksim::KernelConfig ConfigFor(const SimMachineOptions& options) {
  ksim::KernelConfig c;
  c.seed = options.seed;
  c.explain = options.explain;
  c.step_budget = options.step_budget;
  c.proposals = options.proposals;
  return c;
}

void PutU64(std::vector<uint8_t>* out, size_t at, uint64_t v) {
  std::memcpy(out->data() + at, &v, 8);
}

}  // namespace

SimMachine::SimMachine(const SimMachineOptions& options) : kernel_(ConfigFor(options)) {}

BackendInfo SimMachine::Info() {
  BackendInfo info;
  info.backend = "sim";
  info.kernel = "sim (Linux 6.18 model)";
  info.user_notif_available = true;
  return info;
}

void SimMachine::CheckBudget() const {
  if (kernel_.budget_exhausted()) {
    throw MachineError("sim: the scheduling budget of " +
                       std::to_string(kernel_.config().step_budget) + " steps was reached");
  }
}

ksim::Pid SimMachine::TidOf(TaskId task) const {
  if (task >= tids_.size()) {
    throw MachineError("sim: unknown task " + std::to_string(task));
  }
  return tids_[task];
}

TaskId SimMachine::Register(ksim::Pid tid) {
  const auto id = static_cast<TaskId>(tids_.size());
  tids_.push_back(tid);
  task_of_tid_[tid] = id;
  return id;
}

SimMachine::ProcessSlots& SimMachine::SlotsOf(ksim::Pid tgid) { return slots_[tgid]; }

TaskId SimMachine::SpawnProcess(std::string_view /*name*/, bool privileged) {
  const ksim::Pid tid = kernel_.SpawnProcess(privileged);
  ProcessSlots& slots = SlotsOf(tid);
  // The private page comes first, so that runner slots stay consecutive after it.
  slots.private_page = kernel_.Memory(tid).MapPages(1);
  return Register(tid);
}

int64_t SimMachine::Pid(TaskId task) { return kernel_.Tgid(TidOf(task)); }
int64_t SimMachine::Tid(TaskId task) { return TidOf(task); }
int64_t SimMachine::RunnerPid() { return kernel_.RunnerPid(); }
std::string SimMachine::ScratchPath() { return kernel_.ScratchPath(); }

uint64_t SimMachine::AllocBuffer(TaskId task, uint64_t size) {
  const ksim::Pid tid = TidOf(task);
  if (size > kMaxBuffer) {
    throw MachineError("sim: a buffer of " + std::to_string(size) +
                       " bytes does not fit a 16 KiB slot");
  }
  ProcessSlots& slots = SlotsOf(kernel_.Tgid(tid));
  if (slots.used == kMaxSlots) {
    throw MachineError("sim: the process has used all 512 buffer slots");
  }
  ++slots.used;
  return kernel_.Memory(tid).AllocBuffer(size);
}

void SimMachine::WriteMemory(TaskId task, uint64_t addr, std::span<const uint8_t> bytes) {
  if (!kernel_.Memory(TidOf(task)).Write(addr, bytes).ok()) {
    throw MachineError("sim: the runner wrote outside the task's buffers");
  }
}

std::vector<uint8_t> SimMachine::ReadMemory(TaskId task, uint64_t addr, uint64_t len) {
  std::vector<uint8_t> out(len);
  if (!kernel_.Memory(TidOf(task)).Read(addr, out).ok()) {
    throw MachineError("sim: the runner read outside the task's buffers");
  }
  return out;
}

CallId SimMachine::Begin(TaskId task, int64_t nr, const std::array<uint64_t, 6>& args, bool clone) {
  const ksim::Pid tid = TidOf(task);
  if (!kernel_.Idle(tid)) {
    throw MachineError("sim: task " + std::to_string(task) + " cannot start a call (busy or dead)");
  }
  // The task's previous call is final now; keep its outcome before the kernel forgets it.
  if (auto it = last_call_.find(task); it != last_call_.end()) {
    (void)Poll(it->second);
    RegisterChild(it->second);
  }
  Call call;
  call.task = task;
  call.clone = clone;
  call.handle = kernel_.StartSyscall(tid, nr, args);
  const auto id = static_cast<CallId>(calls_.size());
  calls_.push_back(std::move(call));
  last_call_[task] = id;
  CheckBudget();
  return id;
}

CallId SimMachine::StartSyscall(TaskId task, int nr, const std::array<uint64_t, 6>& args) {
  return Begin(task, nr, args, false);
}

CallId SimMachine::StartClone(TaskId task, CloneKind kind) {
  const ksim::Pid tid = TidOf(task);
  std::array<uint64_t, 6> args{};
  if (kind == CloneKind::kFork) {
    args[0] = ksim::kCloneForkFlags;
  } else {
    ProcessSlots& slots = SlotsOf(kernel_.Tgid(tid));
    if (slots.private_used + 16 > 2048) {
      throw MachineError("sim: too many threads for the private page");
    }
    const uint64_t words = slots.private_page + slots.private_used;
    slots.private_used += 16;
    args = {ksim::kCloneThreadFlags, slots.private_page + 4096 - 64, words, words + 8, 0, 0};
  }
  const CallId id = Begin(task, model::nr::kClone, args, true);
  calls_[id].clone_kind = kind;
  RegisterChild(id);
  return id;
}

// RegisterChild names the task a clone made, as soon as the call has returned. A
// clone can return long after it started (a notified fork() continued by the
// supervisor), and its positive result is a new task only when the kernel made
// one: a supervisor's val=4242, or a TRAP's syscall number, makes none.
void SimMachine::RegisterChild(CallId id) {
  if (!calls_[id].clone || calls_[id].child.has_value()) {
    return;
  }
  const RawOutcome o = Poll(id);
  if (o.kind != RawOutcome::Kind::kReturned || o.ret <= 0 || o.ret > INT32_MAX) {
    return;
  }
  Call& call = calls_[id];
  const auto child = static_cast<ksim::Pid>(o.ret);
  const ksim::Pid tid = TidOf(call.task);
  const ksim::Task* made = kernel_.FindTask(child);
  const ksim::Task* creator = kernel_.FindTask(tid);
  if (made == nullptr || creator == nullptr || task_of_tid_.contains(child)) {
    return;
  }
  const bool fork = call.clone_kind == CloneKind::kFork;
  if (fork ? (made->proc->pid != child || made->proc->parent != creator->proc)
           : made->proc != creator->proc) {
    return;
  }
  if (fork) {
    slots_[child] = SlotsOf(kernel_.Tgid(tid));  // fork copies the slots
  }
  call.child = Register(child);
}

std::optional<TaskId> SimMachine::ChildOf(CallId call) {
  if (call >= calls_.size() || !calls_[call].clone) {
    return std::nullopt;
  }
  RegisterChild(call);
  return calls_[call].child;
}

bool SimMachine::SendFdToChannel(TaskId from, int fd, TaskId to) {
  const bool ok = kernel_.SendFdToChannel(TidOf(from), fd, TidOf(to));
  CheckBudget();
  return ok;
}

RawOutcome SimMachine::OutcomeOf(const ksim::CallStatus& s) const {
  RawOutcome o;
  switch (s.state) {
    case ksim::CallState::kReturned:
      o.kind = RawOutcome::Kind::kReturned;
      o.ret = s.ret;
      break;
    case ksim::CallState::kKilled:
      o.kind = RawOutcome::Kind::kKilled;
      o.signal = s.signal;
      break;
    case ksim::CallState::kExited:
      o.kind = RawOutcome::Kind::kExited;
      o.exit_code = s.exit_code;
      break;
    case ksim::CallState::kGone:
      o.kind = RawOutcome::Kind::kGone;
      break;
    case ksim::CallState::kNone:
    case ksim::CallState::kInFlight:
      o.kind = RawOutcome::Kind::kBlocked;
      break;
  }
  return o;
}

RawOutcome SimMachine::Poll(CallId call) {
  if (call >= calls_.size()) {
    throw MachineError("sim: unknown call " + std::to_string(call));
  }
  Call& c = calls_[call];
  if (c.cached) {
    return c.outcome;
  }
  const ksim::CallStatus s = kernel_.Status(c.handle);
  const RawOutcome o = OutcomeOf(s);
  if (s.state != ksim::CallState::kInFlight) {
    c.cached = true;
    c.outcome = o;
    c.reason = kernel_.Reason(c.handle);
  }
  return o;
}

bool SimMachine::InSignalHandler(TaskId task) {
  const ksim::Pid tid = TidOf(task);
  return kernel_.TaskEnd(tid).kind == ksim::CallState::kNone && kernel_.InSignalHandler(tid);
}

TaskEnd SimMachine::TaskState(TaskId task) {
  const ksim::TaskEndStatus e = kernel_.TaskEnd(TidOf(task));
  TaskEnd out;
  switch (e.kind) {
    case ksim::CallState::kExited:
      out.kind = TaskEnd::Kind::kExited;
      out.exit_code = e.exit_code;
      break;
    case ksim::CallState::kKilled:
      out.kind = TaskEnd::Kind::kKilled;
      out.signal = e.signal;
      break;
    case ksim::CallState::kGone:
      out.kind = TaskEnd::Kind::kGone;
      break;
    default:
      out.kind = TaskEnd::Kind::kAlive;
      break;
  }
  return out;
}

std::vector<uint8_t> SimMachine::SigactionFor(TaskId /*task*/, int /*sig*/, HandleMode mode) {
  std::vector<uint8_t> out(ksim::kSizeofKernelSigaction, 0);
  switch (mode) {
    case HandleMode::kRestart:
    case HandleMode::kNoRestart:
      PutU64(&out, 0, ksim::kRecordingHandler);
      PutU64(&out, 8,
             ksim::kSaSiginfo | ksim::kSaRestorer |
                 (mode == HandleMode::kRestart ? ksim::kSaRestart : 0));
      PutU64(&out, 16, ksim::kRecordingRestorer);
      break;
    case HandleMode::kIgnore:
      PutU64(&out, 0, ksim::kSigIgn);
      break;
    case HandleMode::kDefault:
      PutU64(&out, 0, ksim::kSigDfl);
      break;
  }
  return out;
}

std::optional<SigsysInfo> SimMachine::LastSigsys(TaskId task) {
  const auto info = kernel_.LastSigsys(TidOf(task));
  if (!info.has_value()) {
    return std::nullopt;
  }
  SigsysInfo out;
  out.signo = info->signo;
  out.code = info->code;
  out.error = info->errno_value;
  out.syscall = info->word24;
  out.arch = info->word28;
  out.call_addr = info->word16;
  return out;
}

std::string SimMachine::ReasonFor(CallId call) {
  if (call >= calls_.size()) {
    return {};
  }
  (void)Poll(call);
  const Call& c = calls_[call];
  return c.cached ? c.reason : kernel_.Reason(c.handle);
}

std::vector<std::string> SimMachine::DrainKernelNotes() { return kernel_.DrainNotes(); }
std::string SimMachine::QueueState() { return kernel_.QueueState(); }
std::string SimMachine::StateDump() { return kernel_.StateDump(); }

void SimMachine::Shutdown() {
  if (shut_down_) {
    return;
  }
  shut_down_ = true;
  for (CallId id = 0; id < calls_.size(); ++id) {
    (void)Poll(id);
  }
  kernel_.Shutdown();
}

}  // namespace sclab::scn
