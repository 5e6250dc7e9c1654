// UserMemory is one simulated process address space: page-granular mappings at
// deterministic addresses with unmapped gaps between them, holding zero-filled bytes.
// It is what a simulated syscall reads its arguments from and writes its results to;
// the copy rules of model/copy.h are built on it.
//
// Contract:
// - Addresses are plain numbers chosen by the allocator, never host pointers. The
//   first mapping starts at `base` (0x10000000 by default); each later one starts
//   after the previous one and an unmapped gap of `gap_pages` pages.
// - AllocBuffer(size) maps a fresh region of whole pages (at least `min_pages`) and
//   returns `end - size`, so the buffer's last byte is the mapping's last byte and the
//   next byte is unmapped: "one byte past the end" faults, as it does for the live
//   backend, which places its buffers the same way. AllocBuffer(0) returns the end
//   itself, which is unmapped. With `min_pages = 4` this is the buffer slot of
//   docs/execution.md (four mapped pages, one unmapped, buffer at the end).
// - Read/Write fail with EFAULT when any byte of the range is outside a mapping
//   (including a range that starts mapped and runs off the end, and a range whose end
//   wraps past 2^64) and then transfer nothing. ReadUpTo/WriteUpTo transfer the mapped
//   prefix and say how much, for the copy rules that model a partial transfer.
// - ReadCString models strncpy_from_user() as getname() uses it.
// - kBadAddr is never mapped, here or on the live backend.
// - Clone() is fork(): an independent copy, allocator position included.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "model/sys_result.h"
#include "model/uapi.h"

namespace sclab::model {

// kBadAddr is non-NULL and below vm.mmap_min_addr, so no backend ever maps it.
inline constexpr uint64_t kBadAddr = 0x1000;

// kPathMax is PATH_MAX (include/uapi/linux/limits.h): getname() accepts a path of at
// most kPathMax - 1 bytes plus its NUL.
inline constexpr uint64_t kPathMax = 4096;

// kTaskSizeMax is x86_64's TASK_SIZE_MAX with 4-level paging: user addresses end
// below it.
inline constexpr uint64_t kTaskSizeMax = 0x7ffffffff000;

// AccessOk models arch/x86/include/asm/uaccess_64.h __access_ok() for a size not
// known at compile time: the range must not wrap and must end inside user space.
constexpr bool AccessOk(uint64_t addr, uint64_t size) {
  const uint64_t sum = addr + size;
  return sum >= addr && sum <= kTaskSizeMax - 1;
}

struct UserMemoryOptions {
  uint64_t base = 0x10000000;  // address of the first mapping
  uint64_t min_pages = 1;      // pages an AllocBuffer mapping has at least
  uint64_t gap_pages = 1;      // unmapped pages after every mapping
};

class UserMemory {
 public:
  UserMemory() : UserMemory(UserMemoryOptions{}) {}
  explicit UserMemory(const UserMemoryOptions& options);
  // A move leaves the source empty (its region cache too).
  UserMemory(UserMemory&& other) noexcept;
  UserMemory& operator=(UserMemory&& other) noexcept;
  // Copies are explicit (Clone) so that a fork is never made by accident.
  UserMemory(const UserMemory&) = delete;
  UserMemory& operator=(const UserMemory&) = delete;

  // Clone returns an independent copy of every mapping and of the allocator (fork).
  UserMemory Clone() const;

  // MapPages maps `pages` zero-filled pages at the next address and returns the start.
  // More than 1 GiB in one mapping is a programming error (SCLAB_CHECK).
  uint64_t MapPages(uint64_t pages);

  // AllocBuffer maps a region for a `size`-byte buffer and returns its address, the
  // buffer ending where the mapping ends (see the contract above).
  uint64_t AllocBuffer(uint64_t size);

  // Read copies [addr, addr + out.size()) into `out`; EFAULT (nothing copied) unless
  // every byte is mapped. An empty range always succeeds.
  // Inline: a range in one cached mapping is a Locate and a memcpy; ReadSlow does the
  // rest (and is exact on its own).
  [[nodiscard]] SysResult<void> Read(uint64_t addr, std::span<uint8_t> out) const {
    if (const uint8_t* p = Locate(addr, out.size()); p != nullptr) {
      std::memcpy(out.data(), p, out.size());
      return Ok();
    }
    return ReadSlow(addr, out);
  }
  // Write copies `in` to [addr, addr + in.size()); EFAULT (nothing written) unless
  // every byte is mapped. An empty range always succeeds. Inline like Read.
  [[nodiscard]] SysResult<void> Write(uint64_t addr, std::span<const uint8_t> in) {
    if (uint8_t* p = LocateMutable(addr, in.size()); p != nullptr) {
      std::memcpy(p, in.data(), in.size());
      return Ok();
    }
    return WriteSlow(addr, in);
  }

  // ReadUpTo / WriteUpTo transfer the longest mapped prefix of the range and return
  // its length. Inline like Read.
  uint64_t ReadUpTo(uint64_t addr, std::span<uint8_t> out) const {
    if (const uint8_t* p = Locate(addr, out.size()); p != nullptr) {
      std::memcpy(out.data(), p, out.size());
      return out.size();
    }
    return ReadUpToSlow(addr, out);
  }
  uint64_t WriteUpTo(uint64_t addr, std::span<const uint8_t> in) {
    if (uint8_t* p = LocateMutable(addr, in.size()); p != nullptr) {
      std::memcpy(p, in.data(), in.size());
      return in.size();
    }
    return WriteUpToSlow(addr, in);
  }

