// The runner walks the steps in file order. For a call step it (1) checks that the
// actor can act, (2) applies the safety rules of docs/execution.md §6, (3) lays out
// the step's buffers in the documented order and starts the syscall through the
// Machine, (4) waits for it unless the step has `&`, and (5) turns what happened into
// an Outcome and an event.
//
// Every started call gets a CallRecord. A call is *finished* once the Machine reports
// anything but kBlocked; Finish() then runs exactly once per call — wherever the
// finish is first noticed (the step itself, an `await`, or the sweep after every
// step) — and does what depends on the result: read back recv/notif_sizes/poll/
// pass/wait buffers, register fork/thread children, follow listener fds, and feed
// seccomp/prctl results to the filter shadow. Values of bindings are read from the
// records, so a `&` binding has its value as soon as its call finished.
//
// Run-time errors (an actor that cannot act, a refused call, a budget, a backend
// failure) unwind as StopRun and end the run with `file:line:col: error: …`.
#include "scenarios/runner.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/check.h"
#include "bpf/program_io.h"
#include "kernel_sim/proposals/verb.h"
#include "model/errno.h"
#include "model/syscall_table.h"
#include "scenarios/clone3_guard.h"
#include "scenarios/constants.h"
#include "scenarios/diagnostic.h"
#include "scenarios/filter_shadow.h"
#include "scenarios/normalizer.h"

namespace sclab::scn {
namespace {

namespace nr = model::nr;

// Numbers from the uapi headers the translation uses (docs/execution.md §3).
constexpr uint64_t kPrSetNoNewPrivs = 38;
constexpr uint64_t kSeccompSetModeStrict = 0;
constexpr uint64_t kSeccompSetModeFilter = 1;
constexpr uint64_t kSeccompGetActionAvail = 2;
constexpr uint64_t kSeccompGetNotifSizes = 3;
constexpr uint64_t kFlagTsync = 1;
constexpr uint64_t kFlagNewListener = 8;
constexpr uint64_t kIoctlNotifRecv = 0xc0502100;
constexpr uint64_t kIoctlNotifSend = 0xc0182101;
constexpr uint64_t kIoctlNotifIdValid = 0x40082102;
constexpr uint64_t kIoctlNotifAddfd = 0x40182103;
constexpr uint64_t kIoctlNotifSetFlags = 0x40082104;
constexpr uint64_t kNotifFlagContinue = 1;
constexpr uint64_t kPollInOut = 0x0001 | 0x0004;  // POLLIN|POLLOUT
constexpr int64_t kAtFdcwd = -100;
constexpr uint64_t kSigsetSize = 8;
constexpr int kSolSocket = 1;
constexpr int kScmRights = 1;
constexpr uint64_t kSlotBuffersMax = 512;  // docs/execution.md §2
constexpr uint64_t kBufferBytesMax = 16384;
constexpr int64_t kSyscallTableEnd = 1024;  // "≥ 1024 and not an x32 number": no syscall
constexpr int64_t kX32Bit = 0x40000000;
// Addresses below vm.mmap_min_addr (65536) are never mapped on any backend: an
// argument there faults (EFAULT) or is a plain number the kernel never dereferences.
constexpr uint64_t kNeverMappedBelow = 0x10000;
// The prctl options a scenario may issue directly: each reads or writes only the
// calling task's seccomp, no_new_privs or dumpable state, or reads a capability bit.
constexpr uint64_t kPrctlAllowed[] = {3 /* GET_DUMPABLE */,      4 /* SET_DUMPABLE */,
                                      7 /* GET_KEEPCAPS */,      21 /* GET_SECCOMP */,
                                      22 /* SET_SECCOMP */,      23 /* CAPBSET_READ */,
                                      38 /* SET_NO_NEW_PRIVS */, 39 /* GET_NO_NEW_PRIVS */};

struct StopRun {
  Loc loc;
  std::string message;
};

[[noreturn]] void Stop(Loc loc, std::string message) { throw StopRun{loc, std::move(message)}; }

// Outcome is a finished (or blocked) call as the trace names it.
struct Outcome {
  enum class Kind : uint8_t { kNone, kRet, kErr, kBlocked, kKilled, kExited, kGone };
  Kind kind = Kind::kNone;
  int64_t value = 0;  // kRet: the value; kErr: the errno; kKilled: signal; kExited: status
  ValueKind value_kind = ValueKind::kPlain;
  int process = -1;  // where addresses in `value` live
};

struct Value {
  uint64_t bits = 0;
  ValueKind kind = ValueKind::kPlain;
  int process = -1;
};

struct Buffer {
  std::string name;
  uint64_t addr = 0;
  uint64_t size = 0;
};

struct ProcessRecord {
  std::vector<Buffer> buffers;               // in allocation order
  std::map<int64_t, std::string> listeners;  // fd number → listener name
};

struct TaskRecord {
  std::string name;
  TaskId id = 0;
  int process = -1;
  int64_t tid = 0;
  std::optional<size_t> busy;  // the CallRecord it is inside
};

struct Notification {
  uint64_t id = 0;
  uint32_t pid = 0;
  uint32_t flags = 0;
  int32_t nr = 0;
  uint32_t arch = 0;
  std::array<uint64_t, 6> args{};
  int process = -1;  // the notifying task's process (its args' addresses live there)
};

struct CallRecord {
  const Step* step = nullptr;
  size_t actor = 0;          // the step's actor
  size_t task = 0;           // the task that issued the syscall (pass: the receiver)
  std::optional<CallId> id;  // nullopt when no syscall was issued
  int nr = -1;
  std::array<uint64_t, 6> args{};
  uint64_t buffer = 0;  // recv n, notif_sizes s, poll p, pass m, wait w
  int64_t wait_pid = 0;
  std::string listener;         // the listener a notification verb used
  std::string passed_listener;  // pass: the listener name of the fd sent, if any
  bool done = false;
  Outcome outcome;
  std::vector<std::pair<std::string, std::string>> data;
  std::optional<Notification> notification;  // recv, once finished
  std::array<uint16_t, 3> sizes{};           // notif_sizes, once finished
  // A proposal verb: its plan, the addresses of the plan's buffers, and the fields
  // read back once it returned (kernel_sim/proposals/verb.h).
  std::optional<ksim::proposals::VerbPlan> plan;
  std::vector<uint64_t> plan_buffers;
  std::vector<std::pair<std::string, Value>> fields;
};

std::vector<uint8_t> Le(uint64_t value, size_t width) {
  std::vector<uint8_t> out(width);
  for (size_t i = 0; i < width; ++i) {
    out[i] = static_cast<uint8_t>(value >> (8 * i));
  }
  return out;
}

uint64_t ReadLe(const std::vector<uint8_t>& bytes, size_t offset, size_t width) {
  uint64_t v = 0;
  for (size_t i = 0; i < width && offset + i < bytes.size(); ++i) {
    v |= uint64_t{bytes[offset + i]} << (8 * i);
  }
  return v;
}

void PutLe(std::vector<uint8_t>* bytes, size_t offset, uint64_t value, size_t width) {
  for (size_t i = 0; i < width; ++i) {
    (*bytes)[offset + i] = static_cast<uint8_t>(value >> (8 * i));
  }
}

bool IsFaultSignal(int64_t sig) {
  return sig == 4 || sig == 5 || sig == 7 || sig == 8 || sig == 11;  // ILL TRAP BUS FPE SEGV
}
bool IsJobControlSignal(int64_t sig) { return sig == 18 || (sig >= 19 && sig <= 22); }

std::string ExprText(const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::kNumber:
      return e.text.empty() ? std::to_string(static_cast<int64_t>(e.number)) : e.text;
    case Expr::Kind::kString:
      return "\"" + e.text + "\"";
    case Expr::Kind::kBadAddr:
      return "bad_addr";
    case Expr::Kind::kRef: {
      std::string out = e.text;
      for (const std::string& f : e.fields) {
        const bool index = !f.empty() && f[0] >= '0' && f[0] <= '9';
        out += index ? "[" + f + "]" : "." + f;
      }
      return out;
    }
    case Expr::Kind::kNegate:
      return "-" + ExprText(e.kids[0]);
    case Expr::Kind::kBinary:
      return ExprText(e.kids[0]) + e.op + ExprText(e.kids[1]);
  }
  return {};
}

const Arg* FindArg(const Call& call, std::string_view key) {
  for (const Arg& a : call.args) {
    if (a.key == key) {
      return &a;
    }
  }
  return nullptr;
}

std::vector<const Arg*> PositionalArgs(const Call& call) {
  std::vector<const Arg*> out;
  for (const Arg& a : call.args) {
    if (a.key.empty()) {
      out.push_back(&a);
    }
  }
  return out;
}

// kNoActor stands for "no task" where a value is evaluated outside a step's actor
// (expect): buffers are then looked up in every process, first created first.
constexpr size_t kNoActor = ~size_t{0};

class Runner {
 public:
  Runner(const Scenario& scenario, Machine& machine, const RunOptions& options)
      : scenario_(scenario), machine_(machine), options_(options) {}

