// perf_config is the seed's proposal (Sargun Dhillon, 2020-05-20): a one-shot configure
// ioctl negotiated exactly like perf_event_attr, then flat records holding only what
// was asked for. README.md has the motivation and the kernel functions it would change.
//
// struct seccomp_notif_config, as the x86_64 C compiler lays it out:
//   @0  u32 size                          (then a 4-byte hole: the next field is a u64)
//   @8  u64 optional_fixed_size_fields    (bits: FixedFields())
//   @16 u32 size_of_variable_member1      seccomp_data (64)
//   @20 u32 size_of_variable_member2      the syscall's extensible struct (8 ... 4096)
//   VER0 = 24.  New ABI, VER1 = 32:
//   @24 u32 size_of_variable_member3      the grown seccomp_data (88): a member that grows
//                                         moves to the end as a new member
//   @28 u32 __reserved1                   zero
//
// SECCOMP_IOCTL_NOTIF_CONFIG = _IOW('!', 0x20, 24) (size bits ignored: `size` decides).
// Checks, in order (perf_copy_attr()'s, then the fields'):
//   the listener was configured before                           -> EBUSY
//   get_user(size) faults                                        -> EFAULT
//   size 0 means VER0; size < VER0 or > PAGE_SIZE                -> E2BIG, kernel size written to
//   `size` copy_struct_from_user: a non-zero byte past the kernel's size -> E2BIG, kernel size
//   written to `size`
//                          a fault                               -> EFAULT
//   a bit in optional_fixed_size_fields the kernel does not know -> EINVAL
//   a member size the kernel does not support, member by member:
//     larger than the kernel's                                   -> E2BIG, kernel's size written
//     back below the member's VER0, or not a multiple of 8            -> EINVAL, kernel's size
//     written back
// So unknown *bytes* are E2BIG with the size written back; unknown *bits* are EINVAL.
//
// SECCOMP_IOCTL_NOTIF_RECV_FLAT = _IOWR('!', 0x21, len): the size bits carry the
// buffer's length. Not configured -> EINVAL; len shorter than the record -> ENOSPC
// (checked before waiting; never a short record); a fault -> EFAULT (INIT again).
// Returns the record's length. The record: u64 id, then each requested member at the
// size asked for (copy_struct_to_user rules for seccomp_data; the extensible struct
// read from the target, min(its usize, asked) bytes, zero-filled), then the requested
// fixed fields in the order of FixedFields() (a table, not bit order), then zero
// padding to a multiple of 8.
//
// ENOSPC, not E2BIG, for a short buffer: E2BIG already means "your config has bytes
// this kernel does not understand" here, and a supervisor must be able to tell the
// two apart by errno alone.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kernel_sim/proposals/notification_facts.h"
#include "kernel_sim/proposals/proposal.h"
#include "model/copy.h"
#include "model/sys_result.h"
#include "model/uapi.h"
#include "model/user_memory.h"

