// today is the baseline: Linux 6.18's user notification, and the one way its ABI
// could grow. README.md says why that way is the only one.
//
// Old ABI (what 5.0 ... 6.18 ship): SECCOMP_IOCTL_NOTIF_RECV fills an 80-byte
// struct seccomp_notif {u64 id; u32 pid; u32 flags; struct seccomp_data data} into an
// all-zero buffer (EINVAL otherwise), SEND reads a 24-byte seccomp_notif_resp, ID_VALID
// an 8-byte id, ADDFD a struct sized by its ioctl number. SECCOMP_GET_NOTIF_SIZES
// reports the sizes. The supervisor reads the pointed-to open_how itself with
// process_vm_readv() and confirms with ID_VALID that the pid was not reused meanwhile.
// The simulator runs kernel_sim's own implementation of all this; the functions here
// model the same kernel functions so that the compatibility matrix can run them.
//
// New ABI: struct seccomp_notif grows at its end (88 bytes: + u32 tgid, u32
// __reserved). The ioctl number encodes the size, so the grown RECV is a new number,
// _IOWR('!', 0, 88) = 0xC0582100; the kernel keeps answering the old one with the
// 80-byte struct, and GET_NOTIF_SIZES reports 88. Errors of the new RECV, in order:
//   buffer not all zero (88 bytes)  -> EINVAL;  a fault -> EFAULT (notification INIT again).
// A kernel that does not know the new number answers EINVAL (seccomp_notify_ioctl()).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "kernel_sim/proposals/notification_facts.h"
#include "kernel_sim/proposals/proposal.h"
#include "kernel_sim/proposals/received_view.h"
#include "model/copy.h"
#include "model/sys_result.h"
#include "model/uapi.h"
#include "model/user_memory.h"

