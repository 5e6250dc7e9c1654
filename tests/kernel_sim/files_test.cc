// ksim_files: descriptors (fs/file.c), read/write on each file kind
// (fs/read_write.c, drivers/char/mem.c), ioctl (fs/ioctl.c), poll (fs/select.c), the
// tiny VFS (fs/namei.c, fs/open.c) and the runner channel (net/unix, net/core/scm.c).
#include <boost/test/unit_test.hpp>

#include "model/open_how.h"
#include "tests/kernel_sim/harness.h"

namespace sclab::ksim::testing {

namespace {

int64_t Open(Sim& s, Pid p, const std::string& path, uint64_t flags, uint64_t mode = 0,
             int dfd = kAtFdcwd) {
  return s.Call(p, nr::kOpenat,
                {static_cast<uint64_t>(static_cast<int64_t>(dfd)), s.Str(p, path), flags, mode});
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ksim_files)

BOOST_AUTO_TEST_CASE(dup_takes_the_lowest_free_number_and_close_frees_it_alloc_fd) {
  Sim s;
  const Pid p = s.Spawn();
  BOOST_TEST(s.Call(p, nr::kDup, {0}) == 3);
  BOOST_TEST(s.Call(p, nr::kDup, {0}) == 4);
  BOOST_TEST(s.Call(p, nr::kClose, {3}) == 0);
  BOOST_TEST(s.Call(p, nr::kClose, {3}) == Err(model::kEBADF));
  BOOST_TEST(s.Call(p, nr::kDup, {0}) == 3);
  BOOST_TEST(s.Call(p, nr::kDup, {99}) == Err(model::kEBADF));
  BOOST_TEST(s.Call(p, nr::kClose, {(1ULL << 32) | 4}) == 0);  // unsigned int fd
}

BOOST_AUTO_TEST_CASE(descriptors_run_out_at_rlimit_nofile_1024_emfile) {
  Sim s;
  const Pid p = s.Spawn();
  int64_t last = 0;
  for (int i = 0; i < 1020; ++i) {
    last = s.Call(p, nr::kDup, {0});
  }
  BOOST_TEST(last == 1022);
  BOOST_TEST(s.Call(p, nr::kDup, {0}) == Err(model::kEMFILE));
}

BOOST_AUTO_TEST_CASE(dev_null_reads_nothing_and_swallows_writes_without_touching_the_buffer) {
  Sim s;
  const Pid p = s.Spawn();
  BOOST_TEST(s.Call(p, nr::kRead, {0, model::kBadAddr, 5}) == 0);
  BOOST_TEST(s.Call(p, nr::kWrite, {1, model::kBadAddr, 5}) == 5);
  BOOST_TEST(s.Call(p, nr::kWrite, {1, 0xffffffffffff0000ULL, 5}) ==
             Err(model::kEFAULT));  // access_ok
  BOOST_TEST(s.Call(p, nr::kIoctl, {0, 0x1234, 0}) == Err(model::kENOTTY));
  BOOST_TEST(s.Poll(p, 0) == (kPollIn | kPollOut));
  BOOST_TEST(s.Call(p, nr::kRead, {55, 0, 0}) == Err(model::kEBADF));
}

BOOST_AUTO_TEST_CASE(dev_zero_fills_up_to_the_first_unmapped_byte_read_zero) {
  Sim s;
  const Pid p = s.Spawn();
  const int64_t fd = Open(s, p, "/dev/zero", model::kORdonly);
  BOOST_TEST(fd == 3);
  const uint64_t buf = s.Bytes(p, std::vector<uint8_t>(8, 0xaa));
  BOOST_TEST(s.Call(p, nr::kRead, {3, buf, 9}) == 8);
  BOOST_TEST(s.U64(p, buf) == 0u);
  BOOST_TEST(s.Call(p, nr::kRead, {3, model::kBadAddr, 4}) == Err(model::kEFAULT));
  BOOST_TEST(s.Call(p, nr::kWrite, {3, buf, 8}) == Err(model::kEBADF));  // opened read-only
}

BOOST_AUTO_TEST_CASE(the_listener_has_no_read_or_write_operation_einval) {
  Sim s;
  const Pid p = s.Spawn();
  BOOST_TEST(s.Nnp(p) == 0);
  BOOST_TEST(s.Install(p, Always(bpf::kRetAllow), kFilterFlagNewListener) == 3);
  const uint64_t buf = s.Buf(p, 8);
  BOOST_TEST(s.Call(p, nr::kRead, {3, buf, 8}) == Err(model::kEINVAL));
  BOOST_TEST(s.Call(p, nr::kWrite, {3, buf, 8}) == Err(model::kEINVAL));
  BOOST_TEST(s.Call(p, nr::kIoctl, {3, 0x1234, 0}) == Err(model::kEINVAL));
  BOOST_TEST(s.Call(p, nr::kIoctl, {3, 0x5451, 0}) == 0);  // FIOCLEX works on any file
}

BOOST_AUTO_TEST_CASE(openat_errors_of_the_path_walk_namei) {
  Sim s;
  const Pid p = s.Spawn();
  BOOST_TEST(Open(s, p, "missing", model::kORdonly) == Err(model::kENOENT));
  BOOST_TEST(Open(s, p, "", model::kORdonly) == Err(model::kENOENT));
  BOOST_TEST(Open(s, p, "/dev/null/x", model::kORdonly) == Err(model::kENOTDIR));
  BOOST_TEST(Open(s, p, "/dev/null", model::kORdonly | model::kODirectory) == Err(model::kENOTDIR));
  BOOST_TEST(Open(s, p, "/", model::kOWronly) == Err(model::kEISDIR));
  BOOST_TEST(Open(s, p, "/", model::kORdonly | model::kOCreat) == Err(model::kEISDIR));
  BOOST_TEST(Open(s, p, "/", model::kORdonly | model::kOCreat | model::kOExcl) ==
             Err(model::kEEXIST));
  BOOST_TEST(Open(s, p, "/dev/null", model::kOWronly | model::kOCreat | model::kOExcl, 0644) ==
             Err(model::kEEXIST));
  BOOST_TEST(Open(s, p, "/newfile", model::kOWronly | model::kOCreat, 0644) == Err(model::kEACCES));
  BOOST_TEST(Open(s, p, "/dev/null", model::kORdonly | model::kONoatime) == Err(model::kEPERM));
  BOOST_TEST(Open(s, p, "/", model::kORdonly) == 3);
  BOOST_TEST(Open(s, p, s.k().ScratchPath(), model::kORdonly | model::kODirectory) == 4);
}

BOOST_AUTO_TEST_CASE(a_file_under_scratch_keeps_its_content_and_honours_o_trunc_and_o_append) {
  Sim s;
  const Pid p = s.Spawn();
  BOOST_TEST(Open(s, p, "f", model::kOWronly | model::kOCreat | model::kOExcl, 0600) == 3);
  const uint64_t text = s.Str(p, "hello");
  BOOST_TEST(s.Call(p, nr::kWrite, {3, text, 5}) == 5);
  BOOST_TEST(Open(s, p, "f", model::kOWronly | model::kOAppend) == 4);
  BOOST_TEST(s.Call(p, nr::kWrite, {4, text, 2}) == 2);
  BOOST_TEST(Open(s, p, "f", model::kORdonly) == 5);
  const uint64_t buf = s.Buf(p, 16);
  BOOST_TEST(s.Call(p, nr::kRead, {5, buf, 16}) == 7);
  const auto got = s.Read(p, buf, 7);
  BOOST_TEST(std::string(got.begin(), got.end()) == "hellohe");
  BOOST_TEST(s.Call(p, nr::kRead, {5, buf, 16}) == 0);
  BOOST_TEST(Open(s, p, "f/", model::kORdonly) == Err(model::kENOTDIR));
  BOOST_TEST(Open(s, p, "f", model::kORdwr | model::kOTrunc) == 6);
  BOOST_TEST(s.Call(p, nr::kRead, {6, buf, 16}) == 0);
}

BOOST_AUTO_TEST_CASE(files_created_by_root_are_not_writable_by_nobody_umask_022) {
  Sim s;
  const Pid root = s.Spawn(true);
  const Pid nobody = s.Spawn();
  BOOST_TEST(Open(s, root, "r", model::kOWronly | model::kOCreat, 0666) == 3);
  BOOST_TEST(Open(s, nobody, "r", model::kORdonly) == 3);
  BOOST_TEST(Open(s, nobody, "r", model::kOWronly) == Err(model::kEACCES));
  BOOST_TEST(
      s.Call(root, nr::kMkdirat,
             {static_cast<uint64_t>(static_cast<int64_t>(kAtFdcwd)), s.Str(root, "d"), 0777}) == 0);
  BOOST_TEST(Open(s, nobody, "d/x", model::kOWronly | model::kOCreat, 0666) == Err(model::kEACCES));
  BOOST_TEST(Open(s, root, "d/x", model::kOWronly | model::kOCreat, 0666) == 4);
}

BOOST_AUTO_TEST_CASE(mkdirat_eexist_before_eacces_and_enoent_for_a_missing_parent) {
  Sim s;
  const Pid p = s.Spawn();
  const auto cwd = static_cast<uint64_t>(static_cast<int64_t>(kAtFdcwd));
  BOOST_TEST(s.Call(p, nr::kMkdirat, {cwd, s.Str(p, "a"), 0755}) == 0);
  BOOST_TEST(s.Call(p, nr::kMkdirat, {cwd, s.Str(p, "a"), 0755}) == Err(model::kEEXIST));
  BOOST_TEST(s.Call(p, nr::kMkdirat, {cwd, s.Str(p, "a/b/c"), 0755}) == Err(model::kENOENT));
  BOOST_TEST(s.Call(p, nr::kMkdirat, {cwd, s.Str(p, "/dev"), 0755}) == Err(model::kEEXIST));
  BOOST_TEST(s.Call(p, nr::kMkdirat, {cwd, s.Str(p, "/x"), 0755}) == Err(model::kEACCES));
  BOOST_TEST(s.Call(p, nr::kMkdirat, {cwd, s.Str(p, "."), 0755}) == Err(model::kEEXIST));
  BOOST_TEST(Open(s, p, "a", model::kORdonly | model::kODirectory) == 3);
  BOOST_TEST(s.Call(p, nr::kMkdirat, {3, s.Str(p, "b"), 0755}) == 0);
  BOOST_TEST(s.Call(p, nr::kMkdirat, {0, s.Str(p, "b"), 0755}) == Err(model::kENOTDIR));
  BOOST_TEST(s.Call(p, nr::kMkdirat, {77, s.Str(p, "b"), 0755}) == Err(model::kEBADF));
  BOOST_TEST(Open(s, p, "b", model::kORdonly, 0, 3) == 4);
}

BOOST_AUTO_TEST_CASE(openat2_size_rules_then_resolve_rules_open_how) {
  Sim s;
  const Pid p = s.Spawn();
  const uint64_t how = s.Buf(p, 32);
  const uint64_t path = s.Str(p, "/dev/null");
  const auto cwd = static_cast<uint64_t>(static_cast<int64_t>(kAtFdcwd));
  BOOST_TEST(s.Call(p, nr::kOpenat2, {cwd, path, how, 23}) == Err(model::kEINVAL));
  BOOST_TEST(s.Call(p, nr::kOpenat2, {cwd, path, how, 4097}) == Err(model::kE2BIG));
  s.PutU64(p, how + 24, 1);
  BOOST_TEST(s.Call(p, nr::kOpenat2, {cwd, path, how, 32}) == Err(model::kE2BIG));
  s.PutU64(p, how + 24, 0);
  BOOST_TEST(s.Call(p, nr::kOpenat2, {cwd, path, how, 32}) == 3);
  s.PutU64(p, how + 16, model::kResolveBeneath);
  BOOST_TEST(s.Call(p, nr::kOpenat2, {cwd, path, how, 24}) == Err(model::kEXDEV));
  s.PutU64(p, how + 16, model::kResolveNoXdev);
  BOOST_TEST(s.Call(p, nr::kOpenat2, {cwd, path, how, 24}) == Err(model::kEXDEV));
  s.PutU64(p, how + 16, model::kResolveInRoot);
  BOOST_TEST(s.Call(p, nr::kOpenat2, {cwd, path, how, 24}) == Err(model::kENOENT));
  BOOST_TEST(s.Call(p, nr::kOpenat2, {cwd, path, model::kBadAddr, 24}) == Err(model::kEFAULT));
}

BOOST_AUTO_TEST_CASE(o_cloexec_and_fioclex_set_the_descriptor_flag) {
  Sim s;
  const Pid p = s.Spawn();
  BOOST_TEST(Open(s, p, "/dev/null", model::kORdonly | model::kOCloexec) == 3);
  BOOST_TEST(s.k().FindProcess(p)->fds.Find(3)->cloexec);
  BOOST_TEST(s.Call(p, nr::kIoctl, {3, 0x5450, 0}) == 0);  // FIONCLEX
  BOOST_TEST(!s.k().FindProcess(p)->fds.Find(3)->cloexec);
  BOOST_TEST(s.Call(p, nr::kIoctl, {3, 0x5451, 0}) == 0);  // FIOCLEX
  BOOST_TEST(s.k().FindProcess(p)->fds.Find(3)->cloexec);
}

BOOST_AUTO_TEST_CASE(o_path_descriptors_refuse_read_ioctl_and_poll_but_dup) {
  Sim s;
  const Pid p = s.Spawn();
  BOOST_TEST(Open(s, p, "/dev/null", model::kOPath) == 3);
  BOOST_TEST(s.Call(p, nr::kRead, {3, 0, 0}) == Err(model::kEBADF));
  BOOST_TEST(s.Call(p, nr::kIoctl, {3, 0x5451, 0}) == Err(model::kEBADF));
  BOOST_TEST(s.Poll(p, 3) == kPollNval);
  BOOST_TEST(s.Call(p, nr::kDup, {3}) == 4);
}

BOOST_AUTO_TEST_CASE(poll_rules_do_sys_poll) {
  Sim s;
  const Pid p = s.Spawn();
  BOOST_TEST(s.Call(p, nr::kPoll, {0, 1025, 0}) == Err(model::kEINVAL));
  BOOST_TEST(s.Call(p, nr::kPoll, {model::kBadAddr, 1, 0}) == Err(model::kEFAULT));
  BOOST_TEST(s.Call(p, nr::kPoll, {0, 0, 0}) == 0);
  const uint64_t pfd = s.Buf(p, 16);
  s.PutU32(p, pfd, static_cast<uint32_t>(-1));
  s.PutU32(p, pfd + 8, 99);
  s.PutU32(p, pfd + 12, kPollIn);
  BOOST_TEST(s.Call(p, nr::kPoll, {pfd, 2, 0}) == 1);
  BOOST_TEST(s.U32(p, pfd + 12) == (kPollIn | (kPollNval << 16)));
}

BOOST_AUTO_TEST_CASE(recvmsg_on_the_channel_installs_the_passed_file_scm_detach_fds) {
  Sim s;
  const Pid a = s.Spawn();
  const Pid b = s.Spawn();
  BOOST_TEST(Open(s, a, "/dev/zero", model::kORdonly) == 3);
  BOOST_TEST(s.Pass(a, 3, b) == 3);
  BOOST_TEST(static_cast<int>(s.k().FindProcess(b)->fds.Get(3)->kind) ==
             static_cast<int>(FileKind::kDevZero));
  BOOST_TEST(s.Pass(a, 9, b) == Err(model::kEBADF));
  BOOST_TEST(s.Call(b, nr::kRecvmsg, {0, s.Buf(b, 56), 0}) == Err(model::kENOTSOCK));
  BOOST_TEST(s.Call(b, nr::kRecvmsg, {1023, s.Buf(b, 56), kMsgDontwait}) == Err(model::kEAGAIN));
}

BOOST_AUTO_TEST_CASE(recvmsg_sleeps_until_the_runner_sends_unix_stream_data_wait) {
  Sim s;
  const Pid a = s.Spawn();
  const Pid b = s.Spawn();
  const uint64_t m = s.MsgHdr(b);
  const CallHandle h = s.Start(b, nr::kRecvmsg, {1023, m, 0});
  BOOST_TEST(std::string(s.Status(h).wait_name) == "unix_stream_data_wait (interruptible)");
  BOOST_TEST(s.k().SendFdToChannel(a, 0, b));
  BOOST_TEST(s.Status(h).ret == 1);
  BOOST_TEST(s.U32(b, m + 96) == 3u);   // the fd in the SCM_RIGHTS message
  BOOST_TEST(s.U64(b, m + 40) == 24u);  // msg_controllen: CMSG_SPACE(4)
  BOOST_TEST(s.U64(b, m + 80) == 20u);  // cmsg_len: CMSG_LEN(4)
}

BOOST_AUTO_TEST_CASE(recvmsg_without_a_free_descriptor_sets_msg_ctrunc) {
  Sim s;
  const Pid a = s.Spawn();
  const Pid b = s.Spawn();
  for (int i = 0; i < 1020; ++i) {
    (void)s.Call(b, nr::kDup, {0});
  }
  BOOST_TEST(s.k().SendFdToChannel(a, 0, b));
  const uint64_t m = s.MsgHdr(b);
  BOOST_TEST(s.Call(b, nr::kRecvmsg, {1023, m, 0}) == 1);
  BOOST_TEST((s.U32(b, m + 48) & kMsgCtrunc) != 0u);
  BOOST_TEST(s.U64(b, m + 40) == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace sclab::ksim::testing