  Trace Run() {
    const BackendInfo info = machine_.Info();
    trace_.header.scenario = scenario_.title;
    trace_.header.file = scenario_.file;
    trace_.header.about = scenario_.about;
    trace_.header.backend = info.backend;
    trace_.header.seed = options_.seed.value_or(scenario_.seed);
    trace_.header.kernel = info.kernel;
    trace_.header.runner_status = info.runner_status;
    trace_.header.user_notif = info.user_notif_available;
    const std::string replay = fmt::format("seed={} file={}", trace_.header.seed, scenario_.file);
    SetReplayLine(replay.c_str());
    try {
      try {
        normalizer_.AddTask("runner", machine_.RunnerPid());
        for (const ProcessDecl& p : scenario_.processes) {
          Spawn(p);
        }
        for (const Step& step : scenario_.steps) {
          current_ = step.loc;
          RunStep(step);
          Sweep();
        }
      } catch (const MachineError& e) {
        Stop(current_, fmt::format("the backend failed: {}", e.what()));
      }
    } catch (const StopRun& stop) {
      trace_.runtime_error = true;
      trace_.stop_reason = fmt::format("{}:{}:{}: error: {}", scenario_.file, stop.loc.line,
                                       stop.loc.col, stop.message);
    }
    try {
      machine_.Shutdown();
    } catch (const MachineError& e) {
      if (!trace_.runtime_error) {
        trace_.runtime_error = true;
        trace_.stop_reason =
            fmt::format("{}: error: the backend failed to shut down: {}", scenario_.file, e.what());
      }
    }
    return std::move(trace_);
  }

 private:
  // ---- tasks and processes ------------------------------------------------------

  void CheckTaskBudget() {
    if (tasks_.size() >= options_.task_budget) {
      Stop(current_,
           fmt::format("the task budget is reached ({} tasks per run)", options_.task_budget));
    }
  }

  size_t AddTaskRecord(std::string name, TaskId id, int process, std::optional<TaskId> creator) {
    TaskRecord t;
    t.name = std::move(name);
    t.id = id;
    t.process = process;
    t.tid = machine_.Tid(id);
    normalizer_.AddTask(t.name, t.tid);
    shadow_.AddTask(id, creator);
    shadow_.SetProcess(id, process);
    machine_.NoteFutexAllowed(id, shadow_.FutexAllowed(id));
    task_by_name_[t.name] = tasks_.size();
    tasks_.push_back(std::move(t));
    return tasks_.size() - 1;
  }

  void Spawn(const ProcessDecl& p) {
    current_ = p.loc;
    CheckTaskBudget();
    const TaskId id = machine_.SpawnProcess(p.name, p.privileged);
    processes_.emplace_back();
    AddTaskRecord(p.name, id, static_cast<int>(processes_.size() - 1), std::nullopt);
  }

  TaskRecord& Task(size_t index) { return tasks_[index]; }
  ProcessRecord& ProcessOf(size_t task) {
    return processes_[static_cast<size_t>(tasks_[task].process)];
  }

  // ActorIndex finds a task by name, or stops the run when it does not exist.
  size_t TaskIndex(const std::string& name, Loc loc) {
    const auto it = task_by_name_.find(name);
    if (it != task_by_name_.end()) {
      return it->second;
    }
    const auto failed = creations_.find(name);
    if (failed != creations_.end()) {
      Stop(loc, fmt::format("`{}` does not exist: {}", name, failed->second));
    }
    Stop(loc, fmt::format("`{}` does not exist", name));
  }

  // CheckCanAct stops the run unless the task is alive and not inside a call.
  void CheckCanAct(size_t task, Loc loc) {
    TaskRecord& t = Task(task);
    if (t.busy) {
      CallRecord& c = calls_[*t.busy];
      Refresh(&c);
      if (!c.done) {
        Stop(loc, fmt::format("`{}` cannot act: it is still inside `{}` (line {})", t.name,
                              c.step->text, c.step->loc.line));
      }
    }
    const TaskEnd end = machine_.TaskState(t.id);
    switch (end.kind) {
      case TaskEnd::Kind::kAlive:
        if (machine_.InSignalHandler(t.id)) {
          Stop(loc, fmt::format("`{}` cannot act: its signal handler has not returned (its "
                                "rt_sigreturn sleeps in the kernel)",
                                t.name));
        }
        return;
      case TaskEnd::Kind::kKilled:
        Stop(loc, fmt::format(
                      "`{}` cannot act: it was killed by {}", t.name,
                      normalizer_.Render(static_cast<uint64_t>(end.signal), ValueKind::kSignal)));
      case TaskEnd::Kind::kExited:
        Stop(loc, fmt::format("`{}` cannot act: it exited with status {}", t.name, end.exit_code));
      case TaskEnd::Kind::kGone:
        Stop(loc, fmt::format("`{}` cannot act: it has ended", t.name));
    }
  }

  // ---- buffers ----------------------------------------------------------------------

  uint64_t Alloc(size_t task, uint64_t size, std::string name) {
    ProcessRecord& p = ProcessOf(task);
    if (size == 0 || size > kBufferBytesMax) {
      Stop(current_, fmt::format("a buffer holds 1 … {} bytes; `{}` would hold {}", kBufferBytesMax,
                                 name, size));
    }
    if (p.buffers.size() >= kSlotBuffersMax) {
      Stop(current_,
           fmt::format("the buffer budget is reached ({} buffers per process)", kSlotBuffersMax));
    }
    const uint64_t addr = machine_.AllocBuffer(Task(task).id, size);
    p.buffers.push_back(Buffer{name, addr, size});
    normalizer_.AddBuffer(Task(task).process, std::move(name), addr, size);
    return addr;
  }

  uint64_t AllocWith(size_t task, const std::vector<uint8_t>& bytes, std::string name) {
    const uint64_t addr = Alloc(task, bytes.size(), std::move(name));
    machine_.WriteMemory(Task(task).id, addr, bytes);
    return addr;
  }

  const Buffer* FindBuffer(const ProcessRecord& p, std::string_view name) const {
    for (const Buffer& b : p.buffers) {
      if (b.name == name) {
        return &b;
      }
    }
    return nullptr;
  }

  std::string ExpandScratch(std::string_view text) {
    std::string out;
    size_t at = 0;
    while (true) {
      const size_t next = text.find("$scratch", at);
      out += text.substr(at, next == std::string_view::npos ? std::string_view::npos : next - at);
      if (next == std::string_view::npos) {
        return out;
      }
      out += machine_.ScratchPath();
      at = next + 8;
    }
  }

  // ---- values -----------------------------------------------------------------------

  // CallValue is the value a call binding stands for: its result once it returned.
  Value CallValue(CallRecord& c, const std::string& name, Loc loc) {
    Refresh(&c);
    switch (c.outcome.kind) {
      case Outcome::Kind::kRet:
        return Value{static_cast<uint64_t>(c.outcome.value), c.outcome.value_kind,
                     c.outcome.process};
      case Outcome::Kind::kErr:
        return Value{static_cast<uint64_t>(-c.outcome.value), ValueKind::kPlain, -1};
      case Outcome::Kind::kBlocked:
      case Outcome::Kind::kNone:
        Stop(loc, fmt::format("`{}` has no value yet: `{}` (line {}) is still blocked", name,
                              c.step->text, c.step->loc.line));
      default:
        Stop(loc, fmt::format("`{}` has no value: `{}` (line {}) ended {}", name, c.step->text,
                              c.step->loc.line, RenderOutcome(c.outcome)));
    }
  }

  Value Eval(const Expr& e, size_t actor) {
    switch (e.kind) {
      case Expr::Kind::kNumber:
        return Value{e.number, ValueKind::kPlain, -1};
      case Expr::Kind::kBadAddr:
        return Value{kBadAddr, ValueKind::kAddr, -1};
      case Expr::Kind::kString:
        Stop(e.loc, "a string cannot be used as a number here");
      case Expr::Kind::kNegate: {
        const Value v = Eval(e.kids[0], actor);
        return Value{uint64_t{0} - v.bits, ValueKind::kPlain, -1};
      }
      case Expr::Kind::kBinary: {
        const Value a = Eval(e.kids[0], actor);
        const Value b = Eval(e.kids[1], actor);
        switch (e.op) {
          case '+':
            return Value{a.bits + b.bits, a.kind, a.process};
          case '-':
            return Value{a.bits - b.bits, a.kind, a.process};
          default:
            return Value{a.bits | b.bits, ValueKind::kPlain, -1};
        }
      }
      case Expr::Kind::kRef:
        return EvalRef(e, actor);
    }
    return {};
  }

