#include "kernel_sim/file.h"

#include <algorithm>

#include "base/check.h"

namespace sclab::ksim {
namespace {

bool FdLess(const FdTable::Slot& slot, int fd) { return slot.fd < fd; }

}  // namespace

const FdTable::Slot* FdTable::Find(int fd) const {
  auto it = std::lower_bound(slots_.begin(), slots_.end(), fd, FdLess);
  return it != slots_.end() && it->fd == fd ? &*it : nullptr;
}

FdTable::Slot* FdTable::Find(int fd) {
  auto it = std::lower_bound(slots_.begin(), slots_.end(), fd, FdLess);
  return it != slots_.end() && it->fd == fd ? &*it : nullptr;
}

// Models fs/file.c alloc_fd(0, limit): the lowest number not in open_fds.
// The open fds are sorted and distinct, so slot i holds fd i exactly for a prefix of
// the slots, and the first slot past it is the first gap: a binary search, where the
// kernel's find_next_fd() scans a bitmap from files->next_fd.
int FdTable::LowestFree(int limit) const {
  const auto gap = std::partition_point(slots_.begin(), slots_.end(), [&](const Slot& slot) {
    return slot.fd == static_cast<int>(&slot - slots_.data());
  });
  const int want = static_cast<int>(gap - slots_.begin());
  return want < limit ? want : -1;
}

void FdTable::Install(int fd, File* file, bool cloexec) {
  auto it = std::lower_bound(slots_.begin(), slots_.end(), fd, FdLess);
  SCLAB_CHECK(it == slots_.end() || it->fd != fd, "FdTable::Install on an open descriptor");
  slots_.insert(it, Slot{fd, file, cloexec});
}

File* FdTable::Replace(int fd, File* file, bool cloexec) {
  Slot* slot = Find(fd);
  if (slot == nullptr) {
    Install(fd, file, cloexec);
    return nullptr;
  }
  File* old = slot->file;
  slot->file = file;
  slot->cloexec = cloexec;
  return old;
}

File* FdTable::Remove(int fd) {
  auto it = std::lower_bound(slots_.begin(), slots_.end(), fd, FdLess);
  if (it == slots_.end() || it->fd != fd) {
    return nullptr;
  }
  File* file = it->file;
  slots_.erase(it);
  return file;
}

}  // namespace sclab::ksim
