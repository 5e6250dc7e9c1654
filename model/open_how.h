// Openat2ArgsFromUser and its two parts model how openat2(2) reads `struct open_how`
// from user memory and validates it (fs/open.c openat2 and build_open_flags(), Linux
// 6.18), checks in the kernel's order; the first failing check decides the errno.
//
// Openat2ArgsFromUser(mem, counters, how, usize), the order as a whole:
//  1. usize < OPEN_HOW_SIZE_VER0 (24)                         -> EINVAL
//  2. usize > PAGE_SIZE                                        -> E2BIG
//  3. copy_struct_from_user: a non-zero byte past 24           -> E2BIG
//                            a fault                           -> EFAULT
//  4. O_LARGEFILE is added to flags unless O_PATH is set (64-bit force_o_largefile)
//  5. build_open_flags (O_CLOEXEC is set aside first):
//     unknown flag bits (any bit outside VALID_OPEN_FLAGS, all upper 32) -> EINVAL
//     unknown resolve bits                                     -> EINVAL
//     RESOLVE_BENEATH together with RESOLVE_IN_ROOT            -> EINVAL
//     with O_CREAT or __O_TMPFILE: mode bits beyond S_IALLUGO  -> EINVAL
//     without them: any mode bit                               -> EINVAL
//     O_DIRECTORY together with O_CREAT                        -> EINVAL
//     __O_TMPFILE without O_DIRECTORY                          -> EINVAL
//     __O_TMPFILE without write access                         -> EINVAL
//     O_PATH with a flag other than O_DIRECTORY|O_NOFOLLOW|O_PATH -> EINVAL
//     RESOLVE_CACHED with O_TRUNC, O_CREAT or __O_TMPFILE      -> EAGAIN
// Then (not modelled here) do_sys_openat2 reads the path with getname()
// (UserMemory::ReadCString, kPathMax), reserves an fd and walks the path.
// Every Failure's `why` names the check ("openat2: usize < OPEN_HOW_SIZE_VER0").
#pragma once

#include <cstdint>

#include "model/copy.h"
#include "model/sys_result.h"
#include "model/uapi.h"
#include "model/user_memory.h"

