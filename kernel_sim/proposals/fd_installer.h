// CountingFdInstaller is an FdInstaller (kernel_sim/proposal_hooks.h: the receiving
// process's file table as a receive that hands out a file descriptor sees it) that
// hands out numbers and counts; in the simulator the Kernel's own stands in its place.
#pragma once

#include "kernel_sim/proposal_hooks.h"
#include "model/sys_result.h"

namespace sclab::ksim::proposals {

// It hands out numbers from `first` on (up to `limit`, exclusive) and counts installs
// and releases, for the model tests and the compatibility matrix.
class CountingFdInstaller final : public FdInstaller {
 public:
  explicit CountingFdInstaller(int first = 3, int limit = 1024) : next_(first), limit_(limit) {}
  model::SysResult<int> Reserve() override {
    if (next_ >= limit_) return model::Fail(model::kEMFILE, "get_unused_fd_flags: no free fd");
    ++reserved_;
    return next_++;
  }
  void Install(int /*fd*/, uint32_t /*pid*/) override { ++installed_; }
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