  Value EvalRef(const Expr& e, size_t actor) {
    if (e.text == "runner") {
      return Value{static_cast<uint64_t>(machine_.RunnerPid()), ValueKind::kPid, -1};
    }
    if (const auto n = notification_by_name_.find(e.text); n != notification_by_name_.end()) {
      CallRecord& c = calls_[n->second];
      Refresh(&c);
      if (!c.notification) {
        Stop(e.loc, fmt::format("`{}` holds no notification yet: `{}` (line {}) is still "
                                "blocked",
                                e.text, c.step->text, c.step->loc.line));
      }
      if (const std::optional<Value> v = ProposalField(c, e.fields)) {
        return *v;
      }
      return NotificationField(*c.notification, e.fields);
    }
    if (const auto s = sizes_by_name_.find(e.text); s != sizes_by_name_.end()) {
      CallRecord& c = calls_[s->second];
      const std::string& f = e.fields.at(0);
      const size_t i = f == "seccomp_notif" ? 0 : f == "seccomp_notif_resp" ? 1 : 2;
      return Value{c.sizes[i], ValueKind::kPlain, -1};
    }
    if (const auto t = task_by_name_.find(e.text); t != task_by_name_.end()) {
      return Value{static_cast<uint64_t>(Task(t->second).tid), ValueKind::kPid, -1};
    }
    if (const auto c = call_by_name_.find(e.text); c != call_by_name_.end()) {
      if (!e.fields.empty()) {
        CallRecord& rec = calls_[c->second];
        Refresh(&rec);
        if (const std::optional<Value> v = ProposalField(rec, e.fields)) {
          return *v;
        }
        Stop(e.loc, fmt::format("`{}` has no field `{}`: `{}` (line {}) did not read it back",
                                e.text, ExprText(e).substr(e.text.size() + 1), rec.step->text,
                                rec.step->loc.line));
      }
      return CallValue(calls_[c->second], e.text, e.loc);
    }
    if (const auto v = values_.find(e.text); v != values_.end()) {
      return v->second;
    }
    if (actor != kNoActor) {
      if (const Buffer* b = FindBuffer(ProcessOf(actor), e.text)) {
        return Value{b->addr, ValueKind::kAddr, Task(actor).process};
      }
    }
    for (size_t p = 0; p < processes_.size(); ++p) {
      if (const Buffer* b = FindBuffer(processes_[p], e.text)) {
        return Value{b->addr, ValueKind::kAddr, static_cast<int>(p)};
      }
    }
    if (creations_.count(e.text)) {
      Stop(e.loc, fmt::format("`{}` does not exist: {}", e.text, creations_[e.text]));
    }
    Stop(e.loc, fmt::format("`{}` has no value yet", e.text));
  }

  // ProposalField is a field a proposal verb read back (nullopt if it has none).
  static std::optional<Value> ProposalField(const CallRecord& c,
                                            const std::vector<std::string>& fields) {
    Expr path;
    path.kind = Expr::Kind::kRef;
    path.fields = fields;
    const std::string name = ExprText(path).substr(1);
    for (const auto& [field, value] : c.fields) {
      if (field == name) {
        return value;
      }
    }
    return std::nullopt;
  }

  static Value NotificationField(const Notification& n, const std::vector<std::string>& f) {
    if (f[0] == "id") {
      return Value{n.id, ValueKind::kNotifId, -1};
    }
    if (f[0] == "pid") {
      return Value{n.pid, ValueKind::kPid, -1};
    }
    if (f[0] == "flags") {
      return Value{n.flags, ValueKind::kPlain, -1};
    }
    if (f[1] == "nr") {
      return Value{static_cast<uint64_t>(static_cast<int64_t>(n.nr)), ValueKind::kSyscallNr, -1};
    }
    if (f[1] == "arch") {
      return Value{n.arch, ValueKind::kArch, -1};
    }
    const size_t i = static_cast<size_t>(f[2][0] - '0');
    return Value{n.args[i], ValueKind::kAddr, n.process};
  }

  int64_t EvalInt(const Expr& e, size_t actor) { return static_cast<int64_t>(Eval(e, actor).bits); }

  std::string RenderValue(const Value& v) const {
    return normalizer_.Render(v.bits, v.kind, v.process);
  }

  std::string RenderOutcome(const Outcome& o) const {
    switch (o.kind) {
      case Outcome::Kind::kNone:
        return "";
      case Outcome::Kind::kRet:
        return "ret " + normalizer_.Render(static_cast<uint64_t>(o.value), o.value_kind, o.process);
      case Outcome::Kind::kErr: {
        const std::string name = ErrnoName(o.value);
        return "err " + (name.empty() ? std::to_string(o.value) : name);
      }
      case Outcome::Kind::kBlocked:
        return "blocked";
      case Outcome::Kind::kKilled:
        return "killed " + normalizer_.Render(static_cast<uint64_t>(o.value), ValueKind::kSignal);
      case Outcome::Kind::kExited:
        return fmt::format("exited {}", o.value);
      case Outcome::Kind::kGone:
        return "gone";
    }
    return {};
  }

  // ---- checks ---------------------------------------------------------------------

  // Check compares an outcome with `= RESULT`: "" when there is none, "ok", or
  // "FAIL: expected …, got …".
  std::string Check(const std::optional<ResultSpec>& spec, const Outcome& got, size_t actor) {
    if (!spec) {
      return "";
    }
    Outcome want;
    switch (spec->kind) {
      case ResultSpec::Kind::kValue: {
        const Value v = Eval(spec->value, actor);
        want.kind = Outcome::Kind::kRet;
        want.value = static_cast<int64_t>(v.bits);
        // Name the expected value the way the actual one is named.
        want.value_kind = got.kind == Outcome::Kind::kRet ? got.value_kind : v.kind;
        want.process = got.kind == Outcome::Kind::kRet ? got.process : v.process;
        break;
      }
      case ResultSpec::Kind::kError:
        want.kind = Outcome::Kind::kErr;
        want.value = spec->number;
        break;
      case ResultSpec::Kind::kKilled:
        want.kind = Outcome::Kind::kKilled;
        want.value = spec->number;
        break;
      case ResultSpec::Kind::kExited:
        want.kind = Outcome::Kind::kExited;
        want.value = spec->number;
        break;
      case ResultSpec::Kind::kGone:
        want.kind = Outcome::Kind::kGone;
        break;
      case ResultSpec::Kind::kBlocked:
        want.kind = Outcome::Kind::kBlocked;
        break;
    }
    const bool same =
        want.kind == got.kind && (want.kind == Outcome::Kind::kGone ||
                                  want.kind == Outcome::Kind::kBlocked || want.value == got.value);
    if (same) {
      return "ok";
    }
    return fmt::format("FAIL: expected {}, got {}", RenderOutcome(want), RenderOutcome(got));
  }

  // ---- events -----------------------------------------------------------------------

  Event& AddEvent(const Step& step, std::string actor) {
    Event e;
    e.line = step.loc.line;
    e.actor = std::move(actor);
    e.call = step.text;
    trace_.events.push_back(std::move(e));
    return trace_.events.back();
  }

  void Explain(Event* e, std::optional<CallId> call) {
    if (!options_.explain) {
      return;
    }
    if (call) {
      e->reason = machine_.ReasonFor(*call);
    }
    e->notes = machine_.DrainKernelNotes();
    e->queue_state = machine_.QueueState();
  }

  // ---- steps ------------------------------------------------------------------------

  void RunStep(const Step& step) {
    switch (step.kind) {
      case Step::Kind::kCall:
        return CallStep(step);
      case Step::Kind::kMem:
        return MemStep(step);
      case Step::Kind::kStore:
        return StoreStep(step);
      case Step::Kind::kLoad:
        return LoadStep(step);
      case Step::Kind::kAwait:
        return AwaitStep(step);
      case Step::Kind::kExpect:
        return ExpectStep(step);
      case Step::Kind::kExpectSigsys:
        return ExpectSigsysStep(step);
    }
  }

  void MemStep(const Step& step) {
    const size_t actor = TaskIndex(step.actor, step.loc);
    CheckCanAct(actor, step.loc);
    const MemInit& m = step.init;
    std::vector<uint8_t> bytes;
    switch (m.kind) {
      case MemInit::Kind::kString: {
        const std::string text = ExpandScratch(m.text);
        bytes.assign(text.begin(), text.end());
        bytes.push_back(0);
        break;
      }
      case MemInit::Kind::kZeros:
        if (m.size > kBufferBytesMax) {
          Stop(step.loc, "zeros() is larger than a buffer can be");
        }
        bytes.assign(m.size, 0);
        break;
      case MemInit::Kind::kBytes:
        bytes = m.bytes;
        break;
      case MemInit::Kind::kStruct:
        bytes.assign(m.size, 0);
        for (const FieldInit& f : m.fields) {
          PutLe(&bytes, f.offset, Eval(f.value, actor).bits, f.width);
        }
        break;
    }
    AllocWith(actor, bytes, step.buffer);
    Event& e = AddEvent(step, step.actor);
    Explain(&e, std::nullopt);
  }

  // BufferAt finds the buffer a store/load names, in the actor's process.
  const Buffer& StoreLoadBuffer(const Step& step, size_t actor, uint64_t* offset) {
    const Buffer* b = FindBuffer(ProcessOf(actor), step.buffer);
    if (b == nullptr) {
      Stop(step.loc, fmt::format("buffer `{}` is not in {}'s memory", step.buffer, step.actor));
    }
    *offset = Eval(step.offset, actor).bits;
    if (*offset > b->size || b->size - *offset < step.width) {
      Stop(step.offset.loc,
           fmt::format("{} bytes at offset {} do not fit in `{}` ({} bytes)", step.width,
                       static_cast<int64_t>(*offset), step.buffer, b->size));
    }
    return *b;
  }

  void StoreStep(const Step& step) {
    const size_t actor = TaskIndex(step.actor, step.loc);
    CheckCanAct(actor, step.loc);
    uint64_t offset = 0;
    const Buffer& b = StoreLoadBuffer(step, actor, &offset);
    const uint64_t value = Eval(step.value, actor).bits;
    machine_.WriteMemory(Task(actor).id, b.addr + offset, Le(value, step.width));
    Event& e = AddEvent(step, step.actor);
    Explain(&e, std::nullopt);
  }

  void LoadStep(const Step& step) {
    const size_t actor = TaskIndex(step.actor, step.loc);
    CheckCanAct(actor, step.loc);
    uint64_t offset = 0;
    const Buffer& b = StoreLoadBuffer(step, actor, &offset);
    const std::vector<uint8_t> bytes =
        machine_.ReadMemory(Task(actor).id, b.addr + offset, step.width);
    const Value v{ReadLe(bytes, 0, step.width), ValueKind::kAddr, Task(actor).process};
    values_[step.bind] = v;
    Event& e = AddEvent(step, step.actor);
    e.outcome = "ret " + RenderValue(v);
    Explain(&e, std::nullopt);
  }