  // ReadSlow, WriteSlow, ReadUpToSlow and WriteUpToSlow are the general paths of the
  // four above, each exact for any range (tests pin the inline paths against them).
  [[nodiscard]] SysResult<void> ReadSlow(uint64_t addr, std::span<uint8_t> out) const;
  [[nodiscard]] SysResult<void> WriteSlow(uint64_t addr, std::span<const uint8_t> in);
  uint64_t ReadUpToSlow(uint64_t addr, std::span<uint8_t> out) const;
  uint64_t WriteUpToSlow(uint64_t addr, std::span<const uint8_t> in);

  // ReadCString models lib/strncpy_from_user.c strncpy_from_user() as fs/namei.c
  // getname() uses it: the bytes from `addr` up to the first NUL, looking at no more
  // than `max` bytes. EFAULT if a byte before the NUL is unmapped; ENAMETOOLONG if
  // the first `max` bytes hold no NUL (getname with max = kPathMax: a path of 4096
  // bytes without a NUL is too long, whatever follows). The caller decides what an
  // empty string means (getname: ENOENT unless LOOKUP_EMPTY).
  [[nodiscard]] SysResult<std::string> ReadCString(uint64_t addr, uint64_t max) const;

  // IsMapped is true when every byte of [addr, addr + len) is mapped (len 0: true).
  bool IsMapped(uint64_t addr, uint64_t len) const;

  // MappedPrefix is how many bytes from `addr` (at most `len`) are mapped in a row.
  uint64_t MappedPrefix(uint64_t addr, uint64_t len) const;

  // MappedSpan is the fast path of every access: the bytes [addr, addr + len) as one
  // span when they all lie in one mapping (the common case: a buffer is one
  // mapping), else an empty span, and the caller takes the general path. The span
  // stays valid until the UserMemory is moved or destroyed (mappings never move).
  // len 0 gives an empty span.
  std::span<const uint8_t> MappedSpan(uint64_t addr, uint64_t len) const {
    const uint8_t* p = Locate(addr, len);
    return p == nullptr ? std::span<const uint8_t>() : std::span<const uint8_t>(p, len);
  }
  std::span<uint8_t> MappedSpan(uint64_t addr, uint64_t len) {
    uint8_t* p = LocateMutable(addr, len);
    return p == nullptr ? std::span<uint8_t>() : std::span<uint8_t>(p, len);
  }

  // mapped_bytes / mapping_count: what this address space holds (memory per task).
  uint64_t mapped_bytes() const { return mapped_bytes_; }
  uint64_t mapping_count() const { return regions_.size(); }
  const UserMemoryOptions& options() const { return options_; }

 private:
  UserMemoryOptions options_;
  uint64_t next_ = 0;  // where the next mapping starts
  uint64_t mapped_bytes_ = 0;
  std::map<uint64_t, std::vector<uint8_t>> regions_;  // start -> bytes

  // LastHit is a mapping a recent lookup found. Nearly every access goes to one of
  // the two mappings the accesses before it used (a buffer is one mapping; a call
  // reads one buffer and writes another, and a notification round trip alternates
  // between its recv and its response buffer), so Locate checks both inline before
  // walking the map. Mappings never move or shrink, so they stay valid; it is a cache
  // only and changes no result.
  struct LastHit {
    uint64_t start = 0;
    uint64_t size = 0;  // 0: nothing cached
    const uint8_t* data = nullptr;

    // At is the address of [addr, addr + len) when this mapping holds all of it, else
    // nullptr (len 0: nullptr). Below `start` the offset wraps to more than any
    // mapping's size (mappings end below kTaskSizeMax); len - 1 wraps for len 0.
    const uint8_t* At(uint64_t addr, uint64_t len) const {
      const uint64_t offset = addr - start;
      return offset < size && len - 1 < size - offset ? data + offset : nullptr;
    }
  };
  // Locate is the address of [addr, addr + len) when it lies in one mapping, else
  // nullptr (len 0: nullptr). Both cached mappings are checked inline (recent_ notes
  // which one hit, for the eviction in LocateSlow); LocateSlow does the rest.
  const uint8_t* Locate(uint64_t addr, uint64_t len) const {
    if (const uint8_t* p = last_[0].At(addr, len); p != nullptr) {
      recent_ = 0;
      return p;
    }
    if (const uint8_t* p = last_[1].At(addr, len); p != nullptr) {
      recent_ = 1;
      return p;
    }
    return LocateSlow(addr, len);
  }
  // LocateMutable is Locate for a write: the bytes belong to this (non-const) object.
  uint8_t* LocateMutable(uint64_t addr, uint64_t len) {
    return const_cast<uint8_t*>(Locate(addr, len));
  }
  const uint8_t* LocateSlow(uint64_t addr, uint64_t len) const;
  mutable std::array<LastHit, 2> last_{};
  mutable uint8_t recent_ = 0;  // the entry of last_ that hit last; a miss replaces the other
};

}  // namespace sclab::model
