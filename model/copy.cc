// The user-copy primitives and the extensible-struct rules over UserMemory.
//
// check_zeroed_user() is the subtle one. The kernel widens the range to whole
// aligned 8-byte words (`from -= from % 8; size += from % 8`), reads the first word
// and clears the bytes that lie before `addr`, then loops: while more than one word
// remains, stop if the current word is non-zero, else read the next. The last word
// has its bytes beyond the range cleared. Because it stops at the first non-zero
// word, a non-zero tail byte placed before an unmapped page makes the caller see
// E2BIG, while an all-zero tail that runs into the unmapped page is EFAULT. An
// aligned word never crosses a page, so a word read is all-or-nothing here too.
#include "model/copy.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace sclab::model {
namespace {

constexpr uint64_t kWord = 8;

}  // namespace

SysResult<void> CopyFromUserSlow(const UserMemory& mem, CopyCounters* counters,
                                 std::span<uint8_t> dst, uint64_t src) {
  if (dst.empty()) return Ok();
  const uint64_t done = AccessOk(src, dst.size()) ? mem.ReadUpTo(src, dst) : 0;
  CountFromUser(counters, done);
  if (done == dst.size()) return Ok();
  std::fill(dst.begin() + static_cast<std::ptrdiff_t>(done), dst.end(), uint8_t{0});
  return Fail(kEFAULT, "copy_from_user: fault");
}

SysResult<void> CopyToUserSlow(UserMemory& mem, CopyCounters* counters, uint64_t dst,
                               std::span<const uint8_t> src) {
  if (src.empty()) return Ok();
  const uint64_t done = AccessOk(dst, src.size()) ? mem.WriteUpTo(dst, src) : 0;
  CountToUser(counters, done);
  if (done == src.size()) return Ok();
  return Fail(kEFAULT, "copy_to_user: fault");
}

SysResult<void> ClearUser(UserMemory& mem, CopyCounters* counters, uint64_t dst, uint64_t len) {
  if (len == 0) return Ok();
  uint64_t done = 0;
  if (AccessOk(dst, len)) {
    static constexpr std::array<uint8_t, kPageSize> kZeros{};
    while (done < len) {
      const uint64_t n = std::min<uint64_t>(len - done, kZeros.size());
      const uint64_t wrote = mem.WriteUpTo(dst + done, std::span(kZeros.data(), n));
      done += wrote;
      if (wrote < n) break;
    }
  }
  CountToUser(counters, done);
  if (done == len) return Ok();
  return Fail(kEFAULT, "clear_user: fault");
}

SysResult<bool> CheckZeroedUserSlow(const UserMemory& mem, CopyCounters* counters, uint64_t addr,
                                    uint64_t size) {
  if (size == 0) return true;
  const uint64_t align = addr % kWord;
  uint64_t from = addr - align;
  uint64_t left = size + align;
  if (left < size || !AccessOk(from, left)) {
    CountFromUser(counters, 0);
    return Fail(kEFAULT, "check_zeroed_user: access_ok");
  }
  uint64_t read_bytes = 0;
  auto read_word = [&](uint64_t at, uint64_t* word) {
    std::array<uint8_t, kWord> bytes{};
    if (!mem.Read(at, bytes).ok()) return false;
    std::memcpy(word, bytes.data(), kWord);  // little endian, as on x86_64
    read_bytes += kWord;
    return true;
  };
  uint64_t val = 0;
  bool faulted = !read_word(from, &val);
  if (!faulted) {
    if (align != 0) val &= ~AlignedByteMask(align);
    while (left > kWord && val == 0) {
      from += kWord;
      left -= kWord;
      if (!read_word(from, &val)) {
        faulted = true;
        break;
      }
    }
  }
  CountFromUser(counters, read_bytes);
  if (faulted) return Fail(kEFAULT, "check_zeroed_user: fault");
  if (left < kWord) val &= AlignedByteMask(left);
  return val == 0;
}

SysResult<void> CopyStructFromUser(const UserMemory& mem, CopyCounters* counters,
                                   std::span<uint8_t> dst, uint64_t src, uint64_t usize) {
  const uint64_t ksize = dst.size();
  const uint64_t size = std::min(ksize, usize);
  if (usize < ksize) {
    std::fill(dst.begin() + static_cast<std::ptrdiff_t>(size), dst.end(), uint8_t{0});
  } else if (usize > ksize) {
    SysResult<bool> zeroed = CheckZeroedUser(mem, counters, src + size, usize - ksize);
    if (!zeroed.ok()) return Fail(kEFAULT, "copy_struct_from_user: fault in the tail");
    if (!zeroed.value()) return Fail(kE2BIG, "copy_struct_from_user: non-zero byte past ksize");
  }
  if (!CopyFromUser(mem, counters, dst.first(size), src).ok()) {
    return Fail(kEFAULT, "copy_struct_from_user: fault");
  }
  return Ok();
}

SysResult<void> CopyStructToUser(UserMemory& mem, CopyCounters* counters, uint64_t dst,
                                 uint64_t usize, std::span<const uint8_t> src,
                                 bool* ignored_trailing) {
  const uint64_t ksize = src.size();
  const uint64_t size = std::min(ksize, usize);
  if (usize > ksize && !ClearUser(mem, counters, dst + size, usize - ksize).ok()) {
    return Fail(kEFAULT, "copy_struct_to_user: fault clearing the tail");
  }
  if (ignored_trailing != nullptr) {
    const auto rest = src.subspan(size);
    *ignored_trailing =
        usize < ksize && std::any_of(rest.begin(), rest.end(), [](uint8_t b) { return b != 0; });
  }
  if (!CopyToUser(mem, counters, dst, src.first(size)).ok()) {
    return Fail(kEFAULT, "copy_struct_to_user: fault");
  }
  return Ok();
}

}  // namespace sclab::model
