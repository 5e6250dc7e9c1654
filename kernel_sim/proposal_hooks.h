// ProposalHooks is the seam through which an API proposal (kernel_sim/proposals/)
// changes the simulated kernel without the kernel knowing any proposal by name. The
// Kernel calls a hook only when KernelConfig::proposals is set; every hook's default
// leaves the kernel exactly as Linux 6.18 behaves, so an unset pointer and a hooks
// object that overrides nothing give identical runs.
//
// The hook points, in the order a notification passes them:
// - seccomp(SET_MODE_FILTER): ExtraFilterFlags() widens the accepted flag bits (an
//   unknown bit stays EINVAL); ValidateOptionsFor(flags) says with which data size
//   the program is validated (bpf::ValidateOptions).
// - syscall entry: when the chain's highest data offset passes the 64 bytes of
//   seccomp_data, FilterData() builds the buffer the filters read (with the syscall's
//   extensible struct copied once) and may leave a SyscallNote. The Kernel keeps both
//   with the task until the syscall ends: the notification carries the buffer
//   (NotificationFacts::filter_data) and openat2 asks Openat2How() for its open_how
//   before reading user memory itself.
// - the listener: ListenerIoctl() sees every ioctl on a listener before the kernel
//   does (nullopt: the kernel's own answer), ListenerRead()/ListenerWrite() serve
//   read(2)/write(2) when ListenerReads()/ListenerWrites() say the listener has those
//   operations (Linux's has not: EINVAL). A hook answers, or says the task sleeps
//   until the listener's queue changes; the Kernel then calls it again (a pending
//   signal ends the wait with -ERESTARTSYS, as for RECV).
// - a syscall number the kernel does not model: Syscall().
//
// Every copy a hook makes goes through model/copy.h with the counters it is handed,
// which are the Kernel's own.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "bpf/interpreter.h"
#include "bpf/validator.h"
#include "model/copy.h"
#include "model/sys_result.h"
#include "model/uapi.h"
#include "model/user_memory.h"

namespace sclab::ksim {

// NotificationFacts is what the kernel knows about one pending notification: its id,
// the notifying thread and thread group (as the receiver's pid namespace sees them),
// the seccomp_data the filters saw, and, when a hook built it, the whole buffer the
// filters read (empty otherwise).
struct NotificationFacts {
  uint64_t id = 0;
  uint32_t pid = 0;
  uint32_t tgid = 0;
  model::seccomp_data data{};
  std::vector<uint8_t> filter_data;
};

// NotificationQueue is a listener's queue as a receive or reply path sees it. The
// Kernel implements it over its listener; proposals' ModelQueue over plain data.
class NotificationQueue {
 public:
  virtual ~NotificationQueue() = default;
  // TakeInit marks the oldest INIT notification SENT and returns it (nullopt if none),
  // consuming a RECV token as seccomp_notify_recv() does.
  virtual std::optional<NotificationFacts> TakeInit() = 0;
  // PutBack returns a notification TakeInit() took to INIT (a failed copy-out).
  virtual void PutBack(uint64_t id) = 0;
  // Orphaned is true once no task uses the filter (RECV: ENOENT; poll: POLLHUP).
  virtual bool Orphaned() const = 0;
  // TargetMemory is the memory of the task that raised notification `id`.
  virtual const model::UserMemory& TargetMemory(uint64_t id) const = 0;
  // Reply applies a response with seccomp_notify_send()'s checks, in its order.
  [[nodiscard]] virtual model::SysResult<void> Reply(const model::seccomp_notif_resp& resp) = 0;
};

// FdInstaller is the receiving process's file table as a receive that hands out a
// file descriptor sees it, in the kernel's two steps: reserve a number
// (get_unused_fd_flags(): EMFILE when full), then install the file once the copy to
// userspace succeeded (fd_install()) or give the number back (put_unused_fd()).
class FdInstaller {
 public:
  virtual ~FdInstaller() = default;
  [[nodiscard]] virtual model::SysResult<int> Reserve() = 0;
  // Install makes the reserved `fd` a pidfd of the notifying process `pid`.
  virtual void Install(int fd, uint32_t pid) = 0;
  virtual void Release(int fd) = 0;
};

// SyscallNote is what FilterData() wants to remember about the syscall being filtered
// (deep_args: whether the struct's copy succeeded); the Kernel keeps it with the task
// until the syscall ends and hands it back to Openat2How().
class SyscallNote {
 public:
  virtual ~SyscallNote() = default;
};

// ListenerState is a hook's own per-listener state (perf_config's configuration); the
// Kernel keeps it with the listener and frees it with it.
class ListenerState {
 public:
  virtual ~ListenerState() = default;
};

// ListenerCall is what a listener hook works with. `resumed` is true when the Kernel
// calls the hook again after the task slept (checks made before the wait are not made
// again); `call_state` is the hook's own state for this one call, kept across the
// sleep (what the kernel function would keep on its stack).
struct ListenerCall {
  model::UserMemory& mem;  // the caller's memory
  model::CopyCounters* counters;
  NotificationQueue& queue;
  uint32_t f_flags = 0;  // the listener file's O_* flags (O_NONBLOCK)
  std::unique_ptr<ListenerState>& state;
  FdInstaller& fds;
  bool resumed = false;
  std::unique_ptr<ListenerState>& call_state;
};

// SyscallCall is what Syscall() works with: the caller's memory and arguments, and a
// way to find another task's memory.
struct SyscallCall {
  model::UserMemory& mem;
  model::CopyCounters* counters;
  std::array<uint64_t, 6> args{};
  // find_memory returns the memory of the task `pid` names and whether the caller may
  // access it (ptrace_may_access(PTRACE_MODE_ATTACH_REALCREDS)), or nullptr (ESRCH).
  std::function<const model::UserMemory*(int32_t pid, bool* may_access)> find_memory;
};

// HookResult is a listener hook's answer short of an error: a value, or "the task
// sleeps until the listener's queue changes (then the hook is asked again)".
struct HookResult {
  int64_t value = 0;
  bool sleeps = false;
};

class ProposalHooks {
 public:
  virtual ~ProposalHooks() = default;

