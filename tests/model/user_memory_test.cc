// UserMemory: deterministic placement, EFAULT on every byte outside a mapping,
// strncpy_from_user/getname, fork copies.
#include "model/user_memory.h"

#include <boost/test/unit_test.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "tests/model/test_helpers.h"

namespace sclab::model {
namespace {

std::vector<uint8_t> Bytes(std::initializer_list<uint8_t> b) { return b; }

BOOST_AUTO_TEST_SUITE(model_user_memory)

BOOST_AUTO_TEST_CASE(buffers_end_where_their_mapping_ends) {
  UserMemory mem;
  const uint64_t a = mem.AllocBuffer(10);
  BOOST_TEST(a == 0x10000000u + 4096 - 10);
  BOOST_TEST(mem.IsMapped(a, 10));
  BOOST_TEST(!mem.IsMapped(a, 11));  // one byte past the end faults
  BOOST_TEST(mem.IsMapped(0x10000000, 4096));
  // The next mapping starts after a one-page gap.
  const uint64_t b = mem.AllocBuffer(4097);
  BOOST_TEST(b == 0x10002000u + 2 * 4096 - 4097);
  BOOST_TEST(!mem.IsMapped(0x10001000, 1));
  BOOST_TEST(mem.mapping_count() == 2u);
  BOOST_TEST(mem.mapped_bytes() == 3u * 4096);
}

BOOST_AUTO_TEST_CASE(a_zero_size_buffer_is_its_unmapped_end) {
  UserMemory mem;
  const uint64_t a = mem.AllocBuffer(0);
  BOOST_TEST(a == 0x10000000u + 4096);
  BOOST_TEST(!mem.IsMapped(a, 1));
  BOOST_TEST(mem.IsMapped(a - 1, 1));
  BOOST_TEST(mem.IsMapped(a, 0));
}

BOOST_AUTO_TEST_CASE(slot_options_give_the_execution_contract_layout) {
  // docs/execution.md: four mapped pages, one unmapped, the buffer at the end.
  UserMemory mem(UserMemoryOptions{.base = 0x20000000, .min_pages = 4, .gap_pages = 1});
  constexpr uint64_t kSlot = 5 * kPageSize;
  constexpr uint64_t kMapped = 4 * kPageSize;
  for (uint64_t k = 0; k < 3; ++k) {
    const uint64_t slot = 0x20000000 + k * kSlot;
    BOOST_TEST(mem.AllocBuffer(24) == slot + kMapped - 24);
    BOOST_TEST(mem.IsMapped(slot, kMapped));
    BOOST_TEST(!mem.IsMapped(slot + kMapped, 1));
  }
}

BOOST_AUTO_TEST_CASE(read_and_write_round_trip) {
  UserMemory mem;
  const uint64_t a = mem.AllocBuffer(8);
  BOOST_TEST(mem.Write(a, Bytes({1, 2, 3, 4, 5, 6, 7, 8})).ok());
  std::vector<uint8_t> out(8);
  BOOST_TEST(mem.Read(a, out).ok());
  BOOST_TEST(out == Bytes({1, 2, 3, 4, 5, 6, 7, 8}));
  // Bytes before the buffer are mapped zeros.
  std::vector<uint8_t> before(4, 0xff);
  BOOST_TEST(mem.Read(a - 4, before).ok());
  BOOST_TEST(before == Bytes({0, 0, 0, 0}));
}

BOOST_AUTO_TEST_CASE(a_range_running_off_the_end_is_efault_and_transfers_nothing) {
  UserMemory mem;
  const uint64_t a = mem.AllocBuffer(4);
  SysResult<void> w = mem.Write(a, Bytes({9, 9, 9, 9, 9}));
  BOOST_TEST_REQUIRE(!w.ok());
  BOOST_TEST(w.error() == kEFAULT);
  std::vector<uint8_t> out(4, 0xff);
  BOOST_TEST(mem.Read(a, out).ok());
  BOOST_TEST(out == Bytes({0, 0, 0, 0}));  // the failed write changed nothing
  std::vector<uint8_t> five(5, 0xff);
  SysResult<void> r = mem.Read(a, five);
  BOOST_TEST_REQUIRE(!r.ok());
  BOOST_TEST(r.error() == kEFAULT);
}

BOOST_AUTO_TEST_CASE(up_to_variants_transfer_the_mapped_prefix) {
  UserMemory mem;
  const uint64_t a = mem.AllocBuffer(3);
  BOOST_TEST(mem.WriteUpTo(a, Bytes({1, 2, 3, 4, 5})) == 3u);
  std::vector<uint8_t> out(5, 0xff);
  BOOST_TEST(mem.ReadUpTo(a, out) == 3u);
  BOOST_TEST(out == Bytes({1, 2, 3, 0xff, 0xff}));
  BOOST_TEST(mem.MappedPrefix(a, 100) == 3u);
  BOOST_TEST(mem.MappedPrefix(a - 4096 + 3, 5000) == 4096u);
}

BOOST_AUTO_TEST_CASE(unmapped_and_wrapping_addresses_fault) {
  UserMemory mem;
  mem.AllocBuffer(16);
  std::vector<uint8_t> one(1);
  for (uint64_t addr : {uint64_t{0}, kBadAddr, uint64_t{0x0fffffff}, ~uint64_t{0}}) {
    SysResult<void> r = mem.Read(addr, one);
    BOOST_TEST_REQUIRE(!r.ok());
    BOOST_TEST(r.error() == kEFAULT);
  }
  std::vector<uint8_t> two(2);
  BOOST_TEST(!mem.Read(~uint64_t{0}, two).ok());  // the range wraps past 2^64
  BOOST_TEST(!mem.IsMapped(~uint64_t{0}, 2));
  BOOST_TEST(mem.Read(kBadAddr, std::span<uint8_t>()).ok());  // nothing to read
}

BOOST_AUTO_TEST_CASE(read_cstring_stops_at_the_nul) {
  UserMemory mem;
  const std::string path = "/dev/null";
  const uint64_t a = mem.AllocBuffer(path.size() + 1);
  BOOST_TEST(
      mem.Write(a, std::span(reinterpret_cast<const uint8_t*>(path.c_str()), path.size() + 1))
          .ok());
  SysResult<std::string> s = mem.ReadCString(a, kPathMax);
  BOOST_TEST_REQUIRE(s.ok());
  BOOST_TEST(s.value() == path);
  SysResult<std::string> empty = mem.ReadCString(a + path.size(), kPathMax);
  BOOST_TEST_REQUIRE(empty.ok());
  BOOST_TEST(empty.value().empty());
}

BOOST_AUTO_TEST_CASE(read_cstring_faults_when_the_mapping_ends_before_the_nul) {
  UserMemory mem;
  const uint64_t a = mem.AllocBuffer(3);
  BOOST_TEST(mem.Write(a, Bytes({'a', 'b', 'c'})).ok());
  SysResult<std::string> s = mem.ReadCString(a, kPathMax);
  BOOST_TEST_REQUIRE(!s.ok());
  BOOST_TEST(s.error() == kEFAULT);
  BOOST_TEST(mem.ReadCString(kBadAddr, kPathMax).error() == kEFAULT);
}

BOOST_AUTO_TEST_CASE(read_cstring_is_enametoolong_without_a_nul_in_path_max) {
  UserMemory mem;
  // 4095 bytes and a NUL fit; 4096 non-NUL bytes do not, even if the next byte is
  // unmapped (getname never looks at it).
  const uint64_t fits = mem.AllocBuffer(kPathMax);
  std::vector<uint8_t> text(kPathMax, 'a');
  text.back() = 0;
  BOOST_TEST(mem.Write(fits, text).ok());
  SysResult<std::string> ok = mem.ReadCString(fits, kPathMax);
  BOOST_TEST_REQUIRE(ok.ok());
  BOOST_TEST(ok.value().size() == kPathMax - 1);

  const uint64_t too_long = mem.AllocBuffer(kPathMax);
  text.back() = 'a';
  BOOST_TEST(mem.Write(too_long, text).ok());
  BOOST_TEST(mem.ReadCString(too_long, kPathMax).error() == kENAMETOOLONG);
  // Shorter limits work the same way.
  BOOST_TEST(mem.ReadCString(too_long, 1).error() == kENAMETOOLONG);
  BOOST_TEST(mem.ReadCString(too_long, 0).error() == kENAMETOOLONG);
}

BOOST_AUTO_TEST_CASE(clone_is_an_independent_copy_that_allocates_on) {
  UserMemory parent;
  const uint64_t a = parent.AllocBuffer(1);
  BOOST_TEST(parent.Write(a, Bytes({7})).ok());
  UserMemory child = parent.Clone();
  BOOST_TEST(child.Write(a, Bytes({8})).ok());
  std::vector<uint8_t> out(1);
  BOOST_TEST(parent.Read(a, out).ok());
  BOOST_TEST(out[0] == 7);
  BOOST_TEST(child.Read(a, out).ok());
  BOOST_TEST(out[0] == 8);
  BOOST_TEST(child.mapped_bytes() == parent.mapped_bytes());
  // Both continue from the same next address.
  BOOST_TEST(child.AllocBuffer(1) == parent.AllocBuffer(1));
}

// Locate remembers the last two mappings it found; accesses that rotate over three
// mappings, run off a cached mapping's end, or follow a move still see exact bytes.
BOOST_AUTO_TEST_CASE(the_mapping_cache_never_changes_a_result) {
  UserMemory mem;
  const uint64_t a = mem.AllocBuffer(8);
  const uint64_t b = mem.AllocBuffer(8);
  const uint64_t c = mem.AllocBuffer(8);
  for (int round = 0; round < 3; ++round) {
    for (const uint64_t at : {a, b, c, a, a, c}) {
      BOOST_TEST(mem.Write(at, Bytes({static_cast<uint8_t>(at >> 12), 1})).ok());
      std::vector<uint8_t> out(2);
      BOOST_TEST(mem.Read(at, out).ok());
      BOOST_TEST(out[0] == static_cast<uint8_t>(at >> 12));
      std::vector<uint8_t> past(9);
      BOOST_TEST(mem.Read(at, past).error() == kEFAULT);  // one byte past the mapping
      BOOST_TEST(mem.ReadUpTo(at, past) == 8u);
    }
  }
  UserMemory moved = std::move(mem);
  std::vector<uint8_t> out(1);
  BOOST_TEST(moved.Read(b, out).ok());
  BOOST_TEST(out[0] == static_cast<uint8_t>(b >> 12));
  mem = moved.Clone();
  BOOST_TEST(moved.Write(b, Bytes({0})).ok());
  BOOST_TEST(mem.Read(b, out).ok());
  BOOST_TEST(out[0] == static_cast<uint8_t>(b >> 12));
}

BOOST_AUTO_TEST_CASE(access_ok_models_the_user_address_limit) {
  BOOST_TEST(AccessOk(0x10000000, 4096));
  BOOST_TEST(AccessOk(0, 0));
  BOOST_TEST(AccessOk(kTaskSizeMax - 2, 1));
  BOOST_TEST(!AccessOk(kTaskSizeMax - 1, 1));
  BOOST_TEST(!AccessOk(~uint64_t{0}, 2));  // wraps
  BOOST_TEST(!AccessOk(0xffff800000000000, 8));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sclab::model
