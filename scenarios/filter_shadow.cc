#include "scenarios/filter_shadow.h"

#include <optional>

#include "base/check.h"
#include "bpf/action_cache.h"
#include "bpf/actions.h"
#include "bpf/interpreter.h"
#include "bpf/program_io.h"
#include "bpf/validator.h"
#include "model/syscall_table.h"

namespace sclab::scn {
namespace {

constexpr uint64_t kOpSetModeStrict = 0;  // SECCOMP_SET_MODE_STRICT
constexpr uint64_t kOpSetModeFilter = 1;  // SECCOMP_SET_MODE_FILTER
constexpr uint64_t kPrSetSeccomp = 22;    // PR_SET_SECCOMP
constexpr uint64_t kModeStrict = 1;       // SECCOMP_MODE_STRICT
constexpr uint64_t kModeFilter = 2;       // SECCOMP_MODE_FILTER
constexpr uint64_t kFlagTsync = 1;        // SECCOMP_FILTER_FLAG_TSYNC
constexpr uint64_t kFlagNewListener = 8;  // SECCOMP_FILTER_FLAG_NEW_LISTENER
constexpr int kNrFutex = 202;

// The syscalls strict mode lets through (__secure_computing_strict()).
bool StrictAllows(int64_t nr) {
  return nr == model::nr::kRead || nr == model::nr::kWrite || nr == model::nr::kExit ||
         nr == model::nr::kRtSigreturn;
}

uint64_t Le(const std::vector<uint8_t>& bytes, size_t offset, size_t width) {
  uint64_t v = 0;
  for (size_t i = 0; i < width && offset + i < bytes.size(); ++i) {
    v |= uint64_t{bytes[offset + i]} << (8 * i);
  }
  return v;
}

}  // namespace

struct FilterShadow::Filter {
  std::vector<bpf::Insn> original;
  std::optional<bpf::ValidatedProgram> validated;
  bool reads_ip = false;  // loads seccomp_data.instruction_pointer (offsets 8, 12)
  // reads_beyond_nr: some load reads past nr and arch (offset 8 on: the instruction
  // pointer or an argument). Without one, the result depends on the number alone
  // (the shadow always runs filters as x86_64), and result[nr] memoises it (outer
  // nullopt: not computed yet), so a long chain runs once per number, not per call.
  bool reads_beyond_nr = false;
  mutable std::vector<std::optional<uint32_t>> result;
  // constant[nr] memoises ConstantResult(original, AUDIT_ARCH_X86_64, nr) for the
  // numbers asked so far (outer nullopt: not computed yet). The program never
  // changes, so the memo is a cache only: a long chain is emulated once per number
  // rather than once per step.
  mutable std::vector<std::optional<std::optional<uint32_t>>> constant;

  std::optional<uint32_t> ConstantFor(int nr) const {
    if (nr < 0 || nr >= bpf::kX86_64SyscallCount) {
      return bpf::ConstantResult(original, bpf::kAuditArchX86_64, nr);
    }
    if (constant.empty()) {
      constant.resize(bpf::kX86_64SyscallCount);
    }
    auto& slot = constant[static_cast<size_t>(nr)];
    if (!slot) {
      slot = bpf::ConstantResult(original, bpf::kAuditArchX86_64, nr);
    }
    return *slot;
  }

