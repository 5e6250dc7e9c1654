// notif_ptrs is the seed's pointer alternative: userspace passes a block of
// {pointer, size} pairs, one per variable member (a NULL pointer omits the member),
// followed by room for the block of small fixed fields; the kernel reads the pairs,
// checks every range, copies each member to its own buffer and then writes the fixed
// block back into the pointer block. The number of pairs and the fixed block's size
// come from sizes_vector's discovery ioctl (SECCOMP_IOCTL_NOTIF_GET_LAYOUT), so
// userspace builds the block at run time. README.md has the details.
//
// struct seccomp_notif_buf { __aligned_u64 ptr; __u32 size; __u32 __reserved; }  (16)
// block = struct seccomp_notif_buf bufs[num_members]; then the fixed block
// (struct seccomp_notif_submembers, submember_size bytes): 16*2+16 = 48 (old ABI),
// 16*3+24 = 72 (new).
//
// SECCOMP_IOCTL_NOTIF_RECV_PTRS = _IOWR('!', 0x31, block size). Checks, in order:
//   the size bits differ from the kernel's block size               -> EINVAL
//   copy_from_user of the pairs faults                              -> EFAULT
//   a pair's __reserved is not zero; a NULL pointer with a size;
//   a pointer with a size below the member's VER0                   -> EINVAL
//   a size above PAGE_SIZE                                          -> E2BIG
//   access_ok() of any range fails                                  -> EFAULT (nothing written)
//   (the wait)
//   each member, then the fixed block: a fault                      -> EFAULT (INIT again;
//     members before the fault have been written: validation catches ranges outside user
//     space, not unmapped pages)
// Members are copied with copy_struct_to_user() at the pair's size (seccomp_data,
// grown seccomp_data) or, for the extensible struct, min(target's usize, size) bytes
// read from the target and zero-filled.
#pragma once

#include <cstdint>
#include <vector>

#include "kernel_sim/proposals/notification_facts.h"
#include "kernel_sim/proposals/proposal.h"
#include "model/copy.h"
#include "model/sys_result.h"
#include "model/user_memory.h"

namespace sclab::ksim::proposals::notif_ptrs {

inline constexpr uint32_t kIoctlNotifRecvPtrs = 0xC0002131;  // _IOWR('!', 0x31, size)

// seccomp_notif_buf is one {pointer, size} pair.
struct seccomp_notif_buf {
  uint64_t ptr;
  uint32_t size;
  uint32_t reserved;
};
static_assert(sizeof(seccomp_notif_buf) == 16);

// BlockSize is the kernel's block size at `abi` (pairs + fixed block).
uint64_t BlockSize(Abi abi);

// BufLayout is struct seccomp_notif_buf; BlockLayout the block at `abi`.
model::StructLayout BufLayout();
model::StructLayout BlockLayout(Abi abi);

// PtrsRequest is what the first half read: the pairs.
struct PtrsRequest {
  std::vector<seccomp_notif_buf> bufs;
};

// Models the first half of the proposed seccomp_notify_recv_ptrs(): the checks before
// the wait, for a block at `block` whose size the ioctl number says is `len`.
[[nodiscard]] model::SysResult<PtrsRequest> RecvPtrsPrepare(const model::UserMemory& mem,
                                                            model::CopyCounters* counters,
                                                            uint64_t block, uint64_t len,
                                                            Abi kernel);

// Models the second half: every member to its buffer, then the fixed block.
[[nodiscard]] model::SysResult<void> SeccompNotifyRecvPtrs(
    model::UserMemory& mem, model::CopyCounters* counters, uint64_t block, const PtrsRequest& req,
    Abi kernel, const NotificationFacts& facts, const model::UserMemory& target);

// KernelHooks are the hooks of a kernel implementing notif_ptrs's `kernel` ABI (hooks.cc).
std::unique_ptr<ProposalHooks> KernelHooks(Abi kernel);

// Verbs are notif_ptrs's scenario verbs (verbs.cc).
std::vector<VerbSpec> Verbs();

// Plugin is notif_ptrs's entry in AllProposals().
const Proposal& Plugin();

}  // namespace sclab::ksim::proposals::notif_ptrs
