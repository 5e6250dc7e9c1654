// The kernel's constant-action cache: its limited emulator, the exact-ALLOW rule, the
// 6.18 uprobe/uretprobe exception, and bitmaps that only ever lose bits.
#include <boost/test/unit_test.hpp>

#include "bpf/action_cache.h"
#include "bpf/actions.h"
#include "bpf/compiler.h"
#include "bpf/interpreter.h"
#include "tests/bpf/test_util.h"

namespace sclab::bpf {
namespace {

constexpr int kNrGetpid = 39;
constexpr int kNrGetppid = 110;
constexpr int kNrKill = 62;

// An allowlist: getpid allowed, kill allowed only for signal 0, everything else ERRNO(1).
std::vector<Insn> Allowlist() {
  RuleList rules;
  rules.default_action = 0x00050001;
  rules.rules.push_back(Rule{kNrGetpid, {}, kRetAllow});
  rules.rules.push_back(Rule{kNrKill, {ArgCmp{1, ArgCmp::Op::kEq, 0, 0}}, kRetAllow});
  auto compiled = Compile(rules);
  BOOST_REQUIRE(compiled.ok());
  return compiled.value();
}

BOOST_AUTO_TEST_SUITE(bpf_action_cache)

BOOST_AUTO_TEST_CASE(constant_result_of_a_compiled_allowlist) {
  const std::vector<Insn> p = Allowlist();
  BOOST_TEST(ConstantResult(p, kAuditArchX86_64, kNrGetpid) == std::optional<uint32_t>(kRetAllow));
  BOOST_TEST(!ConstantResult(p, kAuditArchX86_64, kNrKill).has_value());  // reads args[1]
  BOOST_TEST(ConstantResult(p, kAuditArchX86_64, kNrGetppid) ==
             std::optional<uint32_t>(0x00050001));
  BOOST_TEST(ConstantResult(p, kAuditArchI386, kNrGetpid) == std::optional<uint32_t>(0u));
  BOOST_TEST(KernelCacheAllows(p, kAuditArchX86_64, kNrGetpid));
  BOOST_TEST(!KernelCacheAllows(p, kAuditArchX86_64, kNrGetppid));
  BOOST_TEST(!KernelCacheAllows(p, kAuditArchX86_64, kNrKill));
}

BOOST_AUTO_TEST_CASE(constant_actions_cover_every_x86_64_number) {
  const std::vector<Insn> p = Allowlist();
  const auto table = ConstantActions(p);
  BOOST_REQUIRE_EQUAL(table.size(), static_cast<size_t>(kX86_64SyscallCount));
  BOOST_TEST(table[kNrGetpid] == std::optional<uint32_t>(kRetAllow));
  BOOST_TEST(!table[kNrKill].has_value());
  BOOST_TEST(table[0] == std::optional<uint32_t>(0x00050001));
  BOOST_TEST(table[kNrUretprobe] == std::optional<uint32_t>(0x00050001));  // the program's view
}

BOOST_AUTO_TEST_CASE(only_exact_allow_is_cached) {
  const std::vector<Insn> allow_with_data = {Stmt(kRetK, 0x7fff0001)};
  const std::vector<Insn> log = {Stmt(kRetK, kRetLog)};
  BOOST_TEST(!KernelCacheAllows(allow_with_data, kAuditArchX86_64, kNrGetpid));
  BOOST_TEST(!KernelCacheAllows(log, kAuditArchX86_64, kNrGetpid));
  BOOST_TEST(ConstantResult(log, kAuditArchX86_64, kNrGetpid) == std::optional<uint32_t>(kRetLog));
}

BOOST_AUTO_TEST_CASE(uprobe_and_uretprobe_are_always_allowed_natively) {
  const std::vector<Insn> deny_all = {Stmt(kRetK, 0x0005004d)};  // ERRNO(77)
  BOOST_TEST(KernelCacheAllows(deny_all, kAuditArchX86_64, kNrUretprobe));
  BOOST_TEST(KernelCacheAllows(deny_all, kAuditArchX86_64, kNrUprobe));
  BOOST_TEST(!KernelCacheAllows(deny_all, kAuditArchX86_64, 337));
  BOOST_TEST(!KernelCacheAllows(deny_all, kAuditArchI386, kNrUretprobe));  // native only
  const ValidatedProgram v = MustValidate(deny_all);
  const ActionCache cache = ActionCache::Prepare(v, nullptr);
  BOOST_TEST(cache.Allows(kAuditArchX86_64, kNrUretprobe));
  BOOST_TEST(cache.Allows(kAuditArchX86_64, kNrUprobe));
  BOOST_TEST(!cache.Allows(kAuditArchX86_64, 337));
  BOOST_TEST(cache.Native().count() == 2u);
  BOOST_TEST(cache.Compat().none());
}

BOOST_AUTO_TEST_CASE(emulator_gives_up_on_anything_else) {
  const std::vector<std::vector<Insn>> not_constant = {
      {Stmt(kLdWAbs, 16), Stmt(kRetK, kRetAllow)},               // reads args[0]
      {Stmt(kLdWAbs, 8), Stmt(kRetK, kRetAllow)},                // reads ip
      {Stmt(kRetA, 0)},                                          // RET A
      {Stmt(kLdImm, 1), Stmt(kRetK, kRetAllow)},                 // LD IMM
      {Stmt(kLdWLen, 0), Stmt(kRetK, kRetAllow)},                // LD LEN (original code)
      {Stmt(kLdWAbs, 0), Jump(kJeqX, 0, 0, 0), Stmt(kRetK, kRetAllow)},  // X-form jump
      {Stmt(kOrK, 1), Stmt(kRetK, kRetAllow)},                   // ALU other than AND K
      {Stmt(kTax, 0), Stmt(kRetK, kRetAllow)},                   // TAX
  };
  for (const auto& p : not_constant) {
    BOOST_TEST(!ConstantResult(p, kAuditArchX86_64, kNrGetpid).has_value());
  }
}

BOOST_AUTO_TEST_CASE(emulates_and_ja_and_every_k_jump) {
  const std::vector<Insn> p = {
      Stmt(kLdWAbs, 0),          // 0: ld [nr]
      Stmt(kAndK, 0xff),         // 1: and #0xff
      Jump(kJgeK, 200, 5, 0),    // 2: jge #200 -> 8
      Jump(kJgtK, 100, 3, 0),    // 3: jgt #100 -> 7
      Jump(kJsetK, 1, 1, 0),     // 4: jset #1 -> 6
      Stmt(kJa, 2),              // 5: ja -> 8
      Stmt(kRetK, 0x00050001),   // 6: odd below 101
      Stmt(kRetK, 0x00050002),   // 7: 101..199
      Stmt(kRetK, kRetAllow),    // 8: even below 101, or >= 200
  };
  BOOST_TEST(ConstantResult(p, kAuditArchX86_64, 3) == std::optional<uint32_t>(0x00050001));
  BOOST_TEST(ConstantResult(p, kAuditArchX86_64, 150) == std::optional<uint32_t>(0x00050002));
  BOOST_TEST(ConstantResult(p, kAuditArchX86_64, 4) == std::optional<uint32_t>(kRetAllow));
  BOOST_TEST(ConstantResult(p, kAuditArchX86_64, 256 + 3) == std::optional<uint32_t>(0x00050001));
  // The emulator agrees with the interpreter wherever it answers.
  const ValidatedProgram v = MustValidate(p);
  for (int nr = 0; nr < kX86_64SyscallCount; ++nr) {
    SeccompData d{nr, kAuditArchX86_64, 0, {}};
    BOOST_TEST(*ConstantResult(p, kAuditArchX86_64, nr) == Run(v, d).ret);
  }
}

BOOST_AUTO_TEST_CASE(bitmap_keeps_a_bit_only_if_the_parent_had_it) {
  const ValidatedProgram parent_prog = MustValidate({
      Stmt(kLdWAbs, 0),                  // ld [nr]
      Jump(kJeqK, kNrGetpid, 0, 1),      // jeq #getpid
      Stmt(kRetK, 0x00050001),           // getpid: ERRNO(1)
      Stmt(kRetK, kRetAllow),            // else ALLOW
  });
  const ValidatedProgram allow_all = MustValidate({Stmt(kRetK, kRetAllow)});
  const ActionCache parent = ActionCache::Prepare(parent_prog, nullptr);
  BOOST_TEST(!parent.Allows(kAuditArchX86_64, kNrGetpid));
  BOOST_TEST(parent.Allows(kAuditArchX86_64, kNrGetppid));
  BOOST_TEST(!parent.Allows(kAuditArchI386, kNrGetpid));  // arch not checked by this filter
  BOOST_TEST(parent.Allows(kAuditArchI386, kNrGetppid));
  const ActionCache child = ActionCache::Prepare(allow_all, &parent);
  BOOST_TEST(!child.Allows(kAuditArchX86_64, kNrGetpid));  // lost in the parent: stays lost
  BOOST_TEST(child.Allows(kAuditArchX86_64, kNrGetppid));
  BOOST_TEST(child.Native().count() == static_cast<size_t>(kX86_64SyscallCount - 1));
}

// Prepare emulates a program without conditional jumps once; its bitmaps must equal
// the kernel's one-emulation-per-number result for straight-line and branching
// programs alike.
BOOST_AUTO_TEST_CASE(prepare_equals_one_emulation_per_number) {
  const std::vector<std::vector<Insn>> programs = {
      {Stmt(kRetK, kRetAllow)},                                     // ret ALLOW
      {Stmt(kLdWAbs, 0), Stmt(kLdWAbs, 4), Stmt(kRetK, kRetAllow)},  // loads, ret ALLOW
      {Stmt(kLdWAbs, 0), Stmt(kAndK, 1), Stmt(kJa, 0), Stmt(kRetK, kRetLog)},  // ret LOG
      {Stmt(kLdWAbs, 16), Stmt(kRetK, kRetAllow)},  // ld [args[0]]: gives up
      {Stmt(kLdWAbs, 0), Jump(kJgeK, 300, 0, 1), Stmt(kRetK, 0x00050001),
       Stmt(kRetK, kRetAllow)},  // branches on nr
  };
  for (const std::vector<Insn>& insns : programs) {
    const ValidatedProgram prog = MustValidate(insns);
    const ActionCache cache = ActionCache::Prepare(prog, nullptr);
    for (int nr = 0; nr < kX86_64SyscallCount; ++nr) {
      BOOST_REQUIRE(cache.Allows(kAuditArchX86_64, nr) ==
                    KernelCacheAllows(prog.Original(), kAuditArchX86_64, nr));
      BOOST_REQUIRE(cache.Allows(kAuditArchI386, nr) ==
                    KernelCacheAllows(prog.Original(), kAuditArchI386, nr));
    }
  }
}

BOOST_AUTO_TEST_CASE(lookup_outside_the_bitmaps_is_not_cached) {
  const ValidatedProgram allow_all = MustValidate({Stmt(kRetK, kRetAllow)});
  const ActionCache cache = ActionCache::Prepare(allow_all, nullptr);
  BOOST_TEST(cache.Allows(kAuditArchX86_64, 0));
  BOOST_TEST(cache.Allows(kAuditArchX86_64, kX86_64SyscallCount - 1));
  BOOST_TEST(!cache.Allows(kAuditArchX86_64, kX86_64SyscallCount));
  BOOST_TEST(!cache.Allows(kAuditArchX86_64, -1));
  BOOST_TEST(!cache.Allows(kAuditArchX86_64, 0x40000000 | kNrGetpid));  // x32
  BOOST_TEST(!cache.Allows(0xC00000B7, kNrGetpid));                      // neither arch
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sclab::bpf