namespace sclab::ksim::proposals::perf_config {

inline constexpr uint64_t kConfigSizeVer0 = 24;            // SECCOMP_NOTIF_CONFIG_SIZE_VER0
inline constexpr uint64_t kConfigSizeVer1 = 32;            // SECCOMP_NOTIF_CONFIG_SIZE_VER1
inline constexpr uint32_t kIoctlNotifConfig = 0x40182120;  // _IOW('!', 0x20, 24)
inline constexpr uint32_t kIoctlNotifRecvFlat =
    0xC0002121;  // _IOWR('!', 0x21, len): OR in len << 16

// Fixed-field bits (SECCOMP_NOTIF_FIELD_*).
inline constexpr uint64_t kFieldPid = 1u << 0;
inline constexpr uint64_t kFieldEaSize = 1u << 1;  // the usize the target passed (0: not read)
inline constexpr uint64_t kFieldTgid = 1u << 2;    // new ABI

// seccomp_notif_config mirrors the VER1 struct, hole included.
struct seccomp_notif_config {
  uint32_t size;
  uint32_t hole;  // not in the C declaration: the compiler's padding, named here to be explicit
  uint64_t optional_fixed_size_fields;
  uint32_t size_of_variable_member1;
  uint32_t size_of_variable_member2;
  uint32_t size_of_variable_member3;
  uint32_t reserved1;
};
static_assert(sizeof(seccomp_notif_config) == kConfigSizeVer1);

// FixedField is one row of the fixed-field table: the bit that requests it, its size,
// and the ABI that introduced it. The table's order is the record's order.
struct FixedField {
  std::string_view name;
  uint64_t bit;
  uint32_t size;
  Abi since;
};

// kFixedFields is the table, in record order: TGID sits next to PID although its bit
// is higher (a v1 record never holds TGID, so its place changes no old record).
inline constexpr std::array<FixedField, 3> kFixedFields = {{
    {"pid", kFieldPid, 4, Abi::kOld},
    {"tgid", kFieldTgid, 4, Abi::kNew},
    {"ea_size", kFieldEaSize, 4, Abi::kOld},
}};

// FixedBitsCollision returns "" when no two fields share a bit and every bit is one
// bit, else which fields collide ("pid and tgid both use bit 1").
std::string FixedBitsCollision(std::span<const FixedField> table);

// NoFixedBitsCollide is the compile-time form of the same check.
constexpr bool NoFixedBitsCollide(std::span<const FixedField> table) {
  for (size_t i = 0; i < table.size(); ++i) {
    if (table[i].bit == 0 || (table[i].bit & (table[i].bit - 1)) != 0) return false;
    for (size_t j = 0; j < i; ++j) {
      if (table[i].bit == table[j].bit) return false;
    }
  }
  return true;
}
static_assert(NoFixedBitsCollide(kFixedFields), "two perf_config fixed fields share a bit");

// KnownFields is the bit set a kernel implementing `abi` accepts.
uint64_t KnownFields(Abi abi);

// Member is one variable member: its kernel size (the largest accepted), its VER0
// (the smallest), and the ABI that introduced it.
struct Member {
  std::string_view name;
  uint32_t ksize;
  uint32_t ver0;
  Abi since;
};
inline constexpr std::array<Member, 3> kMembers = {{
    {"data", 64, 64, Abi::kOld},     // struct seccomp_data
    {"ea", 4096, 8, Abi::kOld},      // the syscall's extensible struct
    {"data_v2", 88, 88, Abi::kNew},  // seccomp_data grown (deep_args' fields)
}};

// ConfigSize is the kernel's sizeof(struct seccomp_notif_config) at `abi`.
constexpr uint64_t ConfigSize(Abi abi) {
  return abi == Abi::kOld ? kConfigSizeVer0 : kConfigSizeVer1;
}

// ConfigLayout is struct seccomp_notif_config at `abi`, as the C compiler lays it out.
model::StructLayout ConfigLayout(Abi abi);

// NotifConfig is the listener's accepted configuration (the kernel's copy).
struct NotifConfig {
  bool configured = false;
  Abi kernel = Abi::kOld;
  uint64_t fields = 0;
  std::array<uint32_t, 3> member_size{};
};

// Models the proposed seccomp_notify_config(): the checks of the header comment, in
// order; on success `*state` holds the configuration.
[[nodiscard]] model::SysResult<void> SeccompNotifyConfig(model::UserMemory& mem,
                                                         model::CopyCounters* counters,
                                                         uint64_t uconfig, Abi kernel,
                                                         NotifConfig* state);

// RecordSize is the length of one record under `config` (a multiple of 8).
uint64_t RecordSize(const NotifConfig& config);

// RecordLayout describes the record under `config` as a struct, for byte maps.
model::StructLayout RecordLayout(const NotifConfig& config);

// BuildFlatRecord assembles one record in kernel memory; the extensible struct is
// read from `target` (one from-user operation, counted). A fault there leaves the
// member zero and ea_size 0.
std::vector<uint8_t> BuildFlatRecord(const NotifConfig& config, const NotificationFacts& facts,
                                     const model::UserMemory& target,
                                     model::CopyCounters* counters);

// RecvFlatPrepare is the check before the wait: configured, and `len` holds a record.
[[nodiscard]] model::SysResult<void> RecvFlatPrepare(const NotifConfig& config, uint64_t len);

// Models the proposed seccomp_notify_recv_flat() after the wait: builds the record and
// copies it with one copy_to_user(). Returns the record length.
[[nodiscard]] model::SysResult<uint64_t> SeccompNotifyRecvFlat(
    model::UserMemory& mem, model::CopyCounters* counters, uint64_t buf, const NotifConfig& config,
    const NotificationFacts& facts, const model::UserMemory& target);

// KernelHooks are the hooks of a kernel implementing perf_config's `kernel` ABI (hooks.cc).
std::unique_ptr<ProposalHooks> KernelHooks(Abi kernel);

// Verbs are perf_config's scenario verbs (verbs.cc).
std::vector<VerbSpec> Verbs();

// Plugin is perf_config's entry in AllProposals().
const Proposal& Plugin();

// StandardConfig is the configuration the standard workload's supervisor passes:
// seccomp_data, a 24-byte open_how, pid and ea_size (+ tgid for the new ABI).
seccomp_notif_config StandardConfig(Abi user);

}  // namespace sclab::ksim::proposals::perf_config
