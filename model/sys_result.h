// SysResult<T> is the return type of every simulated syscall and of every model
// function reachable from one: a value, or an errno together with a short static
// reason naming the kernel check that produced it
// ("seccomp_prepare_filter: no NNP and no CAP_SYS_ADMIN"). No exception crosses a
// simulated-syscall boundary; only the dispatcher turns a SysResult into -errno.
#pragma once

#include <utility>
#include <variant>

#include "base/check.h"
#include "model/errno.h"

namespace sclab::model {

// Failure is an errno and why it happened. `why` points to static storage.
struct Failure {
  Errno err;
  const char* why = "";
};

// Fail builds a Failure; `why` must be a string literal (or otherwise static).
constexpr Failure Fail(Errno err, const char* why = "") { return Failure{err, why}; }

template <class T>
class [[nodiscard]] SysResult {
 public:
  SysResult(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  SysResult(Failure f) : v_(f) {}               // NOLINT(google-explicit-constructor)
  SysResult(Errno e) : v_(Failure{e, ""}) {}    // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  const T& value() const& {
    SCLAB_CHECK(ok(), "SysResult::value() on an error");
    return std::get<0>(v_);
  }
  T&& value() && {
    SCLAB_CHECK(ok(), "SysResult::value() on an error");
    return std::get<0>(std::move(v_));
  }
  T value_or(T fallback) const { return ok() ? std::get<0>(v_) : fallback; }
  Errno error() const {
    SCLAB_CHECK(!ok(), "SysResult::error() on a value");
    return std::get<1>(v_).err;
  }
  const char* why() const { return ok() ? "" : std::get<1>(v_).why; }
  Failure failure() const {
    SCLAB_CHECK(!ok(), "SysResult::failure() on a value");
    return std::get<1>(v_);
  }

 private:
  std::variant<T, Failure> v_;
};

template <>
class [[nodiscard]] SysResult<void> {
 public:
  SysResult() = default;
  SysResult(Failure f) : failed_(true), f_(f) {}              // NOLINT(google-explicit-constructor)
  SysResult(Errno e) : failed_(true), f_(Failure{e, ""}) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return !failed_; }
  Errno error() const {
    SCLAB_CHECK(failed_, "SysResult<void>::error() on success");
    return f_.err;
  }
  const char* why() const { return failed_ ? f_.why : ""; }
  Failure failure() const {
    SCLAB_CHECK(failed_, "SysResult<void>::failure() on success");
    return f_;
  }

 private:
  bool failed_ = false;
  Failure f_{};
};

// Ok is the successful SysResult<void>.
inline SysResult<void> Ok() { return {}; }

}  // namespace sclab::model