  void AwaitStep(const Step& step) {
    if (const auto c = call_by_name_.find(step.target); c != call_by_name_.end()) {
      CallRecord& rec = calls_[c->second];
      if (!rec.done && rec.id) {
        Finish(&rec, machine_.Await(*rec.id));
      }
      Event& e = AddEvent(step, "runner");
      e.outcome = RenderOutcome(rec.outcome);
      e.data = {{"task", Task(rec.actor).name}, {"call", rec.step->text}};
      e.data.insert(e.data.end(), rec.data.begin(), rec.data.end());
      e.listener = rec.listener;
      e.check = Check(step.result, rec.outcome, rec.actor);
      Explain(&e, rec.id);
      return;
    }
    const size_t task = TaskIndex(step.target, step.loc);
    const TaskEnd end = machine_.AwaitTaskEnd(Task(task).id);
    Outcome o;
    switch (end.kind) {
      case TaskEnd::Kind::kAlive:
        o.kind = Outcome::Kind::kBlocked;
        break;
      case TaskEnd::Kind::kExited:
        o.kind = Outcome::Kind::kExited;
        o.value = end.exit_code;
        break;
      case TaskEnd::Kind::kKilled:
        o.kind = Outcome::Kind::kKilled;
        o.value = end.signal;
        break;
      case TaskEnd::Kind::kGone:
        o.kind = Outcome::Kind::kGone;
        break;
    }
    Event& e = AddEvent(step, "runner");
    e.outcome = RenderOutcome(o);
    e.data = {{"task", Task(task).name}};
    e.check = Check(step.result, o, task);
    Explain(&e, std::nullopt);
  }

  void ExpectStep(const Step& step) {
    const Value lhs = Eval(step.lhs, kNoActor);
    const Value rhs = Eval(step.rhs, kNoActor);
    const bool unsigned_compare = lhs.kind == ValueKind::kNotifId || lhs.kind == ValueKind::kAddr ||
                                  rhs.kind == ValueKind::kNotifId || rhs.kind == ValueKind::kAddr;
    const auto cmp = [&](auto a, auto b) {
      if (step.op == "==") {
        return a == b;
      }
      if (step.op == "!=") {
        return a != b;
      }
      if (step.op == "<") {
        return a < b;
      }
      if (step.op == "<=") {
        return a <= b;
      }
      if (step.op == ">") {
        return a > b;
      }
      return a >= b;
    };
    const bool holds = unsigned_compare
                           ? cmp(lhs.bits, rhs.bits)
                           : cmp(static_cast<int64_t>(lhs.bits), static_cast<int64_t>(rhs.bits));
    // A value compared with a pid, a syscall or an id is named like it.
    Value shown_rhs = rhs;
    Value shown_lhs = lhs;
    if (rhs.kind == ValueKind::kPlain) {
      shown_rhs.kind = lhs.kind, shown_rhs.process = lhs.process;
    }
    if (lhs.kind == ValueKind::kPlain) {
      shown_lhs.kind = rhs.kind, shown_lhs.process = rhs.process;
    }
    Event& e = AddEvent(step, "runner");
    e.data = {{"lhs", RenderValue(shown_lhs)}, {"rhs", RenderValue(shown_rhs)}};
    if (holds) {
      e.check = "ok";
    } else {
      e.check = fmt::format("FAIL: expected {} {} {}, got {} = {}, {} = {}", ExprText(step.lhs),
                            step.op, ExprText(step.rhs), ExprText(step.lhs), RenderValue(shown_lhs),
                            ExprText(step.rhs), RenderValue(shown_rhs));
    }
    Explain(&e, std::nullopt);
  }

  void ExpectSigsysStep(const Step& step) {
    const size_t task = TaskIndex(step.target, step.loc);
    const std::optional<SigsysInfo> info = machine_.LastSigsys(Task(task).id);
    Event& e = AddEvent(step, "runner");
    auto render = [&](std::string_view key, uint64_t bits) {
      if (key == "signo") {
        return normalizer_.Render(bits, ValueKind::kSignal);
      }
      if (key == "syscall") {
        return normalizer_.Render(bits, ValueKind::kSyscallNr);
      }
      if (key == "arch") {
        return normalizer_.Render(bits, ValueKind::kArch);
      }
      return normalizer_.Render(bits, ValueKind::kPlain);
    };
    if (!info) {
      e.check = fmt::format("FAIL: expected a SIGSYS caught by {}, got none", step.target);
      Explain(&e, std::nullopt);
      return;
    }
    const std::pair<std::string_view, uint64_t> actual[] = {
        {"signo", static_cast<uint64_t>(info->signo)},
        {"code", static_cast<uint64_t>(info->code)},
        {"errno", static_cast<uint64_t>(info->error)},
        {"syscall", static_cast<uint64_t>(static_cast<int64_t>(info->syscall))},
        {"arch", info->arch}};
    for (const auto& [key, bits] : actual) {
      e.data.emplace_back(std::string(key), render(key, bits));
    }
    std::string wanted, got;
    for (const auto& [key, expr] : step.sigsys) {
      const uint64_t want = Eval(expr, task).bits;
      for (const auto& [k, bits] : actual) {
        if (k != key) {
          continue;
        }
        // siginfo's fields are ints, except si_arch (unsigned).
        const bool same =
            key == "arch" ? want == bits : static_cast<int32_t>(want) == static_cast<int32_t>(bits);
        if (!same) {
          wanted += fmt::format("{}{}={}", wanted.empty() ? "" : " ", key, render(key, want));
          got += fmt::format("{}{}={}", got.empty() ? "" : " ", key, render(key, bits));
        }
      }
    }
    e.check = wanted.empty() ? "ok" : fmt::format("FAIL: expected {}, got {}", wanted, got);
    Explain(&e, std::nullopt);
  }

  // ---- calls ------------------------------------------------------------------------

  void CallStep(const Step& step) {
    const size_t actor = TaskIndex(step.actor, step.loc);
    CheckCanAct(actor, step.loc);
    calls_.emplace_back();
    const size_t index = calls_.size() - 1;
    CallRecord& rec = calls_[index];
    rec.step = &step;
    rec.actor = actor;
    rec.task = actor;
    Start(&calls_[index]);
    CallRecord& started = calls_[index];
    if (started.id) {
      if (step.async) {
        Refresh(&started);
      } else {
        Finish(&started, machine_.Await(*started.id));
      }
      if (!started.done) {
        Task(started.task).busy = index;
        open_calls_.insert(index);
      }
    }
    if (!step.bind.empty()) {
      Bind(step, index);
    }
    CallRecord& c = calls_[index];
    Event& e = AddEvent(step, step.actor);
    e.outcome = RenderOutcome(c.outcome);
    e.data = c.data;
    e.listener = c.listener;
    e.check = Check(step.result, c.outcome, actor);
    Explain(&e, c.id);
  }

  void Bind(const Step& step, size_t index) {
    switch (step.call.verb) {
      case Verb::kRecv:
        notification_by_name_[step.bind] = index;
        break;
      case Verb::kProposal:
        if (calls_[index].plan && calls_[index].plan->notification) {
          notification_by_name_[step.bind] = index;
          break;
        }
        call_by_name_[step.bind] = index;
        return;
      case Verb::kNotifSizes:
        sizes_by_name_[step.bind] = index;
        break;
      case Verb::kFork:
      case Verb::kThread:
        if (step.async) {
          call_by_name_[step.bind] = index;
        }
        break;
      default:
        call_by_name_[step.bind] = index;
        return;
    }
    if (step.async) {
      call_by_name_[step.bind] = index;
    }
  }

  // Refresh notices a finish of a started call.
  void Refresh(CallRecord* c) {
    if (c->done || !c->id) {
      return;
    }
    const RawOutcome raw = machine_.Poll(*c->id);
    if (raw.kind != RawOutcome::Kind::kBlocked) {
      Finish(c, raw);
    } else {
      c->outcome.kind = Outcome::Kind::kBlocked;
    }
  }

  // Sweep finishes every call that finished since it was last looked at, in the
  // order the calls were made.
  void Sweep() {
    for (auto it = open_calls_.begin(); it != open_calls_.end();) {
      CallRecord& c = calls_[*it];
      if (!c.done) {
        Refresh(&c);
      }
      it = c.done ? open_calls_.erase(it) : std::next(it);
    }
    for (TaskRecord& t : tasks_) {
      if (t.busy && calls_[*t.busy].done) {
        t.busy.reset();
      }
    }
  }

  void Issue(CallRecord* c, int nr, const std::array<uint64_t, 6>& args) {
    c->nr = nr;
    c->args = args;
    c->id = machine_.StartSyscall(Task(c->task).id, nr, args);
  }

  // ListenerOf names the listener open at `fd` in the task's process ("" if none).
  std::string ListenerOf(size_t task, int64_t fd) {
    const auto& l = ProcessOf(task).listeners;
    const auto it = l.find(fd);
    return it == l.end() ? std::string() : it->second;
  }

  void CheckFd(int64_t fd, Loc loc) {
    if (static_cast<int32_t>(fd) == kChannelFd) {
      Stop(loc, "fd 1023 is the runner's channel and cannot be named");
    }
  }

