#include "kernel_sim/proposals/notification_facts.h"

#include <algorithm>
#include <string>

#include "model/open_how.h"
#include "model/syscall_table.h"

namespace sclab::ksim::proposals {

namespace {
constexpr int64_t kAtFdcwd = -100;
}  // namespace

std::optional<ExtensibleArg> ExtensibleArgOf(const model::seccomp_data& data) {
  if (data.nr == model::nr::kOpenat2) {
    return ExtensibleArg{data.args[2], data.args[3], sizeof(model::open_how), "open_how"};
  }
  if (data.nr == model::nr::kClone3) {
    return ExtensibleArg{data.args[0], data.args[1], sizeof(model::clone_args), "clone_args"};
  }
  return std::nullopt;
}

model::SysResult<std::vector<uint8_t>> CopyTargetStruct(const model::UserMemory& target,
                                                        model::CopyCounters* counters,
                                                        const ExtensibleArg& arg, uint64_t want) {
  std::vector<uint8_t> out(want, 0);
  const uint64_t n = std::min(arg.usize, want);
  if (!model::CopyFromUser(target, counters, std::span(out).first(n), arg.addr).ok()) {
    return model::Fail(model::kEFAULT, "access_remote_vm: the target's struct is not mapped");
  }
  return out;
}

StandardNotification MakeStandardNotification() {
  StandardNotification s;
  s.how.flags = model::kORdonly | model::kOCloexec;
  s.how.mode = 0;
  s.how.resolve = model::kResolveNoSymlinks;
  const std::string path = "/dev/null";
  s.path_addr = s.target.AllocBuffer(path.size() + 1);
  std::vector<uint8_t> path_bytes(path.begin(), path.end());
  path_bytes.push_back(0);
  SCLAB_CHECK(s.target.Write(s.path_addr, path_bytes).ok(), "MakeStandardNotification: path");
  s.how_addr = s.target.AllocBuffer(sizeof(model::open_how));
  SCLAB_CHECK(s.target.Write(s.how_addr, model::BytesOf(s.how)).ok(),
              "MakeStandardNotification: open_how");
  s.facts.id = kStandardId;
  s.facts.pid = kStandardPid;
  s.facts.tgid = kStandardTgid;
  s.facts.data.nr = model::nr::kOpenat2;
  s.facts.data.arch = 0xC000003E;  // AUDIT_ARCH_X86_64
  s.facts.data.instruction_pointer = 0x401000;
  s.facts.data.args[0] = static_cast<uint64_t>(kAtFdcwd);
  s.facts.data.args[1] = s.path_addr;
  s.facts.data.args[2] = s.how_addr;
  s.facts.data.args[3] = sizeof(model::open_how);
  return s;
}

}  // namespace sclab::ksim::proposals
