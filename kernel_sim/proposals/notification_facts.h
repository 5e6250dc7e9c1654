// NotificationFacts (kernel_sim/proposal_hooks.h) is what the kernel knows about one
// pending notification, whatever the ABI it is delivered through. ExtensibleArgOf()
// says where the syscall's
// extensible struct is (openat2's open_how, clone3's clone_args), and
// CopyTargetStruct() reads it from the notifying task's memory as a kernel-side
// receive would (perf_config, notif_ptrs and sizes_vector deliver it that way).
//
// StandardNotification() is the notification of the standard workload
// (../shared/PROPOSALS.md): openat2(AT_FDCWD, "/dev/null", &how, 24) with
// how = {O_RDONLY|O_CLOEXEC, 0, RESOLVE_NO_SYMLINKS}, by thread 1001 of process 1000
// (so pid and tgid differ and a design that mixes them up shows it). Every Compat()
// runs on it.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "kernel_sim/proposal_hooks.h"
#include "model/copy.h"
#include "model/sys_result.h"
#include "model/uapi.h"
#include "model/user_memory.h"

namespace sclab::ksim::proposals {

// ExtensibleArg is where a syscall's extensible struct is: its address and the usize
// the caller passed (both syscall arguments), and the kernel's own size (ksize).
struct ExtensibleArg {
  uint64_t addr = 0;
  uint64_t usize = 0;
  uint64_t ksize = 0;
  std::string_view struct_name;  // "open_how", "clone_args"
};

// ExtensibleArgOf returns openat2's (args[2], args[3]) and clone3's (args[0],
// args[1]); nullopt for every other syscall.
std::optional<ExtensibleArg> ExtensibleArgOf(const model::seccomp_data& data);

// CopyTargetStruct reads the extensible struct from the notifying task's memory into
// `want` bytes: min(usize, want) bytes copied, the rest zero. It is one
// copy_from_user-style access of the target's memory (counted as a from-user
// operation). Nothing beyond `want` is looked at: the syscall itself rejects a
// non-zero tail when it runs. EFAULT when the target's bytes are not mapped.
[[nodiscard]] model::SysResult<std::vector<uint8_t>> CopyTargetStruct(
    const model::UserMemory& target, model::CopyCounters* counters, const ExtensibleArg& arg,
    uint64_t want);

// StandardNotification is the standard workload's notification and the target memory
// holding its path and open_how.
struct StandardNotification {
  model::UserMemory target;
  NotificationFacts facts;
  model::open_how how{};
  uint64_t how_addr = 0;
  uint64_t path_addr = 0;
};
StandardNotification MakeStandardNotification();

// kStandardPid / kStandardTgid: the notifying thread and its process.
inline constexpr uint32_t kStandardPid = 1001;
inline constexpr uint32_t kStandardTgid = 1000;
inline constexpr uint64_t kStandardId = 0x5eed0000000001;

}  // namespace sclab::ksim::proposals
