// Helpers shared by the bpf tests: validating a literal program that must be valid,
// and printing instructions in Boost.Test messages.
#pragma once

#include <fmt/format.h>

#include <boost/test/unit_test.hpp>
#include <optional>
#include <ostream>
#include <vector>

#include "bpf/insn.h"
#include "bpf/validator.h"

namespace sclab::bpf {

inline std::ostream& operator<<(std::ostream& os, const Insn& insn) {
  return os << fmt::format("{{0x{:04x}, {}, {}, 0x{:x}}}", insn.code, insn.jt, insn.jf, insn.k);
}

// MustValidate validates `program` and fails the test (with the kernel's reason) if
// the validator refuses it.
inline ValidatedProgram MustValidate(const std::vector<Insn>& program,
                                     const ValidateOptions& options = {}) {
  auto result = Validate(program, options);
  BOOST_REQUIRE_MESSAGE(result.ok(), "unexpectedly invalid: " +
                                         (result.ok() ? std::string() : result.error().Message()));
  return std::move(result).value();
}

}  // namespace sclab::bpf

// Boost.Test prints optional results (e.g. ConstantResult) as hex or "nullopt".
template <>
struct boost::test_tools::tt_detail::print_log_value<std::optional<uint32_t>> {
  void operator()(std::ostream& os, const std::optional<uint32_t>& v) {
    os << (v ? fmt::format("0x{:08x}", *v) : std::string("nullopt"));
  }
};
