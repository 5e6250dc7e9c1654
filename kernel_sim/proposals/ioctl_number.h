// IoctlNumber builds and takes apart x86_64 ioctl numbers the way
// include/uapi/asm-generic/ioctl.h does: direction (2 bits) << 30, size (14 bits)
// << 16, type << 8, number. Every proposal ioctl uses seccomp's type '!'
// (SECCOMP_IOC_MAGIC) and a number no kernel has used (the real ones are 0-4).
#pragma once

#include <cstdint>

namespace sclab::ksim::proposals {

inline constexpr uint32_t kIocNone = 0;
inline constexpr uint32_t kIocWrite = 1;  // _IOW: userspace writes, the kernel reads
inline constexpr uint32_t kIocRead = 2;   // _IOR: the kernel writes
inline constexpr uint32_t kIocReadWrite = kIocWrite | kIocRead;
inline constexpr uint32_t kSeccompIocMagic = '!';
inline constexpr uint32_t kIocSizeMax = 0x3fff;  // 14 size bits

// IoctlNumber is _IOC(dir, '!', nr, size); size must fit in 14 bits.
constexpr uint32_t IoctlNumber(uint32_t dir, uint32_t nr, uint32_t size) {
  return (dir << 30) | ((size & kIocSizeMax) << 16) | (kSeccompIocMagic << 8) | (nr & 0xff);
}

// IoctlSize is _IOC_SIZE(cmd).
constexpr uint32_t IoctlSize(uint32_t cmd) { return (cmd >> 16) & kIocSizeMax; }

// SameIoctlIgnoringSize compares two numbers with their size bits masked out, as the
// kernel's EA_IOCTL() does for SECCOMP_IOCTL_NOTIF_ADDFD: the struct may grow.
constexpr bool SameIoctlIgnoringSize(uint32_t a, uint32_t b) {
  constexpr uint32_t kMask = ~(kIocSizeMax << 16);
  return (a & kMask) == (b & kMask);
}

}  // namespace sclab::ksim::proposals
