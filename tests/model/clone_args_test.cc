// clone3's argument rules: the size matrix (E2BIG before EINVAL, the reverse of
// openat2), the copy, the set_tid/exit_signal/cgroup checks and clone3_args_valid().
#include "model/clone_args.h"

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

uint64_t PlaceArgs(UserMemory& mem, const clone_args& args, uint64_t usize) {
  return PlaceStruct(mem, BytesOf(args), usize);
}

clone_args Fork() {
  clone_args a{};
  a.exit_signal = 17;  // SIGCHLD
  return a;
}

SysResult<KernelCloneArgs> Decode(const clone_args& args, uint64_t usize = sizeof(clone_args)) {
  UserMemory mem;
  return Clone3ArgsFromUser(mem, nullptr, PlaceArgs(mem, args, usize), usize);
}

BOOST_AUTO_TEST_SUITE(model_clone_args)

BOOST_AUTO_TEST_CASE(sizes_above_page_size_are_e2big_before_anything_is_read) {
  UserMemory mem;
  CopyCounters c;
  for (uint64_t usize : {kPageSize + 1, ~uint64_t{0}}) {
    ExpectFails(CopyCloneArgsFromUser(mem, &c, kBadAddr, usize), kE2BIG,
                "clone3: usize > PAGE_SIZE");
  }
  BOOST_TEST(c == CopyCounters{});
}

BOOST_AUTO_TEST_CASE(sizes_below_ver0_are_einval) {
  UserMemory mem;
  for (uint64_t usize : {uint64_t{0}, uint64_t{1}, uint64_t{63}}) {
    ExpectFails(CopyCloneArgsFromUser(mem, nullptr, kBadAddr, usize), kEINVAL,
                "clone3: usize < CLONE_ARGS_SIZE_VER0");
  }
}

BOOST_DATA_TEST_CASE(each_published_size_and_a_zero_tail_is_accepted,
                     bdata::make({64, 72, 80, 88, 89, 96, 105, 4095, 4096}), usize_int) {
  const uint64_t usize = static_cast<uint64_t>(usize_int);
  UserMemory mem;
  clone_args args = Fork();
  args.cgroup = 5;  // dropped (zero-filled) below VER2
  const uint64_t a = PlaceArgs(mem, args, usize);
  CopyCounters c;
  SysResult<KernelCloneArgs> r = Clone3ArgsFromUser(mem, &c, a, usize);
  BOOST_TEST_REQUIRE(r.ok(), "usize " << usize << ": " << r.why());
  BOOST_TEST(r.value().usize == usize);
  BOOST_TEST(r.value().args.exit_signal == 17u);
  BOOST_TEST(r.value().args.cgroup == (usize >= 88 ? 5u : 0u));
  BOOST_TEST(c.from_user_ops == (usize > 88 ? 2u : 1u));
}

BOOST_DATA_TEST_CASE(a_non_zero_byte_anywhere_in_the_tail_is_e2big, bdata::xrange(89, 106),
                     usize_int) {
  const uint64_t usize = static_cast<uint64_t>(usize_int);
  for (uint64_t p = kCloneArgsSizeVer2; p < usize; ++p) {
    UserMemory mem;
    const uint64_t a = PlaceArgs(mem, Fork(), usize);
    const uint8_t one[1] = {0x40};
    BOOST_TEST_REQUIRE(mem.Write(a + p, one).ok());
    ExpectFails(CopyCloneArgsFromUser(mem, nullptr, a, usize), kE2BIG,
                "copy_struct_from_user: non-zero byte past ksize");
  }
}

BOOST_AUTO_TEST_CASE(faults_are_efault) {
  UserMemory mem;
  const uint64_t end = mem.AllocBuffer(0);
  BOOST_TEST(CopyCloneArgsFromUser(mem, nullptr, 0, 64).error() == kEFAULT);
  BOOST_TEST(CopyCloneArgsFromUser(mem, nullptr, kBadAddr, 88).error() == kEFAULT);
  BOOST_TEST(CopyCloneArgsFromUser(mem, nullptr, end - 60, 64).error() == kEFAULT);
  BOOST_TEST(CopyCloneArgsFromUser(mem, nullptr, end - 88, 96).error() == kEFAULT);
  const uint8_t one[1] = {1};
  BOOST_TEST_REQUIRE(mem.Write(end - 1, one).ok());
  BOOST_TEST(CopyCloneArgsFromUser(mem, nullptr, end - 96, 104).error() == kE2BIG);
  // Size checks first: E2BIG then EINVAL, neither reads.
  BOOST_TEST(CopyCloneArgsFromUser(mem, nullptr, kBadAddr, 4097).error() == kE2BIG);
  BOOST_TEST(CopyCloneArgsFromUser(mem, nullptr, kBadAddr, 63).error() == kEINVAL);
}

