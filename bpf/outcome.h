// Outcome<T, E> is what a bpf/ function that can reject its input returns: either a
// value T or an error E, never both. It plays the role std::expected will play once
// the project moves past C++20; accessors follow model/sys_result.h (ok, value, error).
// Reading the wrong side is a programming error (SCLAB_CHECK).
#pragma once

#include <utility>
#include <variant>

#include "base/check.h"

namespace sclab::bpf {

// Err wraps an error value so that Outcome<T, E> can be built from it even when T
// and E are convertible to each other.
template <class E>
struct Err {
  E error;
};

template <class T, class E>
class [[nodiscard]] Outcome {
 public:
  Outcome(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT
  Outcome(Err<E> e) : v_(std::in_place_index<1>, std::move(e.error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  const T& value() const& {
    SCLAB_CHECK(ok(), "Outcome::value() on an error");
    return std::get<0>(v_);
  }
  T&& value() && {
    SCLAB_CHECK(ok(), "Outcome::value() on an error");
    return std::get<0>(std::move(v_));
  }
  const T* operator->() const { return &value(); }
  const T& operator*() const& { return value(); }

  const E& error() const& {
    SCLAB_CHECK(!ok(), "Outcome::error() on a value");
    return std::get<1>(v_);
  }

 private:
  std::variant<T, E> v_;
};

}  // namespace sclab::bpf
