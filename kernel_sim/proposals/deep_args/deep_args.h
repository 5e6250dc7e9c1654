// deep_args is deep argument inspection: filters installed with the new flag read a
// data buffer that continues past seccomp_data with validity-flagged fields and, at
// PAGE_SIZE, the syscall's extensible struct, copied once before the filters run. The
// filters, the supervisor (the notification carries the copy) and the syscall (it uses
// the copy instead of reading user memory again) all see the same bytes, so a second
// thread rewriting the struct changes nothing. README.md has the motivation, the
// kernel functions it would change, and Aleksa Sarai's point.
//
// The filter's data (struct seccomp_data_deep):
//   @0   struct seccomp_data                 (unchanged: old filters read only this)
//   @64  u64 feature_bits                    HAS_EA 1, HAS_NR_HI 2, HAS_EA_END 4
//   @72  u32 nr_hi                           upper half of the syscall number (HAS_NR_HI)
//   @76  u32 ea_size                         the usize the caller passed
//   @80  u32 ea_nonzero_end                  (HAS_EA_END) one past the caller's last non-zero
//                                            byte: "the tail is zero from offset X" is
//                                            `ld [80]; jgt #X` — the check an old filter
//                                            needs so that a field it predates cannot pass
//   @84  u32 __reserved
//   ... zero ...
//   @4096 the extensible struct (open_how, clone_args) as copy_struct_from_user() copied
//         it at the kernel's size, zero-filled up to the highest offset any filter reads.
//
// Old ABI = Linux 6.18: the flag is unknown (EINVAL at install), filters read 64 bytes.
// New ABI: SECCOMP_FILTER_FLAG_DEEP_ARGS (1 << 6). A filter with it is validated with
// data_size = 2 * PAGE_SIZE (aligned word loads below 8192; bpf::ValidateOptions); a
// filter without it keeps data_size 64, and a chain without any such filter costs no
// copy at all.
//
// SECCOMP_IOCTL_NOTIF_RECV_DEEP = _IOWR('!', 0x60, len), len in the size bits:
// struct seccomp_notif_deep {u64 id; u32 pid; u32 flags; struct seccomp_data data;
// u64 feature_bits; u32 nr_hi; u32 ea_size; u32 ea_nonzero_end; u32 ea_copied;
// u8 ea[]} (104-byte header). len < 104 -> ENOSPC; the copy goes out with
// copy_struct_to_user() rules at len - 104 bytes (ea_copied says how many the kernel
// had, ea_nonzero_end whether any cut-off byte mattered); a fault -> EFAULT (INIT again).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "bpf/validator.h"
#include "kernel_sim/proposals/notification_facts.h"
#include "kernel_sim/proposals/proposal.h"
#include "model/copy.h"
#include "model/open_how.h"
#include "model/sys_result.h"
#include "model/user_memory.h"

namespace sclab::ksim::proposals::deep_args {

inline constexpr uint32_t kFilterFlagDeepArgs = 1u << 6;  // SECCOMP_FILTER_FLAG_DEEP_ARGS
inline constexpr uint32_t kKnownFilterFlags = 0x3f;       // SECCOMP_FILTER_FLAG_MASK of 6.18
inline constexpr uint64_t kHasEa = 1;
inline constexpr uint64_t kHasNrHi = 2;
inline constexpr uint64_t kHasEaEnd = 4;
inline constexpr uint32_t kOffFeatureBits = 64;
inline constexpr uint32_t kOffNrHi = 72;
inline constexpr uint32_t kOffEaSize = 76;
inline constexpr uint32_t kOffEaNonzeroEnd = 80;
inline constexpr uint32_t kDeepHeaderSize = 88;  // the fields before the zero gap
inline constexpr uint32_t kEaOffset = 4096;      // PAGE_SIZE
inline constexpr uint32_t kDeepDataSize = 8192;  // 2 * PAGE_SIZE: what the validator allows
inline constexpr uint32_t kIoctlNotifRecvDeep = 0xC0002160;  // _IOWR('!', 0x60, len)
inline constexpr uint64_t kNotifDeepHeader = 104;

// DataLayout is the filter's view up to the zero gap; NotifDeepLayout the RECV_DEEP header.
model::StructLayout DataLayout();
model::StructLayout NotifDeepLayout();

// Models the proposed seccomp_prepare_filter() flag handling: a kernel at `kernel`
// refuses unknown flags (EINVAL; 6.18 knows 0x3f); a DEEP_ARGS filter is validated
// with data_size 8192, any other with 64.
[[nodiscard]] model::SysResult<bpf::ValidateOptions> ValidateOptionsFor(uint32_t flags, Abi kernel);

// EaCopy is the one copy of a syscall's extensible struct, made before the filters
// run and kept until the syscall has used it.
struct EaCopy {
  bool present = false;         // the syscall has an extensible struct
  uint64_t usize = 0;           // what the caller passed
  std::vector<uint8_t> bytes;   // ksize bytes (copy_struct_from_user's result), or zeros
  model::Failure copy_error{};  // the copy's failure (E2BIG, EFAULT), err 0 if none
  bool copied = false;          // copy_struct_from_user succeeded
  bool nonzero_end_known = false;
  uint32_t nonzero_end = 0;
};

// Models the proposed seccomp_copy_ea(): for openat2/clone3, the syscall's own size
// checks decide whether to copy (a size it would refuse is not copied: the syscall
// fails on its own check before using anything), then copy_struct_from_user() of ksize
// bytes. ea_nonzero_end: the last non-zero copied byte + 1, or usize when the tail
// past ksize was not zero (E2BIG).
EaCopy SeccompCopyEa(const model::UserMemory& mem, model::CopyCounters* counters,
                     const model::seccomp_data& sd);

// BuildFilterData lays out the data the chain's filters read: `len` bytes (the highest
// MaxDataOffset() of the chain, at least 64).
std::vector<uint8_t> BuildFilterData(const model::seccomp_data& sd, const EaCopy& ea, uint32_t len);

// EaCopyFromFilterData recovers the copy a notification carries in its filter data
// (built by BuildFilterData with the whole struct in it); no data: no copy.
EaCopy EaCopyFromFilterData(const model::seccomp_data& sd, std::span<const uint8_t> filter_data);

// Models openat2's argument copy when a copy exists: usize < 24 -> EINVAL, > PAGE_SIZE
// -> E2BIG (its own order), then the copy's own failure, then the cached struct with
// O_LARGEFILE added (as CopyOpenHowFromUser() does). No user memory is read.
[[nodiscard]] model::SysResult<model::open_how> OpenHowFromCopy(const EaCopy& ea);

// Models the proposed seccomp_notify_recv_deep() after the wait.
[[nodiscard]] model::SysResult<void> SeccompNotifyRecvDeep(model::UserMemory& mem,
                                                           model::CopyCounters* counters,
                                                           uint64_t buf, uint64_t len,
                                                           const NotificationFacts& facts,
                                                           const EaCopy& ea);

// RecvDeepPrepare is the check before the wait.
[[nodiscard]] model::SysResult<void> RecvDeepPrepare(uint64_t len);

// KernelHooks are the hooks of a kernel implementing deep_args's `kernel` ABI (hooks.cc).
std::unique_ptr<ProposalHooks> KernelHooks(Abi kernel);

// Verbs are deep_args's scenario verbs (verbs.cc).
std::vector<VerbSpec> Verbs();

// Plugin is deep_args's entry in AllProposals().
const Proposal& Plugin();

}  // namespace sclab::ksim::proposals::deep_args
