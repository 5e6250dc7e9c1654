// UserMemory: deterministic placement, EFAULT on every byte outside a mapping,
// strncpy_from_user/getname, fork copies.
#include "model/user_memory.h"

#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "tests/model/test_helpers.h"

namespace sclab::model {
namespace {

namespace bdata = boost::unit_test::data;

std::vector<uint8_t> Bytes(std::initializer_list<uint8_t> b) { return b; }

// TwoPages maps two one-page mappings `gap_pages` apart and fills each byte with
// (its offset from the first mapping) % 251 + 1, so every byte read is checkable.
struct TwoPages {
  explicit TwoPages(uint64_t gap_pages) : mem(UserMemoryOptions{.gap_pages = gap_pages}) {
    a = mem.MapPages(1);
    b = mem.MapPages(1);
    for (const uint64_t page : {a, b}) {
      std::vector<uint8_t> bytes(kPageSize);
      for (uint64_t i = 0; i < kPageSize; ++i) bytes[i] = Expected(page + i);
      BOOST_TEST_REQUIRE(mem.Write(page, bytes).ok());
    }
  }
  uint8_t Expected(uint64_t addr) const { return static_cast<uint8_t>((addr - a) % 251 + 1); }

  UserMemory mem;
  uint64_t a = 0;
  uint64_t b = 0;
};

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

// With no gap the two mappings touch: a range across the boundary is mapped (it is in
// no one mapping, so the inline paths hand it to the slow ones), and it stays so
// after each side has been cached.
BOOST_AUTO_TEST_CASE(a_range_across_two_touching_mappings_is_read_and_written_whole) {
  TwoPages two(0);
  BOOST_TEST_REQUIRE(two.b == two.a + kPageSize);
  const uint64_t at = two.b - 3;
  std::vector<uint8_t> in1(2);
  BOOST_TEST(two.mem.Read(two.a, in1).ok());  // caches the first mapping
  BOOST_TEST(in1 == Bytes({1, 2}));
  BOOST_TEST(two.mem.Read(two.b, in1).ok());  // and the second: 4096 % 251 = 80
  BOOST_TEST(in1 == Bytes({81, 82}));
  BOOST_TEST(two.mem.Write(at, Bytes({10, 11, 12, 13, 14, 15})).ok());
  std::vector<uint8_t> out(8, 0xff);
  BOOST_TEST(two.mem.Read(at - 1, out).ok());
  BOOST_TEST(out == Bytes({77, 10, 11, 12, 13, 14, 15, 84}));
  std::vector<uint8_t> up_to(8, 0xff);
  BOOST_TEST(two.mem.ReadUpTo(at - 1, up_to) == 8u);
  BOOST_TEST(up_to == out);
  BOOST_TEST(two.mem.WriteUpTo(at, Bytes({20, 21, 22, 23})) == 4u);
  BOOST_TEST(two.mem.Read(at - 1, out).ok());
  BOOST_TEST(out == Bytes({77, 20, 21, 22, 23, 14, 15, 84}));
}

// A range ending one byte past a cached mapping: Read/Write fault and transfer
// nothing; the UpTo variants transfer exactly the mapped bytes.
BOOST_AUTO_TEST_CASE(one_byte_past_a_cached_mapping_faults_exactly) {
  TwoPages two(1);
  const uint64_t end = two.a + kPageSize;
  std::vector<uint8_t> four(4, 0xff);
  BOOST_TEST(two.mem.Read(end - 4, four).ok());  // the mapping is now cached
  BOOST_TEST(four == Bytes({77, 78, 79, 80}));   // (4092 .. 4095) % 251 + 1
  std::vector<uint8_t> five(5, 0xff);
  SysResult<void> r = two.mem.Read(end - 4, five);
  BOOST_TEST_REQUIRE(!r.ok());
  BOOST_TEST(r.error() == kEFAULT);
  BOOST_TEST(five == Bytes({0xff, 0xff, 0xff, 0xff, 0xff}));
  BOOST_TEST(two.mem.ReadUpTo(end - 4, five) == 4u);
  BOOST_TEST(five == Bytes({77, 78, 79, 80, 0xff}));
  SysResult<void> w = two.mem.Write(end - 4, Bytes({1, 1, 1, 1, 1}));
  BOOST_TEST_REQUIRE(!w.ok());
  BOOST_TEST(w.error() == kEFAULT);
  BOOST_TEST(two.mem.Read(end - 4, four).ok());
  BOOST_TEST(four == Bytes({77, 78, 79, 80}));
  BOOST_TEST(two.mem.WriteUpTo(end - 4, Bytes({5, 6, 7, 8, 9})) == 4u);
  BOOST_TEST(two.mem.Read(end - 4, four).ok());
  BOOST_TEST(four == Bytes({5, 6, 7, 8}));
  // The unmapped page after it, and a range starting there, transfer nothing.
  BOOST_TEST(two.mem.ReadUpTo(end, five) == 0u);
  BOOST_TEST(two.mem.Read(end, five).error() == kEFAULT);
}

// Every range of 0..12 bytes starting within 12 bytes of either edge of either
// mapping, with and without a gap between them: the inline Read/Write/ReadUpTo/
// WriteUpTo give exactly what their slow paths give, whatever the cache holds (the
// same UserMemory serves every range, so both cache entries keep changing).
BOOST_DATA_TEST_CASE(inline_paths_match_the_slow_paths_at_every_edge, bdata::make({0, 1}),
                     gap_pages) {
  TwoPages fast(static_cast<uint64_t>(gap_pages));
  TwoPages slow(static_cast<uint64_t>(gap_pages));
  std::vector<uint64_t> starts;
  for (const uint64_t edge : {fast.a, fast.a + kPageSize, fast.b, fast.b + kPageSize}) {
    for (uint64_t at = edge - 12; at <= edge + 12; ++at) starts.push_back(at);
  }
  uint8_t stamp = 0;
  for (const uint64_t at : starts) {
    for (uint64_t len = 0; len <= 12; ++len) {
      std::vector<uint8_t> got(len, 0xee);
      std::vector<uint8_t> want(len, 0xee);
      const SysResult<void> r = fast.mem.Read(at, got);
      const SysResult<void> rs = slow.mem.ReadSlow(at, want);
      BOOST_TEST_REQUIRE(r.ok() == rs.ok(), "Read at " << at << " len " << len);
      BOOST_TEST(got == want);
      BOOST_TEST(fast.mem.ReadUpTo(at, got) == slow.mem.ReadUpToSlow(at, want));
      BOOST_TEST(got == want);
      std::vector<uint8_t> in(len, ++stamp);
      const SysResult<void> w = fast.mem.Write(at, in);
      const SysResult<void> ws = slow.mem.WriteSlow(at, in);
      BOOST_TEST_REQUIRE(w.ok() == ws.ok(), "Write at " << at << " len " << len);
      in.assign(len, ++stamp);
      BOOST_TEST(fast.mem.WriteUpTo(at, in) == slow.mem.WriteUpToSlow(at, in));
    }
  }
  // Same writes, same bytes: compare both mappings whole.
  for (const uint64_t page : {fast.a, fast.b}) {
    std::vector<uint8_t> got(kPageSize);
    std::vector<uint8_t> want(kPageSize);
    BOOST_TEST(fast.mem.ReadSlow(page, got).ok());
    BOOST_TEST(slow.mem.ReadSlow(page, want).ok());
    BOOST_TEST(got == want);
  }
}

// Accesses that alternate between two mappings hit the second cache entry; a third
// mapping then replaces the entry that did not hit last. Every result stays exact.
BOOST_AUTO_TEST_CASE(alternating_mappings_and_an_eviction_keep_exact_bytes) {
  UserMemory mem;
  const uint64_t a = mem.AllocBuffer(4);
  const uint64_t b = mem.AllocBuffer(4);
  const uint64_t c = mem.AllocBuffer(4);
  BOOST_TEST(mem.Write(a, Bytes({1, 1, 1, 1})).ok());
  BOOST_TEST(mem.Write(b, Bytes({2, 2, 2, 2})).ok());
  BOOST_TEST(mem.Write(c, Bytes({3, 3, 3, 3})).ok());
  std::vector<uint8_t> out(4);
  for (const uint64_t at : {a, b, a, b, b, c, b, a, c, c, a, b}) {
    BOOST_TEST(mem.Read(at, out).ok());
    const auto v = static_cast<uint8_t>(at == a ? 1 : at == b ? 2 : 3);
    BOOST_TEST(out == std::vector<uint8_t>(4, v));
    std::vector<uint8_t> past(5);
    BOOST_TEST(mem.Read(at, past).error() == kEFAULT);
    BOOST_TEST(mem.Read(at - 4092, out).ok());  // the mapping's first bytes: zero
    BOOST_TEST(out == Bytes({0, 0, 0, 0}));
  }
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
