// The mirror structs here are the uapi structs seccomp-lab exchanges with (simulated)
// user memory, with the kernel's names and the exact x86_64 layout, independent of
// the host's headers.
// model/uapi_host_check.cc asserts each size and offset against <linux/...>; the
// layout descriptors of model/layout.h (UapiLayouts()) are tested against these.
//
// All are little-endian plain data: copy them to and from UserMemory as bytes
// (model/copy.h). Pointers inside a struct are user addresses (uint64_t).
#pragma once

#include <cstdint>

namespace sclab::model {

inline constexpr uint64_t kPageSize = 4096;

// include/uapi/linux/seccomp.h: what a filter reads (BPF_LD|BPF_ABS offsets).
struct seccomp_data {
  int32_t nr;
  uint32_t arch;
  uint64_t instruction_pointer;
  uint64_t args[6];
};

// include/uapi/linux/seccomp.h: what SECCOMP_IOCTL_NOTIF_RECV writes.
struct seccomp_notif {
  uint64_t id;
  uint32_t pid;
  uint32_t flags;
  seccomp_data data;
};

// include/uapi/linux/seccomp.h: what SECCOMP_IOCTL_NOTIF_SEND reads.
struct seccomp_notif_resp {
  uint64_t id;
  int64_t val;
  int32_t error;
  uint32_t flags;
};

// include/uapi/linux/seccomp.h: what SECCOMP_GET_NOTIF_SIZES writes (6 bytes).
struct seccomp_notif_sizes {
  uint16_t seccomp_notif;
  uint16_t seccomp_notif_resp;
  uint16_t seccomp_data;
};

// include/uapi/linux/seccomp.h: SECCOMP_IOCTL_NOTIF_ADDFD's argument (extensible;
// its usize comes from the ioctl number).
struct seccomp_notif_addfd {
  uint64_t id;
  uint32_t flags;
  uint32_t srcfd;
  uint32_t newfd;
  uint32_t newfd_flags;
};

// include/uapi/linux/openat2.h: openat2()'s argument (extensible).
struct open_how {
  uint64_t flags;
  uint64_t mode;
  uint64_t resolve;
};

// include/uapi/linux/sched.h: clone3()'s argument (extensible; every field is an
// __aligned_u64, pointers included).
struct clone_args {
  uint64_t flags;
  uint64_t pidfd;
  uint64_t child_tid;
  uint64_t parent_tid;
  uint64_t exit_signal;
  uint64_t stack;
  uint64_t stack_size;
  uint64_t tls;
  uint64_t set_tid;
  uint64_t set_tid_size;
  uint64_t cgroup;
};

// include/uapi/linux/filter.h: one classic-BPF instruction.
struct sock_filter {
  uint16_t code;
  uint8_t jt;
  uint8_t jf;
  uint32_t k;
};

// include/uapi/linux/filter.h: the program seccomp(SET_MODE_FILTER) reads, 16 bytes
// natively: the compiler leaves 6 padding bytes after `len` (the kernel ignores
// them), and `filter` is a user pointer.
struct sock_fprog {
  uint16_t len;
  uint64_t filter;
};

// siginfo_t as the kernel fills it for a seccomp SIGSYS on x86_64 (128 bytes): the
// common header, a 4-byte hole (the _sifields union is 8-aligned), the _sigsys
// member, and the union's unused rest. The _sigsys members keep the kernel's member
// names (_call_addr, _syscall, _arch): their usual names si_call_addr, si_syscall
// and si_arch are macros in <signal.h>, which would rewrite fields named so. The
// layout (UapiLayout("siginfo_sigsys")) uses the si_ names.
struct siginfo_sigsys {
  int32_t si_signo;
  int32_t si_errno;
  int32_t si_code;
  uint64_t _call_addr;
  int32_t _syscall;
  uint32_t _arch;
  uint8_t sifields_rest[96];
};

// Published sizes (include/linux/fcntl.h, include/uapi/linux/sched.h,
// include/linux/seccomp.h).
inline constexpr uint64_t kOpenHowSizeVer0 = 24;             // OPEN_HOW_SIZE_VER0
inline constexpr uint64_t kCloneArgsSizeVer0 = 64;           // CLONE_ARGS_SIZE_VER0
inline constexpr uint64_t kCloneArgsSizeVer1 = 80;           // CLONE_ARGS_SIZE_VER1
inline constexpr uint64_t kCloneArgsSizeVer2 = 88;           // CLONE_ARGS_SIZE_VER2
inline constexpr uint64_t kSeccompNotifyAddfdSizeVer0 = 24;  // SECCOMP_NOTIFY_ADDFD_SIZE_VER0

static_assert(sizeof(seccomp_data) == 64);
static_assert(sizeof(seccomp_notif) == 80);
static_assert(sizeof(seccomp_notif_resp) == 24);
static_assert(sizeof(seccomp_notif_sizes) == 6);
static_assert(sizeof(seccomp_notif_addfd) == kSeccompNotifyAddfdSizeVer0);
static_assert(sizeof(open_how) == kOpenHowSizeVer0);
static_assert(sizeof(clone_args) == kCloneArgsSizeVer2);
static_assert(sizeof(sock_filter) == 8);
static_assert(sizeof(sock_fprog) == 16);
static_assert(sizeof(siginfo_sigsys) == 128);

}  // namespace sclab::model