  virtual uint32_t ExtraFilterFlags() const { return 0; }
  virtual bpf::ValidateOptions ValidateOptionsFor(uint32_t /*flags*/) const { return {}; }

  // FilterData builds at least `len` bytes (len > 64: the chain's highest offset) for
  // the filters of a syscall described by `sd`, reading the caller's memory; it may
  // leave a note for Openat2How().
  virtual std::vector<uint8_t> FilterData(const model::UserMemory& /*mem*/,
                                          model::CopyCounters* /*counters*/,
                                          const bpf::SeccompData& sd, uint32_t len,
                                          std::shared_ptr<const SyscallNote>* /*note*/) {
    std::vector<uint8_t> out(len, 0);
    const auto bytes = bpf::SeccompDataBytes(sd);
    std::copy(bytes.begin(), bytes.end(), out.begin());
    return out;
  }

  // Openat2How: openat2's open_how from what FilterData() noted instead of from
  // user memory (the same errors, in openat2's order); nullopt: read user memory.
  virtual std::optional<model::SysResult<model::open_how>> Openat2How(const SyscallNote* /*note*/,
                                                                      uint64_t /*usize*/) {
    return std::nullopt;
  }

  // ListenerReads/ListenerWrites: the listener has a read/write operation.
  virtual bool ListenerReads() const { return false; }
  virtual bool ListenerWrites() const { return false; }

  // Listener operations; nullopt means "not mine": the kernel's own answer stands.
  virtual std::optional<model::SysResult<HookResult>> ListenerIoctl(ListenerCall& /*call*/,
                                                                    uint32_t /*cmd*/,
                                                                    uint64_t /*arg*/) {
    return std::nullopt;
  }
  virtual std::optional<model::SysResult<HookResult>> ListenerRead(ListenerCall& /*call*/,
                                                                   uint64_t /*buf*/,
                                                                   uint64_t /*count*/) {
    return std::nullopt;
  }
  virtual std::optional<model::SysResult<HookResult>> ListenerWrite(ListenerCall& /*call*/,
                                                                    uint64_t /*buf*/,
                                                                    uint64_t /*count*/) {
    return std::nullopt;
  }

  // Syscall answers a syscall number the kernel does not model; nullopt: ENOSYS.
  virtual std::optional<model::SysResult<int64_t>> Syscall(SyscallCall& /*call*/, int /*nr*/) {
    return std::nullopt;
  }
};

}  // namespace sclab::ksim
