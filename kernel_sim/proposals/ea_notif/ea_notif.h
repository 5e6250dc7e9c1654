// ea_notif is Christian Brauner's "esyscall" direction: a notification that follows the
// extensible-struct rules, received with one ioctl, no dynamic allocation on either
// side. README.md has the motivation and the kernel functions it would change.
//
// struct seccomp_notif_ea (VER0 = 96 bytes; VER1 = 104):
//   u32 size       in: the size of the user's struct; out: bytes the kernel wrote
//   u32 flags      out: validity bits for fields where 0 is a valid value
//   u64 id; u32 pid; u32 tgid (HAS_TGID)
//   u32 data_size  out: 64, the size of the frozen seccomp_data below
//   u32 __pad      zero
//   struct seccomp_data data            (frozen at 64 bytes; new fields go after 96)
//   VER1: s32 pidfd (HAS_PIDFD); u32 __pad2
//
// Old ABI = VER0 (96), new ABI = VER1 (104: a pidfd of the notifying process, which
// the kernel installs only when the user's struct has room for it, so an old binary
// is never handed an fd it does not know to close).
//
// SECCOMP_IOCTL_NOTIF_RECV_EA = _IOWR('!', 0x10, 96); its size bits are ignored (as
// EA_IOCTL() does for ADDFD): the `size` field decides. Checks, in order:
//   get_user(size) faults                                  -> EFAULT
//   size < VER0 (96)                                       -> EINVAL
//   size > PAGE_SIZE                                       -> E2BIG
//   a non-zero byte in [4, size) (the today rule: reserved for input) -> EINVAL
//   (the wait for a notification)
//   pidfd wanted and the receiver's fd table is full       -> EMFILE (notification INIT again)
//   copy_struct_to_user faults                             -> EFAULT (INIT again, pidfd released)
#pragma once

#include <cstdint>

#include "kernel_sim/proposals/fd_installer.h"
#include "kernel_sim/proposals/notification_facts.h"
#include "kernel_sim/proposals/proposal.h"
#include "model/copy.h"
#include "model/sys_result.h"
#include "model/uapi.h"
#include "model/user_memory.h"

namespace sclab::ksim::proposals::ea_notif {

inline constexpr uint64_t kSizeVer0 = 96;                  // SECCOMP_NOTIF_EA_SIZE_VER0
inline constexpr uint64_t kSizeVer1 = 104;                 // SECCOMP_NOTIF_EA_SIZE_VER1
inline constexpr uint32_t kHasTgid = 1u << 0;              // SECCOMP_NOTIF_EA_HAS_TGID
inline constexpr uint32_t kHasPidfd = 1u << 1;             // SECCOMP_NOTIF_EA_HAS_PIDFD
inline constexpr uint32_t kIoctlNotifRecvEa = 0xC0602110;  // _IOWR('!', 0x10, 96)

// seccomp_notif_ea mirrors the VER1 struct.
struct seccomp_notif_ea {
  uint32_t size;
  uint32_t flags;
  uint64_t id;
  uint32_t pid;
  uint32_t tgid;
  uint32_t data_size;
  uint32_t pad;
  model::seccomp_data data;
  int32_t pidfd;
  uint32_t pad2;
};
static_assert(sizeof(seccomp_notif_ea) == kSizeVer1);

// KernelSize is the kernel's sizeof(struct seccomp_notif_ea) at `abi`.
constexpr uint64_t KernelSize(Abi abi) { return abi == Abi::kOld ? kSizeVer0 : kSizeVer1; }

// NotifLayout is the struct as a kernel or a userspace built for `abi` declares it.
model::StructLayout NotifLayout(Abi abi);

// RecvRequest is what the first half of the receive read from userspace: the size.
struct RecvRequest {
  uint64_t usize = 0;
};

// Models the first half of the proposed seccomp_notify_recv_ea(): the checks before
// the wait (see the header comment), reading `size` and checking the rest is zero.
[[nodiscard]] model::SysResult<RecvRequest> SeccompNotifyRecvEaPrepare(
    const model::UserMemory& mem, model::CopyCounters* counters, uint64_t buf);

// Models the second half: builds the kernel's struct at `kernel` ABI (reserving a
// pidfd through `fds` when the kernel has the field and the user's struct covers it)
// and copies it with copy_struct_to_user(); the pidfd is installed only once the copy
// succeeded. Returns the pidfd number, or -1 when none was installed.
[[nodiscard]] model::SysResult<int> SeccompNotifyRecvEaDeliver(model::UserMemory& mem,
                                                               model::CopyCounters* counters,
                                                               uint64_t buf, const RecvRequest& req,
                                                               const NotificationFacts& facts,
                                                               Abi kernel, FdInstaller* fds);

// KernelHooks are the hooks of a kernel implementing ea_notif's `kernel` ABI (hooks.cc).
std::unique_ptr<ProposalHooks> KernelHooks(Abi kernel);

// Verbs are ea_notif's scenario verbs (verbs.cc).
std::vector<VerbSpec> Verbs();

// Plugin is ea_notif's entry in AllProposals().
const Proposal& Plugin();

}  // namespace sclab::ksim::proposals::ea_notif
