// Normalisation (docs/execution.md §5): every kind of number and how it is named.
#include "scenarios/normalizer.h"

#include <boost/test/unit_test.hpp>

namespace sclab::scn {
namespace {

BOOST_AUTO_TEST_SUITE(scn_normalizer)

BOOST_AUTO_TEST_CASE(pids_and_tids_become_task_names) {
  Normalizer n;
  n.AddTask("runner", 100);
  n.AddTask("target", 4242);
  n.AddTask("t2", 4250);
  BOOST_TEST(n.Pid(4242) == "target");
  BOOST_TEST(n.Pid(4250) == "t2");
  BOOST_TEST(n.Pid(100) == "runner");
  BOOST_TEST(n.Pid(0) == "0");
  BOOST_TEST(n.Pid(-1) == "-1");
  BOOST_TEST(n.Render(4242, ValueKind::kPid) == "target");
  BOOST_TEST(n.Render(4242, ValueKind::kPlain) == "4242");
}

BOOST_AUTO_TEST_CASE(notification_ids_become_binding_names_or_the_nearest_plus_k) {
  Normalizer n;
  BOOST_TEST(n.Id(77) == "77");  // no notification received yet
  n.AddNotification("n1", 0x9000000000000005);
  n.AddNotification("n2", 0x9000000000000006);
  n.AddNotification("other", 0x10);
  BOOST_TEST(n.Id(0x9000000000000005) == "n1");
  BOOST_TEST(n.Id(0x9000000000000006) == "n2");
  BOOST_TEST(n.Id(0x9000000000000009) == "n2+3");
  BOOST_TEST(n.Id(0x9000000000000003) == "n1-2");
  BOOST_TEST(n.Id(0x11) == "other+1");
  BOOST_TEST(n.Id(0) == "other-16");
  BOOST_TEST(n.Render(0x9000000000000006, ValueKind::kNotifId) == "n2");
}

BOOST_AUTO_TEST_CASE(equal_distances_name_the_earlier_binding) {
  Normalizer n;
  n.AddNotification("a", 10);
  n.AddNotification("b", 12);
  BOOST_TEST(n.Id(11) == "a+1");
}

BOOST_AUTO_TEST_CASE(addresses_inside_a_buffer_of_the_process_become_name_plus_offset) {
  Normalizer n;
  n.AddBuffer(0, "buf", 0x7000, 16);
  n.AddBuffer(0, "recv@19", 0x9000, 80);
  n.AddBuffer(1, "other", 0x7000, 16);
  BOOST_TEST(n.Addr(0x7000, 0) == "&buf");
  BOOST_TEST(n.Addr(0x7008, 0) == "&buf+8");
  BOOST_TEST(n.Addr(0x7010, 0) == "&buf+16");  // one past the end
  BOOST_TEST(n.Addr(0x7011, 0).empty());
  BOOST_TEST(n.Addr(0x6fff, 0).empty());
  BOOST_TEST(n.Addr(0x9000, 0) == "&recv@19");
  BOOST_TEST(n.Addr(0x7000, 1) == "&other");
  BOOST_TEST(n.Addr(0x7000, 2).empty());
  BOOST_TEST(n.Addr(kBadAddr, 5) == "bad_addr");
  BOOST_TEST(n.Render(0x7004, ValueKind::kAddr, 0) == "&buf+4");
  BOOST_TEST(n.Render(0x6000, ValueKind::kAddr, 0) == "24576");
  BOOST_TEST(n.Render(static_cast<uint64_t>(-100), ValueKind::kAddr, 0) == "-100");
}

BOOST_AUTO_TEST_CASE(a_forked_child_sees_its_parents_buffers) {
  Normalizer n;
  n.AddBuffer(0, "buf", 0x7000, 16);
  n.CopyBuffers(0, 3);
  n.AddBuffer(0, "later", 0x8000, 4);
  BOOST_TEST(n.Addr(0x7001, 3) == "&buf+1");
  BOOST_TEST(n.Addr(0x8000, 3).empty());
}

BOOST_AUTO_TEST_CASE(syscalls_arches_poll_bits_and_signals_print_as_names) {
  const Normalizer n;
  BOOST_TEST(n.Render(110, ValueKind::kSyscallNr) == "getppid");
  BOOST_TEST(n.Render(static_cast<uint64_t>(-1), ValueKind::kSyscallNr) == "-1");
  BOOST_TEST(n.Render(0xffffffff, ValueKind::kSyscallNr) == "-1");  // an int nr
  BOOST_TEST(n.Render(99999, ValueKind::kSyscallNr) == "99999");
  BOOST_TEST(n.Render(0xc000003e, ValueKind::kArch) == "AUDIT_ARCH_X86_64");
  BOOST_TEST(n.Render(0x40000003, ValueKind::kArch) == "AUDIT_ARCH_I386");
  BOOST_TEST(n.Render(7, ValueKind::kArch) == "7");
  BOOST_TEST(n.Render(0x41, ValueKind::kPollBits) == "POLLIN|POLLRDNORM");
  BOOST_TEST(n.Render(0, ValueKind::kPollBits) == "0");
  BOOST_TEST(n.Render(31, ValueKind::kSignal) == "SIGSYS");
  BOOST_TEST(n.Render(64, ValueKind::kSignal) == "64");
  BOOST_TEST(n.Render(static_cast<uint64_t>(-5000), ValueKind::kPlain) == "-5000");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sclab::scn