  // ResultFor is what the validated program returns for `data` (arch x86_64).
  uint32_t ResultFor(const bpf::SeccompData& data) const {
    if (reads_beyond_nr || data.nr < 0 || data.nr >= bpf::kX86_64SyscallCount) {
      return bpf::Run(*validated, data).ret;
    }
    if (result.empty()) {
      result.resize(bpf::kX86_64SyscallCount);
    }
    auto& slot = result[static_cast<size_t>(data.nr)];
    if (!slot) {
      slot = bpf::Run(*validated, data).ret;
    }
    return *slot;
  }
};

void FilterShadow::AddTask(TaskId task, std::optional<TaskId> creator) {
  State s;
  if (creator) {
    const auto it = tasks_.find(*creator);
    if (it != tasks_.end()) {
      s = it->second;
    }
  }
  s.process = -1;
  tasks_[task] = s;
}

void FilterShadow::SetProcess(TaskId task, int process) { tasks_[task].process = process; }

std::shared_ptr<const FilterShadow::Filter> FilterShadow::ReadFilter(uint64_t fprog,
                                                                     const ReadMemory& read) {
  // struct sock_fprog { unsigned short len; struct sock_filter *filter; } (16 bytes).
  const std::vector<uint8_t> header = read(fprog, 16);
  const uint64_t len = Le(header, 0, 2);
  const uint64_t insns = Le(header, 8, 8);
  std::vector<uint8_t> bytes = read(insns, len * 8);
  bytes.resize(bytes.size() / 8 * 8);
  // The same program installed again (a chain of copies, TSYNC on several threads)
  // is the same Filter: validated once, its constant results shared.
  if (const auto seen = filters_by_bytes_.find(bytes); seen != filters_by_bytes_.end()) {
    return seen->second;
  }
  auto filter = std::make_shared<Filter>();
  auto decoded = bpf::DecodeProgram(bytes);
  SCLAB_CHECK(decoded.ok(), "a whole number of instructions always decodes");
  filter->original = std::move(decoded).value();
  for (const bpf::Insn& insn : filter->original) {
    if (insn.code == bpf::kLdWAbs && (insn.k == 8 || insn.k == 12)) {
      filter->reads_ip = true;
    }
    if (insn.code == bpf::kLdWAbs && insn.k >= 8) {
      filter->reads_beyond_nr = true;
    }
  }
  auto validated = bpf::Validate(filter->original);
  if (validated.ok()) {
    filter->validated = std::move(validated).value();
  }
  filters_by_bytes_.emplace(std::move(bytes), filter);
  return filter;
}

FilterShadow::Ran FilterShadow::DidRun(const State& s, int nr,
                                       const std::array<uint64_t, 6>& args) const {
  if (s.uncertain) {
    return Ran::kUnknown;
  }
  if (s.mode == 1) {
    return StrictAllows(nr) ? Ran::kYes : Ran::kNo;
  }
  if (s.mode == 0) {
    return Ran::kYes;
  }
  for (const Node* n = s.chain.get(); n != nullptr; n = n->older.get()) {
    if (!n->filter->validated || n->filter->reads_ip) {
      return Ran::kUnknown;
    }
  }
  bpf::SeccompData data;
  data.nr = nr;
  data.arch = bpf::kAuditArchX86_64;
  for (size_t i = 0; i < 6; ++i) {
    data.args[i] = args[i];
  }
  // bpf::RunStack()'s rule (seccomp_run_filters()): ALLOW until a filter's result
  // precedes the best so far, newest first.
  uint32_t ret = bpf::kRetAllow;
  for (const Node* n = s.chain.get(); n != nullptr; n = n->older.get()) {
    const uint32_t cur = n->filter->ResultFor(data);
    if (bpf::ActionPrecedes(cur, ret)) {
      ret = cur;
    }
  }
  const uint32_t action = bpf::ActionOf(ret);
  if (action == bpf::kRetAllow || action == bpf::kRetLog) {
    return Ran::kYes;
  }
  if (action == bpf::kRetUserNotif) {
    return Ran::kUnknown;  // the supervisor decides
  }
  return Ran::kNo;  // KILL, TRAP, ERRNO, TRACE (no tracer: ENOSYS), unknown actions
}

std::vector<TaskId> FilterShadow::NoteSyscall(TaskId task, int nr,
                                              const std::array<uint64_t, 6>& args, int64_t ret,
                                              const ReadMemory& read) {
  const auto it = tasks_.find(task);
  if (it == tasks_.end()) {
    return {};
  }
  State& s = it->second;
  const bool via_seccomp = nr == model::nr::kSeccomp;
  const bool via_prctl = nr == model::nr::kPrctl && args[0] == kPrSetSeccomp;
  if (!via_seccomp && !via_prctl) {
    return {};
  }
  const uint64_t op = args[via_seccomp ? 0 : 1];
  const bool strict = via_seccomp ? op == kOpSetModeStrict : op == kModeStrict;
  const bool filter = via_seccomp ? op == kOpSetModeFilter : op == kModeFilter;
  if (!strict && !filter) {
    return {};
  }
  const uint64_t flags = via_seccomp ? args[1] : 0;
  const uint64_t fprog = args[2];

  // Did the call succeed, by its own contract?
  bool success = ret == 0;
  if (filter && via_seccomp && (flags & kFlagNewListener) != 0) {
    success = ret >= 0;
  }
  if (!success) {
    return {};
  }

  switch (DidRun(s, nr, args)) {
    case Ran::kNo:
      return {};
    case Ran::kUnknown: {
      std::vector<TaskId> changed;
      for (auto& [id, other] : tasks_) {
        const bool affected = id == task || ((flags & kFlagTsync) != 0 &&
                                             other.process == s.process && s.process >= 0);
        if (affected && !other.uncertain) {
          other.uncertain = true;
          changed.push_back(id);
        }
      }
      return changed;
    }
    case Ran::kYes:
      break;
  }
  if (strict) {
    s.mode = 1;
    return {task};
  }
  std::shared_ptr<const Filter> program;
  program = ReadFilter(fprog, read);
  auto node = std::make_shared<Node>();
  node->filter = std::move(program);
  node->older = s.chain;
  s.chain = std::move(node);
  s.mode = 2;
  std::vector<TaskId> changed = {task};
  if ((flags & kFlagTsync) != 0 && s.process >= 0) {
    for (auto& [id, other] : tasks_) {
      if (id == task || other.process != s.process) {
        continue;
      }
      other.chain = s.chain;
      other.mode = 2;
      other.uncertain = other.uncertain || s.uncertain;
      changed.push_back(id);
    }
  }
  return changed;
}

bool FilterShadow::CertainlySkipped(TaskId task, int64_t nr) const {
  const auto it = tasks_.find(task);
  if (it == tasks_.end() || it->second.uncertain) {
    return false;
  }
  const State& s = it->second;
  if (s.mode == 1) {
    return !StrictAllows(nr);
  }
  if (s.mode != 2 || nr < 0 || nr > 0x7fffffff) {
    return false;
  }
  // 6.18 x86_64: uretprobe and uprobe bypass every filter through the action cache.
  if (nr == bpf::kNrUretprobe || nr == bpf::kNrUprobe) {
    return false;
  }
  for (const Node* n = s.chain.get(); n != nullptr; n = n->older.get()) {
    const std::optional<uint32_t> r = n->filter->ConstantFor(static_cast<int>(nr));
    // Any result ranked at or before ERRNO wins over everything after it, and every
    // such result (KILL_*, TRAP, ERRNO, an unknown value acting as KILL_PROCESS)
    // skips the syscall.
    if (r && bpf::PrecedenceKey(*r) <= bpf::PrecedenceKey(bpf::kRetErrno)) {
      return true;
    }
  }
  return false;
}

bool FilterShadow::FutexAllowed(TaskId task) const {
  const auto it = tasks_.find(task);
  if (it == tasks_.end() || it->second.uncertain) {
    return false;
  }
  const State& s = it->second;
  if (s.mode == 0) {
    return true;
  }
  if (s.mode == 1) {
    return false;
  }
  for (const Node* n = s.chain.get(); n != nullptr; n = n->older.get()) {
    const std::optional<uint32_t> r = n->filter->ConstantFor(kNrFutex);
    if (!r || bpf::ActionOf(*r) != bpf::kRetAllow) {
      return false;
    }
  }
  return true;
}

int FilterShadow::Mode(TaskId task) const {
  const auto it = tasks_.find(task);
  return it == tasks_.end() ? 0 : it->second.mode;
}

size_t FilterShadow::FilterCount(TaskId task) const {
  const auto it = tasks_.find(task);
  size_t count = 0;
  if (it == tasks_.end()) {
    return 0;
  }
  for (const Node* n = it->second.chain.get(); n != nullptr; n = n->older.get()) {
    ++count;
  }
  return count;
}

bool FilterShadow::Uncertain(TaskId task) const {
  const auto it = tasks_.find(task);
  return it != tasks_.end() && it->second.uncertain;
}

}  // namespace sclab::scn
