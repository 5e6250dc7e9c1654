// The copy functions model the kernel's user-copy primitives and its
// extensible-struct ("EA struct") copy rules over a simulated UserMemory, and count
// what they touch.
//
// Every function names the kernel function it models. All return EFAULT for a fault
// (the `why` says which step faulted); the struct copies also E2BIG, as their
// contracts below say, in the kernel's order.
//
// Counting (CopyCounters, optional: pass nullptr to count nothing). One operation is
// one user access the kernel makes: a copy_from_user / copy_to_user / clear_user
// call, or one check_zeroed_user pass (its word reads share one
// user_read_access_begin() section). A call with length 0 touches nothing and is not
// counted. An operation that faults is counted. Bytes are the bytes actually
// transferred (for a fault: the prefix before the first unmapped byte); for
// check_zeroed_user, the whole aligned words it read, widening included.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <type_traits>

#include "model/sys_result.h"
#include "model/user_memory.h"

namespace sclab::model {

// CopyCounters counts user accesses, per direction.
struct CopyCounters {
  uint64_t to_user_ops = 0;
  uint64_t to_user_bytes = 0;
  uint64_t from_user_ops = 0;
  uint64_t from_user_bytes = 0;

  CopyCounters& operator+=(const CopyCounters& o) {
    to_user_ops += o.to_user_ops;
    to_user_bytes += o.to_user_bytes;
    from_user_ops += o.from_user_ops;
    from_user_bytes += o.from_user_bytes;
    return *this;
  }
  friend bool operator==(const CopyCounters&, const CopyCounters&) = default;
};

// BytesOf views a trivially copyable object (a uapi struct) as its bytes.
template <class T>
requires std::is_trivially_copyable_v<T> std::span<uint8_t> BytesOf(T& object) {
  return {reinterpret_cast<uint8_t*>(&object), sizeof(T)};
}
template <class T>
requires std::is_trivially_copyable_v<T> std::span<const uint8_t> BytesOf(const T& object) {
  return {reinterpret_cast<const uint8_t*>(&object), sizeof(T)};
}

// CountFromUser / CountToUser count one user access of `bytes` bytes (nothing when
// `counters` is null).
inline void CountFromUser(CopyCounters* counters, uint64_t bytes) {
  if (counters == nullptr) return;
  ++counters->from_user_ops;
  counters->from_user_bytes += bytes;
}
inline void CountToUser(CopyCounters* counters, uint64_t bytes) {
  if (counters == nullptr) return;
  ++counters->to_user_ops;
  counters->to_user_bytes += bytes;
}

// CopyFromUserSlow / CopyToUserSlow are the general paths of CopyFromUser /
// CopyToUser, exact for any range on their own (tests pin the inline paths to them).
[[nodiscard]] SysResult<void> CopyFromUserSlow(const UserMemory& mem, CopyCounters* counters,
                                               std::span<uint8_t> dst, uint64_t src);
[[nodiscard]] SysResult<void> CopyToUserSlow(UserMemory& mem, CopyCounters* counters, uint64_t dst,
                                             std::span<const uint8_t> src);

// Models include/linux/uaccess.h copy_from_user(): copies dst.size() bytes from `src`.
// On a fault the bytes that could be read are in dst and the rest is zeroed (as
// _copy_from_user() does), and the result is EFAULT.
// Inline: a range that passes access_ok and lies in one mapping is one memcpy (of a
// size known at compile time when the kernel's GetUser copies a struct) and a count.
[[nodiscard]] inline SysResult<void> CopyFromUser(const UserMemory& mem, CopyCounters* counters,
                                                  std::span<uint8_t> dst, uint64_t src) {
  if (AccessOk(src, dst.size())) {
    if (const auto bytes = mem.MappedSpan(src, dst.size()); !bytes.empty()) {
      std::memcpy(dst.data(), bytes.data(), dst.size());
      CountFromUser(counters, dst.size());
      return Ok();
    }
  }
  return CopyFromUserSlow(mem, counters, dst, src);
}

// Models include/linux/uaccess.h copy_to_user(): copies `src` to user address `dst`.
// On a fault the mapped prefix has been written (x86_64 copies up to the faulting
// byte) and the result is EFAULT. Inline like CopyFromUser.
[[nodiscard]] inline SysResult<void> CopyToUser(UserMemory& mem, CopyCounters* counters,
                                                uint64_t dst, std::span<const uint8_t> src) {
  if (AccessOk(dst, src.size())) {
    if (const auto bytes = mem.MappedSpan(dst, src.size()); !bytes.empty()) {
      std::memcpy(bytes.data(), src.data(), src.size());
      CountToUser(counters, src.size());
      return Ok();
    }
  }
  return CopyToUserSlow(mem, counters, dst, src);
}

// Models arch/x86/lib clear_user(): zeroes `len` user bytes at `dst`; on a fault the
// mapped prefix has been zeroed and the result is EFAULT. Counted as a to-user copy.
[[nodiscard]] SysResult<void> ClearUser(UserMemory& mem, CopyCounters* counters, uint64_t dst,
                                        uint64_t len);

// AlignedByteMask models include/linux/bitops.h aligned_byte_mask(n) on little
// endian: the low n bytes of a word set (n = 0: none; n >= 8: all).
constexpr uint64_t AlignedByteMask(uint64_t n) {
  return n >= 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * n)) - 1;
}