  std::string BufferName(const Step& step, std::string_view suffix = "") const {
    return fmt::format("{}@{}{}", step.call.name, step.loc.line, suffix);
  }

  void Start(CallRecord* c) {
    const Step& step = *c->step;
    const Call& call = step.call;
    const size_t actor = c->actor;
    const std::vector<const Arg*> pos = PositionalArgs(call);
    switch (call.verb) {
      case Verb::kNnp:
        return Issue(c, nr::kPrctl, {kPrSetNoNewPrivs, 1, 0, 0, 0, 0});
      case Verb::kInstall: {
        const FilterDecl* filter = FindFilter(pos[0]->value.text);
        const uint64_t flags = pos.size() > 1 ? Eval(pos[1]->value, actor).bits : 0;
        // struct sock_filter, little endian, one allocation for the whole program.
        const std::vector<uint8_t> insns = bpf::EncodeProgram(filter->program);
        // An empty program gets no instruction buffer: the kernel refuses length 0
        // before reading the pointer.
        const uint64_t program =
            insns.empty() ? 0 : AllocWith(actor, insns, BufferName(step, ".filter"));
        std::vector<uint8_t> fprog(16, 0);
        PutLe(&fprog, 0, filter->program.size(), 2);
        PutLe(&fprog, 8, program, 8);
        const uint64_t f = AllocWith(actor, fprog, BufferName(step));
        return Issue(c, nr::kSeccomp, {kSeccompSetModeFilter, flags, f, 0, 0, 0});
      }
      case Verb::kStrict:
        return Issue(c, nr::kSeccomp, {kSeccompSetModeStrict, 0, 0, 0, 0, 0});
      case Verb::kActionAvail: {
        const uint64_t a =
            AllocWith(actor, Le(Eval(pos[0]->value, actor).bits, 4), BufferName(step));
        return Issue(c, nr::kSeccomp, {kSeccompGetActionAvail, 0, a, 0, 0, 0});
      }
      case Verb::kNotifSizes:
        c->buffer = AllocWith(actor, std::vector<uint8_t>(6, 0), BufferName(step));
        return Issue(c, nr::kSeccomp, {kSeccompGetNotifSizes, 0, c->buffer, 0, 0, 0});
      case Verb::kRecv: {
        const int64_t fd = EvalInt(pos[0]->value, actor);
        CheckFd(fd, pos[0]->loc);
        c->listener = ListenerOf(actor, fd);
        c->buffer = AllocWith(actor, std::vector<uint8_t>(80, 0), BufferName(step));
        return Issue(c, nr::kIoctl,
                     {static_cast<uint64_t>(fd), kIoctlNotifRecv, c->buffer, 0, 0, 0});
      }
      case Verb::kReply: {
        const int64_t fd = EvalInt(pos[0]->value, actor);
        CheckFd(fd, pos[0]->loc);
        c->listener = ListenerOf(actor, fd);
        std::vector<uint8_t> resp(24, 0);
        PutLe(&resp, 0, NotificationId(call, actor), 8);
        if (const Arg* v = FindArg(call, "val")) {
          PutLe(&resp, 8, Eval(v->value, actor).bits, 8);
        }
        if (const Arg* e = FindArg(call, "error")) {
          PutLe(&resp, 16, Eval(e->value, actor).bits, 4);
        }
        uint64_t flags = FindArg(call, "continue") != nullptr ? kNotifFlagContinue : 0;
        if (const Arg* f = FindArg(call, "flags")) {
          flags = Eval(f->value, actor).bits;
        }
        PutLe(&resp, 20, flags, 4);
        const uint64_t r = AllocWith(actor, resp, BufferName(step));
        return Issue(c, nr::kIoctl, {static_cast<uint64_t>(fd), kIoctlNotifSend, r, 0, 0, 0});
      }
      case Verb::kIdValid: {
        const int64_t fd = EvalInt(pos[0]->value, actor);
        CheckFd(fd, pos[0]->loc);
        c->listener = ListenerOf(actor, fd);
        const uint64_t i = AllocWith(actor, Le(NotificationId(call, actor), 8), BufferName(step));
        return Issue(c, nr::kIoctl, {static_cast<uint64_t>(fd), kIoctlNotifIdValid, i, 0, 0, 0});
      }
      case Verb::kAddfd: {
        const int64_t fd = EvalInt(pos[0]->value, actor);
        CheckFd(fd, pos[0]->loc);
        c->listener = ListenerOf(actor, fd);
        const int64_t src = EvalInt(pos[1]->value, actor);
        CheckFd(src, pos[1]->loc);
        std::vector<uint8_t> a(24, 0);
        PutLe(&a, 0, NotificationId(call, actor), 8);
        if (const Arg* f = FindArg(call, "flags")) {
          PutLe(&a, 8, Eval(f->value, actor).bits, 4);
        }
        PutLe(&a, 12, static_cast<uint64_t>(src), 4);
        if (const Arg* n = FindArg(call, "newfd")) {
          const int64_t newfd = EvalInt(n->value, actor);
          CheckFd(newfd, n->loc);
          PutLe(&a, 16, static_cast<uint64_t>(newfd), 4);
        }
        if (const Arg* f = FindArg(call, "fdflags")) {
          PutLe(&a, 20, Eval(f->value, actor).bits, 4);
        }
        const uint64_t addr = AllocWith(actor, a, BufferName(step));
        return Issue(c, nr::kIoctl, {static_cast<uint64_t>(fd), kIoctlNotifAddfd, addr, 0, 0, 0});
      }
      case Verb::kSetFlags: {
        const int64_t fd = EvalInt(pos[0]->value, actor);
        CheckFd(fd, pos[0]->loc);
        c->listener = ListenerOf(actor, fd);
        return Issue(c, nr::kIoctl,
                     {static_cast<uint64_t>(fd), kIoctlNotifSetFlags,
                      Eval(pos[1]->value, actor).bits, 0, 0, 0});
      }
      case Verb::kPoll: {
        const int64_t fd = EvalInt(pos[0]->value, actor);
        CheckFd(fd, pos[0]->loc);
        c->listener = ListenerOf(actor, fd);
        std::vector<uint8_t> pollfd(8, 0);
        PutLe(&pollfd, 0, static_cast<uint64_t>(fd), 4);
        PutLe(&pollfd, 4, kPollInOut, 2);
        c->buffer = AllocWith(actor, pollfd, BufferName(step));
        return Issue(c, nr::kPoll, {c->buffer, 1, 0, 0, 0, 0});
      }
      case Verb::kPass:
        return StartPass(c, pos);
      case Verb::kHandle: {
        const int64_t sig = EvalInt(pos[0]->value, actor);
        if (IsFaultSignal(sig)) {
          Stop(pos[0]->loc,
               fmt::format("handle() refuses {}: the fault signals belong to the "
                           "backend",
                           normalizer_.Render(static_cast<uint64_t>(sig), ValueKind::kSignal)));
        }
        const std::string mode = FindArg(call, "mode")->value.text;
        const HandleMode m = mode == "restart"     ? HandleMode::kRestart
                             : mode == "norestart" ? HandleMode::kNoRestart
                             : mode == "ignore"    ? HandleMode::kIgnore
                                                   : HandleMode::kDefault;
        const std::vector<uint8_t> act =
            machine_.SigactionFor(Task(actor).id, static_cast<int>(sig), m);
        const uint64_t a = AllocWith(actor, act, BufferName(step));
        return Issue(c, nr::kRtSigaction, {static_cast<uint64_t>(sig), a, 0, kSigsetSize, 0, 0});
      }
      case Verb::kSignal: {
        const size_t target = TaskIndex(pos[0]->value.text, pos[0]->loc);
        const int64_t sig = EvalInt(pos[1]->value, actor);
        CheckSignal(sig, pos[1]->loc, "signal");
        const TaskId id = Task(target).id;
        return Issue(
            c, nr::kTgkill,
            {static_cast<uint64_t>(machine_.Pid(id)), static_cast<uint64_t>(machine_.Tid(id)),
             static_cast<uint64_t>(sig), 0, 0, 0});
      }
      case Verb::kWait: {
        const size_t child = TaskIndex(pos[0]->value.text, pos[0]->loc);
        c->wait_pid = machine_.Pid(Task(child).id);
        c->buffer = AllocWith(actor, std::vector<uint8_t>(4, 0), BufferName(step));
        return Issue(c, nr::kWait4, {static_cast<uint64_t>(c->wait_pid), c->buffer, 0, 0, 0, 0});
      }
      case Verb::kFork:
      case Verb::kThread:
        CheckTaskBudget();
        c->nr = nr::kClone;
        c->id = machine_.StartClone(
            Task(actor).id, call.verb == Verb::kFork ? CloneKind::kFork : CloneKind::kThread);
        return;
      case Verb::kExit:
        return Issue(c, nr::kExit, {Eval(pos[0]->value, actor).bits, 0, 0, 0, 0, 0});
      case Verb::kExitGroup:
        return Issue(c, nr::kExitGroup, {Eval(pos[0]->value, actor).bits, 0, 0, 0, 0, 0});
      case Verb::kSyscall:
        return StartSyscallStep(c, call.nr, std::vector<const Arg*>(pos.begin(), pos.end()));
      case Verb::kRawSyscall: {
        const int64_t number = EvalInt(pos[0]->value, actor);
        if (number < INT32_MIN || number > INT32_MAX) {
          Stop(pos[0]->loc, fmt::format("syscall number {} is out of range", number));
        }
        return StartSyscallStep(c, static_cast<int>(number),
                                std::vector<const Arg*>(pos.begin() + 1, pos.end()));
      }
      case Verb::kProposal:
        return StartProposal(c, pos);
    }
  }