namespace sclab::ksim::proposals::today {

inline constexpr uint32_t kIoctlNotifRecv = 0xC0502100;    // _IOWR('!', 0, 80)
inline constexpr uint32_t kIoctlNotifRecvV2 = 0xC0582100;  // _IOWR('!', 0, 88): new ABI
inline constexpr uint32_t kIoctlNotifSend = 0xC0182101;    // _IOWR('!', 1, 24)
inline constexpr uint32_t kIoctlNotifIdValid = 0x40082102;
inline constexpr uint64_t kSizeofNotif = 80;
inline constexpr uint64_t kSizeofNotifV2 = 88;
inline constexpr int kNrProcessVmReadv = 310;  // x86_64
inline constexpr uint64_t kUioMaxiov = 1024;   // UIO_MAXIOV

// seccomp_notif_v2 is the grown notification of the new ABI.
struct seccomp_notif_v2 {
  uint64_t id;
  uint32_t pid;
  uint32_t flags;
  model::seccomp_data data;
  uint32_t tgid;
  uint32_t reserved;  // "__reserved" in the header: zero, explicit so no hole carries stale bytes
};
static_assert(sizeof(seccomp_notif_v2) == kSizeofNotifV2);

// iovec is struct iovec (include/uapi/linux/uio.h): 16 bytes on x86_64.
struct iovec {
  uint64_t iov_base;
  uint64_t iov_len;
};

// NotifLayout is struct seccomp_notif at `abi` (80 or 88 bytes).
model::StructLayout NotifLayout(Abi abi);

// Models kernel/seccomp.c seccomp_notify_recv() for a struct seccomp_notif of
// `size` bytes (80: every kernel; 88: the new ABI): check_zeroed_user() of the
// whole buffer (EFAULT, then EINVAL when a byte is set), then one copy_to_user() of
// {id, pid, flags 0, data[, tgid, 0]} (EFAULT: the caller puts the notification back
// to INIT, as the kernel does). The wait for a notification is the caller's.
[[nodiscard]] model::SysResult<void> SeccompNotifyRecv(model::UserMemory& mem,
                                                       model::CopyCounters* counters, uint64_t buf,
                                                       uint64_t size,
                                                       const NotificationFacts& facts);
// Its two halves, around the wait: the all-zero check, then the copy.
[[nodiscard]] model::SysResult<void> SeccompNotifyRecvPrepare(const model::UserMemory& mem,
                                                              model::CopyCounters* counters,
                                                              uint64_t buf, uint64_t size);
[[nodiscard]] model::SysResult<void> SeccompNotifyRecvDeliver(model::UserMemory& mem,
                                                              model::CopyCounters* counters,
                                                              uint64_t buf, uint64_t size,
                                                              const NotificationFacts& facts);

// Models kernel/seccomp.c seccomp_get_notif_sizes(): one copy_to_user() of the 6-byte
// seccomp_notif_sizes, with seccomp_notif = 80 (old ABI) or 88 (new).
[[nodiscard]] model::SysResult<void> SeccompGetNotifSizes(model::UserMemory& mem,
                                                          model::CopyCounters* counters,
                                                          uint64_t buf, Abi abi);

// KnowsIoctl says whether seccomp_notify_ioctl() of a kernel implementing `abi`
// accepts `cmd` (anything else is EINVAL).
bool KnowsIoctl(Abi abi, uint32_t cmd);

// Models mm/process_vm_access.c process_vm_rw() for process_vm_readv(): checks in the
// kernel's order:
//   flags != 0                                          -> EINVAL
//   liovcnt > UIO_MAXIOV; the local iovec array faults  -> EINVAL; EFAULT (import_iovec)
//   nothing to copy                                     -> 0
//   riovcnt > UIO_MAXIOV; the remote array faults       -> EINVAL; EFAULT (iovec_from_user)
//   no access to the target (mm_access(), PTRACE_MODE_ATTACH_REALCREDS) -> EPERM
//   then each remote range is read from `target` and copied into the local ranges in
//   order; a fault stops the copy: the bytes copied so far, or EFAULT when none.
// Counting: the two iovec arrays are one from-user operation each (the caller's
// memory); each remote range read is one from-user operation (the target's memory,
// pinned and mapped by the kernel); each piece written to a local range is one
// to-user operation.
[[nodiscard]] model::SysResult<uint64_t> ProcessVmReadv(model::UserMemory& local,
                                                        const model::UserMemory& target,
                                                        model::CopyCounters* counters,
                                                        uint64_t lvec, uint64_t liovcnt,
                                                        uint64_t rvec, uint64_t riovcnt,
                                                        uint64_t flags, bool may_access);

// SupervisorReadsOpenHow is how a supervisor of the today design sees the open_how a
// notification points to: it places two iovecs and a 24-byte buffer in its own memory
// and calls process_vm_readv(pid, {buf, 24}, 1, {args[2], 24}, 1, 0). Userspace knows
// only its own sizeof(struct open_how), so it reads 24 bytes whatever args[3] says.
[[nodiscard]] model::SysResult<model::open_how> SupervisorReadsOpenHow(
    model::UserMemory& sup, const model::UserMemory& target, model::CopyCounters* counters,
    const model::seccomp_data& data);

// SupervisorReceives is a today supervisor's whole receive of one notification: RECV
// into a zeroed `size`-byte buffer (80; 88 with the new ABI's number), decoded, then
// SupervisorReadsOpenHow(). new_field holds tgid when size is 88.
[[nodiscard]] model::SysResult<ReceivedView> SupervisorReceives(model::UserMemory& sup,
                                                                const model::UserMemory& target,
                                                                model::CopyCounters* counters,
                                                                const NotificationFacts& facts,
                                                                uint64_t size);

// KernelHooks are the hooks of a kernel implementing today's `kernel` ABI (hooks.cc).
std::unique_ptr<ProposalHooks> KernelHooks(Abi kernel);

// Verbs are today's scenario verbs (verbs.cc).
std::vector<VerbSpec> Verbs();

// Plugin is today's entry in AllProposals().
const Proposal& Plugin();

}  // namespace sclab::ksim::proposals::today
