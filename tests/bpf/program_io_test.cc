// The raw sock_filter byte format: layout, round trip, and the odd-length error.
#include <boost/test/unit_test.hpp>
#include <cstring>

#include "bpf/program_io.h"
#include "tests/bpf/test_util.h"

namespace sclab::bpf {
namespace {

BOOST_AUTO_TEST_SUITE(bpf_program_io)

BOOST_AUTO_TEST_CASE(encodes_little_endian_sock_filter_layout) {
  const std::vector<Insn> program = {
      Jump(kJeqK, 0xC000003E, 1, 2),  // jeq #AUDIT_ARCH_X86_64, +1, +2
  };
  const std::vector<uint8_t> expected = {0x15, 0x00, 0x01, 0x02, 0x3e, 0x00, 0x00, 0xc0};
  BOOST_TEST(EncodeProgram(program) == expected, boost::test_tools::per_element());
  // The in-memory struct has the same bytes on this (little-endian) host.
  uint8_t raw[8];
  std::memcpy(raw, program.data(), 8);
  BOOST_TEST(std::vector<uint8_t>(raw, raw + 8) == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(decode_inverts_encode) {
  const std::vector<Insn> program = {
      Stmt(kLdWAbs, 4),                 // ld [arch]
      Jump(kJsetK, 0xffffffff, 0, 1),   // jset #0xffffffff, +0, +1
      Stmt(kRetK, 0x7fff0000),          // ret #ALLOW
      Insn{0xffff, 0xff, 0xff, 0xffffffff},  // junk survives the round trip
  };
  auto decoded = DecodeProgram(EncodeProgram(program));
  BOOST_REQUIRE(decoded.ok());
  BOOST_TEST(decoded.value() == program, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(empty_input_is_an_empty_program) {
  auto decoded = DecodeProgram({});
  BOOST_REQUIRE(decoded.ok());
  BOOST_TEST(decoded.value().empty());
}

BOOST_AUTO_TEST_CASE(rejects_length_not_multiple_of_8) {
  const std::vector<uint8_t> bytes(13, 0);
  auto decoded = DecodeProgram(bytes);
  BOOST_REQUIRE(!decoded.ok());
  BOOST_TEST(decoded.error() == "length 13 is not a multiple of 8 (the size of struct sock_filter)");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sclab::bpf
