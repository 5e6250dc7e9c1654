// ksim_notify_addfd: SECCOMP_IOCTL_NOTIF_ADDFD, the ioctl side (checks in order, the
// size from the ioctl number through copy_struct_from_user) and the target side
// (seccomp_handle_addfd(): LIFO, one request per wake-up, ESRCH leftovers).
#include <boost/test/unit_test.hpp>

#include "tests/kernel_sim/notify_harness.h"

namespace sclab::ksim::testing {

namespace {

uint64_t AddfdCmd(uint32_t size) {
  return (kIoctlNotifAddfd & ~kIocSizeMask) | (size << kIocSizeShift);
}

uint64_t Received(Sim& s, Notify& n) {
  uint64_t id = 0;
  SCLAB_CHECK(s.Recv(n.sup, 3, &id) == 0, "recv");
  return id;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ksim_notify_addfd)

BOOST_AUTO_TEST_CASE(the_size_comes_from_the_ioctl_number_seccomp_notify_addfd) {
  Sim s;
  Notify n(s);
  (void)n.Trigger();
  const uint64_t id = Received(s, n);
  const uint64_t a = s.Buf(n.sup, 40);
  s.PutU64(n.sup, a, id);
  s.PutU32(n.sup, a + 12, 0);  // srcfd 0
  BOOST_TEST(s.Call(n.sup, nr::kIoctl, {3, AddfdCmd(12), a}) == Err(model::kEINVAL));
  BOOST_TEST(s.Call(n.sup, nr::kIoctl, {3, AddfdCmd(4096), a}) == Err(model::kEINVAL));
  s.PutU32(n.sup, a + 28, 1);
  BOOST_TEST(s.Call(n.sup, nr::kIoctl, {3, AddfdCmd(32), a}) == Err(model::kE2BIG));
  s.PutU32(n.sup, a + 28, 0);
  BOOST_TEST(s.Call(n.sup, nr::kIoctl, {3, AddfdCmd(32), a}) == 3);
  BOOST_TEST(s.Call(n.sup, nr::kIoctl, {3, AddfdCmd(24) & ~uint64_t{kIocInout}, a}) ==
             4);  // _IOC_NONE
  BOOST_TEST(s.Call(n.sup, nr::kIoctl, {3, kIoctlNotifAddfd, model::kBadAddr}) ==
             Err(model::kEFAULT));
}

BOOST_AUTO_TEST_CASE(argument_checks_in_order_then_ebadf_enoent_einprogress) {
  Sim s;
  Notify n(s);
  (void)n.Trigger();
  const uint64_t id = s.k().FindTask(n.target)->notif.id;
  BOOST_TEST(s.Addfd(n.sup, 3, id, 0, 0, 0, 1) == Err(model::kEINVAL));  // newfd_flags
  BOOST_TEST(s.Addfd(n.sup, 3, id, 0, 0, 4) == Err(model::kEINVAL));     // flags
  BOOST_TEST(s.Addfd(n.sup, 3, id, 0, 5, 0) == Err(model::kEINVAL));     // newfd w/o SETFD
  BOOST_TEST(s.Addfd(n.sup, 3, id, 77, 0, 0) == Err(model::kEBADF));     // srcfd
  BOOST_TEST(s.Addfd(n.sup, 3, id + 1, 0, 0, 0) == Err(model::kENOENT));
  BOOST_TEST(s.Addfd(n.sup, 3, id, 0, 0, 0) == Err(model::kEINPROGRESS));  // not received
}

BOOST_AUTO_TEST_CASE(the_fd_lands_at_the_targets_lowest_free_number) {
  Sim s;
  Notify n(s);
  (void)n.Trigger();
  const uint64_t id = Received(s, n);
  BOOST_TEST(s.Addfd(n.sup, 3, id, 3) == 3);  // the listener itself, into the target
  BOOST_TEST(static_cast<int>(s.k().FindProcess(n.target)->fds.Get(3)->kind) ==
             static_cast<int>(FileKind::kListener));
  BOOST_TEST(
      s.Addfd(n.sup, 3, id, 0, 42, kAddfdFlagSetfd, static_cast<uint32_t>(model::kOCloexec)) == 42);
  BOOST_TEST(s.k().FindProcess(n.target)->fds.Find(42)->cloexec);
  BOOST_TEST(s.Addfd(n.sup, 3, id, 0, 1024, kAddfdFlagSetfd) == Err(model::kEBADF));
  BOOST_TEST(s.IdValid(n.sup, 3, id) == 0);  // plain ADDFD does not answer
}

BOOST_AUTO_TEST_CASE(addfd_send_completes_the_call_with_the_new_fd) {
  Sim s;
  Notify n(s);
  const CallHandle c = n.Trigger();
  const uint64_t id = Received(s, n);
  BOOST_TEST(s.Addfd(n.sup, 3, id, 0, 0, kAddfdFlagSend) == 3);
  BOOST_TEST(s.Status(c).ret == 3);
  BOOST_TEST(s.Send(n.sup, 3, id, 0) == Err(model::kENOENT));
}

BOOST_AUTO_TEST_CASE(emfile_in_the_target_and_a_failed_addfd_send_stays_answerable) {
  Sim s;
  Notify n(s);
  for (int i = 0; i < 1020; ++i) {
    (void)s.Call(n.target, nr::kDup, {0});
  }
  const CallHandle c = n.Trigger();
  const uint64_t id = Received(s, n);
  BOOST_TEST(s.Addfd(n.sup, 3, id, 0) == Err(model::kEMFILE));
  BOOST_TEST(s.Addfd(n.sup, 3, id, 0, 0, kAddfdFlagSend) == Err(model::kEMFILE));
  BOOST_TEST(s.IdValid(n.sup, 3, id) == 0);
  BOOST_TEST(s.Send(n.sup, 3, id, 7) == 0);
  BOOST_TEST(s.Status(c).ret == 7);
}

BOOST_AUTO_TEST_CASE(requests_are_handled_newest_first_one_per_wake_up) {
  Sim s;
  Notify n(s);
  const Pid sup2 = s.Thread(n.sup);
  (void)n.Trigger();
  const uint64_t id = Received(s, n);
  s.k().HoldTask(n.target, true);
  const CallHandle a = s.StartAddfd(n.sup, 3, id, 0);    // queued first
  const CallHandle b = s.StartAddfd(sup2, 3, id, 1023);  // queued second: handled first
  BOOST_TEST(static_cast<int>(s.Status(a).state) == kInFlight);
  s.k().HoldTask(n.target, false);
  BOOST_TEST(s.Status(b).ret == 3);
  BOOST_TEST(s.Status(a).ret == 4);
  BOOST_TEST(static_cast<int>(s.k().FindProcess(n.target)->fds.Get(3)->kind) ==
             static_cast<int>(FileKind::kChannel));
}

BOOST_AUTO_TEST_CASE(addfd_send_while_requests_are_queued_is_ebusy) {
  Sim s;
  Notify n(s);
  const Pid sup2 = s.Thread(n.sup);
  (void)n.Trigger();
  const uint64_t id = Received(s, n);
  s.k().HoldTask(n.target, true);
  const CallHandle a = s.StartAddfd(n.sup, 3, id, 0);
  BOOST_TEST(s.Addfd(sup2, 3, id, 0, 0, kAddfdFlagSend) == Err(model::kEBUSY));
  s.k().HoldTask(n.target, false);
  BOOST_TEST(s.Status(a).ret == 3);
}

BOOST_AUTO_TEST_CASE(a_reply_with_requests_queued_leaves_the_rest_esrch) {
  Sim s;
  Notify n(s);
  const Pid sup2 = s.Thread(n.sup);
  const Pid sup3 = s.Thread(n.sup);
  const CallHandle c = n.Trigger();
  const uint64_t id = Received(s, n);
  s.k().HoldTask(n.target, true);
  const CallHandle a = s.StartAddfd(n.sup, 3, id, 0);
  const CallHandle b = s.StartAddfd(sup2, 3, id, 0);
  BOOST_TEST(s.Send(sup3, 3, id, 99) == 0);
  s.k().HoldTask(n.target, false);
  BOOST_TEST(s.Status(b).ret == 3);
  BOOST_TEST(s.Status(a).ret == Err(model::kESRCH));
  BOOST_TEST(s.Status(c).ret == 99);
}

BOOST_AUTO_TEST_CASE(a_supervisor_interrupted_before_the_target_ran_withdraws_its_request) {
  Sim s;
  Notify n(s);
  const Pid other = s.Spawn();
  BOOST_TEST(s.Handle(n.sup, 10, false) == 0);
  const CallHandle c = n.Trigger();
  const uint64_t id = Received(s, n);
  s.k().HoldTask(n.target, true);
  const CallHandle a = s.StartAddfd(n.sup, 3, id, 0);
  BOOST_TEST(s.Tgkill(other, n.sup, 10) == 0);
  BOOST_TEST(s.Status(a).ret == Err(model::kEINTR));
  s.k().HoldTask(n.target, false);
  BOOST_TEST(static_cast<int>(s.Status(c).state) == kInFlight);
  BOOST_TEST(s.k().FindProcess(n.target)->fds.Get(3) == nullptr);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace sclab::ksim::testing
