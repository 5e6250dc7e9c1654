// sizes_vector's scenario verbs: discovery (into an array of `capacity` sizes) and the
// receive of the whole record, decoded at the offsets the userspace ABI's layout gives
// unless the scenario passes the ones it discovered.
#include <algorithm>
#include <string>

#include "kernel_sim/proposals/byte_fields.h"
#include "kernel_sim/proposals/sizes_vector/sizes_vector.h"
#include "kernel_sim/proposals/verb.h"

namespace sclab::ksim::proposals::sizes_vector {

namespace {

constexpr uint64_t kShownSizes = 4;

VerbPlan Layout(const VerbArgs& a) {
  const uint64_t capacity = a.Key("capacity", 16);
  std::vector<uint8_t> buf(8 + 4 * capacity, 0);
  StoreLe(std::span(buf), 0, static_cast<uint32_t>(capacity));
  VerbPlan p;
  p.buffers.push_back({"", buf});
  IoctlOnBuffer0(&p, a.positional[0], kIoctlNotifGetLayout);
  AddField(&p, "num_members", 0, 0, 4);
  AddField(&p, "submember_size", 0, 4, 4);
  for (uint64_t i = 0; i < std::min(capacity, kShownSizes); ++i) {
    AddField(&p, "member_sizes[" + std::to_string(i) + "]", 0, 8 + 4 * i, 4);
  }
  return p;
}

VerbPlan RecvLayout(const VerbArgs& a) {
  const Offsets o = ComputeOffsets(LayoutOf(a.user));
  const uint64_t fixed = a.Key("fixed", o.fixed);
  const uint64_t len = a.Key("len", o.total);
  VerbPlan p;
  p.buffers.push_back({"", std::vector<uint8_t>(std::max(len, fixed + 24), 0)});
  IoctlOnBuffer0(&p, a.positional[0], kIoctlNotifRecvLayout | (static_cast<uint32_t>(len) << 16));
  p.notification = PlanNotification{{0, fixed}, PlanPlace{0, fixed + 8}, PlanPlace{0, 0}};
  AddOpenHowFields(&p, 0, o.member[1]);
  AddField(&p, "ea_size", 0, fixed + 12, 4);
  if (a.user == Abi::kNew) AddField(&p, "tgid", 0, fixed + 16, 4, FieldKind::kPid);
  return p;
}

}  // namespace

// LayoutVerb is shared with notif_ptrs, which discovers its block the same way.
VerbPlan LayoutVerbPlan(const VerbArgs& a) { return Layout(a); }

std::vector<VerbSpec> Verbs() {
  return {
      {"sizes_vector",
       "notif_layout",
       "notif_layout(L [, capacity=N]) -> s",
       "ioctl(L, SECCOMP_IOCTL_NOTIF_GET_LAYOUT, buf(8 + 4N)) with num_members = N "
       "(default 16); fields `s.num_members`, `s.submember_size`, `s.member_sizes[0..3]`",
       {VerbParam::kValue},
       1,
       {"capacity"},
       VerbBinds::kValue,
       {"num_members", "submember_size", "member_sizes[0]", "member_sizes[1]", "member_sizes[2]",
        "member_sizes[3]"},
       &Layout},
      {"sizes_vector",
       "recv_layout",
       "recv_layout(L [, len=N] [, fixed=OFF]) -> n",
       "ioctl(L, _IOWR('!', 0x41, N), buf(N)) (default N: the userspace ABI's record, 168 "
       "or 264); binds a notification with `n.how.*`, `n.ea_size` and, on the new ABI, "
       "`n.tgid`, the fixed block read at OFF",
       {VerbParam::kValue},
       1,
       {"len", "fixed"},
       VerbBinds::kNotification,
       {"how.flags", "how.mode", "how.resolve", "ea_size", "tgid"},
       &RecvLayout},
  };
}

}  // namespace sclab::ksim::proposals::sizes_vector
