// The x86_64 ABI values the simulated kernel implements: seccomp operations, flags
// and ioctl numbers (include/uapi/linux/seccomp.h), prctl options, poll bits,
// sigaction flags, wait4 options, clone flags, socket-message flags and the limits
// (RLIMIT_NOFILE, NR_syscalls) of the Linux 6.18 kernel the model follows.
//
// Values that are not ABI but kernel-internal (SA_IMMUTABLE, SECCOMP_MODE_DEAD,
// the JOBCTL bits) say so.
#pragma once

#include <cstdint>

namespace sclab::ksim {

// Pid is a process or thread id as the kernel reports it (pid_t).
using Pid = int32_t;

// --- seccomp(2) -------------------------------------------------------------
inline constexpr uint32_t kSeccompSetModeStrict = 0;
inline constexpr uint32_t kSeccompSetModeFilter = 1;
inline constexpr uint32_t kSeccompGetActionAvail = 2;
inline constexpr uint32_t kSeccompGetNotifSizes = 3;

inline constexpr uint32_t kFilterFlagTsync = 0x01;
inline constexpr uint32_t kFilterFlagLog = 0x02;
inline constexpr uint32_t kFilterFlagSpecAllow = 0x04;
inline constexpr uint32_t kFilterFlagNewListener = 0x08;
inline constexpr uint32_t kFilterFlagTsyncEsrch = 0x10;
inline constexpr uint32_t kFilterFlagWaitKillableRecv = 0x20;
inline constexpr uint32_t kFilterFlagMask = 0x3f;  // SECCOMP_FILTER_FLAG_MASK

// SeccompMode is task->seccomp.mode; kDead (SECCOMP_MODE_FILTER + 1) is internal.
enum class SeccompMode : uint8_t { kDisabled = 0, kStrict = 1, kFilter = 2, kDead = 3 };

inline constexpr uint32_t kUserNotifFlagContinue = 0x1;  // SECCOMP_USER_NOTIF_FLAG_CONTINUE
inline constexpr uint64_t kUserNotifFdSyncWakeUp = 0x1;  // SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
inline constexpr uint32_t kAddfdFlagSetfd = 0x1;         // SECCOMP_ADDFD_FLAG_SETFD
inline constexpr uint32_t kAddfdFlagSend = 0x2;          // SECCOMP_ADDFD_FLAG_SEND

inline constexpr uint32_t kIoctlNotifRecv = 0xC0502100;             // _IOWR('!', 0, 80)
inline constexpr uint32_t kIoctlNotifSend = 0xC0182101;             // _IOWR('!', 1, 24)
inline constexpr uint32_t kIoctlNotifIdValid = 0x40082102;          // _IOW('!', 2, u64)
inline constexpr uint32_t kIoctlNotifIdValidWrongDir = 0x80082102;  // _IOR('!', 2, u64)
inline constexpr uint32_t kIoctlNotifAddfd = 0x40182103;            // _IOW('!', 3, 24)
inline constexpr uint32_t kIoctlNotifSetFlags = 0x40082104;         // _IOW('!', 4, u64)
inline constexpr uint32_t kIocInout = 0xC0000000;     // IOC_INOUT: both direction bits
inline constexpr uint32_t kIocSizeMask = 0x3fff0000;  // IOCSIZE_MASK
inline constexpr uint32_t kIocSizeShift = 16;

inline constexpr uint16_t kSizeofSeccompNotif = 80;
inline constexpr uint16_t kSizeofSeccompNotifResp = 24;
inline constexpr uint16_t kSizeofSeccompData = 64;

inline constexpr uint32_t kAuditArchX86_64 = 0xC000003E;

// --- prctl(2) ---------------------------------------------------------------
inline constexpr int kPrGetSeccomp = 21;
inline constexpr int kPrSetSeccomp = 22;
inline constexpr int kPrSetNoNewPrivs = 38;
inline constexpr int kPrGetNoNewPrivs = 39;

// --- poll(2) ----------------------------------------------------------------
inline constexpr uint32_t kPollIn = 0x001, kPollPri = 0x002, kPollOut = 0x004, kPollErr = 0x008,
                          kPollHup = 0x010, kPollNval = 0x020, kPollRdNorm = 0x040,
                          kPollWrNorm = 0x100;

// --- signals ----------------------------------------------------------------
inline constexpr int kNsig = 64;        // _NSIG: signals 1..64 are valid
inline constexpr int kSigRtMin = 32;    // SIGRTMIN as the kernel counts: real-time from here
inline constexpr uint64_t kSigDfl = 0;  // SIG_DFL
inline constexpr uint64_t kSigIgn = 1;  // SIG_IGN
inline constexpr uint64_t kSaNocldstop = 0x00000001;
inline constexpr uint64_t kSaNocldwait = 0x00000002;
inline constexpr uint64_t kSaSiginfo = 0x00000004;
inline constexpr uint64_t kSaImmutable =
    0x00800000;  // kernel-internal (force_sig_info HANDLER_EXIT)
inline constexpr uint64_t kSaRestorer = 0x04000000;
inline constexpr uint64_t kSaOnstack = 0x08000000;
inline constexpr uint64_t kSaRestart = 0x10000000;
inline constexpr uint64_t kSaNodefer = 0x40000000;
inline constexpr uint64_t kSaResethand = 0x80000000;
inline constexpr uint64_t kSizeofKernelSigaction = 32;  // handler, flags, restorer, mask
inline constexpr uint64_t kSizeofSigset = 8;

inline constexpr int kSiUser = 0;       // SI_USER (kill)
inline constexpr int kSiKernel = 0x80;  // SI_KERNEL
inline constexpr int kSiTkill = -6;     // SI_TKILL (tgkill)
inline constexpr int kSysSeccomp = 1;   // SYS_SECCOMP (si_code of a seccomp SIGSYS)
inline constexpr int kCldExited = 1, kCldKilled = 2, kCldStopped = 5, kCldContinued = 6;

// --- wait4(2) ---------------------------------------------------------------
inline constexpr uint32_t kWnohang = 0x00000001;
inline constexpr uint32_t kWuntraced = 0x00000002;
inline constexpr uint32_t kWexited = 0x00000004;
inline constexpr uint32_t kWcontinued = 0x00000008;
inline constexpr uint32_t kWnothread = 0x20000000;
inline constexpr uint32_t kWall = 0x40000000;
inline constexpr uint32_t kWclone = 0x80000000;

// --- clone(2) ---------------------------------------------------------------
inline constexpr uint64_t kCsignal = 0x000000ff;
inline constexpr uint64_t kCloneVm = 0x00000100;
inline constexpr uint64_t kCloneFs = 0x00000200;
inline constexpr uint64_t kCloneFiles = 0x00000400;
inline constexpr uint64_t kCloneSighand = 0x00000800;
inline constexpr uint64_t kCloneThread = 0x00010000;
inline constexpr uint64_t kCloneSysvsem = 0x00040000;
inline constexpr uint64_t kCloneParentSettid = 0x00100000;
inline constexpr uint64_t kCloneChildCleartid = 0x00200000;
// The two clone shapes the runner issues (docs/execution.md §3).
inline constexpr uint64_t kCloneForkFlags = 17;  // SIGCHLD
inline constexpr uint64_t kCloneThreadFlags = kCloneVm | kCloneFs | kCloneFiles | kCloneSighand |
                                              kCloneThread | kCloneSysvsem | kCloneParentSettid |
                                              kCloneChildCleartid;  // 0x350f00

// --- files ------------------------------------------------------------------
inline constexpr int kRlimitNofile = 1024;  // RLIMIT_NOFILE of every simulated process
inline constexpr int kAtFdcwd = -100;       // AT_FDCWD
inline constexpr int kChannelFd = 1023;     // every process's runner channel
inline constexpr uint32_t kUmask = 022;     // every simulated process's umask

// recvmsg(2) / SCM_RIGHTS
inline constexpr uint32_t kMsgCtrunc = 0x8;
inline constexpr uint32_t kMsgDontwait = 0x40;
inline constexpr uint32_t kMsgCmsgCloexec = 0x40000000;
inline constexpr uint32_t kMsgCmsgCompat = 0x80000000;
inline constexpr int kSolSocket = 1;
inline constexpr int kScmRights = 1;
inline constexpr uint64_t kUioMaxiov = 1024;

// --- syscall table ----------------------------------------------------------
inline constexpr int kNrSyscalls = 470;  // NR_syscalls on 6.18 x86_64 (file_setattr = 469)
inline constexpr int kNrUretprobe = 335;
inline constexpr int kNrUprobe = 336;

// --- credentials ------------------------------------------------------------
inline constexpr uint32_t kNobodyUid = 65534;  // uid/gid of an unprivileged `process`

}  // namespace sclab::ksim
