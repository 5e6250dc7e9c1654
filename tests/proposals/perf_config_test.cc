// perf_config: the config struct as the C compiler lays it out (the hole after size),
// the static check on field bits (and the RFC's PID/TGID bug), every step of the
// perf_event_attr negotiation with its write-backs, the record, and the compatibility
// matrix.
#include "kernel_sim/proposals/perf_config/perf_config.h"

#include <boost/test/unit_test.hpp>
#include <cstddef>

#include "kernel_sim/proposals/byte_fields.h"
#include "tests/proposals/test_helpers.h"

namespace sclab::ksim::proposals::perf_config {
namespace {

// Config places `c`'s first `size` bytes in `mem`.
uint64_t PlaceConfig(model::UserMemory& mem, const seccomp_notif_config& c, uint64_t size) {
  std::vector<uint8_t> bytes(size, 0);
  const auto src = model::BytesOf(c);
  std::copy_n(src.begin(), std::min<uint64_t>(size, src.size()), bytes.begin());
  return Place(mem, bytes);
}

// Configure runs the configure ioctl on a fresh listener state.
struct Configure {
  model::UserMemory mem;
  NotifConfig state;
  model::CopyCounters counters;
  uint64_t addr = 0;
  model::SysResult<void> result;
  Configure(const seccomp_notif_config& c, uint64_t size, Abi kernel) {
    addr = PlaceConfig(mem, c, size);
    result = SeccompNotifyConfig(mem, &counters, addr, kernel, &state);
  }
  uint32_t U32At(uint64_t offset) const {
    return LoadLe<uint32_t>(ReadBack(mem, addr + offset, 4), 0);
  }
};

BOOST_AUTO_TEST_SUITE(proposals_perf_config)

BOOST_AUTO_TEST_CASE(the_config_has_the_hole_the_compiler_leaves_after_size) {
  const model::StructLayout v0 = ConfigLayout(Abi::kOld);
  BOOST_TEST(v0.size == kConfigSizeVer0);
  BOOST_TEST(v0.align == 8u);
  BOOST_TEST_REQUIRE(v0.Holes().size() == 1u);
  BOOST_TEST(v0.Holes()[0].offset == 4u);
  BOOST_TEST(v0.Holes()[0].size == 4u);
  BOOST_TEST(v0.FindField("optional_fixed_size_fields")->offset ==
             offsetof(seccomp_notif_config, optional_fixed_size_fields));
  BOOST_TEST(v0.FindField("size_of_variable_member2")->offset ==
             offsetof(seccomp_notif_config, size_of_variable_member2));
  const model::StructLayout v1 = ConfigLayout(Abi::kNew);
  BOOST_TEST(v1.size == kConfigSizeVer1);
  BOOST_TEST(v1.Holes().size() == 1u);
  BOOST_TEST(v1.FindField("size_of_variable_member3")->offset ==
             offsetof(seccomp_notif_config, size_of_variable_member3));
  BOOST_TEST(model::RenderByteMap(v0).find("     4     4  ....~~~~  (hole)") != std::string::npos,
             model::RenderByteMap(v0));
}

BOOST_AUTO_TEST_CASE(no_two_fixed_fields_share_a_bit) {
  BOOST_TEST(FixedBitsCollision(kFixedFields) == "");
}

BOOST_AUTO_TEST_CASE(the_rfcs_pid_and_tgid_both_at_bit_1_is_rejected) {
  // The 2020 RFC defined both SECCOMP_NOTIF_FIELD_PID and _TGID as (1UL << 1).
  const FixedField rfc[] = {{"pid", 1u << 1, 4, Abi::kOld}, {"tgid", 1u << 1, 4, Abi::kOld}};
  BOOST_TEST(FixedBitsCollision(rfc) == "pid and tgid both use bit 1");
  BOOST_TEST(!NoFixedBitsCollide(rfc));
  const FixedField two_bits[] = {{"pid", 3, 4, Abi::kOld}};
  BOOST_TEST(FixedBitsCollision(two_bits) == "pid uses 0x3, which is not a single bit");
}

BOOST_AUTO_TEST_CASE(the_record_order_is_the_tables_not_the_bits) {
  NotifConfig c;
  c.configured = true;
  c.fields = kFieldPid | kFieldTgid | kFieldEaSize;
  const model::StructLayout rec = RecordLayout(c);
  BOOST_TEST(rec.FindField("pid")->offset == 8u);
  BOOST_TEST(rec.FindField("tgid")->offset == 12u);  // bit 2, yet before ea_size (bit 1)
  BOOST_TEST(rec.FindField("ea_size")->offset == 16u);
  BOOST_TEST(RecordSize(c) == 24u);
  StandardNotification s = MakeStandardNotification();
  const auto bytes = BuildFlatRecord(c, s.facts, s.target, nullptr);
  BOOST_TEST(LoadLe<uint32_t>(bytes, 12) == kStandardTgid);
  BOOST_TEST(LoadLe<uint32_t>(bytes, 16) == 0u);  // no ea member asked: nothing read
}

BOOST_AUTO_TEST_CASE(an_id_only_record_is_8_bytes) {
  NotifConfig c;
  c.configured = true;
  BOOST_TEST(RecordSize(c) == 8u);
}

BOOST_AUTO_TEST_CASE(a_good_config_is_read_with_two_operations) {
  Configure cfg(StandardConfig(Abi::kOld), kConfigSizeVer0, Abi::kOld);
  BOOST_TEST_REQUIRE(cfg.result.ok());
  BOOST_TEST(cfg.counters == Counters(0, 0, 2, 4 + 24));
  BOOST_TEST(cfg.state.configured);
  BOOST_TEST(cfg.state.fields == (kFieldPid | kFieldEaSize));
  BOOST_TEST(cfg.state.member_size[1] == 24u);
}

BOOST_AUTO_TEST_CASE(a_second_config_is_ebusy_before_anything_is_read) {
  Configure cfg(StandardConfig(Abi::kOld), kConfigSizeVer0, Abi::kOld);
  BOOST_TEST_REQUIRE(cfg.result.ok());
  model::CopyCounters c;
  ExpectFails(SeccompNotifyConfig(cfg.mem, &c, cfg.addr, Abi::kOld, &cfg.state), model::kEBUSY,
              "seccomp_notify_config: already configured");
  BOOST_TEST(c == Counters(0, 0, 0, 0));
}

BOOST_AUTO_TEST_CASE(size_zero_means_ver0) {
  seccomp_notif_config c = StandardConfig(Abi::kOld);
  c.size = 0;
  Configure cfg(c, kConfigSizeVer0, Abi::kNew);
  BOOST_TEST_REQUIRE(cfg.result.ok());
  BOOST_TEST(cfg.state.member_size[0] == 64u);
}

BOOST_AUTO_TEST_CASE(sizes_out_of_range_are_e2big_with_the_kernels_size_written_back) {
  for (uint32_t bad : {4u, 16u, 23u, 4097u}) {
    seccomp_notif_config c = StandardConfig(Abi::kOld);
    c.size = bad;
    Configure cfg(c, kConfigSizeVer0, Abi::kNew);
    ExpectFails(
        cfg.result, model::kE2BIG,
        "seccomp_notify_config: size < VER0 or > PAGE_SIZE; the kernel's size written back");
    BOOST_TEST(cfg.U32At(0) == kConfigSizeVer1, "size " << bad);
    BOOST_TEST(!cfg.state.configured);
  }
}

BOOST_AUTO_TEST_CASE(unknown_nonzero_bytes_are_e2big_with_the_kernels_size_written_back) {
  seccomp_notif_config c = StandardConfig(Abi::kNew);
  c.size_of_variable_member3 = 88;
  Configure cfg(c, kConfigSizeVer1, Abi::kOld);
  ExpectFails(
      cfg.result, model::kE2BIG,
      "seccomp_notify_config: non-zero bytes past the kernel's size; its size written back");
  BOOST_TEST(cfg.U32At(0) == kConfigSizeVer0);
  // get_user, check_zeroed_user of [24, 32), put_user.
  BOOST_TEST(cfg.counters == Counters(1, 4, 2, 4 + 8));
}

BOOST_AUTO_TEST_CASE(a_larger_struct_with_a_zero_tail_is_accepted) {
  seccomp_notif_config c = StandardConfig(Abi::kOld);
  c.size = kConfigSizeVer1;
  Configure cfg(c, kConfigSizeVer1, Abi::kOld);
  BOOST_TEST_REQUIRE(cfg.result.ok());
}

BOOST_AUTO_TEST_CASE(unknown_bits_are_einval_and_nothing_is_written_back) {
  seccomp_notif_config c = StandardConfig(Abi::kOld);
  c.optional_fixed_size_fields |= 1u << 5;
  Configure cfg(c, kConfigSizeVer0, Abi::kNew);
  ExpectFails(cfg.result, model::kEINVAL,
              "seccomp_notify_config: unknown bit in optional_fixed_size_fields");
  BOOST_TEST(cfg.U32At(0) == kConfigSizeVer0);
  BOOST_TEST(cfg.counters.to_user_ops == 0u);
  // TGID is a new-ABI bit: an old kernel does not know it.
  Configure old(StandardConfig(Abi::kNew), kConfigSizeVer1, Abi::kOld);
  ExpectFails(old.result, model::kEINVAL,
              "seccomp_notify_config: unknown bit in optional_fixed_size_fields");
}

BOOST_AUTO_TEST_CASE(member_sizes_the_kernel_does_not_support_get_its_size_back) {
  {
    seccomp_notif_config c = StandardConfig(Abi::kOld);
    c.size_of_variable_member1 = 128;
    Configure cfg(c, kConfigSizeVer0, Abi::kOld);
    ExpectFails(cfg.result, model::kE2BIG,
                "seccomp_notify_config: member larger than the kernel's; its size written back");
    BOOST_TEST(cfg.U32At(16) == 64u);
    BOOST_TEST(cfg.U32At(0) == kConfigSizeVer0);
  }
  {
    seccomp_notif_config c = StandardConfig(Abi::kOld);
    c.size_of_variable_member2 = 8192;
    Configure cfg(c, kConfigSizeVer0, Abi::kOld);
    ExpectFails(cfg.result, model::kE2BIG,
                "seccomp_notify_config: member larger than the kernel's; its size written back");
    BOOST_TEST(cfg.U32At(20) == 4096u);
  }
  for (uint32_t bad : {4u, 12u}) {
    seccomp_notif_config c = StandardConfig(Abi::kOld);
    c.size_of_variable_member2 = bad;
    Configure cfg(c, kConfigSizeVer0, Abi::kOld);
    ExpectFails(cfg.result, model::kEINVAL,
                "seccomp_notify_config: member below its VER0 or not a multiple of 8; the kernel's "
                "size written back");
    BOOST_TEST(cfg.U32At(20) == 4096u, "size " << bad);
  }
  {
    seccomp_notif_config c = StandardConfig(Abi::kNew);
    c.size_of_variable_member3 = 64;  // below data_v2's VER0 (88)
    Configure cfg(c, kConfigSizeVer1, Abi::kNew);
    ExpectFails(cfg.result, model::kEINVAL,
                "seccomp_notify_config: member below its VER0 or not a multiple of 8; the kernel's "
                "size written back");
    BOOST_TEST(cfg.U32At(24) == 88u);
  }
}

BOOST_AUTO_TEST_CASE(the_hole_after_size_is_never_looked_at) {
  seccomp_notif_config c = StandardConfig(Abi::kOld);
  c.hole = 0xdeadbeef;  // stack garbage a designated initializer may leave
  Configure cfg(c, kConfigSizeVer0, Abi::kOld);
  BOOST_TEST(cfg.result.ok());
}

BOOST_AUTO_TEST_CASE(faults_are_efault) {
  model::UserMemory mem;
  NotifConfig state;
  ExpectFails(SeccompNotifyConfig(mem, nullptr, model::kBadAddr, Abi::kOld, &state), model::kEFAULT,
              "seccomp_notify_config: get_user(size) faulted");
  // size says 24 but only 8 bytes are mapped.
  std::vector<uint8_t> eight(8, 0);
  StoreLe(std::span(eight), 0, uint32_t{24});
  ExpectFails(SeccompNotifyConfig(mem, nullptr, Place(mem, eight), Abi::kOld, &state),
              model::kEFAULT, "seccomp_notify_config: copy_struct_from_user faulted");
}

BOOST_AUTO_TEST_CASE(recv_needs_a_config_and_a_whole_record) {
  NotifConfig none;
  ExpectFails(RecvFlatPrepare(none, 4096), model::kEINVAL,
              "seccomp_notify_recv_flat: not configured");
  Configure cfg(StandardConfig(Abi::kOld), kConfigSizeVer0, Abi::kOld);
  BOOST_TEST_REQUIRE(cfg.result.ok());
  BOOST_TEST(RecordSize(cfg.state) == 104u);
  ExpectFails(RecvFlatPrepare(cfg.state, 103), model::kENOSPC,
              "seccomp_notify_recv_flat: the buffer is shorter than a record");
  BOOST_TEST(RecvFlatPrepare(cfg.state, 104).ok());
}

BOOST_AUTO_TEST_CASE(recv_writes_one_record_with_the_open_how_read_from_the_target) {
  Configure cfg(StandardConfig(Abi::kOld), kConfigSizeVer0, Abi::kOld);
  BOOST_TEST_REQUIRE(cfg.result.ok());
  StandardNotification s = MakeStandardNotification();
  model::UserMemory sup;
  const uint64_t buf = sup.AllocBuffer(104);
  model::CopyCounters c;
  auto n = SeccompNotifyRecvFlat(sup, &c, buf, cfg.state, s.facts, s.target);
  BOOST_TEST_REQUIRE(n.ok());
  BOOST_TEST(n.value() == 104u);
  BOOST_TEST(c == Counters(1, 104, 1, 24));
  const auto rec = ReadBack(sup, buf, 104);
  BOOST_TEST(LoadLe<uint64_t>(rec, 0) == kStandardId);
  BOOST_TEST(LoadLe<int32_t>(rec, 8) == 437);
  BOOST_TEST(LoadLe<uint64_t>(rec, 72) == s.how.flags);
  BOOST_TEST(LoadLe<uint64_t>(rec, 88) == s.how.resolve);
  BOOST_TEST(LoadLe<uint32_t>(rec, 96) == kStandardPid);
  BOOST_TEST(LoadLe<uint32_t>(rec, 100) == 24u);
  ExpectFails(SeccompNotifyRecvFlat(sup, nullptr, model::kBadAddr, cfg.state, s.facts, s.target),
              model::kEFAULT,
              "seccomp_notify_recv_flat: copy_to_user faulted; the notification is INIT again");
}

BOOST_AUTO_TEST_CASE(an_unreadable_target_struct_leaves_the_member_zero_and_ea_size_0) {
  Configure cfg(StandardConfig(Abi::kOld), kConfigSizeVer0, Abi::kOld);
  BOOST_TEST_REQUIRE(cfg.result.ok());
  StandardNotification s = MakeStandardNotification();
  s.facts.data.args[2] = model::kBadAddr;
  const auto rec = BuildFlatRecord(cfg.state, s.facts, s.target, nullptr);
  BOOST_TEST(LoadLe<uint64_t>(rec, 72) == 0u);
  BOOST_TEST(LoadLe<uint32_t>(rec, 100) == 0u);
}

BOOST_AUTO_TEST_CASE(compat_new_userspace_retries_without_the_unknown_bit) {
  ExpectLabels(Plugin(), {"works", "works", "degrades (EINVAL)", "works"});
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sclab::ksim::proposals::perf_config
