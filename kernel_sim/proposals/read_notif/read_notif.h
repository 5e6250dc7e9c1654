// read_notif makes notifications data: read(2) on the listener returns whole records
// (today's 80-byte struct seccomp_notif, or perf_config's flat record once the
// listener is configured), and write(2) of 24-byte seccomp_notif_resp records answers
// them; the ioctls stay. A batched variant returns as many whole records as fit.
// README.md has the motivation and the security caveat.
//
// Old ABI = Linux 6.18: the listener has no read or write operation, so read(2) and
// write(2) on it fail with EINVAL (vfs_read(): no FMODE_CAN_READ).
// New ABI: SECCOMP_IOCTL_NOTIF_SET_FLAGS accepts SECCOMP_USER_NOTIF_FD_BATCH_READ (2)
// besides SYNC_WAKE_UP (1); with it a read returns every INIT record that fits.
//
// read(listener, buf, count), checks in order:
//   count shorter than one record                 -> ENOSPC (nothing taken: never a short record)
//   an INIT notification: taken (SENT) and copied, then with BATCH_READ the next ones
//     while a whole record still fits; one copy_to_user() per record
//   none, and no task uses the filter any more    -> 0 (end of file)
//   none, O_NONBLOCK                              -> EAGAIN
//   none                                          -> sleeps (interruptible), then again
//   a fault on record k: records before k stay SENT and their bytes are returned; record
//     k and later go back to INIT; k = 0 -> EFAULT
// write(listener, buf, count): count % 24 != 0 -> EINVAL; then record by record: one
// copy_from_user() of 24 bytes and SEND's checks; the first failure stops the write,
// which returns the bytes of the records applied before it, or that failure's errno.
#pragma once

#include <cstdint>

#include "kernel_sim/proposals/notification_queue.h"
#include "kernel_sim/proposals/perf_config/perf_config.h"
#include "kernel_sim/proposals/proposal.h"
#include "model/copy.h"
#include "model/sys_result.h"
#include "model/user_memory.h"

namespace sclab::ksim::proposals::read_notif {

inline constexpr uint64_t kUserNotifFdSyncWakeUp = 1;  // SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
inline constexpr uint64_t kUserNotifFdBatchRead = 2;   // SECCOMP_USER_NOTIF_FD_BATCH_READ (new)
inline constexpr uint64_t kSizeofResp = 24;

// ListenerMode is what the listener file knows when read: its record format (perf
// config or today's), whether reads are batched, and O_NONBLOCK.
struct ListenerMode {
  perf_config::NotifConfig config;  // configured: flat records; else today's 80 bytes
  bool batch = false;
  bool nonblock = false;
};

// RecordSize is the length of one record in `mode`.
uint64_t RecordSize(const ListenerMode& mode);

// ReadResult is a read's outcome short of an error: the bytes returned, or "sleeps".
struct ReadResult {
  uint64_t bytes = 0;
  uint32_t records = 0;
  bool would_block = false;
};

// Models the proposed seccomp_notify_read() (see the header comment).
[[nodiscard]] model::SysResult<ReadResult> SeccompNotifyRead(model::UserMemory& mem,
                                                             model::CopyCounters* counters,
                                                             uint64_t buf, uint64_t count,
                                                             const ListenerMode& mode,
                                                             NotificationQueue& queue);

// Models the proposed seccomp_notify_write().
[[nodiscard]] model::SysResult<uint64_t> SeccompNotifyWrite(const model::UserMemory& mem,
                                                            model::CopyCounters* counters,
                                                            uint64_t buf, uint64_t count,
                                                            NotificationQueue& queue);

// Models seccomp_notify_set_flags() with the new bit: unknown bits -> EINVAL.
[[nodiscard]] model::SysResult<void> SeccompNotifySetFlags(uint64_t flags, Abi kernel,
                                                           ListenerMode* mode);

// DepthRow is one row of the batching sweep: a supervisor draining a queue of `depth`
// notifications with a buffer of `capacity` records, answering with SEND ioctls or
// with one write(2) per batch.
struct DepthRow {
  uint32_t depth = 0;
  uint32_t ioctl_syscalls = 0;          // RECV + SEND per notification
  uint32_t read_syscalls = 0;           // read(2) one record + SEND ioctl
  uint32_t batched_syscalls = 0;        // batched read(2) + SEND ioctl each
  uint32_t batched_write_syscalls = 0;  // batched read(2) + one write(2) per batch
};

// MeasureDepth runs the four supervisors on model queues of `depth` notifications and
// counts their syscalls.
DepthRow MeasureDepth(uint32_t depth, uint32_t capacity);

// KernelHooks are the hooks of a kernel implementing read_notif's `kernel` ABI (hooks.cc).
std::unique_ptr<ProposalHooks> KernelHooks(Abi kernel);

// Verbs are read_notif's scenario verbs (verbs.cc).
std::vector<VerbSpec> Verbs();

// Plugin is read_notif's entry in AllProposals().
const Proposal& Plugin();

}  // namespace sclab::ksim::proposals::read_notif
