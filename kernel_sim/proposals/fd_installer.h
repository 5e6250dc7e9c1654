// FdInstaller is the receiving process's file table as a receive that hands out a file
// descriptor sees it (ea_notif's pidfd). It follows the kernel's two steps: reserve
// a number (get_unused_fd_flags(): EMFILE when the table is full), then either install
// the file once the copy to userspace succeeded (fd_install()) or give the number back
// (put_unused_fd()), so a failed receive leaks nothing.
#pragma once

#include "model/sys_result.h"

namespace sclab::ksim::proposals {

class FdInstaller {
 public:
  virtual ~FdInstaller() = default;
  // Reserve returns the lowest free number, or EMFILE.
  [[nodiscard]] virtual model::SysResult<int> Reserve() = 0;
  // Install makes the reserved `fd` refer to a pidfd of the notifying process.
  virtual void Install(int fd) = 0;
  // Release gives a reserved, never installed `fd` back.
  virtual void Release(int fd) = 0;
};

// CountingFdInstaller hands out numbers from `first` on (up to `limit`, exclusive) and
// counts installs and releases: the model functions' tests and the compatibility
// matrix use it in place of a process.
class CountingFdInstaller final : public FdInstaller {
 public:
  explicit CountingFdInstaller(int first = 3, int limit = 1024) : next_(first), limit_(limit) {}
  model::SysResult<int> Reserve() override {
    if (next_ >= limit_) return model::Fail(model::kEMFILE, "get_unused_fd_flags: no free fd");
    ++reserved_;
    return next_++;
  }
  void Install(int /*fd*/) override { ++installed_; }
  void Release(int /*fd*/) override {
    ++released_;
    --next_;
  }
  int installed() const { return installed_; }
  int released() const { return released_; }
  int reserved() const { return reserved_; }

 private:
  int next_;
  int limit_;
  int reserved_ = 0;
  int installed_ = 0;
  int released_ = 0;
};

}  // namespace sclab::ksim::proposals