  const FilterDecl* FindFilter(const std::string& name) const {
    for (const FilterDecl& f : scenario_.filters) {
      if (f.name == name) {
        return &f;
      }
    }
    SCLAB_CHECK(false, "the parser guarantees install() names a filter");
    return nullptr;
  }

  // NotificationId is the id a reply/id_valid/addfd names (`n` or `id=`).
  uint64_t NotificationId(const Call& call, size_t actor) {
    if (const Arg* id = FindArg(call, "id")) {
      return Eval(id->value, actor).bits;
    }
    const Arg* n = FindArg(call, "n");
    Expr field = n->value;
    field.fields = {"id"};
    return Eval(field, actor).bits;
  }

  void CheckSignal(int64_t sig, Loc loc, std::string_view verb) {
    if (IsJobControlSignal(sig)) {
      Stop(loc, fmt::format("{}() of {}: job-control signals are not supported in version 1", verb,
                            normalizer_.Render(static_cast<uint64_t>(sig), ValueKind::kSignal)));
    }
  }

  // UserAbi is the ABI version the scenario's userspace was built for, for `proposal`.
  ksim::proposals::Abi UserAbi(std::string_view proposal) const {
    for (const ProposalAbi& a : scenario_.proposal_abis) {
      if (a.name == proposal) {
        return a.user_old ? ksim::proposals::Abi::kOld : ksim::proposals::Abi::kNew;
      }
    }
    return ksim::proposals::Abi::kNew;
  }

  // StartProposal is every proposal verb: the plug-in's plan gives the buffers, the
  // pointers between them and one syscall; nothing here knows any proposal.
  void StartProposal(CallRecord* c, const std::vector<const Arg*>& pos) {
    using ksim::proposals::VerbParam;
    const size_t actor = c->actor;
    const Step& step = *c->step;
    const std::optional<ksim::proposals::VerbSpec> spec = ksim::proposals::FindVerb(step.call.name);
    SCLAB_CHECK(spec.has_value(), "the parser accepts registered proposal verbs only");
    ksim::proposals::VerbArgs args;
    args.user = UserAbi(spec->proposal);
    for (size_t i = 0; i < pos.size(); ++i) {
      const VerbParam kind = spec->params[i];
      if (kind == VerbParam::kTask) {
        args.positional.push_back(
            static_cast<uint64_t>(Task(TaskIndex(pos[i]->value.text, pos[i]->loc)).tid));
      } else if (kind == VerbParam::kNotification) {
        Expr id = pos[i]->value;
        id.fields = {"id"};
        args.positional.push_back(Eval(id, actor).bits);
      } else {
        args.positional.push_back(Eval(pos[i]->value, actor).bits);
      }
    }
    for (const Arg& a : step.call.args) {
      if (!a.key.empty()) {
        args.keyed.emplace_back(a.key, Eval(a.value, actor).bits);
      }
    }
    if (!spec->params.empty() && spec->params[0] == VerbParam::kValue && !pos.empty()) {
      CheckFd(static_cast<int64_t>(args.positional[0]), pos[0]->loc);
      c->listener = ListenerOf(actor, static_cast<int64_t>(args.positional[0]));
    }
    ksim::proposals::VerbPlan plan = spec->plan(args);
    for (const ksim::proposals::PlanBuffer& b : plan.buffers) {
      c->plan_buffers.push_back(Alloc(actor, b.bytes.size(), BufferName(step, b.suffix)));
    }
    for (const ksim::proposals::PlanPointer& p : plan.pointers) {
      PutLe(&plan.buffers[p.into].bytes, p.offset, c->plan_buffers[p.target] + p.add, 8);
    }
    for (size_t i = 0; i < plan.buffers.size(); ++i) {
      machine_.WriteMemory(Task(actor).id, c->plan_buffers[i], plan.buffers[i].bytes);
    }
    std::array<uint64_t, 6> regs{};
    for (size_t i = 0; i < 6; ++i) {
      const ksim::proposals::PlanArg& a = plan.args[i];
      regs[i] = a.buffer ? c->plan_buffers[*a.buffer] + a.value : a.value;
    }
    const int nr = plan.nr;
    c->plan = std::move(plan);
    Issue(c, nr, regs);
  }

  static ValueKind KindOf(ksim::proposals::FieldKind kind) {
    switch (kind) {
      case ksim::proposals::FieldKind::kPid:
        return ValueKind::kPid;
      case ksim::proposals::FieldKind::kNotifId:
        return ValueKind::kNotifId;
      case ksim::proposals::FieldKind::kSyscallNr:
        return ValueKind::kSyscallNr;
      case ksim::proposals::FieldKind::kArch:
        return ValueKind::kArch;
      case ksim::proposals::FieldKind::kAddr:
        return ValueKind::kAddr;
      default:
        return ValueKind::kPlain;
    }
  }

