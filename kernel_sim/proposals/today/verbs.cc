// today's scenario verbs: the grown RECV of the new ABI, and the supervisor's own read
// of the target's open_how (process_vm_readv), which today's design needs.
#include "kernel_sim/proposals/byte_fields.h"
#include "kernel_sim/proposals/today/today.h"
#include "kernel_sim/proposals/verb.h"

namespace sclab::ksim::proposals::today {

namespace {

VerbPlan RecvV2(const VerbArgs& a) {
  VerbPlan p;
  p.buffers.push_back({"", std::vector<uint8_t>(kSizeofNotifV2, 0)});
  IoctlOnBuffer0(&p, a.positional[0], kIoctlNotifRecvV2);
  p.notification = PlanNotification{{0, 0}, PlanPlace{0, 8}, PlanPlace{0, 16}};
  AddField(&p, "tgid", 0, 80, 4, FieldKind::kPid);
  return p;
}

VerbPlan ReadOpenHow(const VerbArgs& a) {
  VerbPlan p;
  constexpr uint64_t kLen = sizeof(model::open_how);
  p.buffers.push_back({"", std::vector<uint8_t>(kLen, 0)});
  std::vector<uint8_t> liov(sizeof(iovec), 0);
  StoreLe(std::span(liov), 8, kLen);
  std::vector<uint8_t> riov(sizeof(iovec), 0);
  StoreLe(std::span(riov), 0, a.positional[1]);
  StoreLe(std::span(riov), 8, kLen);
  p.buffers.push_back({".liov", liov});
  p.buffers.push_back({".riov", riov});
  p.pointers.push_back({1, 0, 0, 0});  // liov.iov_base = the 24-byte buffer
  p.nr = kNrProcessVmReadv;
  p.args[0].value = a.positional[0];
  p.args[1] = PlanArg{0, 1};
  p.args[2].value = 1;
  p.args[3] = PlanArg{0, 2};
  p.args[4].value = 1;
  AddOpenHowFields(&p, 0, 0);
  return p;
}

}  // namespace

std::vector<VerbSpec> Verbs() {
  return {
      {"today",
       "recv_v2",
       "recv_v2(L) -> n",
       "ioctl(L, 0xC0582100, buf(88)): the grown RECV; binds a notification with `n.tgid`",
       {VerbParam::kValue},
       1,
       {},
       VerbBinds::kNotification,
       {"tgid"},
       &RecvV2},
      {"today",
       "read_open_how",
       "read_open_how(PID, ADDR) -> h",
       "process_vm_readv(PID, {buf(24)}, 1, {ADDR, 24}, 1, 0); fields `h.how.flags`, "
       "`h.how.mode`, `h.how.resolve`",
       {VerbParam::kValue, VerbParam::kAddress},
       2,
       {},
       VerbBinds::kValue,
       {"how.flags", "how.mode", "how.resolve"},
       &ReadOpenHow},
  };
}

}  // namespace sclab::ksim::proposals::today