BOOST_AUTO_TEST_CASE(set_tid_rules) {
  clone_args a = Fork();
  a.set_tid_size = 33;
  a.set_tid = 0x1234;
  ExpectFails(Decode(a), kEINVAL, "clone3: set_tid_size > MAX_PID_NS_LEVEL");
  a = Fork();
  a.set_tid_size = 1;
  ExpectFails(Decode(a), kEINVAL, "clone3: set_tid_size without set_tid");
  a = Fork();
  a.set_tid = 0x1234;
  ExpectFails(Decode(a), kEINVAL, "clone3: set_tid without set_tid_size");
  a = Fork();
  a.set_tid = kBadAddr;
  a.set_tid_size = 2;
  ExpectFails(Decode(a), kEFAULT, "clone3: fault reading set_tid");
}

BOOST_AUTO_TEST_CASE(set_tid_is_read_as_pids) {
  UserMemory mem;
  const int32_t pids[3] = {100, 200, 300};
  const uint64_t t = mem.AllocBuffer(sizeof pids);
  BOOST_TEST_REQUIRE(mem.Write(t, BytesOf(pids)).ok());
  clone_args a = Fork();
  a.set_tid = t;
  a.set_tid_size = 3;
  CopyCounters c;
  SysResult<KernelCloneArgs> r = Clone3ArgsFromUser(mem, &c, PlaceArgs(mem, a, 88), 88);
  BOOST_TEST_REQUIRE(r.ok());
  BOOST_TEST(r.value().set_tid == std::vector<int32_t>({100, 200, 300}));
  BOOST_TEST((c == CopyCounters{0, 0, 2, 88 + 12}));
  // One pid too many runs off the mapping.
  a.set_tid_size = 4;
  BOOST_TEST(Clone3ArgsFromUser(mem, nullptr, PlaceArgs(mem, a, 88), 88).error() == kEFAULT);
}

BOOST_AUTO_TEST_CASE(exit_signal_rules) {
  clone_args a = Fork();
  a.exit_signal = 64;  // _NSIG is a valid signal number for valid_signal()
  BOOST_TEST(Decode(a).ok());
  for (uint64_t bad : {uint64_t{65}, uint64_t{255}, uint64_t{256}, uint64_t{1} << 32}) {
    a.exit_signal = bad;
    ExpectFails(Decode(a), kEINVAL, "clone3: exit_signal beyond CSIGNAL or not a valid signal");
  }
}

BOOST_AUTO_TEST_CASE(into_cgroup_needs_ver2_and_an_int) {
  clone_args a = Fork();
  a.flags = kCloneIntoCgroup;
  a.cgroup = 3;
  BOOST_TEST(Decode(a, 88).ok());
  ExpectFails(Decode(a, 80), kEINVAL,
              "clone3: CLONE_INTO_CGROUP with cgroup > INT_MAX or usize < VER2");
  a.cgroup = kIntMax + 1;
  ExpectFails(Decode(a, 88), kEINVAL,
              "clone3: CLONE_INTO_CGROUP with cgroup > INT_MAX or usize < VER2");
}

BOOST_AUTO_TEST_CASE(clone3_args_valid_rules) {
  clone_args a = Fork();
  a.flags = uint64_t{1} << 34;
  ExpectFails(Decode(a), kEINVAL, "clone3_args_valid: unknown flags");
  for (uint64_t f : {kCloneDetached, uint64_t{0x01}, uint64_t{0x7f}}) {
    a.flags = f;
    ExpectFails(Decode(a), kEINVAL, "clone3_args_valid: CLONE_DETACHED or a CSIGNAL bit");
  }
  a.flags = kCloneNewtime;  // the one CSIGNAL bit clone3 gives a meaning
  BOOST_TEST(Decode(a).ok());
  a.flags = kCloneSighand | kCloneClearSighand;
  ExpectFails(Decode(a), kEINVAL, "clone3_args_valid: CLONE_SIGHAND with CLONE_CLEAR_SIGHAND");
  a.flags = kCloneParent;
  ExpectFails(Decode(a), kEINVAL,
              "clone3_args_valid: CLONE_THREAD or CLONE_PARENT with exit_signal");
  a.exit_signal = 0;
  BOOST_TEST(Decode(a).ok());
}

BOOST_AUTO_TEST_CASE(clone3_stack_rules) {
  clone_args a = Fork();
  a.stack_size = 4096;
  ExpectFails(Decode(a), kEINVAL, "clone3_stack_valid: stack_size without stack");
  a.stack = 0x10000000;
  a.stack_size = 0;
  ExpectFails(Decode(a), kEINVAL, "clone3_stack_valid: stack without stack_size");
  a.stack_size = 8192;
  BOOST_TEST(Decode(a).ok());
  a.stack = kTaskSizeMax - 4096;
  ExpectFails(Decode(a), kEINVAL, "clone3_stack_valid: stack range fails access_ok");
}

BOOST_AUTO_TEST_CASE(copy_checks_come_before_clone3_args_valid) {
  clone_args a{};
  a.flags = kCloneDetached;  // refused by clone3_args_valid ...
  a.set_tid = kBadAddr;      // ... but the set_tid copy faults first
  a.set_tid_size = 1;
  ExpectFails(Decode(a), kEFAULT, "clone3: fault reading set_tid");
  a.exit_signal = 99;  // and exit_signal is checked before that
  ExpectFails(Decode(a), kEINVAL, "clone3: exit_signal beyond CSIGNAL or not a valid signal");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sclab::model
