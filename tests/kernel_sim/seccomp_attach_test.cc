// ksim_seccomp_attach: seccomp(2) and prctl, every check in the kernel's order
// (kernel/seccomp.c seccomp_set_mode_filter(), seccomp_prepare_filter(),
// seccomp_attach_filter(), seccomp_can_sync_threads(), do_seccomp(); kernel/sys.c).
#include <boost/test/unit_test.hpp>

#include "tests/kernel_sim/harness.h"

namespace sclab::ksim::testing {

namespace {

// A program the validator refuses (division by constant 0).
std::vector<bpf::Insn> Invalid() { return {bpf::Stmt(bpf::kDivK, 0), Ret(bpf::kRetAllow)}; }

std::vector<bpf::Insn> LoadsThenRet(size_t loads) {
  std::vector<bpf::Insn> p(loads, Ld(0));
  p.push_back(Ret(bpf::kRetAllow));
  return p;
}

std::vector<bpf::Insn> Rets(size_t n) { return std::vector<bpf::Insn>(n, Ret(bpf::kRetAllow)); }

int64_t Seccomp(Sim& s, Pid p, uint64_t op, uint64_t flags, uint64_t args) {
  return s.Call(p, nr::kSeccomp, {op, flags, args});
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ksim_seccomp_attach)

BOOST_AUTO_TEST_CASE(flag_checks_come_before_everything_seccomp_set_mode_filter) {
  Sim s;
  const Pid p = s.Spawn();  // no NNP, no CAP_SYS_ADMIN
  BOOST_TEST(Seccomp(s, p, 1, 1u << 6, 0) == Err(model::kEINVAL));
  BOOST_TEST(Seccomp(s, p, 1, kFilterFlagTsync | kFilterFlagNewListener, 0) == Err(model::kEINVAL));
  BOOST_TEST(Seccomp(s, p, 1, kFilterFlagWaitKillableRecv, 0) == Err(model::kEINVAL));
  BOOST_TEST(Seccomp(s, p, 1, 0, 0) == Err(model::kEFAULT));  // NULL sock_fprog
  BOOST_TEST(Seccomp(s, p, 1, (1ULL << 32), s.Fprog(p, Rets(1))) ==
             Err(model::kEACCES));  // flags is u32
}

BOOST_AUTO_TEST_CASE(length_is_checked_before_privilege_seccomp_prepare_filter) {
  Sim s;
  const Pid p = s.Spawn();
  const uint64_t f = s.Buf(p, 16);  // len 0
  BOOST_TEST(Seccomp(s, p, 1, 0, f) == Err(model::kEINVAL));
  s.PutU32(p, f, 4097);
  BOOST_TEST(Seccomp(s, p, 1, 0, f) == Err(model::kEINVAL));
}

BOOST_AUTO_TEST_CASE(no_nnp_and_an_invalid_program_is_eacces_not_einval) {
  Sim s;
  const Pid p = s.Spawn();
  BOOST_TEST(s.Install(p, Invalid()) == Err(model::kEACCES));
  const uint64_t f = s.Buf(p, 16);
  s.PutU32(p, f, 1);  // len 1, filter NULL
  BOOST_TEST(Seccomp(s, p, 1, 0, f) == Err(model::kEACCES));
  BOOST_TEST(s.Nnp(p) == 0);
  BOOST_TEST(Seccomp(s, p, 1, 0, f) == Err(model::kEINVAL));  // bpf_check_basics_ok(): NULL
  s.PutU64(p, f + 8, 8);
  BOOST_TEST(Seccomp(s, p, 1, 0, f) == Err(model::kEFAULT));  // the instructions fault
  BOOST_TEST(s.Install(p, Invalid()) == Err(model::kEINVAL));
  BOOST_TEST(s.Call(p, nr::kPrctl, {static_cast<uint64_t>(kPrGetSeccomp), 0, 0, 0, 0}) == 0);
}

BOOST_AUTO_TEST_CASE(cap_sys_admin_installs_without_nnp) {
  Sim s;
  const Pid root = s.Spawn(true);
  BOOST_TEST(s.Install(root, Always(bpf::kRetAllow)) == 0);
  BOOST_TEST(s.Call(root, nr::kPrctl, {static_cast<uint64_t>(kPrGetSeccomp), 0, 0, 0, 0}) == 2);
}

BOOST_AUTO_TEST_CASE(the_listener_is_the_lowest_free_fd_with_cloexec) {
  Sim s;
  const Pid p = s.Spawn();
  BOOST_TEST(s.Nnp(p) == 0);
  BOOST_TEST(s.Call(p, nr::kClose, {1}) == 0);
  BOOST_TEST(s.Install(p, Always(bpf::kRetAllow), kFilterFlagNewListener) == 1);
  BOOST_TEST(s.k().FindProcess(p)->fds.Find(1)->cloexec);
}

BOOST_AUTO_TEST_CASE(emfile_comes_before_ebusy_and_consumes_no_fd) {
  Sim s;
  const Pid p = s.Spawn();
  BOOST_TEST(s.Nnp(p) == 0);
  BOOST_TEST(s.Install(p, Always(bpf::kRetAllow), kFilterFlagNewListener) == 3);
  for (int i = 0; i < 1019; ++i) {
    (void)s.Call(p, nr::kDup, {0});
  }
  BOOST_TEST(s.Install(p, Always(bpf::kRetAllow), kFilterFlagNewListener) == Err(model::kEMFILE));
  BOOST_TEST(s.Call(p, nr::kClose, {1022}) == 0);
  BOOST_TEST(s.Install(p, Always(bpf::kRetAllow), kFilterFlagNewListener) == Err(model::kEBUSY));
  BOOST_TEST(s.Call(p, nr::kDup, {0}) == 1022);  // the failed call left 1022 free
}

BOOST_AUTO_TEST_CASE(ebusy_comes_before_enomem_has_duplicate_listener) {
  Sim s;
  const Pid p = s.Spawn();
  BOOST_TEST(s.Nnp(p) == 0);
  BOOST_TEST(s.Install(p, Always(bpf::kRetAllow), kFilterFlagNewListener) == 3);
  for (int i = 0; i < 3; ++i) {
    BOOST_TEST(s.Install(p, Rets(4096)) == 0);
  }
  BOOST_TEST(s.Install(p, Rets(4096)) == Err(model::kENOMEM));
  BOOST_TEST(s.Install(p, Rets(4096), kFilterFlagNewListener) == Err(model::kEBUSY));
  BOOST_TEST(s.Call(p, nr::kDup, {0}) == 4);
}

BOOST_AUTO_TEST_CASE(seven_4096_long_load_programs_fit_and_the_eighth_is_enomem_live) {
  Sim s;
  const Pid p = s.Spawn();
  BOOST_TEST(s.Nnp(p) == 0);
  for (int i = 0; i < 7; ++i) {
    BOOST_TEST(s.Install(p, LoadsThenRet(4095)) == 0);
  }
  BOOST_TEST(s.Install(p, LoadsThenRet(4095)) == Err(model::kENOMEM));
  BOOST_TEST(s.k().FindTask(p)->filter_count == 7u);
}

BOOST_AUTO_TEST_CASE(after_a_1_insn_filter_three_4096_rets_then_4064_fit_and_4063_does_not_live) {
  Sim s;
  const Pid p = s.Spawn();
  BOOST_TEST(s.Nnp(p) == 0);
  BOOST_TEST(s.Install(p, Rets(1)) == 0);
  for (int i = 0; i < 3; ++i) {
    BOOST_TEST(s.Install(p, Rets(4096)) == 0);
  }
  BOOST_TEST(s.Install(p, Rets(4096)) == Err(model::kENOMEM));
  BOOST_TEST(s.Install(p, Rets(4064)) == 0);  // chain: 9 + 3 * 8199 + 8135 = 32741
  BOOST_TEST(s.Install(p, Rets(4063)) == Err(model::kENOMEM));
  BOOST_TEST(s.Install(p, Rets(11)) == 0);  // 32741 + 3 + 22 = 32766
  BOOST_TEST(s.Install(p, Rets(1)) == Err(model::kENOMEM));
}

BOOST_AUTO_TEST_CASE(the_budget_counts_translated_length_plus_4_per_filter_seccomp_attach_filter) {
  // After a 1-insn filter (T = 5) and three 4096 x RET (T = 8195): 24606 used, so a
  // RET-only program fits up to 3 + 2n <= 8162, i.e. n = 4079.
  Sim s;
  const Pid p = s.Spawn();
  BOOST_TEST(s.Nnp(p) == 0);
  BOOST_TEST(s.Install(p, Rets(1)) == 0);
  for (int i = 0; i < 3; ++i) {
    BOOST_TEST(s.Install(p, Rets(4096)) == 0);
  }
  BOOST_TEST(s.Install(p, Rets(4080)) == Err(model::kENOMEM));
  BOOST_TEST(s.Install(p, Rets(4079)) == 0);
}

BOOST_AUTO_TEST_CASE(enomem_comes_before_tsync) {
  Sim s;
  const Pid p = s.Spawn();
  BOOST_TEST(s.Nnp(p) == 0);
  const Pid t = s.Thread(p);
  BOOST_TEST(s.Install(t, Rets(1)) == 0);  // t is no longer syncable
  for (int i = 0; i < 3; ++i) {
    BOOST_TEST(s.Install(p, Rets(4096)) == 0);
  }
  BOOST_TEST(s.Install(p, Rets(4096), kFilterFlagTsync) == Err(model::kENOMEM));
  BOOST_TEST(s.Install(p, Rets(1), kFilterFlagTsync) == t);
  BOOST_TEST(s.Install(p, Rets(1), kFilterFlagTsync | kFilterFlagTsyncEsrch) == Err(model::kESRCH));
}

BOOST_AUTO_TEST_CASE(tsync_gives_every_thread_the_chain_and_nnp_seccomp_sync_threads) {
  Sim s;
  const Pid p = s.Spawn();
  const Pid t = s.Thread(p);
  BOOST_TEST(s.Nnp(p) == 0);
  BOOST_TEST(s.Install(p, IfNr(nr::kGetppid, Errno(5)), kFilterFlagTsync) == 0);
  const Task* tt = s.k().FindTask(t);
  BOOST_TEST(tt->no_new_privs);
  BOOST_TEST(static_cast<int>(tt->mode) == static_cast<int>(SeccompMode::kFilter));
  BOOST_TEST(tt->filter_count == 1u);
  BOOST_TEST(s.Call(t, nr::kGetppid) == Err(model::kEIO));
  // A thread in strict mode cannot be synchronized.
  const Pid t2 = s.Thread(p);
  BOOST_TEST(s.Call(t2, nr::kSeccomp, {0, 0, 0}) == Err(model::kEINVAL));  // t2 is in filter mode
}

BOOST_AUTO_TEST_CASE(tsync_fails_on_a_strict_thread) {
  Sim s;
  const Pid p = s.Spawn();
  const Pid t = s.Thread(p);
  BOOST_TEST(s.Call(t, nr::kSeccomp, {0, 0, 0}) == 0);  // t: strict
  BOOST_TEST(s.Nnp(p) == 0);
  BOOST_TEST(s.Install(p, Rets(1), kFilterFlagTsync) == t);
}

BOOST_AUTO_TEST_CASE(tsync_with_new_listener_and_esrch_returns_the_fd) {
  Sim s;
  const Pid p = s.Spawn();
  BOOST_TEST(s.Nnp(p) == 0);
  BOOST_TEST(s.Install(p, Rets(1),
                       kFilterFlagTsync | kFilterFlagNewListener | kFilterFlagTsyncEsrch) == 3);
}

BOOST_AUTO_TEST_CASE(get_action_avail_compares_the_whole_value_seccomp_get_action_avail) {
  Sim s;
  const Pid p = s.Spawn();
  const uint64_t a = s.Buf(p, 4);
  for (uint32_t v : {bpf::kRetKillProcess, bpf::kRetKillThread, bpf::kRetTrap, bpf::kRetErrno,
                     bpf::kRetUserNotif, bpf::kRetTrace, bpf::kRetLog, bpf::kRetAllow}) {
    s.PutU32(p, a, v);
    BOOST_TEST(Seccomp(s, p, 2, 0, a) == 0);
  }
  s.PutU32(p, a, bpf::kRetErrno | 1);
  BOOST_TEST(Seccomp(s, p, 2, 0, a) == Err(model::kEOPNOTSUPP));
  s.PutU32(p, a, bpf::kRetAllow | 1);
  BOOST_TEST(Seccomp(s, p, 2, 0, a) == Err(model::kEOPNOTSUPP));
  BOOST_TEST(Seccomp(s, p, 2, 1, a) == Err(model::kEINVAL));
  BOOST_TEST(Seccomp(s, p, 2, 0, 0) == Err(model::kEFAULT));
  BOOST_TEST(Seccomp(s, p, 99, 0, a) == Err(model::kEINVAL));
}

BOOST_AUTO_TEST_CASE(get_notif_sizes_writes_80_24_64) {
  Sim s;
  const Pid p = s.Spawn();
  const uint64_t b = s.Buf(p, 6);
  BOOST_TEST(Seccomp(s, p, 3, 0, b) == 0);
  const auto sizes = s.Read(p, b, 6);
  BOOST_TEST(sizes[0] == 80);
  BOOST_TEST(sizes[2] == 24);
  BOOST_TEST(sizes[4] == 64);
  BOOST_TEST(Seccomp(s, p, 3, 1, b) == Err(model::kEINVAL));
  BOOST_TEST(Seccomp(s, p, 3, 0, model::kBadAddr) == Err(model::kEFAULT));
}

BOOST_AUTO_TEST_CASE(strict_mode_allows_read_write_and_kills_anything_else_with_sigkill) {
  Sim s;
  const Pid p = s.Spawn();
  BOOST_TEST(Seccomp(s, p, 0, 1, 0) == Err(model::kEINVAL));
  BOOST_TEST(Seccomp(s, p, 0, 0, 8) == Err(model::kEINVAL));
  BOOST_TEST(Seccomp(s, p, 0, 0, 0) == 0);
  BOOST_TEST(s.Call(p, nr::kWrite, {1, 0, 0}) == 0);
  BOOST_TEST(s.Call(p, nr::kRead, {0, 0, 0}) == 0);
  const CallHandle h = s.Start(p, nr::kGetpid);
  BOOST_TEST(static_cast<int>(s.Status(h).state) == static_cast<int>(CallState::kKilled));
  BOOST_TEST(s.Status(h).signal == 9);
}

BOOST_AUTO_TEST_CASE(strict_kills_exit_group_too) {
  Sim s;
  const Pid p = s.Spawn();
  BOOST_TEST(Seccomp(s, p, 0, 0, 0) == 0);
  BOOST_TEST(s.Status(s.Start(p, nr::kExitGroup, {0})).signal == 9);
}

BOOST_AUTO_TEST_CASE(strict_after_filter_is_einval_seccomp_may_assign_mode) {
  Sim s;
  const Pid p = s.Spawn();
  BOOST_TEST(s.Nnp(p) == 0);
  BOOST_TEST(s.Install(p, Rets(1)) == 0);
  BOOST_TEST(Seccomp(s, p, 0, 0, 0) == Err(model::kEINVAL));
  BOOST_TEST(s.Call(p, nr::kPrctl, {static_cast<uint64_t>(kPrSetSeccomp), 1, 0, 0, 0}) ==
             Err(model::kEINVAL));
}

BOOST_AUTO_TEST_CASE(prctl_argument_rules_sys_c) {
  Sim s;
  const Pid p = s.Spawn();
  const auto set = static_cast<uint64_t>(kPrSetNoNewPrivs);
  const auto get = static_cast<uint64_t>(kPrGetNoNewPrivs);
  BOOST_TEST(s.Call(p, nr::kPrctl, {get, 0, 0, 0, 0}) == 0);
  BOOST_TEST(s.Call(p, nr::kPrctl, {set, 2, 0, 0, 0}) == Err(model::kEINVAL));
  BOOST_TEST(s.Call(p, nr::kPrctl, {set, 1, 1, 0, 0}) == Err(model::kEINVAL));
  BOOST_TEST(s.Call(p, nr::kPrctl, {set, 1, 0, 0, 1}) == Err(model::kEINVAL));
  BOOST_TEST(s.Call(p, nr::kPrctl, {get, 0, 0, 0, 1}) == Err(model::kEINVAL));
  BOOST_TEST(s.Call(p, nr::kPrctl, {set, 1, 0, 0, 0}) == 0);
  BOOST_TEST(s.Call(p, nr::kPrctl, {get, 0, 0, 0, 0}) == 1);
  const auto sec = static_cast<uint64_t>(kPrSetSeccomp);
  BOOST_TEST(s.Call(p, nr::kPrctl, {sec, 3, 0, 0, 0}) == Err(model::kEINVAL));
  BOOST_TEST(s.Call(p, nr::kPrctl, {sec, 2, 0, 0, 0}) == Err(model::kEFAULT));
  BOOST_TEST(s.Call(p, nr::kPrctl, {static_cast<uint64_t>(kPrGetSeccomp), 7, 7, 7, 7}) == 0);
  BOOST_TEST(s.Call(p, nr::kPrctl, {15, 0, 0, 0, 0}) ==
             Err(model::kEINVAL));                                 // DIVERGES: not modelled
  BOOST_TEST(s.Call(p, nr::kPrctl, {sec, 1, 0xdead, 0, 0}) == 0);  // strict ignores arg3
}

BOOST_AUTO_TEST_CASE(fork_shares_the_chain_and_the_childs_install_is_private_copy_seccomp) {
  Sim s;
  const Pid p = s.Spawn();
  BOOST_TEST(s.Nnp(p) == 0);
  BOOST_TEST(s.Install(p, Rets(1)) == 0);
  BOOST_TEST(s.Install(p, Rets(1)) == 0);
  const Pid c = s.Fork(p);
  BOOST_TEST(s.k().FindTask(c)->filter_count == 2u);
  BOOST_TEST(s.k().FindTask(c)->no_new_privs);
  BOOST_TEST(s.Install(c, IfNr(nr::kGetpid, Errno(3))) == 0);
  BOOST_TEST(s.k().FindTask(c)->filter_count == 3u);
  BOOST_TEST(s.k().FindTask(p)->filter_count == 2u);
  BOOST_TEST(s.Call(c, nr::kGetpid) == Err(model::kESRCH));
  BOOST_TEST(s.Call(p, nr::kGetpid) == p);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace sclab::ksim::testing
