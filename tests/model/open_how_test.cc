// openat2's argument rules: the size matrix, the copy, and build_open_flags() check
// by check, with the first failing check deciding.
#include "model/open_how.h"

#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>
#include <cstring>
#include <string>
#include <vector>

#include "tests/model/test_helpers.h"

namespace sclab::model {
namespace {

namespace bdata = boost::unit_test::data;

uint64_t PlaceHow(UserMemory& mem, const open_how& how, uint64_t usize) {
  return PlaceStruct(mem, BytesOf(how), usize);
}

SysResult<Openat2Args> Decode(uint64_t flags, uint64_t mode = 0, uint64_t resolve = 0) {
  UserMemory mem;
  const open_how how{flags, mode, resolve};
  return Openat2ArgsFromUser(mem, nullptr, PlaceHow(mem, how, sizeof how), sizeof how);
}

BOOST_AUTO_TEST_SUITE(model_open_how)

BOOST_AUTO_TEST_CASE(sizes_below_ver0_are_einval_before_anything_is_read) {
  for (uint64_t usize : {uint64_t{0}, uint64_t{1}, uint64_t{8}, uint64_t{23}}) {
    UserMemory mem;
    CopyCounters c;
    SysResult<open_how> r = CopyOpenHowFromUser(mem, &c, kBadAddr, usize);
    BOOST_TEST_REQUIRE(!r.ok());
    BOOST_TEST(r.error() == kEINVAL);
    BOOST_TEST(std::string(r.why()) == "openat2: usize < OPEN_HOW_SIZE_VER0");
    BOOST_TEST(c == CopyCounters{});
  }
}

BOOST_AUTO_TEST_CASE(sizes_above_page_size_are_e2big_before_anything_is_read) {
  for (uint64_t usize : {kPageSize + 1, uint64_t{1} << 32, ~uint64_t{0}}) {
    UserMemory mem;
    CopyCounters c;
    SysResult<open_how> r = CopyOpenHowFromUser(mem, &c, kBadAddr, usize);
    BOOST_TEST_REQUIRE(!r.ok());
    BOOST_TEST(r.error() == kE2BIG);
    BOOST_TEST(std::string(r.why()) == "openat2: usize > PAGE_SIZE");
    BOOST_TEST(c == CopyCounters{});
  }
}

BOOST_AUTO_TEST_CASE(ver0_size_is_copied_in_one_operation) {
  UserMemory mem;
  CopyCounters c;
  const open_how how{kORdwr, 0, kResolveNoSymlinks};
  SysResult<open_how> r = CopyOpenHowFromUser(mem, &c, PlaceHow(mem, how, 24), 24);
  BOOST_TEST_REQUIRE(r.ok());
  BOOST_TEST(r.value().flags == (kORdwr | kOLargefile));  // 64-bit force_o_largefile
  BOOST_TEST(r.value().resolve == kResolveNoSymlinks);
  BOOST_TEST((c == CopyCounters{0, 0, 1, 24}));
}

BOOST_DATA_TEST_CASE(larger_sizes_with_a_zero_tail_are_accepted,
                     bdata::make({25, 26, 31, 32, 33, 40, 41, 64, 4095, 4096}), usize_int) {
  const uint64_t usize = static_cast<uint64_t>(usize_int);
  UserMemory mem;
  SysResult<Openat2Args> r =
      Openat2ArgsFromUser(mem, nullptr, PlaceHow(mem, open_how{}, usize), usize);
  BOOST_TEST(r.ok(), "usize " << usize << ": " << r.why());
}

BOOST_DATA_TEST_CASE(a_non_zero_byte_anywhere_in_the_tail_is_e2big, bdata::xrange(25, 42),
                     usize_int) {
  const uint64_t usize = static_cast<uint64_t>(usize_int);
  for (uint64_t p = kOpenHowSizeVer0; p < usize; ++p) {
    UserMemory mem;
    const uint64_t a = PlaceHow(mem, open_how{}, usize);
    const uint8_t one[1] = {1};
    BOOST_TEST_REQUIRE(mem.Write(a + p, one).ok());
    SysResult<open_how> r = CopyOpenHowFromUser(mem, nullptr, a, usize);
    BOOST_TEST_REQUIRE(!r.ok());
    BOOST_TEST(r.error() == kE2BIG, "usize " << usize << " byte " << p);
    BOOST_TEST(std::string(r.why()) == "copy_struct_from_user: non-zero byte past ksize");
  }
}

BOOST_AUTO_TEST_CASE(page_size_struct_with_a_non_zero_last_byte_is_e2big) {
  UserMemory mem;
  const uint64_t a = PlaceHow(mem, open_how{}, kPageSize);
  const uint8_t one[1] = {1};
  BOOST_TEST_REQUIRE(mem.Write(a + kPageSize - 1, one).ok());
  BOOST_TEST(CopyOpenHowFromUser(mem, nullptr, a, kPageSize).error() == kE2BIG);
}

BOOST_AUTO_TEST_CASE(faults_are_efault_and_a_non_zero_tail_before_the_fault_is_e2big) {
  UserMemory mem;
  const uint64_t end = mem.AllocBuffer(0);
  BOOST_TEST(CopyOpenHowFromUser(mem, nullptr, kBadAddr, 24).error() == kEFAULT);
  BOOST_TEST(CopyOpenHowFromUser(mem, nullptr, 0, 24).error() == kEFAULT);
  BOOST_TEST(CopyOpenHowFromUser(mem, nullptr, end - 16, 24).error() == kEFAULT);
  BOOST_TEST(CopyOpenHowFromUser(mem, nullptr, end - 24, 32).error() == kEFAULT);
  const uint8_t one[1] = {1};
  BOOST_TEST_REQUIRE(mem.Write(end - 1, one).ok());
  BOOST_TEST(CopyOpenHowFromUser(mem, nullptr, end - 32, 40).error() == kE2BIG);
  // The size checks come first: a bad pointer with a bad size is EINVAL / E2BIG.
  BOOST_TEST(CopyOpenHowFromUser(mem, nullptr, kBadAddr, 23).error() == kEINVAL);
  BOOST_TEST(CopyOpenHowFromUser(mem, nullptr, kBadAddr, 4097).error() == kE2BIG);
}

BOOST_AUTO_TEST_CASE(o_path_gets_no_o_largefile) {
  SysResult<Openat2Args> r = Decode(kOPath);
  BOOST_TEST_REQUIRE(r.ok());
  BOOST_TEST(r.value().how.flags == kOPath);
  BOOST_TEST(r.value().op.acc_mode == 0u);
  // ... and an explicit O_LARGEFILE with O_PATH is refused.
  ExpectFails(Decode(kOPath | kOLargefile), kEINVAL, "build_open_flags: O_PATH with other flags");
}

BOOST_AUTO_TEST_CASE(every_unknown_flag_bit_is_einval) {
  for (int bit = 0; bit < 64; ++bit) {
    const uint64_t flag = uint64_t{1} << bit;
    if ((flag & kValidOpenFlags) != 0) continue;
    ExpectFails(Decode(flag), kEINVAL, "build_open_flags: unknown flag bits");
  }
  ExpectFails(Decode(kORdwr | (uint64_t{1} << 32)), kEINVAL, "build_open_flags: unknown flag bits");
}

BOOST_AUTO_TEST_CASE(every_known_flag_bit_alone_is_accepted_or_refused_by_its_rule) {
  for (int bit = 0; bit < 32; ++bit) {
    const uint64_t flag = uint64_t{1} << bit;
    if ((flag & kValidOpenFlags) == 0) continue;
    SysResult<Openat2Args> r = Decode(flag);
    if (flag == kOTmpfileBit) {
      ExpectFails(r, kEINVAL, "build_open_flags: O_TMPFILE without O_DIRECTORY");
    } else {
      BOOST_TEST(r.ok(), "bit " << bit << ": " << r.why());
    }
  }
}

BOOST_AUTO_TEST_CASE(unknown_resolve_bits_are_einval) {
  for (int bit = 6; bit < 64; ++bit) {
    ExpectFails(Decode(0, 0, uint64_t{1} << bit), kEINVAL,
                "build_open_flags: unknown resolve bits");
  }
  for (uint64_t r = 1; r <= kResolveCached; r <<= 1) BOOST_TEST(Decode(0, 0, r).ok());
}

BOOST_AUTO_TEST_CASE(beneath_with_in_root_is_einval) {
  ExpectFails(Decode(0, 0, kResolveBeneath | kResolveInRoot), kEINVAL,
              "build_open_flags: RESOLVE_BENEATH with RESOLVE_IN_ROOT");
}

BOOST_AUTO_TEST_CASE(mode_rules) {
  BOOST_TEST(Decode(kOCreat, 07777).ok());
  BOOST_TEST(Decode(kOTmpfile | kORdwr, 0600).ok());
  ExpectFails(Decode(kOCreat, 010000), kEINVAL, "build_open_flags: mode bits beyond S_IALLUGO");
  ExpectFails(Decode(kOCreat, uint64_t{1} << 40), kEINVAL,
              "build_open_flags: mode bits beyond S_IALLUGO");
  ExpectFails(Decode(0, 0644), kEINVAL, "build_open_flags: mode without O_CREAT or O_TMPFILE");
  ExpectFails(Decode(kOPath, 1), kEINVAL, "build_open_flags: mode without O_CREAT or O_TMPFILE");
  SysResult<Openat2Args> r = Decode(kOCreat | kOWronly, 0640);
  BOOST_TEST_REQUIRE(r.ok());
  BOOST_TEST(r.value().op.mode == (0640u | 0100000u));
  BOOST_TEST(Decode(kORdonly).value().op.mode == 0u);
}

BOOST_AUTO_TEST_CASE(o_directory_with_o_creat_is_einval) {
  ExpectFails(Decode(kODirectory | kOCreat), kEINVAL, "build_open_flags: O_DIRECTORY with O_CREAT");
  // O_TMPFILE contains O_DIRECTORY, so O_TMPFILE|O_CREAT fails the same way.
  ExpectFails(Decode(kOTmpfile | kOCreat | kORdwr), kEINVAL,
              "build_open_flags: O_DIRECTORY with O_CREAT");
}

BOOST_AUTO_TEST_CASE(o_tmpfile_rules) {
  ExpectFails(Decode(kOTmpfileBit | kORdwr), kEINVAL,
              "build_open_flags: O_TMPFILE without O_DIRECTORY");
  ExpectFails(Decode(kOTmpfile), kEINVAL, "build_open_flags: O_TMPFILE without write access");
  BOOST_TEST(Decode(kOTmpfile | kOWronly).ok());
  BOOST_TEST(Decode(kOTmpfile | kOAccmode).ok());  // access mode 3 counts as writable
}

BOOST_AUTO_TEST_CASE(o_path_allows_only_directory_nofollow_and_cloexec) {
  BOOST_TEST(Decode(kOPath | kODirectory | kONofollow | kOCloexec).ok());
  for (uint64_t other :
       {kOWronly, kORdwr, kOCreat, kOTrunc, kOAppend, kONonblock, kOSync, kONoatime, kFasync}) {
    ExpectFails(Decode(kOPath | other), kEINVAL, "build_open_flags: O_PATH with other flags");
  }
}

BOOST_AUTO_TEST_CASE(resolve_cached_refuses_opens_that_would_write_with_eagain) {
  ExpectFails(Decode(kOTrunc, 0, kResolveCached), kEAGAIN,
              "build_open_flags: RESOLVE_CACHED with O_TRUNC, O_CREAT or O_TMPFILE");
  ExpectFails(Decode(kOCreat, 0, kResolveCached), kEAGAIN,
              "build_open_flags: RESOLVE_CACHED with O_TRUNC, O_CREAT or O_TMPFILE");
  ExpectFails(Decode(kOTmpfile | kORdwr, 0600, kResolveCached), kEAGAIN,
              "build_open_flags: RESOLVE_CACHED with O_TRUNC, O_CREAT or O_TMPFILE");
  // O_DIRECTORY alone is fine: 6.18 tests __O_TMPFILE, not O_TMPFILE (seen live).
  BOOST_TEST(Decode(kODirectory, 0, kResolveCached).ok());
}

BOOST_AUTO_TEST_CASE(the_first_failing_check_decides) {
  // Every EINVAL check comes before RESOLVE_CACHED's EAGAIN.
  ExpectFails(Decode(kOCreat | kODirectory, 0, kResolveCached), kEINVAL,
              "build_open_flags: O_DIRECTORY with O_CREAT");
  ExpectFails(Decode(kOTrunc, 0644, kResolveCached), kEINVAL,
              "build_open_flags: mode without O_CREAT or O_TMPFILE");
  // Flags before resolve before scoping before mode.
  ExpectFails(Decode(uint64_t{1} << 40, 0644, 1 << 7), kEINVAL,
              "build_open_flags: unknown flag bits");
  ExpectFails(Decode(0, 0644, (1 << 7) | kResolveBeneath | kResolveInRoot), kEINVAL,
              "build_open_flags: unknown resolve bits");
  ExpectFails(Decode(0, 0644, kResolveBeneath | kResolveInRoot), kEINVAL,
              "build_open_flags: RESOLVE_BENEATH with RESOLVE_IN_ROOT");
  // The copy's E2BIG before any flag check.
  UserMemory mem;
  const uint64_t a = mem.AllocBuffer(32);
  const open_how bad{~uint64_t{0}, 0, 0};
  BOOST_TEST_REQUIRE(mem.Write(a, BytesOf(bad)).ok());
  const uint8_t one[1] = {1};
  BOOST_TEST_REQUIRE(mem.Write(a + 31, one).ok());
  BOOST_TEST(Openat2ArgsFromUser(mem, nullptr, a, 32).error() == kE2BIG);
}

BOOST_AUTO_TEST_CASE(build_open_flags_derives_the_open_flags) {
  SysResult<Openat2Args> sync = Decode(kOSyncBit | kOWronly | kOCloexec);
  BOOST_TEST_REQUIRE(sync.ok());
  BOOST_TEST(sync.value().op.open_flag == (kOSyncBit | kODsync | kOWronly | kOLargefile));
  BOOST_TEST(sync.value().op.cloexec);
  BOOST_TEST(sync.value().op.acc_mode == kMayWrite);
  SysResult<Openat2Args> append = Decode(kOAppend | kOTrunc, 0, kResolveBeneath);
  BOOST_TEST_REQUIRE(append.ok());
  BOOST_TEST(append.value().op.acc_mode == (kMayRead | kMayWrite | kMayAppend));
  BOOST_TEST(!append.value().op.cloexec);
  BOOST_TEST(append.value().op.resolve == kResolveBeneath);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sclab::model
