#include "model/user_memory.h"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <utility>

namespace sclab::model {
namespace {

constexpr uint64_t kMaxMappingPages = (uint64_t{1} << 30) / kPageSize;

// FindRegion finds the mapping holding `addr` in `regions` (const or not), or
// nullptr; *offset is addr's index in it.
template <class Regions>
auto FindRegion(Regions& regions, uint64_t addr, uint64_t* offset)
    -> decltype(&regions.begin()->second) {
  auto it = regions.upper_bound(addr);
  if (it == regions.begin()) return nullptr;
  --it;
  const uint64_t index = addr - it->first;
  if (index >= it->second.size()) return nullptr;
  *offset = index;
  return &it->second;
}

}  // namespace

const uint8_t* UserMemory::LocateSlow(uint64_t addr, uint64_t len) const {
  if (len == 0) return nullptr;
  // A cached mapping that holds addr but not the whole range: the range leaves it, so
  // it is in no one mapping (the map walk would find the same mapping).
  if (last_[0].At(addr, 1) != nullptr || last_[1].At(addr, 1) != nullptr) return nullptr;
  uint64_t offset = 0;
  const std::vector<uint8_t>* region = FindRegion(regions_, addr, &offset);
  if (region == nullptr) return nullptr;
  recent_ ^= 1;  // replace the entry that did not hit last
  LastHit& hit = last_[recent_];
  hit = LastHit{addr - offset, region->size(), region->data()};
  return hit.At(addr, len);
}

UserMemory::UserMemory(UserMemory&& other) noexcept
    : options_(other.options_),
      next_(other.next_),
      mapped_bytes_(other.mapped_bytes_),
      regions_(std::move(other.regions_)),
      last_(std::exchange(other.last_, {})),
      recent_(std::exchange(other.recent_, 0)) {}

UserMemory& UserMemory::operator=(UserMemory&& other) noexcept {
  options_ = other.options_;
  next_ = other.next_;
  mapped_bytes_ = other.mapped_bytes_;
  regions_ = std::move(other.regions_);
  last_ = std::exchange(other.last_, {});
  recent_ = std::exchange(other.recent_, 0);
  return *this;
}

UserMemory::UserMemory(const UserMemoryOptions& options) : options_(options), next_(options.base) {
  SCLAB_CHECK(options.base % kPageSize == 0 && options.base > kBadAddr,
              "UserMemory: base must be page aligned and above kBadAddr");
}

UserMemory UserMemory::Clone() const {
  UserMemory copy(options_);
  copy.next_ = next_;
  copy.mapped_bytes_ = mapped_bytes_;
  copy.regions_ = regions_;
  return copy;
}

uint64_t UserMemory::MapPages(uint64_t pages) {
  const uint64_t start = next_;
  const uint64_t len = pages * kPageSize;
  // The runner bounds buffer sizes; a mapping this large is a programming error, not
  // something to allocate.
  SCLAB_CHECK(pages <= kMaxMappingPages, "UserMemory: mapping larger than 1 GiB");
  const uint64_t room_pages = (kTaskSizeMax - start) / kPageSize;
  SCLAB_CHECK(pages <= room_pages && options_.gap_pages <= room_pages - pages,
              "UserMemory: address space exhausted");
  if (pages > 0) regions_.emplace(start, std::vector<uint8_t>(len, 0));
  mapped_bytes_ += len;
  next_ = start + len + options_.gap_pages * kPageSize;
  return start;
}

uint64_t UserMemory::AllocBuffer(uint64_t size) {
  const uint64_t pages = std::max(options_.min_pages, (size + kPageSize - 1) / kPageSize);
  const uint64_t start = MapPages(pages);
  return start + pages * kPageSize - size;
}

uint64_t UserMemory::MappedPrefix(uint64_t addr, uint64_t len) const {
  uint64_t done = 0;
  while (done < len) {
    const uint64_t cur = addr + done;
    if (cur < addr) break;  // wrapped past 2^64: nothing is mapped there
    uint64_t offset = 0;
    const std::vector<uint8_t>* region = FindRegion(regions_, cur, &offset);
    if (region == nullptr) break;
    done += std::min(len - done, region->size() - offset);
  }
  return done;
}

bool UserMemory::IsMapped(uint64_t addr, uint64_t len) const {
  return MappedPrefix(addr, len) == len;
}

uint64_t UserMemory::ReadUpToSlow(uint64_t addr, std::span<uint8_t> out) const {
  uint64_t done = 0;
  while (done < out.size()) {
    const uint64_t cur = addr + done;
    if (cur < addr) break;
    uint64_t offset = 0;
    const std::vector<uint8_t>* region = FindRegion(regions_, cur, &offset);
    if (region == nullptr) break;
    const uint64_t n = std::min<uint64_t>(out.size() - done, region->size() - offset);
    std::memcpy(out.data() + done, region->data() + offset, n);
    done += n;
  }
  return done;
}

uint64_t UserMemory::WriteUpToSlow(uint64_t addr, std::span<const uint8_t> in) {
  uint64_t done = 0;
  while (done < in.size()) {
    const uint64_t cur = addr + done;
    if (cur < addr) break;
    uint64_t offset = 0;
    std::vector<uint8_t>* region = FindRegion(regions_, cur, &offset);
    if (region == nullptr) break;
    const uint64_t n = std::min<uint64_t>(in.size() - done, region->size() - offset);
    std::memcpy(region->data() + offset, in.data() + done, n);
    done += n;
  }
  return done;
}

SysResult<void> UserMemory::ReadSlow(uint64_t addr, std::span<uint8_t> out) const {
  if (!IsMapped(addr, out.size())) return Fail(kEFAULT, "user memory: range not mapped");
  ReadUpToSlow(addr, out);
  return Ok();
}

SysResult<void> UserMemory::WriteSlow(uint64_t addr, std::span<const uint8_t> in) {
  if (!IsMapped(addr, in.size())) return Fail(kEFAULT, "user memory: range not mapped");
  WriteUpToSlow(addr, in);
  return Ok();
}

SysResult<std::string> UserMemory::ReadCString(uint64_t addr, uint64_t max) const {
  std::string out;
  while (out.size() < max) {
    const uint64_t cur = addr + out.size();
    uint64_t offset = 0;
    const std::vector<uint8_t>* region = cur < addr ? nullptr : FindRegion(regions_, cur, &offset);
    if (region == nullptr) return Fail(kEFAULT, "strncpy_from_user: fault before the NUL");
    const uint64_t n = std::min<uint64_t>(max - out.size(), region->size() - offset);
    const auto first = region->begin() + static_cast<std::ptrdiff_t>(offset);
    const auto last = first + static_cast<std::ptrdiff_t>(n);
    const auto nul = std::find(first, last, uint8_t{0});
    out.append(first, nul);
    if (nul != last) return out;
  }
  return Fail(kENAMETOOLONG, "getname: no NUL within PATH_MAX bytes");
}

}  // namespace sclab::model
