// Shared helpers for the model tests: Boost.Test printers for model types (found by
// argument-dependent lookup), struct placement in user memory, failure checks.
#pragma once

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "model/copy.h"
#include "model/errno.h"
#include "model/sys_result.h"
#include "model/user_memory.h"

namespace sclab::model {

inline std::ostream& operator<<(std::ostream& os, Errno e) {
  return os << ErrnoName(e) << " (" << e.value << ")";
}

inline std::ostream& operator<<(std::ostream& os, const CopyCounters& c) {
  return os << "{to " << c.to_user_ops << " ops/" << c.to_user_bytes << " B, from "
            << c.from_user_ops << " ops/" << c.from_user_bytes << " B}";
}

// PlaceStruct writes the first `usize` bytes of `object` (zero bytes past its end) at
// the end of a fresh mapping and returns their address.
inline uint64_t PlaceStruct(UserMemory& mem, std::span<const uint8_t> object, uint64_t usize) {
  const uint64_t a = mem.AllocBuffer(usize);
  std::vector<uint8_t> bytes(usize, 0);
  std::copy_n(object.begin(), std::min<uint64_t>(usize, object.size()), bytes.begin());
  BOOST_TEST_REQUIRE(mem.Write(a, bytes).ok());
  return a;
}

// ExpectFails checks that `r` failed with `err` for the reason `why`.
template <class Result>
void ExpectFails(const Result& r, Errno err, const std::string& why) {
  BOOST_TEST_REQUIRE(!r.ok());
  BOOST_TEST(r.error() == err);
  BOOST_TEST(std::string(r.why()) == why);
}

}  // namespace sclab::model
