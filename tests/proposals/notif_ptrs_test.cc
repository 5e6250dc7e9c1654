// notif_ptrs: the pointer block's layout, every check before the wait in order, the
// copies (one per member, then the fixed block) and their counts, partial writes on
// a fault, and the compatibility matrix.
#include "kernel_sim/proposals/notif_ptrs/notif_ptrs.h"

#include <boost/test/unit_test.hpp>

#include "kernel_sim/proposals/byte_fields.h"
#include "tests/proposals/test_helpers.h"

namespace sclab::ksim::proposals::notif_ptrs {
namespace {

// Block is a supervisor's pointer block for the old ABI with data and open_how buffers.
struct Block {
  StandardNotification s = MakeStandardNotification();
  model::UserMemory sup;
  uint64_t data_buf = 0;
  uint64_t how_buf = 0;
  std::vector<uint8_t> bytes;
  explicit Block(Abi abi) : bytes(BlockSize(abi), 0) {
    data_buf = sup.AllocBuffer(64);
    how_buf = sup.AllocBuffer(24);
    Set(0, {data_buf, 64, 0});
    Set(1, {how_buf, 24, 0});
  }
  void Set(size_t i, seccomp_notif_buf b) { StoreLe(std::span(bytes), 16 * i, b); }
  uint64_t Put() { return Place(sup, bytes); }
};

BOOST_AUTO_TEST_SUITE(proposals_notif_ptrs)

BOOST_AUTO_TEST_CASE(the_block_is_the_pairs_then_the_fixed_fields) {
  BOOST_TEST(BufLayout().size == 16u);
  BOOST_TEST(BlockSize(Abi::kOld) == 48u);
  BOOST_TEST(BlockSize(Abi::kNew) == 72u);
  BOOST_TEST(BlockLayout(Abi::kOld).size == 48u);
  BOOST_TEST(BlockLayout(Abi::kOld).FindField("fixed.id")->offset == 32u);
  BOOST_TEST(BlockLayout(Abi::kNew).FindField("fixed.id")->offset == 48u);  // moved by data_v2
  BOOST_TEST(BlockLayout(Abi::kNew).Holes().empty());
}

BOOST_AUTO_TEST_CASE(prepare_checks_in_the_kernels_order) {
  Block b(Abi::kOld);
  const uint64_t good = b.Put();
  ExpectFails(RecvPtrsPrepare(b.sup, nullptr, good, 72, Abi::kOld), model::kEINVAL,
              "seccomp_notify_recv_ptrs: the block does not match GET_LAYOUT's");
  ExpectFails(RecvPtrsPrepare(b.sup, nullptr, model::kBadAddr, 48, Abi::kOld), model::kEFAULT,
              "seccomp_notify_recv_ptrs: copy_from_user of the pairs faulted");
  const std::vector<std::pair<seccomp_notif_buf, model::Errno>> bad = {
      {{b.data_buf, 64, 1}, model::kEINVAL},         {{0, 64, 0}, model::kEINVAL},
      {{b.data_buf, 32, 0}, model::kEINVAL},         {{b.data_buf, 8192, 0}, model::kE2BIG},
      {{0xffffffffffff0000, 64, 0}, model::kEFAULT},
  };
  for (const auto& [pair, err] : bad) {
    Block c(Abi::kOld);
    c.Set(0, pair);
    auto r = RecvPtrsPrepare(c.sup, nullptr, c.Put(), 48, Abi::kOld);
    BOOST_TEST_REQUIRE(!r.ok());
    BOOST_TEST(r.error() == err, r.why());
  }
  model::CopyCounters counters;
  auto r = RecvPtrsPrepare(b.sup, &counters, good, 48, Abi::kOld);
  BOOST_TEST_REQUIRE(r.ok());
  BOOST_TEST(counters == Counters(0, 0, 1, 32));
}

BOOST_AUTO_TEST_CASE(recv_copies_each_member_then_the_fixed_block) {
  Block b(Abi::kOld);
  const uint64_t block = b.Put();
  auto req = RecvPtrsPrepare(b.sup, nullptr, block, 48, Abi::kOld);
  BOOST_TEST_REQUIRE(req.ok());
  model::CopyCounters c;
  BOOST_TEST_REQUIRE(
      SeccompNotifyRecvPtrs(b.sup, &c, block, req.value(), Abi::kOld, b.s.facts, b.s.target).ok());
  // data, open_how, fixed block out; the target's open_how in.
  BOOST_TEST(c == Counters(3, 64 + 24 + 16, 1, 24));
  BOOST_TEST(LoadLe<int32_t>(ReadBack(b.sup, b.data_buf, 64), 0) == 437);
  BOOST_TEST(LoadLe<uint64_t>(ReadBack(b.sup, b.how_buf, 24), 16) == b.s.how.resolve);
  const auto fixed = ReadBack(b.sup, block + 32, 16);
  BOOST_TEST(LoadLe<uint64_t>(fixed, 0) == kStandardId);
  BOOST_TEST(LoadLe<uint32_t>(fixed, 8) == kStandardPid);
  BOOST_TEST(LoadLe<uint32_t>(fixed, 12) == 24u);
}

BOOST_AUTO_TEST_CASE(a_null_pointer_omits_the_member) {
  Block b(Abi::kOld);
  b.Set(1, {0, 0, 0});
  const uint64_t block = b.Put();
  auto req = RecvPtrsPrepare(b.sup, nullptr, block, 48, Abi::kOld);
  BOOST_TEST_REQUIRE(req.ok());
  model::CopyCounters c;
  BOOST_TEST_REQUIRE(
      SeccompNotifyRecvPtrs(b.sup, &c, block, req.value(), Abi::kOld, b.s.facts, b.s.target).ok());
  BOOST_TEST(c == Counters(2, 64 + 16, 0, 0));
  BOOST_TEST(LoadLe<uint32_t>(ReadBack(b.sup, block + 32, 16), 12) == 0u);  // ea_size: not read
}

BOOST_AUTO_TEST_CASE(a_fault_after_validation_leaves_earlier_members_written) {
  Block b(Abi::kOld);
  // An unmapped but valid user address passes access_ok() and faults on the copy.
  b.Set(1, {0x7f0000000000, 24, 0});
  const uint64_t block = b.Put();
  auto req = RecvPtrsPrepare(b.sup, nullptr, block, 48, Abi::kOld);
  BOOST_TEST_REQUIRE(req.ok());
  ExpectFails(
      SeccompNotifyRecvPtrs(b.sup, nullptr, block, req.value(), Abi::kOld, b.s.facts, b.s.target),
      model::kEFAULT, "seccomp_notify_recv_ptrs: a copy faulted; the notification is INIT again");
  BOOST_TEST(LoadLe<int32_t>(ReadBack(b.sup, b.data_buf, 64), 0) ==
             437);  // written before the fault
  BOOST_TEST(LoadLe<uint64_t>(ReadBack(b.sup, block + 32, 16), 0) == 0u);  // fixed block not
}

BOOST_AUTO_TEST_CASE(compat_follows_the_discovered_layout) {
  ExpectLabels(Plugin(), {"works", "works", "degrades", "works"});
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sclab::ksim::proposals::notif_ptrs