namespace sclab::model {

// Open flags as the x86_64 kernel numbers them (include/uapi/asm-generic/fcntl.h;
// glibc's O_LARGEFILE is 0 on x86_64, the kernel's is not).
inline constexpr uint64_t kOAccmode = 03;                          // O_ACCMODE
inline constexpr uint64_t kORdonly = 0;                            // O_RDONLY
inline constexpr uint64_t kOWronly = 01;                           // O_WRONLY
inline constexpr uint64_t kORdwr = 02;                             // O_RDWR
inline constexpr uint64_t kOCreat = 0100;                          // O_CREAT
inline constexpr uint64_t kOExcl = 0200;                           // O_EXCL
inline constexpr uint64_t kONoctty = 0400;                         // O_NOCTTY
inline constexpr uint64_t kOTrunc = 01000;                         // O_TRUNC
inline constexpr uint64_t kOAppend = 02000;                        // O_APPEND
inline constexpr uint64_t kONonblock = 04000;                      // O_NONBLOCK (= O_NDELAY)
inline constexpr uint64_t kODsync = 010000;                        // O_DSYNC
inline constexpr uint64_t kFasync = 020000;                        // FASYNC
inline constexpr uint64_t kODirect = 040000;                       // O_DIRECT
inline constexpr uint64_t kOLargefile = 0100000;                   // O_LARGEFILE
inline constexpr uint64_t kODirectory = 0200000;                   // O_DIRECTORY
inline constexpr uint64_t kONofollow = 0400000;                    // O_NOFOLLOW
inline constexpr uint64_t kONoatime = 01000000;                    // O_NOATIME
inline constexpr uint64_t kOCloexec = 02000000;                    // O_CLOEXEC
inline constexpr uint64_t kOSyncBit = 04000000;                    // __O_SYNC
inline constexpr uint64_t kOSync = kOSyncBit | kODsync;            // O_SYNC
inline constexpr uint64_t kOPath = 010000000;                      // O_PATH
inline constexpr uint64_t kOTmpfileBit = 020000000;                // __O_TMPFILE
inline constexpr uint64_t kOTmpfile = kOTmpfileBit | kODirectory;  // O_TMPFILE

// VALID_OPEN_FLAGS (include/linux/fcntl.h, 6.18).
inline constexpr uint64_t kValidOpenFlags = kOAccmode | kOCreat | kOExcl | kONoctty | kOTrunc |
                                            kOAppend | kONonblock | kOSyncBit | kODsync | kFasync |
                                            kODirect | kOLargefile | kODirectory | kONofollow |
                                            kONoatime | kOCloexec | kOPath | kOTmpfileBit;

// RESOLVE_* (include/uapi/linux/openat2.h) and VALID_RESOLVE_FLAGS.
inline constexpr uint64_t kResolveNoXdev = 0x01;
inline constexpr uint64_t kResolveNoMagiclinks = 0x02;
inline constexpr uint64_t kResolveNoSymlinks = 0x04;
inline constexpr uint64_t kResolveBeneath = 0x08;
inline constexpr uint64_t kResolveInRoot = 0x10;
inline constexpr uint64_t kResolveCached = 0x20;
inline constexpr uint64_t kValidResolveFlags = kResolveNoXdev | kResolveNoMagiclinks |
                                               kResolveNoSymlinks | kResolveBeneath |
                                               kResolveInRoot | kResolveCached;

// Mode bits (include/linux/stat.h): S_IALLUGO = S_ISUID|S_ISGID|S_ISVTX|S_IRWXUGO.
inline constexpr uint64_t kSIallugo = 07777;
inline constexpr uint64_t kSIfreg = 0100000;

// MAY_* access bits (include/linux/fs.h) as ACC_MODE() and build_open_flags set them.
inline constexpr uint32_t kMayWrite = 0x2;
inline constexpr uint32_t kMayRead = 0x4;
inline constexpr uint32_t kMayAppend = 0x8;

// OpenFlags mirrors the parts of fs/internal.h struct open_flags that
// build_open_flags() derives and the simulated open uses.
struct OpenFlags {
  uint32_t open_flag = 0;  // the file's f_flags: O_CLOEXEC set aside, O_DSYNC added for
                           // O_SYNC, O_LARGEFILE added unless O_PATH
  uint32_t mode = 0;       // S_IFREG | mode when the open may create, else 0
  uint32_t acc_mode = 0;   // kMay* bits (0 for O_PATH)
  bool cloexec = false;    // O_CLOEXEC: the new fd gets FD_CLOEXEC
  uint64_t resolve = 0;    // RESOLVE_* restrictions for the path walk
  friend bool operator==(const OpenFlags&, const OpenFlags&) = default;
};

// Models fs/open.c build_open_flags() for openat2 (6.18): validates `how` and
// derives OpenFlags; EINVAL or EAGAIN as the header comment lists, in that order.
[[nodiscard]] SysResult<OpenFlags> BuildOpenFlags(const open_how& how);

// Models fs/open.c SYSCALL_DEFINE4(openat2) up to do_sys_openat2(): the size checks
// and copy_struct_from_user() of `usize` bytes at `how`, then O_LARGEFILE unless
// O_PATH. Returns the struct the kernel works with.
[[nodiscard]] SysResult<open_how> CopyOpenHowFromUser(const UserMemory& mem, CopyCounters* counters,
                                                      uint64_t how, uint64_t usize);

// Openat2Args is what openat2 knows once its arguments are accepted.
struct Openat2Args {
  open_how how;  // as copied, with O_LARGEFILE added (step 4)
  OpenFlags op;
};

// Openat2ArgsFromUser is CopyOpenHowFromUser() then BuildOpenFlags(): every check
// openat2 makes before it reads the path, in the kernel's order.
[[nodiscard]] SysResult<Openat2Args> Openat2ArgsFromUser(const UserMemory& mem,
                                                         CopyCounters* counters, uint64_t how,
                                                         uint64_t usize);

}  // namespace sclab::model