// CheckZeroedUserSlow is the general path of CheckZeroedUser: the kernel's loop, one
// word read at a time through UserMemory::Read, exact for any range on its own
// (tests pin the inline path to it).
[[nodiscard]] SysResult<bool> CheckZeroedUserSlow(const UserMemory& mem, CopyCounters* counters,
                                                  uint64_t addr, uint64_t size);

// Models lib/usercopy.c check_zeroed_user(): true when the `size` user bytes at
// `addr` are all zero (also for size 0), false when one is not, EFAULT on a fault.
// Like the kernel it reads aligned 8-byte words from the word holding `addr` on,
// ignoring the bytes of the first and last word outside the range, and stops at the
// first word with a non-zero byte in range: a non-zero byte before an unmapped page
// gives false, not EFAULT. A range that wraps or leaves user space is EFAULT
// (access_ok) before anything is read.
// Inline: when the widened range (whole words) lies in one mapping no word can fault,
// so the kernel's loop runs on the mapping's bytes: `words` words, the first with its
// bytes before `addr` cleared, stop at the first non-zero one, the last with its
// bytes past the range cleared, and count the words read. An aligned whole-word range
// (a struct at an aligned address, NOTIF_RECV's buffer) is first ORed without the
// early exit, unrolled when `size` is a constant: all zero, the usual answer, reads
// the same words with the same count. Anything else goes to CheckZeroedUserSlow.
[[nodiscard, gnu::always_inline]] inline SysResult<bool> CheckZeroedUser(const UserMemory& mem,
                                                                         CopyCounters* counters,
                                                                         uint64_t addr,
                                                                         uint64_t size) {
  const uint64_t align = addr % 8;
  const uint64_t from = addr - align;
  const uint64_t left = size + align;
  if (size != 0 && left >= size && AccessOk(from, left)) {
    const uint64_t words = left / 8 + (left % 8 != 0 ? 1 : 0);
    if (const auto bytes = mem.MappedSpan(from, words * 8); !bytes.empty()) {
      if (align == 0 && size % 8 == 0) {  // whole aligned words: see above
        uint64_t any = 0;
#pragma GCC unroll 16
        for (uint64_t i = 0; i < size / 8; ++i) {
          uint64_t w = 0;
          std::memcpy(&w, bytes.data() + i * 8, 8);
          any |= w;
        }
        if (any == 0) {
          CountFromUser(counters, size);
          return true;
        }
      }
      uint64_t val = 0;
      std::memcpy(&val, bytes.data(), 8);  // little endian, as on x86_64
      val &= ~AlignedByteMask(align);
      uint64_t read = 1;
      for (; val == 0 && read < words; ++read) std::memcpy(&val, bytes.data() + read * 8, 8);
      CountFromUser(counters, read * 8);
      if (read == words && left % 8 != 0) val &= AlignedByteMask(left % 8);
      return val == 0;
    }
  }
  return CheckZeroedUserSlow(mem, counters, addr, size);
}

// Models include/linux/uaccess.h copy_struct_from_user(dst, ksize, src, usize), with
// ksize = dst.size():
// - usize == ksize: copy.
// - usize < ksize: copy usize bytes; zero the rest of dst.
// - usize > ksize: first check_zeroed_user() on the user bytes [ksize, usize):
//   non-zero -> E2BIG, fault -> EFAULT; then copy ksize bytes.
// - copy fault -> EFAULT.
// It enforces no size limits: callers reject too small (EINVAL) and too large
// (E2BIG, > PAGE_SIZE) sizes first, each in its own order.
[[nodiscard]] SysResult<void> CopyStructFromUser(const UserMemory& mem, CopyCounters* counters,
                                                 std::span<uint8_t> dst, uint64_t src,
                                                 uint64_t usize);

// Models include/linux/uaccess.h copy_struct_to_user(dst, usize, src, ksize,
// ignored_trailing) as of Linux 6.18, with ksize = src.size():
// - usize > ksize: first clear_user() the user bytes [ksize, usize) (fault -> EFAULT,
//   nothing else done);
// - then *ignored_trailing (if not null) = usize < ksize and some kernel byte in
//   src[usize, ksize) is non-zero: the kernel had more to say than the user's struct
//   holds;
// - then copy_to_user() min(usize, ksize) bytes (fault -> EFAULT).
//
// DIVERGES(kernel): ignored_trailing follows the kernel's documentation. The code
// as read in 6.18 computes `ksize < usize && memchr_inv(src + ksize, 0, usize - ksize)`
// — the condition inverted, reading kernel memory past src. No 6.18 caller passes a
// non-null pointer (sched_getattr passes NULL), so no user can observe it; a 2026
// patch ("uaccess/sockptr: copy_struct_ fixes") makes the code match the
// documentation. Pinned by model_copy/ignored_trailing_follows_the_documentation.
[[nodiscard]] SysResult<void> CopyStructToUser(UserMemory& mem, CopyCounters* counters,
                                               uint64_t dst, uint64_t usize,
                                               std::span<const uint8_t> src,
                                               bool* ignored_trailing);

}  // namespace sclab::model
