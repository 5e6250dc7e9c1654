// read_notif: read(2) never returns a short record, takes notifications in order,
// batches on request, puts back what it could not copy, ends at end of file, honours
// O_NONBLOCK; write(2) answers record by record; SET_FLAGS' new bit; the depth sweep;
// the compatibility matrix.
#include "kernel_sim/proposals/read_notif/read_notif.h"

#include <boost/test/unit_test.hpp>

#include "kernel_sim/proposals/byte_fields.h"
#include "tests/proposals/test_helpers.h"

namespace sclab::ksim::proposals::read_notif {
namespace {

using State = ModelQueue::State;

// Pending is a queue of `n` standard notifications with ids kStandardId + i.
struct Pending {
  StandardNotification s = MakeStandardNotification();
  ModelQueue queue;
  model::UserMemory sup;
  explicit Pending(uint32_t n) {
    for (uint32_t i = 0; i < n; ++i) {
      NotificationFacts f = s.facts;
      f.id += i;
      queue.Add(f, &s.target);
    }
  }
  State StateOf(uint32_t i) const { return queue.Find(kStandardId + i)->state; }
};

BOOST_AUTO_TEST_SUITE(proposals_read_notif)

BOOST_AUTO_TEST_CASE(a_buffer_shorter_than_a_record_is_enospc_and_takes_nothing) {
  Pending p(1);
  const uint64_t buf = p.sup.AllocBuffer(79);
  ExpectFails(SeccompNotifyRead(p.sup, nullptr, buf, 79, ListenerMode{}, p.queue), model::kENOSPC,
              "seccomp_notify_read: count is shorter than a record");
  BOOST_TEST(p.StateOf(0) == State::kInit);
}

BOOST_AUTO_TEST_CASE(without_batching_a_read_returns_one_record) {
  Pending p(2);
  const uint64_t buf = p.sup.AllocBuffer(160);
  model::CopyCounters c;
  auto r = SeccompNotifyRead(p.sup, &c, buf, 160, ListenerMode{}, p.queue);
  BOOST_TEST_REQUIRE(r.ok());
  BOOST_TEST(r.value().bytes == 80u);
  BOOST_TEST(r.value().records == 1u);
  BOOST_TEST(c == Counters(1, 80, 0, 0));
  BOOST_TEST(p.StateOf(0) == State::kSent);
  BOOST_TEST(p.StateOf(1) == State::kInit);
  BOOST_TEST(LoadLe<uint64_t>(ReadBack(p.sup, buf, 80), 0) == kStandardId);
}

BOOST_AUTO_TEST_CASE(a_batched_read_returns_every_whole_record_that_fits) {
  Pending p(3);
  ListenerMode mode;
  mode.batch = true;
  const uint64_t buf = p.sup.AllocBuffer(200);
  model::CopyCounters c;
  auto r = SeccompNotifyRead(p.sup, &c, buf, 200, mode, p.queue);  // room for 2.5 records
  BOOST_TEST_REQUIRE(r.ok());
  BOOST_TEST(r.value().records == 2u);
  BOOST_TEST(r.value().bytes == 160u);
  BOOST_TEST(c == Counters(2, 160, 0, 0));
  BOOST_TEST(p.StateOf(2) == State::kInit);
  BOOST_TEST(LoadLe<uint64_t>(ReadBack(p.sup, buf, 160), 80) == kStandardId + 1);
}

BOOST_AUTO_TEST_CASE(a_fault_puts_the_record_back_and_returns_what_was_copied) {
  Pending p(3);
  ListenerMode mode;
  mode.batch = true;
  const uint64_t buf = p.sup.AllocBuffer(160);  // 240 claimed, 160 mapped
  auto r = SeccompNotifyRead(p.sup, nullptr, buf, 240, mode, p.queue);
  BOOST_TEST_REQUIRE(r.ok());
  BOOST_TEST(r.value().records == 2u);
  BOOST_TEST(p.StateOf(2) == State::kInit);
  Pending q(1);
  ExpectFails(SeccompNotifyRead(q.sup, nullptr, model::kBadAddr, 80, mode, q.queue), model::kEFAULT,
              "seccomp_notify_read: copy_to_user faulted; the notification is INIT again");
  BOOST_TEST(q.StateOf(0) == State::kInit);
}

BOOST_AUTO_TEST_CASE(an_empty_queue_blocks_or_is_eagain_or_end_of_file) {
  Pending p(0);
  const uint64_t buf = p.sup.AllocBuffer(80);
  auto blocks = SeccompNotifyRead(p.sup, nullptr, buf, 80, ListenerMode{}, p.queue);
  BOOST_TEST_REQUIRE(blocks.ok());
  BOOST_TEST(blocks.value().would_block);
  ListenerMode nonblock;
  nonblock.nonblock = true;
  ExpectFails(SeccompNotifyRead(p.sup, nullptr, buf, 80, nonblock, p.queue), model::kEAGAIN,
              "seccomp_notify_read: O_NONBLOCK and no notification");
  p.queue.SetOrphaned(true);
  auto eof = SeccompNotifyRead(p.sup, nullptr, buf, 80, ListenerMode{}, p.queue);
  BOOST_TEST_REQUIRE(eof.ok());
  BOOST_TEST(eof.value().bytes == 0u);
  BOOST_TEST(!eof.value().would_block);
}

BOOST_AUTO_TEST_CASE(a_configured_listener_reads_perf_config_records) {
  Pending p(1);
  ListenerMode mode;
  mode.config.configured = true;
  mode.config.fields = perf_config::kFieldPid;
  mode.config.member_size = {64, 24, 0};
  BOOST_TEST(RecordSize(mode) == 104u);
  const uint64_t buf = p.sup.AllocBuffer(104);
  model::CopyCounters c;
  auto r = SeccompNotifyRead(p.sup, &c, buf, 104, mode, p.queue);
  BOOST_TEST_REQUIRE(r.ok());
  BOOST_TEST(r.value().bytes == 104u);
  BOOST_TEST(c == Counters(1, 104, 1, 24));
  BOOST_TEST(LoadLe<uint64_t>(ReadBack(p.sup, buf, 104), 72) == p.s.how.flags);
}

// Responses places `n` CONTINUE responses for ids kStandardId + first ... .
uint64_t Responses(model::UserMemory& mem, const std::vector<uint64_t>& ids) {
  std::vector<uint8_t> bytes;
  for (uint64_t id : ids) {
    const model::seccomp_notif_resp r{id, 0, 0, 1};
    const auto b = model::BytesOf(r);
    bytes.insert(bytes.end(), b.begin(), b.end());
  }
  return Place(mem, bytes);
}

BOOST_AUTO_TEST_CASE(write_answers_record_by_record_and_stops_at_the_first_failure) {
  Pending p(2);
  ListenerMode mode;
  mode.batch = true;
  const uint64_t rbuf = p.sup.AllocBuffer(160);
  BOOST_TEST_REQUIRE(SeccompNotifyRead(p.sup, nullptr, rbuf, 160, mode, p.queue).ok());
  ExpectFails(SeccompNotifyWrite(p.sup, nullptr, rbuf, 25, p.queue), model::kEINVAL,
              "seccomp_notify_write: count is not a multiple of 24");
  // The first applies; the second names an unknown id: 24 bytes.
  const uint64_t mixed = Responses(p.sup, {kStandardId, kStandardId + 7});
  model::CopyCounters c;
  auto n = SeccompNotifyWrite(p.sup, &c, mixed, 48, p.queue);
  BOOST_TEST_REQUIRE(n.ok());
  BOOST_TEST(n.value() == 24u);
  BOOST_TEST(c == Counters(0, 0, 2, 48));
  BOOST_TEST(p.StateOf(0) == State::kReplied);
  ExpectFails(SeccompNotifyWrite(p.sup, nullptr, Responses(p.sup, {kStandardId + 7}), 24, p.queue),
              model::kENOENT, "seccomp_notify_send: no notification with that id");
  ExpectFails(SeccompNotifyWrite(p.sup, nullptr, model::kBadAddr, 24, p.queue), model::kEFAULT,
              "seccomp_notify_write: copy_from_user faulted");
  auto last = SeccompNotifyWrite(p.sup, nullptr, Responses(p.sup, {kStandardId + 1}), 24, p.queue);
  BOOST_TEST_REQUIRE(last.ok());
  BOOST_TEST(p.StateOf(1) == State::kReplied);
}

BOOST_AUTO_TEST_CASE(set_flags_knows_the_batch_bit_only_on_the_new_abi) {
  ListenerMode mode;
  ExpectFails(SeccompNotifySetFlags(kUserNotifFdBatchRead, Abi::kOld, &mode), model::kEINVAL,
              "seccomp_notify_set_flags: unknown flag");
  BOOST_TEST(SeccompNotifySetFlags(kUserNotifFdSyncWakeUp, Abi::kOld, &mode).ok());
  BOOST_TEST(!mode.batch);
  BOOST_TEST(
      SeccompNotifySetFlags(kUserNotifFdBatchRead | kUserNotifFdSyncWakeUp, Abi::kNew, &mode).ok());
  BOOST_TEST(mode.batch);
  ExpectFails(SeccompNotifySetFlags(4, Abi::kNew, &mode), model::kEINVAL,
              "seccomp_notify_set_flags: unknown flag");
}

BOOST_AUTO_TEST_CASE(batching_divides_the_reads_by_the_queue_depth) {
  const DepthRow one = MeasureDepth(1, 64);
  BOOST_TEST(one.ioctl_syscalls == 2u);
  BOOST_TEST(one.read_syscalls == 2u);
  BOOST_TEST(one.batched_syscalls == 2u);
  BOOST_TEST(one.batched_write_syscalls == 2u);
  const DepthRow eight = MeasureDepth(8, 64);
  BOOST_TEST(eight.ioctl_syscalls == 16u);
  BOOST_TEST(eight.read_syscalls == 16u);
  BOOST_TEST(eight.batched_syscalls == 9u);
  BOOST_TEST(eight.batched_write_syscalls == 2u);
  const DepthRow deep = MeasureDepth(64, 16);  // a 16-record buffer: four batches
  BOOST_TEST(deep.batched_write_syscalls == 8u);
}

BOOST_AUTO_TEST_CASE(compat_new_userspace_falls_back_to_ioctl) {
  ExpectLabels(Plugin(), {"works", "works", "degrades (EINVAL)", "works"});
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sclab::ksim::proposals::read_notif
