// ea_notif's scenario verb: the extensible receive at the size the scenario's userspace
// was built with (or any size, to show the errors).
#include "kernel_sim/proposals/byte_fields.h"
#include "kernel_sim/proposals/ea_notif/ea_notif.h"
#include "kernel_sim/proposals/verb.h"

namespace sclab::ksim::proposals::ea_notif {

namespace {

VerbPlan EaRecv(const VerbArgs& a) {
  const uint64_t usize = a.Key("size", KernelSize(a.user));
  VerbPlan p;
  std::vector<uint8_t> buf(std::max<uint64_t>(usize, 8), 0);
  StoreLe(std::span(buf), 0, static_cast<uint32_t>(usize));
  p.buffers.push_back({"", buf});
  IoctlOnBuffer0(&p, a.positional[0], kIoctlNotifRecvEa);
  p.notification = PlanNotification{{0, 8}, PlanPlace{0, 16}, PlanPlace{0, 32}};
  if (buf.size() >= kSizeVer0) {
    AddField(&p, "size", 0, 0, 4);
    AddField(&p, "flags", 0, 4, 4);
    AddField(&p, "tgid", 0, 20, 4, FieldKind::kPid);
    AddField(&p, "data_size", 0, 24, 4);
  }
  if (buf.size() >= kSizeVer1) AddField(&p, "pidfd", 0, 96, 4, FieldKind::kFd);
  return p;
}

}  // namespace

std::vector<VerbSpec> Verbs() {
  return {
      {"ea_notif",
       "ea_recv",
       "ea_recv(L [, size=N]) -> n",
       "ioctl(L, 0xC0602110, buf(N)) with the struct's size field = N (default: the "
       "userspace ABI's, 96 or 104); binds a notification with `n.size`, `n.flags`, "
       "`n.tgid`, `n.data_size` and, from 104 bytes, `n.pidfd`",
       {VerbParam::kValue},
       1,
       {"size"},
       VerbBinds::kNotification,
       {"size", "flags", "tgid", "data_size", "pidfd"},
       &EaRecv},
  };
}

}  // namespace sclab::ksim::proposals::ea_notif
