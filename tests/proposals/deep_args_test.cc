// deep_args: the filter's data layout, the flag and the validator's wider window, the
// one copy (and its errors, identical to openat2's own), filters reading the copy,
// Aleksa Sarai's "tail is zero from offset X" check, the notification carrying the
// copy, time-of-check-to-time-of-use, and the compatibility matrix.
#include "kernel_sim/proposals/deep_args/deep_args.h"

#include <boost/test/unit_test.hpp>
#include <string>

#include "bpf/actions.h"
#include "bpf/assembler.h"
#include "bpf/interpreter.h"
#include "kernel_sim/proposals/byte_fields.h"
#include "model/clone_args.h"
#include "model/syscall_table.h"
#include "tests/proposals/test_helpers.h"

namespace sclab::ksim::proposals::deep_args {
namespace {

// Filter assembles and validates `text` as a filter installed with `flags`.
bpf::ValidatedProgram Filter(const std::string& text, uint32_t flags = kFilterFlagDeepArgs) {
  auto insns = bpf::Assemble(text);
  BOOST_TEST_REQUIRE(insns.ok());
  auto opts = ValidateOptionsFor(flags, Abi::kNew);
  BOOST_TEST_REQUIRE(opts.ok());
  auto prog = bpf::Validate(insns.value(), opts.value());
  BOOST_TEST_REQUIRE(prog.ok(), (prog.ok() ? "" : prog.error().Message()));
  return prog.value();
}

// RunOn runs `prog` over the data a chain reading up to its MaxDataOffset() sees.
uint32_t RunOn(const bpf::ValidatedProgram& prog, const model::seccomp_data& sd, const EaCopy& ea) {
  const auto data = BuildFilterData(sd, ea, prog.MaxDataOffset());
  return bpf::Run(prog, std::span<const uint8_t>(data)).ret;
}

// Openat2 is a target that calls openat2 with `bytes` as its struct (usize = size).
struct Openat2 {
  model::UserMemory mem;
  model::seccomp_data sd{};
  uint64_t how = 0;
  explicit Openat2(std::vector<uint8_t> bytes, uint64_t usize = 0) {
    how = Place(mem, bytes);
    sd.nr = model::nr::kOpenat2;
    sd.args[2] = how;
    sd.args[3] = usize != 0 ? usize : bytes.size();
  }
};

std::vector<uint8_t> HowBytes(uint64_t flags, uint64_t mode, uint64_t resolve, size_t size = 24) {
  std::vector<uint8_t> b(size, 0);
  StoreLe(std::span(b), 0, flags);
  StoreLe(std::span(b), 8, mode);
  StoreLe(std::span(b), 16, resolve);
  return b;
}

BOOST_AUTO_TEST_SUITE(proposals_deep_args)

BOOST_AUTO_TEST_CASE(the_new_fields_follow_seccomp_data) {
  const model::StructLayout d = DataLayout();
  BOOST_TEST(d.size == kDeepHeaderSize);
  BOOST_TEST(d.FindField("feature_bits")->offset == kOffFeatureBits);
  BOOST_TEST(d.FindField("nr_hi")->offset == kOffNrHi);
  BOOST_TEST(d.FindField("ea_size")->offset == kOffEaSize);
  BOOST_TEST(d.FindField("ea_nonzero_end")->offset == kOffEaNonzeroEnd);
  BOOST_TEST(d.Holes().empty());
  const model::StructLayout n = NotifDeepLayout();
  BOOST_TEST(n.size == kNotifDeepHeader);
  BOOST_TEST(n.FindField("feature_bits")->offset == 80u);
  BOOST_TEST(n.FindField("ea")->offset == kNotifDeepHeader);
}

BOOST_AUTO_TEST_CASE(the_flag_is_einval_on_an_old_kernel_and_widens_the_window_on_a_new_one) {
  ExpectFails(ValidateOptionsFor(kFilterFlagDeepArgs, Abi::kOld), model::kEINVAL,
              "seccomp_set_mode_filter: unknown flag");
  ExpectFails(ValidateOptionsFor(1u << 7, Abi::kNew), model::kEINVAL,
              "seccomp_set_mode_filter: unknown flag");
  BOOST_TEST(ValidateOptionsFor(0x08, Abi::kNew).value().data_size == 64u);
  BOOST_TEST(ValidateOptionsFor(kFilterFlagDeepArgs | 0x08, Abi::kNew).value().data_size == 8192u);
  // The validator: a load at 4096 only with the flag; 8192 never; unaligned never.
  auto insns = bpf::Assemble("ld [4096]\nret #ALLOW\n");
  BOOST_TEST_REQUIRE(insns.ok());
  BOOST_TEST(!bpf::Validate(insns.value(), ValidateOptionsFor(0, Abi::kNew).value()).ok());
  BOOST_TEST(Filter("ld [4096]\nret #ALLOW\n").MaxDataOffset() == 4100u);
  for (const char* bad : {"ld [8192]\nret #ALLOW\n", "ld [4098]\nret #ALLOW\n"}) {
    auto b = bpf::Assemble(bad);
    BOOST_TEST_REQUIRE(b.ok());
    BOOST_TEST(
        !bpf::Validate(b.value(), ValidateOptionsFor(kFilterFlagDeepArgs, Abi::kNew).value()).ok());
  }
}

BOOST_AUTO_TEST_CASE(the_struct_is_copied_once_with_copy_struct_from_user) {
  Openat2 t(HowBytes(model::kORdonly | model::kOCloexec, 0, model::kResolveNoSymlinks));
  model::CopyCounters c;
  const EaCopy ea = SeccompCopyEa(t.mem, &c, t.sd);
  BOOST_TEST(ea.copied);
  BOOST_TEST(c == Counters(0, 0, 1, 24));
  BOOST_TEST(ea.nonzero_end == 17u);  // resolve's low byte is the last non-zero one
  const auto data = BuildFilterData(t.sd, ea, 4096 + 24);
  BOOST_TEST(data.size() == 4120u);
  BOOST_TEST(LoadLe<uint64_t>(data, kOffFeatureBits) == (kHasEa | kHasNrHi | kHasEaEnd));
  BOOST_TEST(LoadLe<uint32_t>(data, kOffEaSize) == 24u);
  BOOST_TEST(LoadLe<uint64_t>(data, kEaOffset) == (model::kORdonly | model::kOCloexec));
  // A chain whose filters read only seccomp_data gets 64 bytes: nothing more is built.
  BOOST_TEST(BuildFilterData(t.sd, ea, 0).size() == 64u);
  // Syscalls without an extensible struct copy nothing.
  model::seccomp_data getpid{};
  getpid.nr = model::nr::kGetpid;
  model::CopyCounters none;
  BOOST_TEST(!SeccompCopyEa(t.mem, &none, getpid).present);
  BOOST_TEST(none == Counters(0, 0, 0, 0));
}

BOOST_AUTO_TEST_CASE(the_copy_gives_openat2_the_errors_its_own_copy_gives) {
  struct Case {
    std::vector<uint8_t> bytes;
    uint64_t usize;
  };
  std::vector<uint8_t> tail = HowBytes(0, 0, 0, 32);
  tail[30] = 1;
  std::vector<Case> cases = {
      {HowBytes(0, 0, 0), 24},
      {HowBytes(0, 0, 0), 16},
      {HowBytes(0, 0, 0, 32), 32},
      {tail, 32},
      {HowBytes(0, 0, 0, 4096), 4096},
      {HowBytes(0, 0, 0), 4097},
      {HowBytes(model::kOPath, 0, 0), 24},
      {HowBytes(0, 0, 0), 40},  // 40: runs off the mapping
  };
  for (const Case& c : cases) {
    Openat2 t(c.bytes, c.usize);
    const EaCopy ea = SeccompCopyEa(t.mem, nullptr, t.sd);
    auto cached = OpenHowFromCopy(ea);
    auto direct = model::CopyOpenHowFromUser(t.mem, nullptr, t.how, c.usize);
    BOOST_TEST_REQUIRE(cached.ok() == direct.ok(), "usize " << c.usize);
    if (cached.ok()) {
      BOOST_TEST(cached.value().flags == direct.value().flags, "usize " << c.usize);
    } else {
      BOOST_TEST(cached.error() == direct.error(), "usize " << c.usize);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_nonzero_tail_past_ksize_clears_has_ea_and_sets_the_end_to_usize) {
  std::vector<uint8_t> bytes = HowBytes(0, 0, 0, 32);
  bytes[24] = 1;
  Openat2 t(bytes);
  const EaCopy ea = SeccompCopyEa(t.mem, nullptr, t.sd);
  BOOST_TEST(!ea.copied);
  BOOST_TEST(ea.copy_error.err == model::kE2BIG);
  const auto data = BuildFilterData(t.sd, ea, 4096 + 24);
  BOOST_TEST(LoadLe<uint64_t>(data, kOffFeatureBits) == (kHasNrHi | kHasEaEnd));
  BOOST_TEST(LoadLe<uint32_t>(data, kOffEaNonzeroEnd) == 32u);
}

BOOST_AUTO_TEST_CASE(the_filter_the_supervisor_and_the_syscall_see_one_copy) {
  Openat2 t(HowBytes(model::kORdonly, 0, 0));
  const EaCopy ea = SeccompCopyEa(t.mem, nullptr, t.sd);
  // A second thread rewrites open_how after the copy: O_CREAT|O_WRONLY.
  BOOST_TEST_REQUIRE(t.mem.Write(t.how, HowBytes(model::kOCreat | model::kOWronly, 0644, 0)).ok());
  const auto filter = Filter(
      "ld [4096]\n"
      "jset #0x43, deny\n"  // O_WRONLY|O_RDWR|O_CREAT
      "ret #NOTIFY\n"
      "deny: ret #ERRNO(1)\n");
  BOOST_TEST(RunOn(filter, t.sd, ea) == bpf::kRetUserNotif);
  NotificationFacts facts;
  facts.id = 7;
  facts.data = t.sd;
  model::UserMemory sup;
  const uint64_t buf = sup.AllocBuffer(kNotifDeepHeader + 24);
  BOOST_TEST_REQUIRE(
      SeccompNotifyRecvDeep(sup, nullptr, buf, kNotifDeepHeader + 24, facts, ea).ok());
  BOOST_TEST(LoadLe<uint64_t>(ReadBack(sup, buf, kNotifDeepHeader + 24), kNotifDeepHeader) ==
             model::kORdonly);
  auto used = OpenHowFromCopy(ea);
  BOOST_TEST_REQUIRE(used.ok());
  BOOST_TEST(used.value().flags == (model::kORdonly | model::kOLargefile));
  // Without the copy the syscall reads the rewritten flags.
  auto reread = model::CopyOpenHowFromUser(t.mem, nullptr, t.how, 24);
  BOOST_TEST_REQUIRE(reread.ok());
  BOOST_TEST((reread.value().flags & model::kOCreat) != 0u);
}

BOOST_AUTO_TEST_CASE(aleksa_sarais_point_an_old_filter_misses_a_newer_field) {
  // clone3 with set_tid (CLONE_ARGS_SIZE_VER1, offset 64): a field a filter written
  // when clone_args had 64 bytes never looks at.
  model::clone_args args{};
  args.exit_signal = 17;
  args.set_tid = 0x10000000;
  args.set_tid_size = 1;
  model::UserMemory mem;
  const uint64_t at = Place(mem, model::BytesOf(args));
  model::seccomp_data sd{};
  sd.nr = model::nr::kClone3;
  sd.args[0] = at;
  sd.args[1] = model::kCloneArgsSizeVer1;
  const EaCopy ea = SeccompCopyEa(mem, nullptr, sd);
  BOOST_TEST_REQUIRE(ea.copied);
  BOOST_TEST(ea.nonzero_end == 73u);  // set_tid_size's low byte
  const std::string policy =
      "ld [4096]\n"  // flags, low word
      "jeq #0, hi, deny\n"
      "hi: ld [4100]\n"
      "jeq #0, allow, deny\n"
      "allow: ret #ALLOW\n"
      "deny: ret #ERRNO(1)\n";
  const auto old_filter = Filter(policy);
  const auto checked = Filter(
      "ld [64]\n"
      "jset #4, known, deny\n"  // HAS_EA_END
      "known: ld [80]\n"
      "jgt #64, deny, policy\n"  // the tail is zero from offset 64
      "policy: " +
      policy);
  BOOST_TEST(RunOn(old_filter, sd, ea) == bpf::kRetAllow);
  BOOST_TEST(RunOn(checked, sd, ea) == (bpf::kRetErrno | 1));
  // The same call from a program that knows only VER0: both allow.
  sd.args[1] = model::kCloneArgsSizeVer0;
  const EaCopy ver0 = SeccompCopyEa(mem, nullptr, sd);
  BOOST_TEST(RunOn(old_filter, sd, ver0) == bpf::kRetAllow);
  BOOST_TEST(RunOn(checked, sd, ver0) == bpf::kRetAllow);
}

BOOST_AUTO_TEST_CASE(recv_deep_carries_the_copy) {
  Openat2 t(HowBytes(model::kORdonly, 0, model::kResolveBeneath));
  const EaCopy ea = SeccompCopyEa(t.mem, nullptr, t.sd);
  NotificationFacts facts;
  facts.id = 9;
  facts.pid = 1001;
  facts.data = t.sd;
  model::UserMemory sup;
  ExpectFails(RecvDeepPrepare(103), model::kENOSPC,
              "seccomp_notify_recv_deep: the buffer is shorter than the header");
  const uint64_t buf = sup.AllocBuffer(128);
  model::CopyCounters c;
  BOOST_TEST_REQUIRE(SeccompNotifyRecvDeep(sup, &c, buf, 128, facts, ea).ok());
  BOOST_TEST(c == Counters(1, 128, 0, 0));
  const auto rec = ReadBack(sup, buf, 128);
  BOOST_TEST(LoadLe<uint64_t>(rec, 0) == 9u);
  BOOST_TEST(LoadLe<int32_t>(rec, 16) == model::nr::kOpenat2);
  BOOST_TEST(LoadLe<uint64_t>(rec, 80) == (kHasEa | kHasNrHi | kHasEaEnd));
  BOOST_TEST(LoadLe<uint32_t>(rec, 92) == 24u);
  BOOST_TEST(LoadLe<uint32_t>(rec, 100) == 24u);
  BOOST_TEST(LoadLe<uint64_t>(rec, 120) == model::kResolveBeneath);
  // A buffer with room for 8 bytes of the copy: cut, and ea_copied says so.
  const uint64_t small = sup.AllocBuffer(112);
  BOOST_TEST_REQUIRE(SeccompNotifyRecvDeep(sup, nullptr, small, 112, facts, ea).ok());
  BOOST_TEST(LoadLe<uint32_t>(ReadBack(sup, small, 112), 100) == 24u);
  ExpectFails(
      SeccompNotifyRecvDeep(sup, nullptr, model::kBadAddr, 128, facts, ea), model::kEFAULT,
      "seccomp_notify_recv_deep: copy_struct_to_user faulted; the notification is INIT again");
}

BOOST_AUTO_TEST_CASE(compat_a_deep_filter_on_an_old_kernel_is_refused_detectably) {
  ExpectLabels(Plugin(), {"works", "works", "degrades (EINVAL)", "works"});
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sclab::ksim::proposals::deep_args
