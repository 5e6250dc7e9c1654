// today: the baseline's layouts (and the one way they can grow), RECV's all-zero rule,
// GET_NOTIF_SIZES, process_vm_readv's checks and counts, and the compatibility matrix.
#include "kernel_sim/proposals/today/today.h"

#include <boost/test/unit_test.hpp>
#include <cstddef>

#include "kernel_sim/proposals/byte_fields.h"
#include "tests/proposals/test_helpers.h"

namespace sclab::ksim::proposals::today {
namespace {

BOOST_AUTO_TEST_SUITE(proposals_today)

BOOST_AUTO_TEST_CASE(the_old_layout_is_the_kernels_and_the_new_one_appends_tgid) {
  const model::StructLayout old_notif = NotifLayout(Abi::kOld);
  BOOST_TEST(old_notif.size == 80u);
  const model::StructLayout new_notif = NotifLayout(Abi::kNew);
  BOOST_TEST(new_notif.size == 88u);
  BOOST_TEST(new_notif.FindField("tgid")->offset == offsetof(seccomp_notif_v2, tgid));
  BOOST_TEST(new_notif.FindField("__reserved")->offset == offsetof(seccomp_notif_v2, reserved));
  BOOST_TEST(new_notif.FindField("data.args")->offset == 32u);
  BOOST_TEST(new_notif.Holes().empty());
  // Every field of the old struct keeps its offset.
  for (const model::FieldLayout& f : old_notif.fields) {
    BOOST_TEST(new_notif.FindField(f.name)->offset == f.offset, f.name);
  }
}

BOOST_AUTO_TEST_CASE(the_grown_recv_is_a_new_ioctl_number) {
  BOOST_TEST(kIoctlNotifRecvV2 != kIoctlNotifRecv);
  BOOST_TEST(KnowsIoctl(Abi::kOld, kIoctlNotifRecv));
  BOOST_TEST(!KnowsIoctl(Abi::kOld, kIoctlNotifRecvV2));
  BOOST_TEST(KnowsIoctl(Abi::kNew, kIoctlNotifRecvV2));
  BOOST_TEST(KnowsIoctl(Abi::kNew, kIoctlNotifRecv));
  BOOST_TEST(KnowsIoctl(Abi::kOld, 0x40182103));  // ADDFD VER0
  BOOST_TEST(KnowsIoctl(Abi::kOld, 0x40202103));  // ADDFD at 32 bytes (EA_IOCTL)
  BOOST_TEST(!KnowsIoctl(Abi::kOld, 0xC0182103));
}

BOOST_AUTO_TEST_CASE(recv_copies_80_bytes_after_checking_that_they_are_zero) {
  StandardNotification s = MakeStandardNotification();
  model::UserMemory sup;
  const uint64_t buf = sup.AllocBuffer(kSizeofNotif);
  model::CopyCounters c;
  BOOST_TEST_REQUIRE(SeccompNotifyRecv(sup, &c, buf, kSizeofNotif, s.facts).ok());
  // check_zeroed_user reads 10 words; copy_to_user writes 80 bytes.
  BOOST_TEST(c == Counters(1, 80, 1, 80));
  const auto bytes = ReadBack(sup, buf, kSizeofNotif);
  BOOST_TEST(LoadLe<uint64_t>(bytes, 0) == kStandardId);
  BOOST_TEST(LoadLe<uint32_t>(bytes, 8) == kStandardPid);
  BOOST_TEST(LoadLe<uint64_t>(bytes, 48) == s.how_addr);  // data.args[2]
}

BOOST_AUTO_TEST_CASE(recv_v2_writes_tgid_at_80) {
  StandardNotification s = MakeStandardNotification();
  model::UserMemory sup;
  const uint64_t buf = sup.AllocBuffer(kSizeofNotifV2);
  BOOST_TEST_REQUIRE(SeccompNotifyRecv(sup, nullptr, buf, kSizeofNotifV2, s.facts).ok());
  const auto bytes = ReadBack(sup, buf, kSizeofNotifV2);
  BOOST_TEST(LoadLe<uint32_t>(bytes, 80) == kStandardTgid);
  BOOST_TEST(LoadLe<uint32_t>(bytes, 84) == 0u);
}

BOOST_AUTO_TEST_CASE(recv_refuses_a_buffer_that_is_not_zero_and_faults) {
  StandardNotification s = MakeStandardNotification();
  model::UserMemory sup;
  std::vector<uint8_t> dirty(kSizeofNotif, 0);
  dirty[79] = 1;
  const uint64_t buf = Place(sup, dirty);
  ExpectFails(SeccompNotifyRecv(sup, nullptr, buf, kSizeofNotif, s.facts), model::kEINVAL,
              "seccomp_notify_recv: the buffer is not all zero");
  ExpectFails(SeccompNotifyRecv(sup, nullptr, model::kBadAddr, kSizeofNotif, s.facts),
              model::kEFAULT, "seccomp_notify_recv: check_zeroed_user faulted");
}

BOOST_AUTO_TEST_CASE(get_notif_sizes_reports_the_abi_size) {
  model::UserMemory sup;
  const uint64_t buf = sup.AllocBuffer(6);
  model::CopyCounters c;
  BOOST_TEST_REQUIRE(SeccompGetNotifSizes(sup, &c, buf, Abi::kOld).ok());
  BOOST_TEST(c == Counters(1, 6, 0, 0));
  BOOST_TEST(LoadLe<uint16_t>(ReadBack(sup, buf, 6), 0) == 80);
  BOOST_TEST_REQUIRE(SeccompGetNotifSizes(sup, nullptr, buf, Abi::kNew).ok());
  const auto sizes = ReadBack(sup, buf, 6);
  BOOST_TEST(LoadLe<uint16_t>(sizes, 0) == 88);
  BOOST_TEST(LoadLe<uint16_t>(sizes, 2) == 24);
  BOOST_TEST(LoadLe<uint16_t>(sizes, 4) == 64);
  ExpectFails(SeccompGetNotifSizes(sup, nullptr, model::kBadAddr, Abi::kOld), model::kEFAULT,
              "seccomp_get_notif_sizes: copy_to_user faulted");
}

// VmReadvSetup is a supervisor with one local and one remote iovec for the standard
// open_how.
struct VmReadvSetup {
  StandardNotification s = MakeStandardNotification();
  model::UserMemory sup;
  uint64_t local = 0;
  uint64_t lvec = 0;
  uint64_t rvec = 0;
  VmReadvSetup() {
    local = sup.AllocBuffer(sizeof(model::open_how));
    const iovec l{local, sizeof(model::open_how)};
    const iovec r{s.how_addr, sizeof(model::open_how)};
    lvec = Place(sup, model::BytesOf(l));
    rvec = Place(sup, model::BytesOf(r));
  }
};

BOOST_AUTO_TEST_CASE(process_vm_readv_reads_open_how_in_four_operations) {
  VmReadvSetup v;
  model::CopyCounters c;
  auto n = ProcessVmReadv(v.sup, v.s.target, &c, v.lvec, 1, v.rvec, 1, 0, true);
  BOOST_TEST_REQUIRE(n.ok());
  BOOST_TEST(n.value() == 24u);
  // Two iovec arrays and the target's bytes in; the bytes out.
  BOOST_TEST(c == Counters(1, 24, 3, 56));
  const auto how = LoadLe<model::open_how>(ReadBack(v.sup, v.local, 24), 0);
  BOOST_TEST(how.flags == v.s.how.flags);
  BOOST_TEST(how.resolve == v.s.how.resolve);
}

BOOST_AUTO_TEST_CASE(process_vm_readv_checks_in_the_kernels_order) {
  VmReadvSetup v;
  ExpectFails(
      ProcessVmReadv(v.sup, v.s.target, nullptr, model::kBadAddr, 1, model::kBadAddr, 1, 1, false),
      model::kEINVAL, "process_vm_rw: flags != 0");
  ExpectFails(
      ProcessVmReadv(v.sup, v.s.target, nullptr, v.lvec, kUioMaxiov + 1, v.rvec, 1, 0, true),
      model::kEINVAL, "iovec_from_user: more than UIO_MAXIOV");
  ExpectFails(ProcessVmReadv(v.sup, v.s.target, nullptr, model::kBadAddr, 1, v.rvec, 1, 0, true),
              model::kEFAULT, "iovec_from_user: copy_from_user faulted");
  // Nothing to read: 0 before the remote array is even looked at.
  auto none = ProcessVmReadv(v.sup, v.s.target, nullptr, v.lvec, 0, model::kBadAddr, 1, 0, false);
  BOOST_TEST_REQUIRE(none.ok());
  BOOST_TEST(none.value() == 0u);
  ExpectFails(ProcessVmReadv(v.sup, v.s.target, nullptr, v.lvec, 1, model::kBadAddr, 1, 0, true),
              model::kEFAULT, "iovec_from_user: copy_from_user faulted");
  ExpectFails(ProcessVmReadv(v.sup, v.s.target, nullptr, v.lvec, 1, v.rvec, 1, 0, false),
              model::kEPERM, "mm_access: PTRACE_MODE_ATTACH_REALCREDS refused");
  const iovec bad{model::kBadAddr, 24};
  const uint64_t bad_rvec = Place(v.sup, model::BytesOf(bad));
  ExpectFails(ProcessVmReadv(v.sup, v.s.target, nullptr, v.lvec, 1, bad_rvec, 1, 0, true),
              model::kEFAULT, "process_vm_rw_single_vec: the target's range is not mapped");
}

BOOST_AUTO_TEST_CASE(process_vm_readv_returns_the_bytes_before_a_fault) {
  VmReadvSetup v;
  // The open_how ends its mapping: ask for 8 bytes more than it has.
  const iovec r{v.s.how_addr, 32};
  const uint64_t rvec = Place(v.sup, model::BytesOf(r));
  const uint64_t big = v.sup.AllocBuffer(32);
  const iovec l{big, 32};
  const uint64_t lvec = Place(v.sup, model::BytesOf(l));
  auto n = ProcessVmReadv(v.sup, v.s.target, nullptr, lvec, 1, rvec, 1, 0, true);
  BOOST_TEST_REQUIRE(n.ok());
  BOOST_TEST(n.value() == 24u);
}

BOOST_AUTO_TEST_CASE(compat_new_userspace_falls_back_on_an_old_kernel) {
  // old user on old and new kernels, new user on old and new kernels
  ExpectLabels(Plugin(), {"works", "works", "degrades (EINVAL)", "works"});
  BOOST_TEST(Plugin().Compat(Abi::kNew, Abi::kOld).detail ==
             "no tgid: RECV 0xC0582100 is EINVAL, so it fell back to the 80-byte RECV");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sclab::ksim::proposals::today
