// ea_notif: the extensible notification's layouts, the checks before the wait in the
// kernel's order, copy_struct_to_user in every size pairing, the pidfd's reservation
// and release, and the compatibility matrix.
#include "kernel_sim/proposals/ea_notif/ea_notif.h"

#include <boost/test/unit_test.hpp>
#include <cstddef>

#include "kernel_sim/proposals/byte_fields.h"
#include "tests/proposals/test_helpers.h"

namespace sclab::ksim::proposals::ea_notif {
namespace {

// UserStruct places a zeroed struct of `usize` bytes with its size field set.
uint64_t UserStruct(model::UserMemory& mem, uint64_t usize) {
  std::vector<uint8_t> bytes(usize, 0);
  StoreLe(std::span(bytes), 0, static_cast<uint32_t>(usize));
  return Place(mem, bytes);
}

BOOST_AUTO_TEST_SUITE(proposals_ea_notif)

BOOST_AUTO_TEST_CASE(ver0_is_96_bytes_and_ver1_appends_the_pidfd) {
  const model::StructLayout v0 = NotifLayout(Abi::kOld);
  BOOST_TEST(v0.size == kSizeVer0);
  BOOST_TEST(v0.Holes().empty());
  BOOST_TEST(v0.FindField("data.nr")->offset == offsetof(seccomp_notif_ea, data));
  BOOST_TEST(v0.FindField("tgid")->offset == offsetof(seccomp_notif_ea, tgid));
  const model::StructLayout v1 = NotifLayout(Abi::kNew);
  BOOST_TEST(v1.size == kSizeVer1);
  BOOST_TEST(v1.Holes().empty());
  BOOST_TEST(v1.FindField("pidfd")->offset == offsetof(seccomp_notif_ea, pidfd));
  BOOST_TEST_REQUIRE(v1.versions.size() == 2u);
  BOOST_TEST(v1.versions[0].size == 96u);
  for (const model::FieldLayout& f : v0.fields) {
    if (!f.hole) BOOST_TEST(v1.FindField(f.name)->offset == f.offset, f.name);
  }
}

BOOST_AUTO_TEST_CASE(prepare_checks_size_then_zero_in_that_order) {
  model::UserMemory sup;
  ExpectFails(SeccompNotifyRecvEaPrepare(sup, nullptr, model::kBadAddr), model::kEFAULT,
              "seccomp_notify_recv_ea: get_user(size) faulted");
  ExpectFails(SeccompNotifyRecvEaPrepare(sup, nullptr, UserStruct(sup, 88)), model::kEINVAL,
              "seccomp_notify_recv_ea: size < VER0");
  std::vector<uint8_t> huge(8, 0);
  StoreLe(std::span(huge), 0, uint32_t{4097});
  ExpectFails(SeccompNotifyRecvEaPrepare(sup, nullptr, Place(sup, huge)), model::kE2BIG,
              "seccomp_notify_recv_ea: size > PAGE_SIZE");
  std::vector<uint8_t> dirty(96, 0);
  StoreLe(std::span(dirty), 0, uint32_t{96});
  dirty[40] = 1;
  ExpectFails(SeccompNotifyRecvEaPrepare(sup, nullptr, Place(sup, dirty)), model::kEINVAL,
              "seccomp_notify_recv_ea: a byte after size is not zero");
  // A size larger than the mapping: the zero check faults.
  std::vector<uint8_t> claims(96, 0);
  StoreLe(std::span(claims), 0, uint32_t{200});
  ExpectFails(SeccompNotifyRecvEaPrepare(sup, nullptr, Place(sup, claims)), model::kEFAULT,
              "seccomp_notify_recv_ea: check_zeroed_user faulted");
  model::CopyCounters c;
  auto ok = SeccompNotifyRecvEaPrepare(sup, &c, UserStruct(sup, 96));
  BOOST_TEST_REQUIRE(ok.ok());
  BOOST_TEST(ok.value().usize == 96u);
  // get_user(size), then check_zeroed_user over [4, 96): 12 words from the first.
  BOOST_TEST(c == Counters(0, 0, 2, 4 + 96));
}

// Deliver runs the second half into a fresh struct of `usize` bytes.
struct Delivery {
  StandardNotification s = MakeStandardNotification();
  model::UserMemory sup;
  CountingFdInstaller fds;
  model::CopyCounters counters;
  uint64_t buf = 0;
  model::SysResult<int> result = -1;
  std::vector<uint8_t> bytes;
  Delivery(uint64_t usize, Abi kernel, uint64_t mapped = 0) {
    buf = sup.AllocBuffer(mapped != 0 ? mapped : usize);
    result =
        SeccompNotifyRecvEaDeliver(sup, &counters, buf, RecvRequest{usize}, s.facts, kernel, &fds);
    if (result.ok()) bytes = ReadBack(sup, buf, usize);
  }
};

BOOST_AUTO_TEST_CASE(same_sizes_copy_the_whole_struct_once) {
  Delivery d(96, Abi::kOld);
  BOOST_TEST_REQUIRE(d.result.ok());
  BOOST_TEST(d.result.value() == -1);
  BOOST_TEST(d.counters == Counters(1, 96, 0, 0));
  BOOST_TEST(LoadLe<uint32_t>(d.bytes, 0) == 96u);
  BOOST_TEST(LoadLe<uint32_t>(d.bytes, 4) == kHasTgid);
  BOOST_TEST(LoadLe<uint64_t>(d.bytes, 8) == kStandardId);
  BOOST_TEST(LoadLe<uint32_t>(d.bytes, 16) == kStandardPid);
  BOOST_TEST(LoadLe<uint32_t>(d.bytes, 20) == kStandardTgid);
  BOOST_TEST(LoadLe<uint32_t>(d.bytes, 24) == 64u);
  BOOST_TEST(LoadLe<int32_t>(d.bytes, 32) == 437);  // data.nr: openat2
}

BOOST_AUTO_TEST_CASE(an_old_struct_on_a_new_kernel_gets_the_prefix_and_no_fd) {
  Delivery d(96, Abi::kNew);
  BOOST_TEST_REQUIRE(d.result.ok());
  BOOST_TEST(d.result.value() == -1);
  BOOST_TEST(d.fds.reserved() == 0);
  BOOST_TEST(LoadLe<uint32_t>(d.bytes, 0) == 96u);
  BOOST_TEST(LoadLe<uint32_t>(d.bytes, 4) == kHasTgid);
  BOOST_TEST(d.counters == Counters(1, 96, 0, 0));
}

BOOST_AUTO_TEST_CASE(a_new_struct_on_an_old_kernel_sees_the_tail_zeroed) {
  Delivery d(104, Abi::kOld);
  BOOST_TEST_REQUIRE(d.result.ok());
  BOOST_TEST(LoadLe<uint32_t>(d.bytes, 0) == 96u);  // bytes the kernel wrote
  BOOST_TEST((LoadLe<uint32_t>(d.bytes, 4) & kHasPidfd) == 0u);
  BOOST_TEST(LoadLe<int32_t>(d.bytes, 96) == 0);
  // clear_user of the 8-byte tail, then the 96 bytes.
  BOOST_TEST(d.counters == Counters(2, 104, 0, 0));
}

BOOST_AUTO_TEST_CASE(a_new_struct_on_a_new_kernel_gets_a_pidfd) {
  Delivery d(104, Abi::kNew);
  BOOST_TEST_REQUIRE(d.result.ok());
  BOOST_TEST(d.result.value() == 3);
  BOOST_TEST(d.fds.installed() == 1);
  BOOST_TEST(LoadLe<uint32_t>(d.bytes, 0) == 104u);
  BOOST_TEST(LoadLe<uint32_t>(d.bytes, 4) == (kHasTgid | kHasPidfd));
  BOOST_TEST(LoadLe<int32_t>(d.bytes, 96) == 3);
}

BOOST_AUTO_TEST_CASE(a_larger_struct_is_zero_filled_past_the_kernels) {
  Delivery d(256, Abi::kNew);
  BOOST_TEST_REQUIRE(d.result.ok());
  BOOST_TEST(LoadLe<uint32_t>(d.bytes, 0) == 104u);
  for (size_t i = 104; i < 256; ++i) BOOST_TEST(d.bytes[i] == 0);
}

BOOST_AUTO_TEST_CASE(a_full_fd_table_is_emfile_and_writes_nothing) {
  StandardNotification s = MakeStandardNotification();
  model::UserMemory sup;
  CountingFdInstaller full(1024, 1024);
  model::CopyCounters c;
  const uint64_t buf = sup.AllocBuffer(104);
  ExpectFails(SeccompNotifyRecvEaDeliver(sup, &c, buf, RecvRequest{104}, s.facts, Abi::kNew, &full),
              model::kEMFILE,
              "seccomp_notify_recv_ea: no fd for the pidfd; the notification is INIT again");
  BOOST_TEST(c == Counters(0, 0, 0, 0));
}

BOOST_AUTO_TEST_CASE(a_fault_releases_the_reserved_pidfd) {
  Delivery d(200, Abi::kNew, 104);
  ExpectFails(
      d.result, model::kEFAULT,
      "seccomp_notify_recv_ea: copy_struct_to_user faulted; the notification is INIT again");
  BOOST_TEST(d.fds.reserved() == 1);
  BOOST_TEST(d.fds.released() == 1);
  BOOST_TEST(d.fds.installed() == 0);
}

BOOST_AUTO_TEST_CASE(compat_new_userspace_knows_from_size_and_flags) {
  ExpectLabels(Plugin(), {"works", "works", "degrades", "works"});
  BOOST_TEST(Plugin().Compat(Abi::kNew, Abi::kOld).detail ==
             "no pidfd: size says 96 bytes and flags lacks HAS_PIDFD");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sclab::ksim::proposals::ea_notif
