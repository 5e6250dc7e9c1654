// sizes_vector is the seed's "the kernel tells userspace how to lay out the record"
// alternative: a discovery ioctl returns the number of variable members, each one's
// size and the size of the block of small fixed fields; userspace computes every
// offset at run time, allocates the record, and receives it with one ioctl. It always
// works, but userspace cannot ask for a subset. README.md has the details.
//
// The seed declared its discovery struct with a field after a flexible array member:
//     struct seccom_sizes { __u32 num_members; __u32 member_sizes[]; __u32 submember_size; };
// C refuses that (model::CheckStructSpec() says "field 'submember_size' follows flexible
// array member 'member_sizes'"). The fix: move submember_size before the array.
//
// struct seccomp_notif_layout { u32 num_members; u32 submember_size; u32 member_sizes[]; }
//   num_members: in, the capacity of member_sizes[]; out, the kernel's count.
// SECCOMP_IOCTL_NOTIF_GET_LAYOUT = _IOWR('!', 0x40, 8). Checks, in order:
//   get_user(num_members) faults -> EFAULT; the header is written (num_members, submember_size);
//   capacity < the kernel's count -> ENOSPC (userspace now knows the count); a fault -> EFAULT.
//
// Members (old ABI): [0] seccomp_data (64), [1] the syscall's extensible struct at the
// largest size the kernel knows for one (88, clone_args VER2; min(usize, 88) bytes of
// the target's, zero-filled). Fixed block (16): u64 id; u32 pid; u32 ea_size.
// New ABI: + [2] the grown seccomp_data (88); fixed block 24: + u32 tgid; u32 __reserved.
//
// SECCOMP_IOCTL_NOTIF_RECV_LAYOUT = _IOWR('!', 0x41, len): the size bits carry the
// buffer's length; shorter than a record -> ENOSPC (before the wait); a fault -> EFAULT
// (INIT again). One copy_to_user() of the whole record; returns its length.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "kernel_sim/proposals/notification_facts.h"
#include "kernel_sim/proposals/proposal.h"
#include "kernel_sim/proposals/received_view.h"
#include "kernel_sim/proposals/verb.h"
#include "model/copy.h"
#include "model/sys_result.h"
#include "model/user_memory.h"

namespace sclab::ksim::proposals::sizes_vector {

inline constexpr uint32_t kIoctlNotifGetLayout = 0xC0082140;   // _IOWR('!', 0x40, 8)
inline constexpr uint32_t kIoctlNotifRecvLayout = 0xC0002141;  // _IOWR('!', 0x41, len)
inline constexpr uint32_t kEaMemberSize = 88;  // the largest extensible syscall struct (clone_args)

// KernelLayout is what a kernel implementing `abi` describes.
struct KernelLayout {
  std::vector<uint32_t> member_sizes;
  uint32_t submember_size = 0;
};
KernelLayout LayoutOf(Abi abi);

// SeedDiscoverySpec is the seed's struct as written (a field after the flexible
// array); DiscoverySpec is the fixed one.
model::StructSpec SeedDiscoverySpec();
model::StructSpec DiscoverySpec();

// SubmemberLayout is the fixed block at `abi`; RecordLayout the whole record.
model::StructLayout SubmemberLayout(Abi abi);
model::StructLayout RecordLayout(Abi abi);

// Offsets is what userspace computes from a discovered layout: where each member
// starts, where the fixed block starts, and the record's length.
struct Offsets {
  std::vector<uint64_t> member;
  uint64_t fixed = 0;
  uint64_t total = 0;
};
Offsets ComputeOffsets(const KernelLayout& layout);

// Models the proposed seccomp_notif_get_layout() (see the header comment).
[[nodiscard]] model::SysResult<void> SeccompNotifGetLayout(model::UserMemory& mem,
                                                           model::CopyCounters* counters,
                                                           uint64_t buf, Abi kernel);

// ReadDiscoveredLayout is the userspace half: the layout read back from `buf` after a
// successful discovery call (runner-side, no copy counted).
KernelLayout ReadDiscoveredLayout(const model::UserMemory& mem, uint64_t buf);

// SupervisorDiscovers is the userspace side of discovery: a stack array of 16 sizes,
// the ioctl, and the layout read back.
[[nodiscard]] model::SysResult<KernelLayout> SupervisorDiscovers(model::UserMemory& sup,
                                                                 model::CopyCounters* counters,
                                                                 Abi kernel);

// DecodeSubmembers fills id and pid from a fixed block of the discovered size and, for
// userspace built for the new ABI, tgid when the block is long enough (else says why).
void DecodeSubmembers(std::span<const uint8_t> fixed, const KernelLayout& layout, Abi user,
                      ReceivedView* view, std::string* detected);

// BuildRecord assembles the record in kernel memory (the extensible struct read from
// `target`: one counted from-user operation; a fault leaves it zero and ea_size 0).
std::vector<uint8_t> BuildRecord(Abi kernel, const NotificationFacts& facts,
                                 const model::UserMemory& target, model::CopyCounters* counters);

// RecvLayoutPrepare is the check before the wait.
[[nodiscard]] model::SysResult<void> RecvLayoutPrepare(Abi kernel, uint64_t len);

// Models the proposed seccomp_notify_recv_layout() after the wait.
[[nodiscard]] model::SysResult<uint64_t> SeccompNotifyRecvLayout(model::UserMemory& mem,
                                                                 model::CopyCounters* counters,
                                                                 uint64_t buf, Abi kernel,
                                                                 const NotificationFacts& facts,
                                                                 const model::UserMemory& target);

// LayoutVerbPlan is the plan of the discovery verb, which notif_ptrs shares.
VerbPlan LayoutVerbPlan(const VerbArgs& args);

// KernelHooks are the hooks of a kernel implementing sizes_vector's `kernel` ABI (hooks.cc).
std::unique_ptr<ProposalHooks> KernelHooks(Abi kernel);

// Verbs are sizes_vector's scenario verbs (verbs.cc).
std::vector<VerbSpec> Verbs();

// Plugin is sizes_vector's entry in AllProposals().
const Proposal& Plugin();

}  // namespace sclab::ksim::proposals::sizes_vector