  // FinishProposal reads back what the plan declared: its fields whenever the call
  // returned (a failed call may have written sizes back), and the notification it
  // binds when it returned >= 0.
  void FinishProposal(CallRecord* c) {
    const ksim::proposals::VerbPlan& plan = *c->plan;
    const TaskId task = Task(c->task).id;
    auto read = [&](const ksim::proposals::PlanPlace& at, uint64_t width) {
      return ReadLe(machine_.ReadMemory(task, c->plan_buffers[at.buffer] + at.offset, width), 0,
                    width);
    };
    if (plan.notification && c->outcome.kind == Outcome::Kind::kRet) {
      Notification note;
      note.id = read(plan.notification->id, 8);
      if (plan.notification->pid) {
        note.pid = static_cast<uint32_t>(read(*plan.notification->pid, 4));
      }
      if (const auto& d = plan.notification->data) {
        const std::vector<uint8_t> data =
            machine_.ReadMemory(task, c->plan_buffers[d->buffer] + d->offset, 64);
        note.nr = static_cast<int32_t>(ReadLe(data, 0, 4));
        note.arch = static_cast<uint32_t>(ReadLe(data, 4, 4));
        for (size_t i = 0; i < 6; ++i) {
          note.args[i] = ReadLe(data, 16 + 8 * i, 8);
        }
      }
      AcceptNotification(c, note);
    }
    for (const ksim::proposals::PlanField& f : plan.fields) {
      uint64_t bits = read({f.buffer, f.offset}, f.width);
      if (f.kind == ksim::proposals::FieldKind::kFd && f.width == 4) {
        bits = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(bits)));
      }
      const Value v{bits, KindOf(f.kind), -1};
      c->fields.emplace_back(f.name, v);
      c->data.emplace_back(f.name, RenderValue(v));
    }
  }

  void StartPass(CallRecord* c, const std::vector<const Arg*>& pos) {
    const size_t actor = c->actor;
    const int64_t fd = EvalInt(pos[0]->value, actor);
    CheckFd(fd, pos[0]->loc);
    const size_t to = TaskIndex(pos[1]->value.text, pos[1]->loc);
    CheckCanAct(to, pos[1]->loc);
    c->passed_listener = ListenerOf(actor, fd);
    if (!machine_.SendFdToChannel(Task(actor).id, static_cast<int>(fd), Task(to).id)) {
      c->done = true;
      c->outcome.kind = Outcome::Kind::kErr;
      c->outcome.value = model::kEBADF.value;
      return;
    }
    // struct msghdr (56 bytes) at 0, its one iovec at 56, the data byte at 72, the
    // control buffer (CMSG_SPACE(sizeof(int)) = 24 bytes) at 80; all inside m.
    c->task = to;
    const uint64_t size = 120;
    const uint64_t m = Alloc(to, size, BufferName(*c->step));
    std::vector<uint8_t> msg(size, 0);
    PutLe(&msg, 16, m + 56, 8);  // msg_iov
    PutLe(&msg, 24, 1, 8);       // msg_iovlen
    PutLe(&msg, 32, m + 80, 8);  // msg_control
    PutLe(&msg, 40, 24, 8);      // msg_controllen
    PutLe(&msg, 56, m + 72, 8);  // iov_base
    PutLe(&msg, 64, 1, 8);       // iov_len
    machine_.WriteMemory(Task(to).id, m, msg);
    c->buffer = m;
    Issue(c, nr::kRecvmsg, {static_cast<uint64_t>(kChannelFd), m, 0, 0, 0, 0});
  }

  // StartSyscallStep issues a syscall by number: a modelled one with its safety
  // checks, an unmodelled one only when it is certainly skipped or no syscall at all.
  void StartSyscallStep(CallRecord* c, int number, const std::vector<const Arg*>& args) {
    const size_t actor = c->actor;
    const Step& step = *c->step;
    std::array<uint64_t, 6> regs{};
    const model::SyscallInfo* info = model::FindModelledSyscall(number);
    for (size_t i = 0; i < args.size() && i < 6; ++i) {
      const Expr& e = args[i]->value;
      if (e.kind == Expr::Kind::kString) {
        const std::string text = ExpandScratch(e.text);
        std::vector<uint8_t> bytes(text.begin(), text.end());
        bytes.push_back(0);
        regs[i] = AllocWith(actor, bytes, BufferName(step, fmt::format(".arg{}", i)));
      } else {
        regs[i] = Eval(e, actor).bits;
      }
    }
    const bool skipped = shadow_.CertainlySkipped(Task(actor).id, number);
    // The backend re-checks what it issues; tell it the filters skip this one.
    if (skipped) machine_.NoteSkippedSyscall(Task(actor).id, number);
    if (info == nullptr) {
      const bool no_syscall =
          number < 0 || (number >= kSyscallTableEnd &&
                         !((number & kX32Bit) != 0 && (number & ~kX32Bit) < kSyscallTableEnd));
      if (!no_syscall && !skipped) {
        Stop(step.loc, fmt::format("syscall {} is not modelled and the filters of `{}` do not "
                                   "certainly skip it (KILL, TRAP or ERRNO whatever the "
                                   "arguments): refused",
                                   number, step.actor));
      }
      return Issue(c, number, regs);
    }
    if (!skipped) {
      CheckModelledCall(*info, regs, args, step);
    }
    Issue(c, number, regs);
  }

  void CheckModelledCall(const model::SyscallInfo& info, const std::array<uint64_t, 6>& regs,
                         const std::vector<const Arg*>& args, const Step& step) {
    const size_t actor = TaskIndex(step.actor, step.loc);
    const auto loc_of = [&](size_t i) { return i < args.size() ? args[i]->loc : step.loc; };
    if (info.nr == nr::kClone3) {
      CheckClone3(actor, regs, step.loc);
    }
    if (info.nr == nr::kClone || info.nr == nr::kRtSigreturn || info.nr == nr::kRecvmsg) {
      Stop(step.loc, fmt::format("{} is issued only through {}; calling it directly is refused "
                                 "unless the task's filters certainly skip it",
                                 info.name,
                                 info.nr == nr::kRecvmsg       ? "pass()"
                                 : info.nr == nr::kRtSigreturn ? "handler returns"
                                                               : "fork() and thread()"));
    }
    if (info.nr == nr::kRtSigaction && regs[1] >= kNeverMappedBelow) {
      Stop(step.loc, "rt_sigaction with a new action is issued only through handle(): refused");
    }
    if (info.nr == nr::kPrctl && std::find(std::begin(kPrctlAllowed), std::end(kPrctlAllowed),
                                           regs[0]) == std::end(kPrctlAllowed)) {
      Stop(loc_of(0), fmt::format("prctl option {} is not one a scenario may issue (only the "
                                  "seccomp, no_new_privs, dumpable, keepcaps and capbset "
                                  "ones): refused",
                                  static_cast<int64_t>(regs[0])));
    }
    for (size_t i = 0; i < info.nargs; ++i) {
      switch (info.args[i]) {
        case model::ArgKind::kFd:
          CheckFd(static_cast<int64_t>(regs[i]), loc_of(i));
          break;
        case model::ArgKind::kAddr:
          CheckAddress(actor, regs[i], loc_of(i));
          break;
        case model::ArgKind::kPath:
          CheckPath(actor, regs[i], static_cast<int64_t>(static_cast<int32_t>(regs[0])), loc_of(i));
          break;
        case model::ArgKind::kSignal:
          CheckSignal(static_cast<int32_t>(regs[i]), loc_of(i), info.name);
          break;
        default:
          break;
      }
    }
    if (info.nr == nr::kKill) {
      CheckKillTarget(static_cast<int32_t>(regs[0]), loc_of(0), false);
    }
    if (info.nr == nr::kWait4) {
      CheckKillTarget(static_cast<int32_t>(regs[0]), loc_of(0), true);
    }
    if (info.nr == nr::kTgkill) {
      CheckTaskId(static_cast<int32_t>(regs[0]), loc_of(0));
      CheckTaskId(static_cast<int32_t>(regs[1]), loc_of(1));
    }
  }

  // CheckClone3 lets clone3 through only when model's argument rules say it fails
  // before creating anything (scenarios/clone3_guard.h).
  void CheckClone3(size_t actor, const std::array<uint64_t, 6>& regs, Loc loc) {
    Clone3Memory memory;
    memory.buffer_at = [&](uint64_t addr) -> std::optional<std::pair<uint64_t, uint64_t>> {
      const Buffer* b = HoldingBuffer(actor, addr);
      if (b == nullptr) {
        return std::nullopt;
      }
      return std::pair(b->addr, b->size);
    };
    memory.read = [&](uint64_t addr, uint64_t len) {
      return machine_.ReadMemory(Task(actor).id, addr, len);
    };
    switch (JudgeClone3(regs[0], regs[1], memory)) {
      case Clone3Verdict::kFails:
        return;
      case Clone3Verdict::kWouldCreate:
        Stop(loc,
             "this clone3 would create a task, which only fork() and thread() may do: "
             "refused");
      case Clone3Verdict::kUnknown:
        Stop(loc,
             "clone3's arguments are not in the actor's buffers, so whether it would "
             "create a task cannot be told: refused");
    }
  }

  bool IsScenarioTid(int64_t tid) const {
    return std::any_of(tasks_.begin(), tasks_.end(),
                       [&](const TaskRecord& t) { return t.tid == tid; });
  }

  void CheckTaskId(int64_t id, Loc loc) {
    if (!IsScenarioTid(id)) {
      Stop(loc, fmt::format("{} is not a task of this scenario: refused", id));
    }
  }

  // CheckKillTarget: kill() may target a scenario task, its process group (-pid), or
  // 0; wait4() also -1. kill(-1, …) is refused.
  void CheckKillTarget(int64_t pid, Loc loc, bool wait) {
    if (pid == 0 || (wait && pid == -1)) {
      return;
    }
    if (pid == -1) {
      Stop(loc, "kill(-1, …) would signal every process: refused");
    }
    CheckTaskId(pid < 0 ? -pid : pid, loc);
  }

  const Buffer* HoldingBuffer(size_t actor, uint64_t addr) {
    for (const Buffer& b : ProcessOf(actor).buffers) {
      if (addr >= b.addr && addr < b.addr + b.size) {
        return &b;
      }
    }
    return nullptr;
  }

  // CheckAddress: an address argument is never-mapped (below 64 KiB: NULL, bad_addr)
  // or inside one of the actor's buffers, so the kernel never reads or writes the
  // backend's own memory on a scenario's behalf.
  void CheckAddress(size_t actor, uint64_t addr, Loc loc) {
    if (addr < kNeverMappedBelow || HoldingBuffer(actor, addr) != nullptr) {
      return;
    }
    Stop(loc,
         "an address argument must be a string, bad_addr, NULL or inside one of the "
         "actor's buffers: refused");
  }

  // CheckPath applies docs/execution.md §6 to a path argument.
  void CheckPath(size_t actor, uint64_t addr, int64_t dirfd, Loc loc) {
    if (addr < kNeverMappedBelow) {
      return;  // EFAULT, on both backends
    }
    const Buffer* holder = HoldingBuffer(actor, addr);
    if (holder == nullptr) {
      Stop(loc, "a path must be a string or point into one of the actor's buffers: refused");
    }
    const std::vector<uint8_t> bytes =
        machine_.ReadMemory(Task(actor).id, addr, holder->addr + holder->size - addr);
    const auto nul = std::find(bytes.begin(), bytes.end(), uint8_t{0});
    if (nul == bytes.end()) {
      return;  // the kernel reads on into the unmapped page: EFAULT
    }
    const std::string path(bytes.begin(), nul);
    const std::string scratch = machine_.ScratchPath();
    const bool dotdot = path == ".." || path.rfind("../", 0) == 0 ||
                        path.find("/../") != std::string::npos ||
                        (path.size() >= 3 && path.compare(path.size() - 3, 3, "/..") == 0);
    const bool allowed = path == "/dev/null" || path == "/dev/zero" || path == "/" ||
                         path == scratch || (!dotdot && path.rfind(scratch + "/", 0) == 0) ||
                         (!dotdot && !path.empty() && path[0] != '/' && dirfd == kAtFdcwd) ||
                         path.empty();
    if (!allowed) {
      std::string shown = path;
      if (shown.rfind(scratch, 0) == 0) {
        shown = "$scratch" + shown.substr(scratch.size());
      }
      Stop(loc, fmt::format("path \"{}\" is outside /dev/null, /dev/zero, / and $scratch (a "
                            "relative path needs AT_FDCWD): refused",
                            shown));
    }
  }

  // ---- finishing calls --------------------------------------------------------------

  ValueKind ResultKindOf(const CallRecord& c) const {
    switch (c.step->call.verb) {
      case Verb::kFork:
      case Verb::kThread:
      case Verb::kWait:
        return ValueKind::kPid;
      case Verb::kInstall: {
        const uint64_t flags = c.args[1];
        return (flags & kFlagTsync) != 0 && (flags & kFlagNewListener) == 0 ? ValueKind::kPid
                                                                            : ValueKind::kPlain;
      }
      case Verb::kProposal:
        return KindOf(c.plan->result);
      case Verb::kSyscall:
      case Verb::kRawSyscall: {
        const model::SyscallInfo* info = model::FindModelledSyscall(c.nr);
        return info != nullptr && info->result == model::ResultKind::kPid ? ValueKind::kPid
                                                                          : ValueKind::kPlain;
      }
      default:
        return ValueKind::kPlain;
    }
  }

  void Finish(CallRecord* c, const RawOutcome& raw) {
    if (raw.kind == RawOutcome::Kind::kBlocked) {
      c->outcome.kind = Outcome::Kind::kBlocked;
      return;
    }
    c->done = true;
    Outcome& o = c->outcome;
    switch (raw.kind) {
      case RawOutcome::Kind::kKilled:
        o.kind = Outcome::Kind::kKilled;
        o.value = raw.signal;
        return;
      case RawOutcome::Kind::kExited:
        o.kind = Outcome::Kind::kExited;
        o.value = raw.exit_code;
        return;
      case RawOutcome::Kind::kGone:
        o.kind = Outcome::Kind::kGone;
        return;
      default:
        break;
    }
    if (raw.ret >= -model::kMaxErrno && raw.ret <= -1) {
      o.kind = Outcome::Kind::kErr;
      o.value = -raw.ret;
    } else {
      o.kind = Outcome::Kind::kRet;
      o.value = raw.ret;
      o.value_kind = ResultKindOf(*c);
    }
    FollowSeccomp(c, raw.ret);
    if (c->plan) {
      FinishProposal(c);
      return;
    }
    if (o.kind != Outcome::Kind::kRet) {
      if (c->step->call.verb == Verb::kRecv) {
        ReadNotification(c);
      }
      return;
    }
    const size_t actor = c->actor;
    switch (c->step->call.verb) {
      case Verb::kRecv:
        ReadNotification(c);
        break;
      case Verb::kNotifSizes: {
        const std::vector<uint8_t> s = machine_.ReadMemory(Task(actor).id, c->buffer, 6);
        const char* names[] = {"seccomp_notif", "seccomp_notif_resp", "seccomp_data"};
        for (size_t i = 0; i < 3; ++i) {
          c->sizes[i] = static_cast<uint16_t>(ReadLe(s, 2 * i, 2));
          c->data.emplace_back(names[i], std::to_string(c->sizes[i]));
        }
        break;
      }
      case Verb::kPoll: {
        const std::vector<uint8_t> p = machine_.ReadMemory(Task(actor).id, c->buffer, 8);
        o.value = static_cast<int64_t>(ReadLe(p, 6, 2));
        o.value_kind = ValueKind::kPollBits;
        break;
      }
      case Verb::kPass:
        FinishPass(c);
        break;
      case Verb::kWait:
        if (raw.ret == c->wait_pid) {
          const uint32_t status = static_cast<uint32_t>(
              ReadLe(machine_.ReadMemory(Task(actor).id, c->buffer, 4), 0, 4));
          if ((status & 0x7f) == 0) {
            o.kind = Outcome::Kind::kExited;
            o.value = (status >> 8) & 0xff;
          } else {
            o.kind = Outcome::Kind::kKilled;
            o.value = status & 0x7f;
          }
        }
        break;
      case Verb::kFork:
      case Verb::kThread:
        AddChild(c);
        break;
      case Verb::kInstall:
        if ((c->args[1] & kFlagNewListener) != 0 && raw.ret >= 0) {
          const std::string name = c->step->bind.empty() ? BufferName(*c->step) : c->step->bind;
          ProcessOf(actor).listeners[raw.ret] = name;
        }
        break;
      case Verb::kSyscall:
      case Verb::kRawSyscall:
        FollowFds(c, raw.ret);
        break;
      default:
        break;
    }
  }

  void FollowSeccomp(CallRecord* c, int64_t ret) {
    if (c->nr != nr::kSeccomp && c->nr != nr::kPrctl) {
      return;
    }
    const TaskId id = Task(c->task).id;
    const std::vector<TaskId> changed = shadow_.NoteSyscall(
        id, c->nr, c->args, ret,
        [&](uint64_t addr, uint64_t len) { return machine_.ReadMemory(id, addr, len); });
    for (TaskId t : changed) {
      machine_.NoteFutexAllowed(t, shadow_.FutexAllowed(t));
    }
  }

  // FollowFds keeps the listener names of fds copied (dup) or closed.
  void FollowFds(CallRecord* c, int64_t ret) {
    auto& listeners = ProcessOf(c->task).listeners;
    if (c->nr == nr::kDup) {
      const auto it = listeners.find(static_cast<int32_t>(c->args[0]));
      if (it != listeners.end()) {
        listeners[ret] = it->second;
      }
    } else if (c->nr == nr::kClose && ret == 0) {
      listeners.erase(static_cast<int32_t>(c->args[0]));
    }
  }

  void ReadNotification(CallRecord* c) {
    const TaskRecord& t = Task(c->task);
    const std::vector<uint8_t> n = machine_.ReadMemory(t.id, c->buffer, 80);
    Notification note;
    note.id = ReadLe(n, 0, 8);
    note.pid = static_cast<uint32_t>(ReadLe(n, 8, 4));
    note.flags = static_cast<uint32_t>(ReadLe(n, 12, 4));
    note.nr = static_cast<int32_t>(ReadLe(n, 16, 4));
    note.arch = static_cast<uint32_t>(ReadLe(n, 20, 4));
    for (size_t i = 0; i < 6; ++i) {
      note.args[i] = ReadLe(n, 32 + 8 * i, 8);
    }
    AcceptNotification(c, note);
  }

  // AcceptNotification binds a received notification: the notifying task's process,
  // the binding's name for its id, and the event's data.
  void AcceptNotification(CallRecord* c, Notification note) {
    for (const TaskRecord& other : tasks_) {
      if (other.tid == static_cast<int64_t>(note.pid)) {
        note.process = other.process;
      }
    }
    c->notification = note;
    // RECV returns 0; a proposal's receive may return the bytes it wrote.
    if (c->outcome.kind != Outcome::Kind::kRet || (c->outcome.value != 0 && !c->plan)) {
      return;
    }
    normalizer_.AddNotification(c->step->bind, note.id);
    const model::SyscallInfo* info = model::FindModelledSyscall(note.nr);
    std::string args = "[";
    for (size_t i = 0; i < 6; ++i) {
      ValueKind kind = ValueKind::kAddr;
      if (info != nullptr && i < info->nargs) {
        if (info->args[i] == model::ArgKind::kPid || info->args[i] == model::ArgKind::kTid) {
          kind = ValueKind::kPid;
        } else if (info->args[i] == model::ArgKind::kSignal) {
          kind = ValueKind::kSignal;
        }
      }
      if (i > 0) {
        args += ',';
      }
      args += normalizer_.Render(note.args[i], kind, note.process);
    }
    args += "]";
    c->data = {{"id", normalizer_.Render(note.id, ValueKind::kNotifId)},
               {"pid", normalizer_.Render(note.pid, ValueKind::kPid)},
               {"flags", std::to_string(note.flags)},
               {"data.nr", normalizer_.Render(static_cast<uint64_t>(static_cast<int64_t>(note.nr)),
                                              ValueKind::kSyscallNr)},
               {"data.arch", normalizer_.Render(note.arch, ValueKind::kArch)},
               {"data.args", args}};
  }

  void FinishPass(CallRecord* c) {
    const std::vector<uint8_t> m = machine_.ReadMemory(Task(c->task).id, c->buffer, 120);
    const uint64_t cmsg_len = ReadLe(m, 80, 8);
    const int level = static_cast<int>(ReadLe(m, 88, 4));
    const int type = static_cast<int>(ReadLe(m, 92, 4));
    if (cmsg_len < 20 || level != kSolSocket || type != kScmRights) {
      Stop(c->step->loc, "pass(): the receiver got no SCM_RIGHTS message");
    }
    const int64_t fd = static_cast<int32_t>(ReadLe(m, 96, 4));
    c->outcome.value = fd;
    c->outcome.value_kind = ValueKind::kPlain;
    if (!c->passed_listener.empty()) {
      ProcessOf(c->task).listeners[fd] = c->passed_listener;
    }
  }

  void AddChild(CallRecord* c) {
    const std::optional<TaskId> child = machine_.ChildOf(*c->id);
    const Step& step = *c->step;
    if (!child) {
      creations_[step.bind] =
          fmt::format("`{}` (line {}) created no task", step.text, step.loc.line);
      return;
    }
    const size_t creator = c->actor;
    int process = Task(creator).process;
    if (step.call.verb == Verb::kFork) {
      processes_.push_back(processes_[static_cast<size_t>(process)]);  // buffers and fds
      const int child_process = static_cast<int>(processes_.size() - 1);
      normalizer_.CopyBuffers(process, child_process);
      process = child_process;
    }
    AddTaskRecord(step.bind, *child, process, Task(creator).id);
  }

  const Scenario& scenario_;
  Machine& machine_;
  const RunOptions& options_;
  Trace trace_;
  Normalizer normalizer_;
  FilterShadow shadow_;
  Loc current_;
  std::vector<TaskRecord> tasks_;
  std::vector<ProcessRecord> processes_;
  std::vector<CallRecord> calls_;
  // The calls started and not seen finished (indices into calls_): only they can
  // finish later, as a call is started once, in its own step.
  std::set<size_t> open_calls_;
  std::map<std::string, size_t> task_by_name_;
  std::map<std::string, size_t> call_by_name_;          // `-> NAME` of a call
  std::map<std::string, size_t> notification_by_name_;  // recv bindings
  std::map<std::string, size_t> sizes_by_name_;         // notif_sizes bindings
  std::map<std::string, Value> values_;                 // load bindings
  std::map<std::string, std::string> creations_;        // fork/thread names that made nothing
};

}  // namespace

Trace RunScenario(const Scenario& scenario, Machine& machine, const RunOptions& options) {
  return Runner(scenario, machine, options).Run();
}

}  // namespace sclab::scn
