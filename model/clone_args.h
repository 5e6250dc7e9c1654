// Clone3ArgsFromUser and its two parts model how clone3(2) reads `struct clone_args`
// from user memory and validates it (kernel/fork.c copy_clone_args_from_user() and
// clone3_args_valid(), Linux 6.18), checks in the kernel's order.
//
// Clone3ArgsFromUser(mem, counters, uargs, usize), the order as a whole (note that
// E2BIG comes before EINVAL here, the reverse of openat2):
//  1. usize > PAGE_SIZE                                        -> E2BIG
//  2. usize < CLONE_ARGS_SIZE_VER0 (64)                        -> EINVAL
//  3. copy_struct_from_user: a non-zero byte past 88           -> E2BIG
//                            a fault                           -> EFAULT
//  4. set_tid_size > MAX_PID_NS_LEVEL (32)                     -> EINVAL
//  5. set_tid_size > 0 with set_tid NULL                       -> EINVAL
//  6. set_tid non-NULL with set_tid_size 0                     -> EINVAL
//  7. exit_signal with bits above CSIGNAL, or above _NSIG (64) -> EINVAL
//  8. CLONE_INTO_CGROUP with cgroup > INT_MAX or usize < VER2  -> EINVAL
//  9. copy_from_user of set_tid_size pid_t at set_tid          -> EFAULT
//  then clone3_args_valid():
// 10. flags outside CLONE_LEGACY_FLAGS|CLONE_CLEAR_SIGHAND|CLONE_INTO_CGROUP -> EINVAL
// 11. CLONE_DETACHED or a CSIGNAL bit other than CLONE_NEWTIME -> EINVAL
// 12. CLONE_SIGHAND together with CLONE_CLEAR_SIGHAND          -> EINVAL
// 13. CLONE_THREAD or CLONE_PARENT with a non-zero exit_signal -> EINVAL
// 14. stack 0 with stack_size > 0, stack with stack_size 0, or the stack range
//     failing access_ok()                                       -> EINVAL
// Then kernel_clone() makes the child (not modelled here).
#pragma once

#include <cstdint>
#include <vector>

#include "model/copy.h"
#include "model/sys_result.h"
#include "model/uapi.h"
#include "model/user_memory.h"

namespace sclab::model {

// clone flags (include/uapi/linux/sched.h) that the argument checks use.
inline constexpr uint64_t kCsignal = 0x000000ff;                // CSIGNAL
inline constexpr uint64_t kCloneNewtime = 0x00000080;           // CLONE_NEWTIME (inside CSIGNAL)
inline constexpr uint64_t kCloneVm = 0x00000100;                // CLONE_VM
inline constexpr uint64_t kCloneSighand = 0x00000800;           // CLONE_SIGHAND
inline constexpr uint64_t kCloneParent = 0x00008000;            // CLONE_PARENT
inline constexpr uint64_t kCloneThread = 0x00010000;            // CLONE_THREAD
inline constexpr uint64_t kCloneDetached = 0x00400000;          // CLONE_DETACHED
inline constexpr uint64_t kCloneLegacyFlags = 0xffffffffULL;    // CLONE_LEGACY_FLAGS
inline constexpr uint64_t kCloneClearSighand = 0x100000000ULL;  // CLONE_CLEAR_SIGHAND
inline constexpr uint64_t kCloneIntoCgroup = 0x200000000ULL;    // CLONE_INTO_CGROUP
inline constexpr uint64_t kMaxPidNsLevel = 32;                  // MAX_PID_NS_LEVEL
inline constexpr uint64_t kNsig = 64;                           // _NSIG (x86_64)
inline constexpr uint64_t kIntMax = 0x7fffffff;                 // INT_MAX

// KernelCloneArgs mirrors the parts of include/linux/sched/task.h
// struct kernel_clone_args that clone3 fills from user memory.
struct KernelCloneArgs {
  clone_args args{};             // as copied (zero past usize)
  uint64_t usize = 0;            // the size userspace passed
  std::vector<int32_t> set_tid;  // the set_tid_size pids read from args.set_tid
};

// Models kernel/fork.c copy_clone_args_from_user(): steps 1-9 above.
[[nodiscard]] SysResult<KernelCloneArgs> CopyCloneArgsFromUser(const UserMemory& mem,
                                                               CopyCounters* counters,
                                                               uint64_t uargs, uint64_t usize);

// Models kernel/fork.c clone3_args_valid() with clone3_stack_valid(): steps 10-14.
[[nodiscard]] SysResult<void> Clone3ArgsValid(const KernelCloneArgs& kargs);

// Clone3ArgsFromUser is CopyCloneArgsFromUser() then Clone3ArgsValid(): every check
// clone3 makes before it creates a process, in the kernel's order.
[[nodiscard]] SysResult<KernelCloneArgs> Clone3ArgsFromUser(const UserMemory& mem,
                                                            CopyCounters* counters, uint64_t uargs,
                                                            uint64_t usize);

}  // namespace sclab::model
