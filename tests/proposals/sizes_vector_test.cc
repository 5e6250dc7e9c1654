// sizes_vector: the seed's discovery struct (refused as written, fixed), discovery's
// ENOSPC and write-back, offsets computed from the sizes, the record, and the matrix.
#include "kernel_sim/proposals/sizes_vector/sizes_vector.h"

#include <boost/test/unit_test.hpp>

#include "kernel_sim/proposals/byte_fields.h"
#include "tests/proposals/test_helpers.h"

namespace sclab::ksim::proposals::sizes_vector {
namespace {

// Query places a discovery struct with room for `capacity` sizes.
uint64_t Query(model::UserMemory& mem, uint32_t capacity) {
  std::vector<uint8_t> q(8 + 4 * uint64_t{capacity}, 0);
  StoreLe(std::span(q), 0, capacity);
  return Place(mem, q);
}

BOOST_AUTO_TEST_SUITE(proposals_sizes_vector)

BOOST_AUTO_TEST_CASE(the_seeds_struct_puts_a_field_after_a_flexible_array) {
  BOOST_TEST(model::CheckStructSpec(SeedDiscoverySpec()) ==
             "struct seccom_sizes: field 'submember_size' follows flexible array member "
             "'member_sizes'");
  BOOST_TEST(model::CheckStructSpec(DiscoverySpec()) == "");
  const model::StructLayout fixed = model::LayOutStruct(DiscoverySpec());
  BOOST_TEST(fixed.size == 8u);
  BOOST_TEST(fixed.FindField("submember_size")->offset == 4u);
  BOOST_TEST(fixed.FindField("member_sizes")->offset == 8u);
  BOOST_TEST(fixed.FindField("member_sizes")->count == 0u);
}

BOOST_AUTO_TEST_CASE(discovery_writes_the_count_and_the_sizes) {
  model::UserMemory mem;
  const uint64_t q = Query(mem, 16);
  model::CopyCounters c;
  BOOST_TEST_REQUIRE(SeccompNotifGetLayout(mem, &c, q, Abi::kNew).ok());
  BOOST_TEST(c == Counters(2, 8 + 12, 1, 4));
  const KernelLayout k = ReadDiscoveredLayout(mem, q);
  BOOST_TEST(k.member_sizes == (std::vector<uint32_t>{64, 88, 88}));
  BOOST_TEST(k.submember_size == 24u);
}

BOOST_AUTO_TEST_CASE(a_short_array_is_enospc_with_the_count_written) {
  model::UserMemory mem;
  const uint64_t q = Query(mem, 1);
  ExpectFails(SeccompNotifGetLayout(mem, nullptr, q, Abi::kOld), model::kENOSPC,
              "seccomp_notif_get_layout: member_sizes[] too short; num_members written");
  const auto header = ReadBack(mem, q, 8);
  BOOST_TEST(LoadLe<uint32_t>(header, 0) == 2u);
  BOOST_TEST(LoadLe<uint32_t>(header, 4) == 16u);
  ExpectFails(SeccompNotifGetLayout(mem, nullptr, model::kBadAddr, Abi::kOld), model::kEFAULT,
              "seccomp_notif_get_layout: get_user(num_members) faulted");
  // Room claimed for 4 sizes, but only the header is mapped.
  std::vector<uint8_t> header_only(8, 0);
  StoreLe(std::span(header_only), 0, uint32_t{4});
  ExpectFails(SeccompNotifGetLayout(mem, nullptr, Place(mem, header_only), Abi::kOld),
              model::kEFAULT, "seccomp_notif_get_layout: copy_to_user(member_sizes) faulted");
}

BOOST_AUTO_TEST_CASE(offsets_follow_the_sizes) {
  const Offsets o = ComputeOffsets(LayoutOf(Abi::kOld));
  BOOST_TEST(o.member == (std::vector<uint64_t>{0, 64}));
  BOOST_TEST(o.fixed == 152u);
  BOOST_TEST(o.total == 168u);
  BOOST_TEST(RecordLayout(Abi::kOld).size == 168u);
  BOOST_TEST(RecordLayout(Abi::kNew).size == ComputeOffsets(LayoutOf(Abi::kNew)).total);
  BOOST_TEST(RecordLayout(Abi::kNew).FindField("fixed.tgid")->offset == 256u);
}

BOOST_AUTO_TEST_CASE(recv_writes_every_member_in_one_copy) {
  StandardNotification s = MakeStandardNotification();
  model::UserMemory sup;
  ExpectFails(RecvLayoutPrepare(Abi::kOld, 167), model::kENOSPC,
              "seccomp_notify_recv_layout: the buffer is shorter than a record");
  BOOST_TEST(RecvLayoutPrepare(Abi::kOld, 168).ok());
  const uint64_t buf = sup.AllocBuffer(168);
  model::CopyCounters c;
  auto n = SeccompNotifyRecvLayout(sup, &c, buf, Abi::kOld, s.facts, s.target);
  BOOST_TEST_REQUIRE(n.ok());
  BOOST_TEST(n.value() == 168u);
  // The target's open_how (24 of the 88 asked: its usize) in, the record out.
  BOOST_TEST(c == Counters(1, 168, 1, 24));
  const auto rec = ReadBack(sup, buf, 168);
  BOOST_TEST(LoadLe<uint64_t>(rec, 64) == s.how.flags);
  BOOST_TEST(LoadLe<uint64_t>(rec, 64 + 24) == 0u);  // zero-filled past the target's 24
  BOOST_TEST(LoadLe<uint64_t>(rec, 152) == kStandardId);
  BOOST_TEST(LoadLe<uint32_t>(rec, 160) == kStandardPid);
  BOOST_TEST(LoadLe<uint32_t>(rec, 164) == 24u);
  ExpectFails(SeccompNotifyRecvLayout(sup, nullptr, model::kBadAddr, Abi::kOld, s.facts, s.target),
              model::kEFAULT,
              "seccomp_notify_recv_layout: copy_to_user faulted; the notification is INIT again");
}

BOOST_AUTO_TEST_CASE(compat_always_works_because_userspace_follows_the_kernel) {
  ExpectLabels(Plugin(), {"works", "works", "degrades", "works"});
  BOOST_TEST(Plugin().Compat(Abi::kNew, Abi::kOld).detail ==
             "no tgid: submember_size is 16, so the block ends before tgid");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sclab::ksim::proposals::sizes_vector
